package datasets

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// subset is a view of a parent Dataset at fixed positions.
type subset struct {
	parent Dataset
	idx    []int // positions in parent, all in range
}

// Subset returns a view of ds holding the examples at positions idx, in that
// order (repeats allowed): example k of the view is example idx[k] of ds.
// idx is copied, the data are not. A nil ds, an empty idx or a position
// outside [0, ds.Len()) is an error. A subset of a subset refers directly to
// the original data set.
func Subset(ds Dataset, idx []int) (Dataset, error) {
	if ds == nil {
		return nil, errors.New("datasets.Subset: nil data set")
	}
	if err := checkIndices(idx, ds.Len()); err != nil {
		return nil, errors.Wrap(err, "datasets.Subset")
	}
	if s, ok := ds.(*subset); ok {
		mapped := make([]int, len(idx))
		for k, i := range idx {
			mapped[k] = s.idx[i]
		}
		return &subset{parent: s.parent, idx: mapped}, nil
	}
	return &subset{parent: ds, idx: cloneInts(idx)}, nil
}

// Len returns the number of positions of the view.
func (s *subset) Len() int { return len(s.idx) }

// XShape returns the parent's per-example feature shape.
func (s *subset) XShape() []int { return s.parent.XShape() }

// YShape returns the parent's per-example target shape.
func (s *subset) YShape() []int { return s.parent.YShape() }

// Gather implements Dataset by mapping idx to the parent's positions.
func (s *subset) Gather(idx []int, x, y *tensor.Dense) error {
	if err := checkIndices(idx, len(s.idx)); err != nil {
		return errors.Wrap(err, "datasets: subset Gather")
	}
	mapped := make([]int, len(idx))
	for k, i := range idx {
		mapped[k] = s.idx[i]
	}
	return errors.Wrap(s.parent.Gather(mapped, x, y), "datasets: subset Gather")
}
