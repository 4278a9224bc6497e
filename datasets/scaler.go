package datasets

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// StandardScaler standardizes features to zero mean and unit variance, as
// scikit-learn's StandardScaler: Transform maps a value v of feature j to
// (v - Mean[j]) / Scale[j].
//
// Features lie on the last axis of a tensor and every leading axis indexes
// examples: a (n, d) matrix holds n examples of d features, a
// (n, 28, 28, 1) image batch n*28*28 "examples" of one feature (a
// per-channel scaler), and a rank-1 tensor of shape (d) one example of d
// features.
//
// The zero value is an unfitted scaler. The fields are exported (with JSON
// names) so that a fitted scaler can be saved with a model and restored;
// Transform checks them before use.
type StandardScaler struct {
	// Mean holds the per-feature mean of the data given to Fit, length d.
	Mean []float64 `json:"mean"`
	// Scale holds the per-feature population standard deviation (divisor
	// n, as NumPy's std) of the fitted data, length d; a constant feature
	// gets 1 (as in scikit-learn), so it maps to 0 rather than NaN.
	Scale []float64 `json:"scale"`
}

// Fit computes Mean and Scale from x, a Float32 or Float64 tensor of rank
// >= 1 whose last axis holds the d features (see StandardScaler). It returns
// an error, leaving the scaler unchanged, for a nil, empty or non-float x
// and for a NaN or infinite value (naming its example and feature).
func (s *StandardScaler) Fit(x *tensor.Dense) error {
	if s == nil {
		return errors.New("datasets.StandardScaler.Fit: nil scaler")
	}
	vals, width, err := scalerValues(x)
	if err != nil {
		return errors.Wrap(err, "datasets.StandardScaler.Fit")
	}
	if err := finiteFeatures(vals, width); err != nil {
		return errors.Wrap(err, "datasets.StandardScaler.Fit")
	}
	n := float64(len(vals) / width)
	lo, hi := columnRange(vals, width)
	mean := make([]float64, width)
	for i, v := range vals {
		mean[i%width] += v
	}
	for j := range mean {
		mean[j] /= n
	}
	scale := make([]float64, width)
	for i, v := range vals {
		d := v - mean[i%width]
		scale[i%width] += d * d
	}
	for j := range scale {
		scale[j] = math.Sqrt(scale[j] / n)
		if lo[j] == hi[j] || scale[j] == 0 {
			scale[j] = 1
		}
	}
	s.Mean, s.Scale = mean, scale
	return nil
}

// Transform returns (x - Mean) / Scale feature by feature as a new tensor of
// the same shape and dtype as x (Float32 or Float64), leaving x unchanged.
// It is an error if the scaler is not fitted (or its fields are
// inconsistent), or if the last axis of x is not as wide as the fitted data;
// that error names both widths.
func (s *StandardScaler) Transform(x *tensor.Dense) (*tensor.Dense, error) {
	out, err := s.apply(x, false)
	return out, errors.Wrap(err, "datasets.StandardScaler.Transform")
}

// FitTransform fits the scaler on x (see Fit) and returns x transformed
// (see Transform).
func (s *StandardScaler) FitTransform(x *tensor.Dense) (*tensor.Dense, error) {
	if err := s.Fit(x); err != nil {
		return nil, errors.Wrap(err, "datasets.StandardScaler.FitTransform")
	}
	out, err := s.apply(x, false)
	return out, errors.Wrap(err, "datasets.StandardScaler.FitTransform")
}

// InverseTransform undoes Transform: it returns x*Scale + Mean feature by
// feature as a new tensor of the same shape and dtype as x, with the same
// errors as Transform.
func (s *StandardScaler) InverseTransform(x *tensor.Dense) (*tensor.Dense, error) {
	out, err := s.apply(x, true)
	return out, errors.Wrap(err, "datasets.StandardScaler.InverseTransform")
}

