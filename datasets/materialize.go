package datasets

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Materialize copies every example of ds, in order, into a new *Tensor with
// float64 storage: X has shape (Len, XShape...) and Y (Len, YShape...). The
// result shares no memory with ds, even when ds is itself a *Tensor, so it
// turns views (Subset, splits) and streaming data sets into plain in-memory
// tensors. A nil or empty data set, an empty per-example shape and errors
// from Gather are returned as errors.
func Materialize(ds Dataset) (*Tensor, error) {
	if ds == nil {
		return nil, errors.New("datasets.Materialize: nil data set")
	}
	n := ds.Len()
	xShape, yShape := ds.XShape(), ds.YShape()
	if n <= 0 || len(xShape) == 0 || len(yShape) == 0 || prod(xShape) <= 0 || prod(yShape) <= 0 {
		return nil, errors.Errorf("datasets.Materialize: empty data set (%d examples, x shape %v, y shape %v)",
			n, xShape, yShape)
	}
	x := tensor.New(tensor.WithShape(append([]int{n}, xShape...)...), tensor.Of(tensor.Float64))
	y := tensor.New(tensor.WithShape(append([]int{n}, yShape...)...), tensor.Of(tensor.Float64))
	if err := ds.Gather(identity(n), x, y); err != nil {
		return nil, errors.Wrap(err, "datasets.Materialize")
	}
	t, err := NewTensor(x, y)
	if err != nil {
		return nil, errors.Wrap(err, "datasets.Materialize")
	}
	return t, nil
}
