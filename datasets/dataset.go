package datasets

import "gorgonia.org/tensor"

// Dataset is a finite set of examples with fixed per-example shapes.
//
// Shapes never include the batch (example) dimension. The implementations in
// this package are safe for concurrent calls to Gather as long as nobody
// mutates the underlying data.
type Dataset interface {
	// Len returns the number of examples (at least 1 for the data sets of
	// this package).
	Len() int
	// XShape returns the per-example feature shape, e.g. [2] or [28 28 1]
	// (no batch dimension). The caller may modify the returned slice.
	XShape() []int
	// YShape returns the per-example target shape, e.g. [1] or [10]. The
	// caller may modify the returned slice.
	YShape() []int
	// Gather copies the examples at positions idx (in that order, repeats
	// allowed) into x and y, which must be contiguous *tensor.Dense of dtype
	// Float32 or Float64 whose total sizes are len(idx)*prod(XShape) and
	// len(idx)*prod(YShape); their shapes are otherwise free. Values are
	// converted to the destination dtype. An empty idx, an index out of
	// range, a nil destination or a wrong size or dtype is an error.
	Gather(idx []int, x, y *tensor.Dense) error
}