// TransformDataset returns a new Tensor whose X is t's X transformed (same
// shape and dtype; the features are the last axis of t's XShape, so a
// rank-1 X of shape (N) is N examples of one feature) and whose Y is t's Y,
// shared rather than copied. Errors are those of Transform, and a nil t.
func (s *StandardScaler) TransformDataset(t *Tensor) (*Tensor, error) {
	out, err := transformDataset(t, s.featureFunc)
	return out, errors.Wrap(err, "datasets.StandardScaler.TransformDataset")
}

// check returns an error unless the scaler is fitted and consistent.
func (s *StandardScaler) check() error {
	if s == nil {
		return errors.New("nil scaler")
	}
	if len(s.Mean) == 0 && len(s.Scale) == 0 {
		return errors.New("scaler is not fitted (call Fit first)")
	}
	if len(s.Mean) != len(s.Scale) {
		return errors.Errorf("scaler has %d means but %d scales", len(s.Mean), len(s.Scale))
	}
	for j := range s.Mean {
		if math.IsNaN(s.Mean[j]) || math.IsInf(s.Mean[j], 0) {
			return errors.Errorf("scaler mean %v of feature %d is not finite", s.Mean[j], j)
		}
		if !(s.Scale[j] > 0) || math.IsInf(s.Scale[j], 0) {
			return errors.Errorf("scaler scale %v of feature %d is not positive and finite", s.Scale[j], j)
		}
	}
	return nil
}

// featureFunc checks the scaler and returns its width and the per-feature
// map (forward or, if inverse, backward).
func (s *StandardScaler) featureFunc(inverse bool) (int, func(v float64, j int) float64, error) {
	if err := s.check(); err != nil {
		return 0, nil, err
	}
	if inverse {
		return len(s.Mean), func(v float64, j int) float64 { return v*s.Scale[j] + s.Mean[j] }, nil
	}
	return len(s.Mean), func(v float64, j int) float64 { return (v - s.Mean[j]) / s.Scale[j] }, nil
}

// apply maps x through the scaler, forward or inverse.
func (s *StandardScaler) apply(x *tensor.Dense, inverse bool) (*tensor.Dense, error) {
	return transformDense(x, func() (int, func(float64, int) float64, error) { return s.featureFunc(inverse) })
}

// MinMaxScaler rescales every feature linearly onto FeatureRange, as
// scikit-learn's MinMaxScaler: with [lo, hi] = FeatureRange, Transform maps
// a value v of feature j to lo + (v - Min[j]) * (hi - lo) / (Max[j] - Min[j]),
// so the fitted data span exactly [lo, hi]. A constant feature (Max == Min)
// uses a data range of 1 and maps to lo instead of NaN. Features lie on the
// last axis, as for StandardScaler.
//
// The zero value is an unfitted scaler with the default range [0, 1]; set
// FeatureRange before Fit for another one (e.g. [-1, 1]). The fields are
// exported (with JSON names) so that a fitted scaler can be saved with a
// model and restored.
type MinMaxScaler struct {
	// Min holds the per-feature minimum of the data given to Fit, length d.
	Min []float64 `json:"min"`
	// Max holds the per-feature maximum of the data given to Fit, length d.
	Max []float64 `json:"max"`
	// FeatureRange is the target interval [lo, hi], lo < hi, both finite.
	// The zero value [0, 0] means the default [0, 1]; Fit stores the range
	// it used.
	FeatureRange [2]float64 `json:"feature_range"`
}

// Fit computes Min and Max from x, a Float32 or Float64 tensor of rank >= 1
// whose last axis holds the d features, and sets a zero FeatureRange to
// [0, 1]. It returns an error, leaving the scaler unchanged, for a nil,
// empty or non-float x, a NaN or infinite value (naming its example and
// feature) or an invalid FeatureRange.
func (m *MinMaxScaler) Fit(x *tensor.Dense) error {
	if m == nil {
		return errors.New("datasets.MinMaxScaler.Fit: nil scaler")
	}
	fr, err := m.featureRange()
	if err != nil {
		return errors.Wrap(err, "datasets.MinMaxScaler.Fit")
	}
	vals, width, err := scalerValues(x)
	if err != nil {
		return errors.Wrap(err, "datasets.MinMaxScaler.Fit")
	}
	if err := finiteFeatures(vals, width); err != nil {
		return errors.Wrap(err, "datasets.MinMaxScaler.Fit")
	}
	m.Min, m.Max = columnRange(vals, width)
	m.FeatureRange = fr
	return nil
}

