package poison

import (
	"math/rand"
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Patch is a BadNets trigger: the Height x Width rectangle of an image (H, W, C)
// whose top-left pixel is (Row, Col) is set to Value in every channel.
type Patch struct {
	// Row and Col are the trigger's top-left pixel (0-based).
	Row, Col int
	// Height and Width are the trigger's size in pixels.
	Height, Width int
	// Value is what the trigger's pixels are set to: 1 is white for images in
	// [0, 1], 255 for raw bytes.
	Value float64
}

// PatchOption changes NewPatch's defaults.
type PatchOption func(*patchConfig)

type patchConfig struct {
	h, w, margin int
	value        float64
	at           bool
	row, col     int
}

// PatchSize sets the trigger's height and width (default 4 x 4).
func PatchSize(height, width int) PatchOption {
	return func(c *patchConfig) { c.h, c.w = height, width }
}

// PatchValue sets the trigger's pixel value (default 1: white for images in
// [0, 1]; use 255 for raw bytes).
func PatchValue(v float64) PatchOption { return func(c *patchConfig) { c.value = v } }

// PatchMargin sets the pixels between the trigger and the image's bottom and
// right edges (default 1); ignored with PatchAt.
func PatchMargin(m int) PatchOption { return func(c *patchConfig) { c.margin = m } }

// PatchAt places the trigger's top-left pixel at (row, col) instead of the
// bottom-right corner.
func PatchAt(row, col int) PatchOption {
	return func(c *patchConfig) { c.at, c.row, c.col = true, row, col }
}

// NewPatch returns a trigger for images of imageH x imageW pixels: by default a
// 4x4 square of value 1 whose bottom-right pixel is one pixel from the image's
// bottom-right corner (rows and columns 23..26 of a 28x28 MNIST image). It is
// an error for the trigger not to fit in the image.
func NewPatch(imageH, imageW int, opts ...PatchOption) (Patch, error) {
	c := patchConfig{h: 4, w: 4, margin: 1, value: 1}
	for _, o := range opts {
		o(&c)
	}
	p := Patch{Row: imageH - c.margin - c.h, Col: imageW - c.margin - c.w, Height: c.h, Width: c.w, Value: c.value}
	if c.at {
		p.Row, p.Col = c.row, c.col
	}
	if err := p.check(imageH, imageW); err != nil {
		return Patch{}, errors.Wrap(err, "poison.NewPatch")
	}
	return p, nil
}

// check says whether p fits in an image of h x w pixels.
func (p Patch) check(h, w int) error {
	if p.Height <= 0 || p.Width <= 0 {
		return errors.Errorf("patch of %dx%d pixels, want a positive size", p.Height, p.Width)
	}
	if p.Row < 0 || p.Col < 0 || p.Row+p.Height > h || p.Col+p.Width > w {
		return errors.Errorf("patch of %dx%d pixels at (%d, %d) does not fit in an image of %dx%d",
			p.Height, p.Width, p.Row, p.Col, h, w)
	}
	return nil
}

// Stamp sets the trigger's pixels of the given rows of x (N, H, W, C), in
// place; rows nil means every row. x must be float32 or float64 and not a view.
func (p Patch) Stamp(x *tensor.Dense, rows []int) error {
	if err := p.stamp(x, rows); err != nil {
		return errors.Wrap(err, "poison: stamp")
	}
	return nil
}

func (p Patch) stamp(x *tensor.Dense, rows []int) error {
	if x == nil {
		return errors.New("images are nil")
	}
	sh := x.Shape()
	if len(sh) != 4 {
		return errors.Errorf("images of shape %v, want (N, H, W, C)", sh)
	}
	if x.IsView() {
		return errors.New("images are a view: materialize them first")
	}
	n, h, w, ch := sh[0], sh[1], sh[2], sh[3]
	if err := p.check(h, w); err != nil {
		return err
	}
	if rows == nil {
		rows = make([]int, n)
		for i := range rows {
			rows[i] = i
		}
	}
	set, err := setter(x)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r < 0 || r >= n {
			return errors.Errorf("row %d out of range [0, %d)", r, n)
		}
		for i := p.Row; i < p.Row+p.Height; i++ {
			for j := p.Col; j < p.Col+p.Width; j++ {
				base := ((r*h+i)*w + j) * ch
				for k := 0; k < ch; k++ {
					set(base+k, p.Value)
				}
			}
		}
	}
	return nil
}

