package datasets

import (
	"encoding/json"
	"math"
	"testing"

	"gorgonia.org/tensor"
)

// scalerClose reports whether got and want are equal within 1e-6.
func scalerClose(got, want []float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > 1e-6 {
			return false
		}
	}
	return true
}

func TestStandardScalerHand(t *testing.T) {
	r := math.Sqrt(1.5) // (3-2)/sqrt(2/3)
	tests := []struct {
		name      string
		x         *tensor.Dense
		wantMean  []float64
		wantScale []float64
		want      []float64
	}{
		// Column 0 is 1, 2, 3: mean 2, population std sqrt(2/3); column 1 is
		// constant 5: scale 1.
		{"3x2 float64", dense(tensor.Float64, []float64{1, 5, 2, 5, 3, 5}, 3, 2),
			[]float64{2, 5}, []float64{math.Sqrt(2.0 / 3), 1}, []float64{-r, 0, 0, 0, r, 0}},
		{"3x2 float32", dense(tensor.Float32, []float64{1, 5, 2, 5, 3, 5}, 3, 2),
			[]float64{2, 5}, []float64{math.Sqrt(2.0 / 3), 1}, []float64{-r, 0, 0, 0, r, 0}},
		// 0.1 repeated has a rounding-noise std in floating point; it is
		// constant and must get scale 1.
		{"constant 0.1", dense(tensor.Float64, []float64{0.1, 0.1, 0.1}, 3, 1),
			[]float64{0.1}, []float64{1}, []float64{0, 0, 0}},
		// Rank 3: 2x2 "examples" of 2 features on the last axis.
		{"rank 3", dense(tensor.Float64, []float64{0, 10, 2, 10, 0, 30, 2, 30}, 2, 2, 2),
			[]float64{1, 20}, []float64{1, 10}, []float64{-1, -1, 1, -1, -1, 1, 1, 1}},
		// Rank 1: one example of 3 features.
		{"rank 1", dense(tensor.Float64, []float64{4, 5, 6}, 3),
			[]float64{4, 5, 6}, []float64{1, 1, 1}, []float64{0, 0, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := values(tc.x)
			var s StandardScaler
			got, err := s.FitTransform(tc.x)
			if err != nil {
				t.Fatal(err)
			}
			if !scalerClose(s.Mean, tc.wantMean) || !scalerClose(s.Scale, tc.wantScale) {
				t.Fatalf("mean %v scale %v, want %v %v", s.Mean, s.Scale, tc.wantMean, tc.wantScale)
			}
			if got.Dtype() != tc.x.Dtype() || !equalInts(got.Shape(), tc.x.Shape()) {
				t.Fatalf("dtype %v shape %v, want %v %v", got.Dtype(), got.Shape(), tc.x.Dtype(), tc.x.Shape())
			}
			if !scalerClose(values(got), tc.want) {
				t.Fatalf("transformed %v, want %v", values(got), tc.want)
			}
			if !equalFloats(values(tc.x), before) {
				t.Fatal("x was modified")
			}
			back, err := s.InverseTransform(got)
			if err != nil {
				t.Fatal(err)
			}
			if !scalerClose(values(back), before) {
				t.Fatalf("inverse %v, want %v", values(back), before)
			}
		})
	}
}