// Transform returns x rescaled onto FeatureRange feature by feature as a new
// tensor of the same shape and dtype as x (Float32 or Float64), leaving x
// unchanged. Values outside the fitted [Min, Max] map outside FeatureRange
// (no clipping). It is an error if the scaler is not fitted (or its fields
// are inconsistent), or if the last axis of x is not as wide as the fitted
// data; that error names both widths.
func (m *MinMaxScaler) Transform(x *tensor.Dense) (*tensor.Dense, error) {
	out, err := m.apply(x, false)
	return out, errors.Wrap(err, "datasets.MinMaxScaler.Transform")
}

// FitTransform fits the scaler on x (see Fit) and returns x transformed
// (see Transform).
func (m *MinMaxScaler) FitTransform(x *tensor.Dense) (*tensor.Dense, error) {
	if err := m.Fit(x); err != nil {
		return nil, errors.Wrap(err, "datasets.MinMaxScaler.FitTransform")
	}
	out, err := m.apply(x, false)
	return out, errors.Wrap(err, "datasets.MinMaxScaler.FitTransform")
}

// InverseTransform undoes Transform, mapping FeatureRange back onto
// [Min, Max] feature by feature, and returns a new tensor of the same shape
// and dtype as x, with the same errors as Transform. Constant features come
// back as their fitted value only for inputs equal to lo.
func (m *MinMaxScaler) InverseTransform(x *tensor.Dense) (*tensor.Dense, error) {
	out, err := m.apply(x, true)
	return out, errors.Wrap(err, "datasets.MinMaxScaler.InverseTransform")
}

// TransformDataset returns a new Tensor whose X is t's X transformed (same
// shape and dtype; the features are the last axis of t's XShape, so a
// rank-1 X of shape (N) is N examples of one feature) and whose Y is t's Y,
// shared rather than copied. Errors are those of Transform, and a nil t.
func (m *MinMaxScaler) TransformDataset(t *Tensor) (*Tensor, error) {
	out, err := transformDataset(t, m.featureFunc)
	return out, errors.Wrap(err, "datasets.MinMaxScaler.TransformDataset")
}

// featureRange returns the effective FeatureRange ([0, 1] for the zero
// value) or an error if it is not a finite interval with lo < hi.
func (m *MinMaxScaler) featureRange() ([2]float64, error) {
	fr := m.FeatureRange
	if fr == [2]float64{} {
		return [2]float64{0, 1}, nil
	}
	if !(fr[0] < fr[1]) || math.IsInf(fr[0], 0) || math.IsInf(fr[1], 0) {
		return fr, errors.Errorf("feature range %v is not a finite interval [lo, hi] with lo < hi", fr)
	}
	return fr, nil
}

// featureFunc checks the scaler and returns its width and the per-feature
// map (forward or, if inverse, backward).
func (m *MinMaxScaler) featureFunc(inverse bool) (int, func(v float64, j int) float64, error) {
	if m == nil {
		return 0, nil, errors.New("nil scaler")
	}
	if len(m.Min) == 0 && len(m.Max) == 0 {
		return 0, nil, errors.New("scaler is not fitted (call Fit first)")
	}
	if len(m.Min) != len(m.Max) {
		return 0, nil, errors.Errorf("scaler has %d minima but %d maxima", len(m.Min), len(m.Max))
	}
	fr, err := m.featureRange()
	if err != nil {
		return 0, nil, err
	}
	scale := make([]float64, len(m.Min))
	for j := range m.Min {
		lo, hi := m.Min[j], m.Max[j]
		if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) || lo > hi {
			return 0, nil, errors.Errorf("scaler range [%v, %v] of feature %d is not a finite interval", lo, hi, j)
		}
		dr := hi - lo
		if dr == 0 {
			dr = 1
		}
		scale[j] = (fr[1] - fr[0]) / dr
	}
	if inverse {
		return len(m.Min), func(v float64, j int) float64 { return (v-fr[0])/scale[j] + m.Min[j] }, nil
	}
	return len(m.Min), func(v float64, j int) float64 { return fr[0] + (v-m.Min[j])*scale[j] }, nil
}