// setter returns a function writing v at flat index i of x's storage.
func setter(x *tensor.Dense) (func(i int, v float64), error) {
	switch d := x.Data().(type) {
	case []float32:
		return func(i int, v float64) { d[i] = float32(v) }, nil
	case []float64:
		return func(i int, v float64) { d[i] = v }, nil
	}
	return nil, errors.Errorf("images of dtype %v, want float32 or float64", x.Dtype())
}

// Poison is BadNets: it returns copies of images x (N, H, W, C) and labels y
// (N) or (N, 1) in which round(fraction x N) rows, drawn at random (seeded by
// seed) among the rows whose label is not target, carry the trigger patch and
// the label target, and the sorted indices of those rows. fraction is of all N
// rows and must be in (0, 1); it is an error when fewer rows than that are
// not of the target class. x and y are not changed.
func Poison(x, y *tensor.Dense, fraction float64, target int, seed int64, patch Patch) (px, py *tensor.Dense, poisoned []int, err error) {
	px, py, poisoned, err = poison(x, y, fraction, target, seed, patch)
	return px, py, poisoned, errors.Wrap(err, "poison.Poison")
}

func poison(x, y *tensor.Dense, fraction float64, target int, seed int64, patch Patch) (px, py *tensor.Dense, poisoned []int, err error) {
	if x == nil || y == nil {
		return nil, nil, nil, errors.New("images or labels are nil")
	}
	if !(fraction > 0 && fraction < 1) {
		return nil, nil, nil, errors.Errorf("fraction %g, want one in (0, 1)", fraction)
	}
	labels, err := Labels(y)
	if err != nil {
		return nil, nil, nil, err
	}
	if n := x.Shape()[0]; n != len(labels) {
		return nil, nil, nil, errors.Errorf("%d images (shape %v) but %d labels", n, x.Shape(), len(labels))
	}
	var others []int
	for i, l := range labels {
		if l != target {
			others = append(others, i)
		}
	}
	count := int(fraction*float64(len(labels)) + 0.5)
	if count == 0 || count > len(others) {
		return nil, nil, nil, errors.Errorf("fraction %g of %d rows is %d rows, but %d rows are not of class %d (want 1 to %d)",
			fraction, len(labels), count, len(others), target, len(others))
	}
	rng := rand.New(rand.NewSource(seed))
	for i := 0; i < count; i++ { // partial Fisher-Yates: the first count of a random order
		j := i + rng.Intn(len(others)-i)
		others[i], others[j] = others[j], others[i]
	}
	poisoned = append([]int(nil), others[:count]...)
	sort.Ints(poisoned)
	if px, err = materialized(x); err != nil {
		return nil, nil, nil, err
	}
	if err := patch.stamp(px, poisoned); err != nil {
		return nil, nil, nil, err
	}
	if py, err = materialized(y); err != nil {
		return nil, nil, nil, err
	}
	set, err := labelSetter(py)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, i := range poisoned {
		set(i, target)
	}
	return px, py, poisoned, nil
}

// materialized returns a contiguous copy of t.
func materialized(t *tensor.Dense) (*tensor.Dense, error) {
	c, ok := t.Materialize().(*tensor.Dense)
	if !ok {
		return nil, errors.Errorf("cannot copy a tensor of type %T", t)
	}
	if c == t {
		c, ok = t.Clone().(*tensor.Dense)
		if !ok {
			return nil, errors.Errorf("cannot copy a tensor of type %T", t)
		}
	}
	return c, nil
}