func TestStandardScalerTrainStatistics(t *testing.T) {
	var s StandardScaler
	// Train column 0, 2: mean 1, std 1; column 10, 10: constant, scale 1.
	if err := s.Fit(dense(tensor.Float64, []float64{0, 10, 2, 10}, 2, 2)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Transform(dense(tensor.Float64, []float64{3, 10, -1, 13}, 2, 2))
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{2, 0, -2, 3}; !scalerClose(values(got), want) {
		t.Fatalf("test transformed with train statistics: %v, want %v", values(got), want)
	}
}

func TestMinMaxScalerHand(t *testing.T) {
	train := dense(tensor.Float64, []float64{1, 5, 3, 5}, 2, 2) // column 0 in [1, 3], column 1 constant 5
	test := dense(tensor.Float64, []float64{2, 5, 4, 7}, 2, 2)
	tests := []struct {
		name      string
		rng       [2]float64
		wantRange [2]float64
		wantTrain []float64
		wantTest  []float64
	}{
		{"default", [2]float64{}, [2]float64{0, 1}, []float64{0, 0, 1, 0}, []float64{0.5, 0, 1.5, 2}},
		{"minus one to one", [2]float64{-1, 1}, [2]float64{-1, 1}, []float64{-1, -1, 1, -1}, []float64{0, -1, 2, 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := MinMaxScaler{FeatureRange: tc.rng}
			got, err := m.FitTransform(train)
			if err != nil {
				t.Fatal(err)
			}
			if !equalFloats(m.Min, []float64{1, 5}) || !equalFloats(m.Max, []float64{3, 5}) || m.FeatureRange != tc.wantRange {
				t.Fatalf("min %v max %v range %v", m.Min, m.Max, m.FeatureRange)
			}
			if !scalerClose(values(got), tc.wantTrain) {
				t.Fatalf("train %v, want %v", values(got), tc.wantTrain)
			}
			got, err = m.Transform(test)
			if err != nil {
				t.Fatal(err)
			}
			if !scalerClose(values(got), tc.wantTest) {
				t.Fatalf("test %v, want %v", values(got), tc.wantTest)
			}
			back, err := m.InverseTransform(got)
			if err != nil {
				t.Fatal(err)
			}
			if !scalerClose(values(back), values(test)) {
				t.Fatalf("inverse %v, want %v", values(back), values(test))
			}
		})
	}
}

func TestScalerTransformDataset(t *testing.T) {
	ds, err := NewTensor(dense(tensor.Float32, []float64{0, 10, 2, 30}, 2, 2), dense(tensor.Float64, []float64{7, 8}, 2, 1))
	if err != nil {
		t.Fatal(err)
	}
	rank1, err := NewTensor(dense(tensor.Float64, []float64{1, 3}, 2), dense(tensor.Float64, []float64{0, 1}, 2))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		ds     *Tensor
		scaler interface {
			Fit(*tensor.Dense) error
			TransformDataset(*Tensor) (*Tensor, error)
		}
		want []float64
	}{
		{"standard", ds, &StandardScaler{}, []float64{-1, -1, 1, 1}},
		{"min max", ds, &MinMaxScaler{}, []float64{0, 0, 1, 1}},
		{"rank-1 x is one feature", rank1, &MinMaxScaler{}, []float64{0, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := tc.ds.X()
			if x.Dims() == 1 {
				x = dense(tensor.Float64, values(x), x.Shape()[0], 1)
			}
			if err := tc.scaler.Fit(x); err != nil {
				t.Fatal(err)
			}
			got, err := tc.scaler.TransformDataset(tc.ds)
			if err != nil {
				t.Fatal(err)
			}
			if got.X().Dtype() != tc.ds.X().Dtype() || !equalInts(got.X().Shape(), tc.ds.X().Shape()) {
				t.Fatalf("x dtype %v shape %v, want %v %v", got.X().Dtype(), got.X().Shape(), tc.ds.X().Dtype(), tc.ds.X().Shape())
			}
			if !scalerClose(values(got.X()), tc.want) {
				t.Fatalf("x %v, want %v", values(got.X()), tc.want)
			}
			if got.Y() != tc.ds.Y() {
				t.Fatal("y is not kept")
			}
		})
	}
}

func TestScalerTransposedInput(t *testing.T) {
	x := dense(tensor.Float64, []float64{1, 2, 3, 10, 20, 30}, 2, 3) // features as rows
	if err := x.T(); err != nil {
		t.Fatal(err)
	}
	var m MinMaxScaler
	got, err := m.FitTransform(x)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{0, 0, 0.5, 0.5, 1, 1}; !scalerClose(values(got), want) || !equalInts(got.Shape(), []int{3, 2}) {
		t.Fatalf("got %v shape %v, want %v (3, 2)", values(got), got.Shape(), want)
	}
}

