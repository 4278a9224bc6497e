package datasets

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// multiSubset is a view of a parent Multi at fixed positions.
type multiSubset struct {
	parent Multi
	idx    []int // positions in parent, all in range
}

// SubsetMulti returns a view of m holding the examples at positions idx, in
// that order (repeats allowed): example k of the view is example idx[k] of
// m, for every input and target. idx is copied, the data are not. A nil m,
// an empty idx or a position outside [0, m.Len()) is an error. A subset of a
// subset refers directly to the original data set. The view implements
// TensorGatherer, reading one tensor of m alone when m can.
func SubsetMulti(m Multi, idx []int) (Multi, error) {
	if m == nil {
		return nil, errors.New("datasets.SubsetMulti: nil data set")
	}
	if err := checkIndices(idx, m.Len()); err != nil {
		return nil, errors.Wrap(err, "datasets.SubsetMulti")
	}
	if s, ok := m.(*multiSubset); ok {
		return &multiSubset{parent: s.parent, idx: s.mapIndices(idx)}, nil
	}
	return &multiSubset{parent: m, idx: cloneInts(idx)}, nil
}

// mapIndices returns the parent positions of the view positions idx, which
// must be in range.
func (s *multiSubset) mapIndices(idx []int) []int {
	mapped := make([]int, len(idx))
	for k, i := range idx {
		mapped[k] = s.idx[i]
	}
	return mapped
}

// Len returns the number of positions of the view.
func (s *multiSubset) Len() int { return len(s.idx) }

// Inputs returns the parent's input specs.
func (s *multiSubset) Inputs() []Spec { return s.parent.Inputs() }

// Targets returns the parent's target specs.
func (s *multiSubset) Targets() []Spec { return s.parent.Targets() }

// GatherMulti implements Multi by mapping idx to the parent's positions.
func (s *multiSubset) GatherMulti(idx []int, xs, ys []*tensor.Dense) error {
	if err := checkIndices(idx, len(s.idx)); err != nil {
		return errors.Wrap(err, "datasets: subset GatherMulti")
	}
	return errors.Wrap(s.parent.GatherMulti(s.mapIndices(idx), xs, ys), "datasets: subset GatherMulti")
}

// GatherInput implements TensorGatherer by mapping idx to the parent's
// positions.
func (s *multiSubset) GatherInput(idx []int, i int, dst *tensor.Dense) error {
	if err := checkIndices(idx, len(s.idx)); err != nil {
		return errors.Wrap(err, "datasets: subset GatherInput")
	}
	return errors.Wrap(gatherOne(s.parent, s.mapIndices(idx), false, i, dst), "datasets: subset GatherInput")
}

// GatherTarget implements TensorGatherer by mapping idx to the parent's
// positions.
func (s *multiSubset) GatherTarget(idx []int, j int, dst *tensor.Dense) error {
	if err := checkIndices(idx, len(s.idx)); err != nil {
		return errors.Wrap(err, "datasets: subset GatherTarget")
	}
	return errors.Wrap(gatherOne(s.parent, s.mapIndices(idx), true, j, dst), "datasets: subset GatherTarget")
}
