package datasets

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// FromRows returns a Tensor with float64 storage built from row-major
// examples: x[i] holds the features of example i and y[i] its targets. All x
// rows must have the same non-zero length d and all y rows the same non-zero
// length k; the result has XShape [d], YShape [k] and Len len(x). The data are
// copied. Empty input, unequal row counts and ragged rows are errors (a ragged
// row is named by its index).
func FromRows(x, y [][]float64) (*Tensor, error) {
	if len(x) == 0 {
		return nil, errors.New("datasets.FromRows: x has no rows")
	}
	if len(x) != len(y) {
		return nil, errors.Errorf("datasets.FromRows: x has %d rows, y has %d", len(x), len(y))
	}
	xs, d, err := flattenRows("x", x)
	if err != nil {
		return nil, errors.Wrap(err, "datasets.FromRows")
	}
	ys, k, err := flattenRows("y", y)
	if err != nil {
		return nil, errors.Wrap(err, "datasets.FromRows")
	}
	return newFloat64Tensor(len(x), xs, []int{d}, ys, []int{k}), nil
}

// flattenRows concatenates rows (named name in errors), which must all have
// the same non-zero length, and returns the flat data and that length.
func flattenRows(name string, rows [][]float64) ([]float64, int, error) {
	width := len(rows[0])
	if width == 0 {
		return nil, 0, errors.Errorf("%s row 0 is empty", name)
	}
	flat := make([]float64, 0, len(rows)*width)
	for i, r := range rows {
		if len(r) != width {
			return nil, 0, errors.Errorf("%s row %d has %d values, want %d (the length of row 0)", name, i, len(r), width)
		}
		flat = append(flat, r...)
	}
	return flat, width, nil
}

// FromFlat returns a Tensor with float64 storage from flat row-major data:
// x holds n examples of per-example shape xShape and y the same n examples of
// shape yShape, so len(x) = n*prod(xShape) and len(y) = n*prod(yShape) with
// n >= 1. Shapes must have at least one dimension, all positive. The data
// are copied.
func FromFlat(x []float64, xShape []int, y []float64, yShape []int) (*Tensor, error) {
	nx, err := countExamples("x", len(x), xShape)
	if err != nil {
		return nil, errors.Wrap(err, "datasets.FromFlat")
	}
	ny, err := countExamples("y", len(y), yShape)
	if err != nil {
		return nil, errors.Wrap(err, "datasets.FromFlat")
	}
	if nx != ny {
		return nil, errors.Errorf("datasets.FromFlat: x holds %d examples of shape %v, y holds %d of shape %v",
			nx, xShape, ny, yShape)
	}
	xs := append([]float64(nil), x...)
	ys := append([]float64(nil), y...)
	return newFloat64Tensor(nx, xs, cloneInts(xShape), ys, cloneInts(yShape)), nil
}

// countExamples returns how many examples of the given per-example shape a
// flat slice of length size holds (named name in errors), checking that the
// shape is valid and divides size into at least one example.
func countExamples(name string, size int, shape []int) (int, error) {
	if len(shape) == 0 {
		return 0, errors.Errorf("%s shape is empty, want at least one dimension", name)
	}
	for i, d := range shape {
		if d <= 0 {
			return 0, errors.Errorf("%s shape %v has non-positive dimension %d at axis %d", name, shape, d, i)
		}
	}
	per := prod(shape)
	if size == 0 {
		return 0, errors.Errorf("%s is empty", name)
	}
	if size%per != 0 {
		return 0, errors.Errorf("%s has %d values, not a multiple of %d (shape %v)", name, size, per, shape)
	}
	return size / per, nil
}

// newFloat64Tensor wraps already validated flat float64 data of n examples
// into a Tensor without copying.
func newFloat64Tensor(n int, x []float64, xShape []int, y []float64, yShape []int) *Tensor {
	xd := tensor.New(tensor.WithShape(append([]int{n}, xShape...)...), tensor.WithBacking(x))
	yd := tensor.New(tensor.WithShape(append([]int{n}, yShape...)...), tensor.WithBacking(y))
	return &Tensor{
		x: xd, y: yd,
		xs: floats{f64: x}, ys: floats{f64: y},
		xShape: xShape, yShape: yShape,
		xSize: prod(xShape), ySize: prod(yShape),
		n: n,
	}
}
