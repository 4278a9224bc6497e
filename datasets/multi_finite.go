package datasets

import "github.com/pkg/errors"

// CheckFiniteMulti scans every float tensor of m (Spec.DType Float32 or
// Float64; integer tensors cannot hold NaN or Inf), the inputs in order and
// then the targets, gathering one tensor at a time, scanChunk (1024)
// examples at a time, into float64, and returns an error for the first NaN
// or ±Inf it meets. The error names the tensor (`input "features"`, or
// `target 0` when unnamed), the example index and the flat position of the
// value inside that example (row-major over its Shape). Only the tensor
// being checked is gathered when m implements TensorGatherer (every Multi of
// this package does). A nil or empty m and errors from gathering are
// returned as errors. It returns nil when all values are finite.
func CheckFiniteMulti(m Multi) error {
	if m == nil {
		return errors.New("datasets.CheckFiniteMulti: nil data set")
	}
	if m.Len() <= 0 {
		return errors.Errorf("datasets.CheckFiniteMulti: empty data set (%d examples)", m.Len())
	}
	for _, target := range []bool{false, true} {
		specs := m.Inputs()
		if target {
			specs = m.Targets()
		}
		for k, s := range specs {
			if !isFloat(s.DType) {
				continue
			}
			if err := checkFiniteTensor(m, target, k, s); err != nil {
				return errors.Wrap(err, "datasets.CheckFiniteMulti")
			}
		}
	}
	return nil
}

// checkFiniteTensor returns an error for the first NaN or Inf of tensor k
// of m, of spec s.
func checkFiniteTensor(m Multi, target bool, k int, s Spec) error {
	label := tensorLabel(kindName(target), k, s.Name)
	var bad error
	err := scanMulti(m, target, k, func(start, per int, vals []float64) bool {
		bad = firstNonFinite(label, vals, per, start)
		return bad != nil
	})
	if err != nil {
		return err
	}
	return bad
}