// apply maps x through the scaler, forward or inverse.
func (m *MinMaxScaler) apply(x *tensor.Dense, inverse bool) (*tensor.Dense, error) {
	return transformDense(x, func() (int, func(float64, int) float64, error) { return m.featureFunc(inverse) })
}

// scalerValues checks that x is a non-empty Float32 or Float64 tensor of
// rank >= 1 and returns a float64 copy of its values with the width of its
// last axis.
func scalerValues(x *tensor.Dense) ([]float64, int, error) {
	if x == nil {
		return nil, 0, errors.New("x is nil")
	}
	if !isFloat(x.Dtype()) {
		return nil, 0, errors.Errorf("x has dtype %v, want float32 or float64", x.Dtype())
	}
	vals, err := denseValues(x)
	if err != nil {
		return nil, 0, err
	}
	shape := x.Shape()
	return vals, shape[len(shape)-1], nil
}

// finiteFeatures returns an error naming the example and feature of the
// first NaN or infinite value in vals, rows of width values.
func finiteFeatures(vals []float64, width int) error {
	for i, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return errors.Errorf("x has %v at example %d, feature %d", v, i/width, i%width)
		}
	}
	return nil
}

// columnRange returns the per-column minimum and maximum of vals, rows of
// width values (at least one row).
func columnRange(vals []float64, width int) (lo, hi []float64) {
	lo = append([]float64(nil), vals[:width]...)
	hi = append([]float64(nil), vals[:width]...)
	for i, v := range vals[width:] {
		j := i % width
		lo[j] = math.Min(lo[j], v)
		hi[j] = math.Max(hi[j], v)
	}
	return lo, hi
}

// scalerFunc returns a scaler's width and per-feature map, or why it cannot.
type scalerFunc func() (int, func(v float64, j int) float64, error)

// transformDense maps every value of x (features on the last axis) through
// the scaler's map and returns a new tensor of x's shape and dtype.
func transformDense(x *tensor.Dense, sf scalerFunc) (*tensor.Dense, error) {
	vals, width, err := scalerValues(x)
	if err != nil {
		return nil, err
	}
	if err := mapFeatures(vals, width, x.Shape(), sf); err != nil {
		return nil, err
	}
	return newDenseLike(x.Dtype(), x.Shape(), vals), nil
}

// mapFeatures checks the scaler against width (the last axis of shape) and
// maps vals in place.
func mapFeatures(vals []float64, width int, shape tensor.Shape, sf scalerFunc) error {
	fitted, f, err := sf()
	if err != nil {
		return err
	}
	if width != fitted {
		return errors.Errorf("x has %d features (last axis of shape %v), the scaler was fitted on %d",
			width, shape, fitted)
	}
	for i, v := range vals {
		vals[i] = f(v, i%width)
	}
	return nil
}

// transformDataset returns a Tensor with t's X mapped through the scaler
// built by mk (forward) and t's Y shared.
func transformDataset(t *Tensor, mk func(inverse bool) (int, func(float64, int) float64, error)) (*Tensor, error) {
	if t == nil {
		return nil, errors.New("nil data set")
	}
	x := t.X()
	vals, err := denseValues(x)
	if err != nil {
		return nil, err
	}
	xShape := t.XShape()
	width := xShape[len(xShape)-1]
	sf := func() (int, func(float64, int) float64, error) { return mk(false) }
	if err := mapFeatures(vals, width, append([]int{t.Len()}, xShape...), sf); err != nil {
		return nil, err
	}
	return NewTensor(newDenseLike(x.Dtype(), x.Shape(), vals), t.Y())
}
