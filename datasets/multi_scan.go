package datasets

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// scanChunk is the number of examples ScanInputMulti, ScanTargetMulti and
// CheckFiniteMulti gather at a time.
const scanChunk = 1024

// ScanInputMulti reads input i of m, scanChunk (1024) examples at a time
// into float64, and returns the first value, in example order and row-major
// within an example, for which ok returns false: its example index and
// value, with found set. It returns found false when ok accepts every value.
// Only input i is gathered when m implements TensorGatherer (every Multi of
// this package does). Integer values are converted to float64, exactly up
// to 2^53 and rounded beyond, so range checks against bounds below 2^53
// (ids in [0, vocabulary size)) are exact. A String input (Spec.DType
// tensor.String: raw text, which has no numeric values and so no id range)
// is skipped: found is false and nothing is gathered. A nil m or ok, an i
// out of range, an empty data set and errors from gathering are returned as
// err.
func ScanInputMulti(m Multi, i int, ok func(v float64) bool) (example int, value float64, found bool, err error) {
	example, value, found, err = scanFor(m, false, i, ok)
	return example, value, found, errors.Wrap(err, "datasets.ScanInputMulti")
}

// ScanTargetMulti is ScanInputMulti for target j of m: it checks the
// targets (class ids in range, binary targets in [0, 1]) without gathering
// the inputs when m implements TensorGatherer. A String target is skipped
// (found false) as a String input is.
func ScanTargetMulti(m Multi, j int, ok func(v float64) bool) (example int, value float64, found bool, err error) {
	example, value, found, err = scanFor(m, true, j, ok)
	return example, value, found, errors.Wrap(err, "datasets.ScanTargetMulti")
}

// scanFor returns the first value of tensor k of m that ok rejects.
func scanFor(m Multi, target bool, k int, ok func(v float64) bool) (int, float64, bool, error) {
	if ok == nil {
		return 0, 0, false, errors.New("nil check function")
	}
	example, value, found := 0, 0.0, false
	err := scanMulti(m, target, k, func(start, per int, vals []float64) bool {
		for n, v := range vals {
			if !ok(v) {
				example, value, found = start+n/per, v, true
				return true
			}
		}
		return false
	})
	if err != nil {
		return 0, 0, false, err
	}
	return example, value, found, nil
}

// scanMulti gathers tensor k of m (an input, or a target when target is
// set) scanChunk examples at a time into float64 and calls visit with the
// first example of each chunk, the values per example and the chunk's
// values, until visit returns true (stop) or the data end. A String tensor
// has no numeric values: visit is never called for it. Errors name the
// tensor.
func scanMulti(m Multi, target bool, k int, visit func(start, per int, vals []float64) bool) error {
	if m == nil {
		return errors.New("nil data set")
	}
	specs := m.Inputs()
	if target {
		specs = m.Targets()
	}
	if k < 0 || k >= len(specs) {
		return errors.Errorf("%s index %d out of range [0, %d)", kindName(target), k, len(specs))
	}
	s := specs[k]
	label := tensorLabel(kindName(target), k, s.Name)
	n, per := m.Len(), prod(s.Shape)
	if n <= 0 || per <= 0 {
		return errors.Errorf("%s is empty (%d examples of shape %v)", label, n, s.Shape)
	}
	if s.DType == tensor.String {
		return nil
	}
	chunk := min(n, scanChunk)
	buf := make([]float64, chunk*per)
	idx := make([]int, 0, chunk)
	for start := 0; start < n; start += chunk {
		c := min(chunk, n-start)
		idx = idx[:0]
		for i := start; i < start+c; i++ {
			idx = append(idx, i)
		}
		dst := tensor.New(tensor.WithShape(c, per), tensor.WithBacking(buf[:c*per]))
		if err := gatherOne(m, idx, target, k, dst); err != nil {
			return errors.Wrapf(err, "%s, examples %d to %d", label, start, start+c-1)
		}
		if visit(start, per, buf[:c*per]) {
			return nil
		}
	}
	return nil
}
