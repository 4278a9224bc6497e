package plots

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gokeras/gokeras/internal/atomicfile"
	"github.com/pkg/errors"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Confusion is a confusion matrix: Counts[i][j] is the number of samples of true
// class i predicted as class j. Build it with ConfusionMatrix.
type Confusion struct {
	// Classes names the classes, in label order.
	Classes []string
	// Counts is len(Classes) x len(Classes): row = true class, column = predicted.
	Counts [][]int
	// Total is the number of samples; Correct the number on the diagonal.
	Total, Correct int
}

// ConfusionMatrix counts yTrue against yPred, two equally long slices of class
// labels in 0..len(classes)-1. With classes nil or empty the classes are named
// "0", "1", ... up to the largest label seen. It is an error for the slices to
// differ in length or be empty, for a label to be negative or past the last class,
// or for two classes to share a name.
func ConfusionMatrix(yTrue, yPred []int, classes []string) (*Confusion, error) {
	if len(yTrue) != len(yPred) {
		return nil, errors.Errorf("confusion matrix: %d true labels but %d predictions", len(yTrue), len(yPred))
	}
	if len(yTrue) == 0 {
		return nil, errors.New("confusion matrix: no samples")
	}
	if len(classes) == 0 {
		k := 0
		for i := range yTrue {
			k = max(k, yTrue[i]+1, yPred[i]+1)
		}
		classes = make([]string, k)
		for i := range classes {
			classes[i] = strconv.Itoa(i)
		}
	}
	seen := make(map[string]bool, len(classes))
	for _, c := range classes {
		if seen[c] {
			return nil, errors.Errorf("confusion matrix: two classes named %q", c)
		}
		seen[c] = true
	}
	k := len(classes)
	c := &Confusion{Classes: append([]string(nil), classes...), Counts: make([][]int, k), Total: len(yTrue)}
	for i := range c.Counts {
		c.Counts[i] = make([]int, k)
	}
	for i := range yTrue {
		t, p := yTrue[i], yPred[i]
		if t < 0 || t >= k {
			return nil, errors.Errorf("confusion matrix: sample %d: true label %d is not in 0..%d", i, t, k-1)
		}
		if p < 0 || p >= k {
			return nil, errors.Errorf("confusion matrix: sample %d: predicted label %d is not in 0..%d", i, p, k-1)
		}
		c.Counts[t][p]++
		if t == p {
			c.Correct++
		}
	}
	return c, nil
}

// Accuracy is Correct / Total (0 for an empty matrix).
func (c *Confusion) Accuracy() float64 {
	if c == nil || c.Total == 0 {
		return 0
	}
	return float64(c.Correct) / float64(c.Total)
}

// Recall of a class is the share of its samples predicted as it: the diagonal count
// over the row sum. It is 0 for a class with no sample or out of range (as
// scikit-learn's zero_division default).
func (c *Confusion) Recall(class int) float64 {
	if c == nil || class < 0 || class >= len(c.Counts) {
		return 0
	}
	n := 0
	for _, v := range c.Counts[class] {
		n += v
	}
	return ratio(c.Counts[class][class], n)
}