func TestScalerErrors(t *testing.T) {
	x32 := dense(tensor.Float64, []float64{1, 2, 3, 4, 5, 6}, 2, 3)
	x22 := dense(tensor.Float64, []float64{1, 2, 3, 4}, 2, 2)
	fittedStd := func() *StandardScaler { s := &StandardScaler{}; _ = s.Fit(x22); return s }
	fittedMM := func() *MinMaxScaler { m := &MinMaxScaler{}; _ = m.Fit(x22); return m }
	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"standard not fitted", func() error { _, err := (&StandardScaler{}).Transform(x22); return err },
			"datasets.StandardScaler.Transform: scaler is not fitted"},
		{"standard width", func() error { _, err := fittedStd().Transform(x32); return err },
			"x has 3 features (last axis of shape (2, 3)), the scaler was fitted on 2"},
		{"standard inverse width", func() error { _, err := fittedStd().InverseTransform(x32); return err },
			"datasets.StandardScaler.InverseTransform: x has 3 features"},
		{"standard dataset width", func() error {
			ds, _ := NewTensor(x32, dense(tensor.Float64, []float64{0, 1}, 2))
			_, err := fittedStd().TransformDataset(ds)
			return err
		}, "datasets.StandardScaler.TransformDataset: x has 3 features (last axis of shape (2, 3)), the scaler was fitted on 2"},
		{"standard nil dataset", func() error { _, err := fittedStd().TransformDataset(nil); return err }, "nil data set"},
		{"standard NaN", func() error { return (&StandardScaler{}).Fit(dense(tensor.Float64, []float64{1, math.NaN()}, 1, 2)) },
			"datasets.StandardScaler.Fit: x has NaN at example 0, feature 1"},
		{"standard nil x", func() error { return (&StandardScaler{}).Fit(nil) }, "x is nil"},
		{"standard int x", func() error {
			return (&StandardScaler{}).Fit(tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{1, 2})))
		}, "x has dtype int, want float32 or float64"},
		{"standard zero scale", func() error {
			_, err := (&StandardScaler{Mean: []float64{0}, Scale: []float64{0}}).Transform(x22)
			return err
		}, "scale 0 of feature 0 is not positive and finite"},
		{"standard inconsistent", func() error {
			_, err := (&StandardScaler{Mean: []float64{0, 1}, Scale: []float64{1}}).Transform(x22)
			return err
		}, "scaler has 2 means but 1 scales"},
		{"standard nil receiver", func() error { var s *StandardScaler; return s.Fit(x22) }, "nil scaler"},
		{"minmax not fitted", func() error { _, err := (&MinMaxScaler{}).Transform(x22); return err },
			"datasets.MinMaxScaler.Transform: scaler is not fitted"},
		{"minmax width", func() error { _, err := fittedMM().Transform(x32); return err },
			"x has 3 features (last axis of shape (2, 3)), the scaler was fitted on 2"},
		{"minmax bad range", func() error { return (&MinMaxScaler{FeatureRange: [2]float64{1, 1}}).Fit(x22) },
			"datasets.MinMaxScaler.Fit: feature range [1 1] is not a finite interval"},
		{"minmax min above max", func() error {
			_, err := (&MinMaxScaler{Min: []float64{2}, Max: []float64{1}}).Transform(x22)
			return err
		}, "scaler range [2, 1] of feature 0 is not a finite interval"},
		{"minmax Inf", func() error { return (&MinMaxScaler{}).Fit(dense(tensor.Float64, []float64{math.Inf(-1), 1}, 2, 1)) },
			"x has -Inf at example 0, feature 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, tc.run(), tc.want)
		})
	}
}

func TestScalerFitErrorKeepsState(t *testing.T) {
	s := StandardScaler{Mean: []float64{1}, Scale: []float64{2}}
	if err := s.Fit(dense(tensor.Float64, []float64{math.NaN()}, 1, 1)); err == nil {
		t.Fatal("no error for NaN")
	}
	if !equalFloats(s.Mean, []float64{1}) || !equalFloats(s.Scale, []float64{2}) {
		t.Fatalf("failed Fit changed the scaler to %+v", s)
	}
}

func TestScalerJSON(t *testing.T) {
	x := dense(tensor.Float64, []float64{1, 5, 2, 5, 3, 9}, 3, 2)
	tests := []struct {
		name     string
		fit      interface{ Fit(*tensor.Dense) error }
		restored interface {
			Transform(*tensor.Dense) (*tensor.Dense, error)
		}
		want string
	}{
		{"standard", &StandardScaler{}, &StandardScaler{}, `{"mean":[2,6.333333333333333],"scale":[0.816496580927726,1.8856180831641267]}`},
		{"minmax", &MinMaxScaler{}, &MinMaxScaler{}, `{"min":[1,5],"max":[3,9],"feature_range":[0,1]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.fit.Fit(x); err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(tc.fit)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tc.want {
				t.Fatalf("JSON %s, want %s", b, tc.want)
			}
			if err := json.Unmarshal(b, tc.restored); err != nil {
				t.Fatal(err)
			}
			a, err := tc.fit.(interface {
				Transform(*tensor.Dense) (*tensor.Dense, error)
			}).Transform(x)
			if err != nil {
				t.Fatal(err)
			}
			r, err := tc.restored.Transform(x)
			if err != nil {
				t.Fatal(err)
			}
			if !equalFloats(values(a), values(r)) {
				t.Fatalf("restored scaler gives %v, want %v", values(r), values(a))
			}
		})
	}
}
