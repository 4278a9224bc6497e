package datasets

import (
	"math"

	"github.com/pkg/errors"
)

// CheckFiniteMulti scans every float tensor of m (Spec.DType Float32 or
// Float64; integer and String tensors cannot hold NaN or Inf and are
// skipped), the inputs in order and
// then the targets, gathering one tensor at a time, scanChunk (1024)
// examples at a time, into float64, and returns an error for the first NaN
// or ±Inf it meets. The error names the tensor (`input "features"`, or
// `target 0` when unnamed), the example index and the flat position of the
// value inside that example (row-major over its Shape). Only the tensor
// being checked is gathered when m implements TensorGatherer (every Multi of
// this package does), and a *Tensors is read in place, without a copy. A nil
// or empty m and errors from gathering are returned as errors. It returns nil when all values are finite.
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
	if t, ok := m.(*Tensors); ok { // read the storage in place, no copy
		parts := t.inputs
		if target {
			parts = t.targets
		}
		p := parts[k]
		switch {
		case p.col.f32 != nil:
			return firstNonFiniteOf(label, p.col.f32, p.size)
		case p.col.f64 != nil:
			return firstNonFiniteOf(label, p.col.f64, p.size)
		}
	}
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

// firstNonFiniteOf is firstNonFinite over float32 or float64 storage read in place.
func firstNonFiniteOf[T float32 | float64](name string, vals []T, per int) error {
	for i, v := range vals {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return errors.Errorf("%s of example %d has %v at flat position %d", name, i/per, f, i%per)
		}
	}
	return nil
}