// Precision of a class is the share of the predictions of it that are right: the
// diagonal count over the column sum. It is 0 for a class never predicted or out of
// range.
func (c *Confusion) Precision(class int) float64 {
	if c == nil || class < 0 || class >= len(c.Counts) {
		return 0
	}
	n := 0
	for _, row := range c.Counts {
		n += row[class]
	}
	return ratio(c.Counts[class][class], n)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// String is an aligned text table, true classes down, predicted classes across,
// then the accuracy:
//
//	true\pred  cat  dog
//	cat          2    1
//	dog          0    3
//	accuracy 0.8333 (5 of 6)
func (c *Confusion) String() string {
	if c == nil {
		return "<nil confusion matrix>"
	}
	const corner = "true\\pred"
	first := len(corner)
	for _, n := range c.Classes {
		first = max(first, len(n))
	}
	widths := make([]int, len(c.Classes))
	for j, n := range c.Classes {
		widths[j] = len(n)
		for i := range c.Counts {
			widths[j] = max(widths[j], len(strconv.Itoa(c.Counts[i][j])))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s", first, corner)
	for j, n := range c.Classes {
		fmt.Fprintf(&b, "  %*s", widths[j], n)
	}
	b.WriteByte('\n')
	for i, row := range c.Counts {
		fmt.Fprintf(&b, "%-*s", first, c.Classes[i])
		for j, v := range row {
			fmt.Fprintf(&b, "  %*d", widths[j], v)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "accuracy %.4f (%d of %d)\n", c.Accuracy(), c.Correct, c.Total)
	return b.String()
}

// Plot draws the heat map of WritePNG to path, as PNG or SVG chosen by the
// extension (".png" or ".svg", any case; anything else is an error), atomically: a
// temporary file beside path is renamed to path.
func (c *Confusion) Plot(path string) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if format != "png" && format != "svg" {
		return errors.Errorf("confusion matrix: %s: image format %q is not supported (want .png or .svg)", path, format)
	}
	var buf bytes.Buffer
	if err := c.write(&buf, format); err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	})
}

// WritePNG writes the matrix as a PNG heat map: true classes down (first class at
// the top), predicted classes across, cells shaded from white (0) to dark blue (the
// largest count) with the count written in each, the accuracy in the title. The
// image is square, 1.5 inches plus 0.5 inch per class, at least 4 and at most 30
// inches, at 96 dpi (4 inches, 384 pixels, for up to 5 classes; 6.5 inches, 624
// pixels, for 10). Counts are left out of cells too small to hold them.
func (c *Confusion) WritePNG(w io.Writer) error { return c.write(w, "png") }

// PNG returns the heat map of WritePNG as bytes, for notebooks: in gophernotes end
// a cell with display.PNG(b); in GoNB call gonbui.DisplayPNG(b).
func (c *Confusion) PNG() ([]byte, error) {
	var buf bytes.Buffer
	if err := c.write(&buf, "png"); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// side is the side of the heat map image (see WritePNG).
func (c *Confusion) side() vg.Length {
	s := 1.5 + 0.5*float64(len(c.Classes))
	return vg.Length(math.Min(30, math.Max(4, s))) * vg.Inch
}

func (c *Confusion) check() error {
	if c == nil {
		return errors.New("confusion matrix: nil")
	}
	k := len(c.Classes)
	if k == 0 {
		return errors.New("confusion matrix: no classes")
	}
	if len(c.Counts) != k {
		return errors.Errorf("confusion matrix: %d rows of counts for %d classes", len(c.Counts), k)
	}
	for i, row := range c.Counts {
		if len(row) != k {
			return errors.Errorf("confusion matrix: row %d has %d counts for %d classes", i, len(row), k)
		}
	}
	return nil
}

func (c *Confusion) write(w io.Writer, format string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.Errorf("confusion matrix: internal error: %v", r)
		}
	}()
	if err := c.check(); err != nil {
		return err
	}
	k := len(c.Classes)
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Confusion matrix (accuracy %.2f%%)", 100*c.Accuracy())
	p.X.Label.Text = "predicted"
	p.Y.Label.Text = "true"
	p.X.Padding, p.Y.Padding = 0, 0
	var xt, yt plot.ConstantTicks
	longest := 0
	for i, n := range c.Classes {
		xt = append(xt, plot.Tick{Value: float64(i), Label: n})
		yt = append(yt, plot.Tick{Value: float64(k - 1 - i), Label: n})
		longest = max(longest, len(n))
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = xt, yt
	if longest*k > 40 {
		p.X.Tick.Label.Rotation = math.Pi / 4
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YCenter
	}
	cell := p.X.Tick.Label
	cell.Rotation = 0
	cell.XAlign, cell.YAlign = draw.XCenter, draw.YCenter
	p.Add(&heat{c: c, text: cell})

	side := c.side()
	var canvas vg.CanvasWriterTo
	if format == "png" {
		canvas = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(side, side), vgimg.UseDPI(96))}
	} else {
		canvas = vgsvg.New(side, side)
	}
	margin := vg.Points(6)
	p.Draw(draw.Crop(draw.New(canvas), margin, -margin, margin, -margin))
	if _, err := canvas.WriteTo(w); err != nil {
		return errors.Wrapf(err, "confusion matrix: write %s", format)
	}
	return nil
}

// heat is a plot.Plotter drawing the cells of a confusion matrix: row i of the
// matrix at y = k-1-i, column j at x = j.
type heat struct {
	c    *Confusion
	text draw.TextStyle
}

func (h *heat) Plot(dc draw.Canvas, p *plot.Plot) {
	// The colours of a zero cell and of the largest count.
	low := color.RGBA{R: 0xf7, G: 0xfb, B: 0xff, A: 0xff}
	high := color.RGBA{R: 0x08, G: 0x30, B: 0x6b, A: 0xff}
	trX, trY := p.Transforms(&dc)
	k := len(h.c.Classes)
	most := 0
	for _, row := range h.c.Counts {
		for _, v := range row {
			most = max(most, v)
		}
	}
	cellH := trY(1) - trY(0)
	cellW := trX(1) - trX(0)
	size := vg.Length(math.Min(14, 0.35*float64(min(cellH, cellW))))
	sty := h.text
	sty.Font = font.From(plot.DefaultFont, size)
	for i, row := range h.c.Counts {
		y := float64(k - 1 - i)
		for j, v := range row {
			x := float64(j)
			f := 0.0
			if most > 0 {
				f = float64(v) / float64(most)
			}
			dc.SetColor(mix(low, high, f))
			rect := vg.Rectangle{
				Min: vg.Point{X: trX(x - 0.5), Y: trY(y - 0.5)},
				Max: vg.Point{X: trX(x + 0.5), Y: trY(y + 0.5)},
			}
			dc.Fill(rect.Path())
			if size >= 5 {
				sty.Color = color.Black
				if f > 0.5 {
					sty.Color = color.White
				}
				dc.FillText(sty, vg.Point{X: trX(x), Y: trY(y)}, strconv.Itoa(v))
			}
		}
	}
}

// DataRange is the square of cells.
func (h *heat) DataRange() (xmin, xmax, ymin, ymax float64) {
	k := float64(len(h.c.Classes))
	return -0.5, k - 0.5, -0.5, k - 0.5
}

func mix(a, b color.RGBA, f float64) color.Color {
	f = math.Max(0, math.Min(1, f))
	l := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + f*(float64(y)-float64(x)))) }
	return color.RGBA{R: l(a.R, b.R), G: l(a.G, b.G), B: l(a.B, b.B), A: 0xff}
}
