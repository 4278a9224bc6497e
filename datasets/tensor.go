package datasets

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Tensor is an in-memory Dataset backed by two *tensor.Dense, one for the
// features and one for the targets, whose first dimension indexes examples.
// Storage is float32 or float64 (independently for x and y).
//
// A Tensor is immutable through its own methods, and Gather is safe for
// concurrent use; mutating the tensors returned by X and Y changes the data
// set.
type Tensor struct {
	x, y           *tensor.Dense
	xs, ys         floats // contiguous storage of x and y
	xShape, yShape []int  // per-example shapes
	xSize, ySize   int    // prod(xShape), prod(yShape)
	n              int
}

// NewTensor returns a Tensor over x and y, which must be non-nil *tensor.Dense
// of dtype Float32 or Float64, of rank >= 1, with equal first dimensions
// (the number of examples, at least 1). The per-example shapes are the
// remaining dimensions; a rank-1 tensor of shape (n) has per-example shape [1].
//
// x and y are shared, not copied, unless they are views or transposed: those
// are materialized into new contiguous tensors first.
func NewTensor(x, y *tensor.Dense) (*Tensor, error) {
	x, xShape, err := checkSource("x", x)
	if err != nil {
		return nil, errors.Wrap(err, "datasets.NewTensor")
	}
	y, yShape, err := checkSource("y", y)
	if err != nil {
		return nil, errors.Wrap(err, "datasets.NewTensor")
	}
	nx, ny := x.Shape()[0], y.Shape()[0]
	if nx != ny {
		return nil, errors.Errorf("datasets.NewTensor: x has %d examples (shape %v), y has %d (shape %v)",
			nx, x.Shape(), ny, y.Shape())
	}
	return &Tensor{
		x: x, y: y,
		xs: rawFloats(x), ys: rawFloats(y),
		xShape: xShape, yShape: yShape,
		xSize: prod(xShape), ySize: prod(yShape),
		n: nx,
	}, nil
}

// checkSource validates one backing tensor of NewTensor (named name in
// errors), materializes it if needed and returns it with its per-example
// shape.
func checkSource(name string, d *tensor.Dense) (*tensor.Dense, []int, error) {
	if d == nil {
		return nil, nil, errors.Errorf("%s is nil", name)
	}
	if !isFloat(d.Dtype()) {
		return nil, nil, errors.Errorf("%s has dtype %v, want float32 or float64", name, d.Dtype())
	}
	shape := d.Shape()
	if len(shape) < 1 {
		return nil, nil, errors.Errorf("%s is a scalar, want rank >= 1", name)
	}
	if shape.TotalSize() < 1 {
		return nil, nil, errors.Errorf("%s is empty (shape %v)", name, shape)
	}
	if d.RequiresIterator() || d.IsMaterializable() {
		m, ok := d.Materialize().(*tensor.Dense)
		if !ok {
			return nil, nil, errors.Errorf("%s could not be materialized", name)
		}
		d = m
	}
	per := cloneInts(shape[1:])
	if len(per) == 0 {
		per = []int{1}
	}
	return d, per, nil
}

// X returns the feature tensor, of shape (Len, XShape...) (or (Len) for a
// rank-1 source). It is shared with the Tensor, not copied.
func (t *Tensor) X() *tensor.Dense { return t.x }

// Y returns the target tensor, of shape (Len, YShape...) (or (Len) for a
// rank-1 source). It is shared with the Tensor, not copied.
func (t *Tensor) Y() *tensor.Dense { return t.y }

// Len returns the number of examples (the first dimension of X and Y).
func (t *Tensor) Len() int { return t.n }

// XShape returns a copy of the per-example feature shape.
func (t *Tensor) XShape() []int { return cloneInts(t.xShape) }

// YShape returns a copy of the per-example target shape.
func (t *Tensor) YShape() []int { return cloneInts(t.yShape) }

// Gather implements Dataset: it copies the examples at positions idx into x
// and y, converting to their dtypes (Float32 or Float64).
func (t *Tensor) Gather(idx []int, x, y *tensor.Dense) error {
	if err := checkIndices(idx, t.n); err != nil {
		return errors.Wrap(err, "datasets.Tensor.Gather")
	}
	dx, err := destFloats("x", x, len(idx)*t.xSize)
	if err != nil {
		return errors.Wrap(err, "datasets.Tensor.Gather")
	}
	dy, err := destFloats("y", y, len(idx)*t.ySize)
	if err != nil {
		return errors.Wrap(err, "datasets.Tensor.Gather")
	}
	for k, i := range idx {
		copyFloats(dx, k*t.xSize, t.xs, i*t.xSize, t.xSize)
		copyFloats(dy, k*t.ySize, t.ys, i*t.ySize, t.ySize)
	}
	return nil
}

// checkIndices returns an error for an empty idx or one holding a position
// outside [0, n), naming the first such position and value.
func checkIndices(idx []int, n int) error {
	if len(idx) == 0 {
		return errors.New("no indices")
	}
	for k, i := range idx {
		if i < 0 || i >= n {
			return errors.Errorf("index %d at position %d out of range [0, %d)", i, k, n)
		}
	}
	return nil
}
