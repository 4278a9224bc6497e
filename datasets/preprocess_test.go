package datasets

import (
	"math"
	"testing"

	"gorgonia.org/tensor"
)

// prepLabelled returns a data set whose x is the example index and whose y
// holds labels.
func prepLabelled(t *testing.T, labels []float64) *Tensor {
	t.Helper()
	ds, err := FromFlat(seq(len(labels)), []int{1}, labels, []int{1})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// prepClasses returns counts of examples per label, 10 of class 0, 5 of
// class 1 and 3 of class 2, interleaved.
func prepClasses() []float64 {
	return []float64{0, 1, 0, 2, 0, 1, 0, 0, 2, 1, 0, 0, 1, 0, 2, 0, 1, 0}
}

// prepCount returns how many examples of ds have each label, and the x
// values (original positions) it holds.
func prepCount(t *testing.T, ds Dataset) (map[float64]int, []float64) {
	t.Helper()
	x, y := gatherAll(t, ds)
	counts := map[float64]int{}
	for _, v := range y {
		counts[v]++
	}
	return counts, x
}

func TestStratifiedSplit(t *testing.T) {
	tests := []struct {
		name      string
		labels    []float64
		fraction  float64
		wantTest  map[float64]int
		wantTrain map[float64]int
	}{
		// ceil(0.3*18) = 6 test examples: floors 3, 1, 1 (remainders 6/18,
		// 12/18, 0) and the leftover one goes to class 1.
		{"three classes", prepClasses(), 0.3, map[float64]int{0: 3, 1: 2, 2: 1}, map[float64]int{0: 7, 1: 3, 2: 2}},
		{"balanced", []float64{0, 0, 0, 0, 1, 1, 1, 1}, 0.5, map[float64]int{0: 2, 1: 2}, map[float64]int{0: 2, 1: 2}},
		{"negative and sparse ids", []float64{-1, 7, -1, 7, -1, 7, -1, 7, -1, 7}, 0.2, map[float64]int{-1: 1, 7: 1}, map[float64]int{-1: 4, 7: 4}},
		{"single class", []float64{3, 3, 3, 3, 3}, 0.2, map[float64]int{3: 1}, map[float64]int{3: 4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds := prepLabelled(t, tc.labels)
			train, test, err := StratifiedSplit(ds, tc.fraction, 7)
			if err != nil {
				t.Fatal(err)
			}
			gotTest, xTest := prepCount(t, test)
			gotTrain, xTrain := prepCount(t, train)
			for k, v := range tc.wantTest {
				if gotTest[k] != v {
					t.Errorf("test counts %v, want %v", gotTest, tc.wantTest)
				}
			}
			for k, v := range tc.wantTrain {
				if gotTrain[k] != v {
					t.Errorf("train counts %v, want %v", gotTrain, tc.wantTrain)
				}
			}
			seen := make([]int, len(tc.labels))
			for _, x := range append(xTrain, xTest...) {
				seen[int(x)]++
			}
			for i, s := range seen {
				if s != 1 {
					t.Fatalf("example %d appears %d times in train+test", i, s)
				}
			}
		})
	}
}

func TestStratifiedSplitSeed(t *testing.T) {
	ds := prepLabelled(t, prepClasses())
	_, a, err := StratifiedSplit(ds, 0.3, 1)
	if err != nil {
		t.Fatal(err)
	}
	_, b, err := StratifiedSplit(ds, 0.3, 1)
	if err != nil {
		t.Fatal(err)
	}
	_, c, err := StratifiedSplit(ds, 0.3, 2)
	if err != nil {
		t.Fatal(err)
	}
	xa, _ := gatherAll(t, a)
	xb, _ := gatherAll(t, b)
	xc, _ := gatherAll(t, c)
	if !equalFloats(xa, xb) {
		t.Errorf("same seed, different splits: %v and %v", xa, xb)
	}
	if equalFloats(xa, xc) {
		t.Errorf("seeds 1 and 2 give the same split %v", xa)
	}
}

func TestStratifiedSplitErrors(t *testing.T) {
	wide, err := FromFlat(seq(4), []int{1}, seq(8), []int{2})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		ds       Dataset
		fraction float64
		want     string
	}{
		{"nil", nil, 0.2, "datasets.StratifiedSplit: nil data set"},
		{"zero fraction", prepLabelled(t, prepClasses()), 0, "test fraction 0 is not in (0, 1)"},
		{"one fraction", prepLabelled(t, prepClasses()), 1, "test fraction 1 is not in (0, 1)"},
		{"NaN fraction", prepLabelled(t, prepClasses()), math.NaN(), "test fraction NaN is not in (0, 1)"},
		{"non-integer target", prepLabelled(t, []float64{0, 1, 0.5, 1}), 0.5, "target 0.5 of example 2 is not an integer class id"},
		{"NaN target", prepLabelled(t, []float64{0, math.NaN()}), 0.5, "target NaN of example 1 is not an integer class id"},
		{"wide target", wide, 0.5, "target has shape [2], want one class id per example"},
		{"too few", prepLabelled(t, []float64{0, 1}), 0.9, "leaves 0 for training and 2 for test"},
		{"gather error", materializeFailing{3}, 0.5, "disk on fire"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := StratifiedSplit(tc.ds, tc.fraction, 1)
			checkErr(t, err, tc.want)
		})
	}
}

func TestScaleImages(t *testing.T) {
	tests := []struct {
		name    string
		x       *tensor.Dense
		max     float64
		wantDt  tensor.Dtype
		want    []float64
		wantErr string
	}{
		{"float64 digits", dense(tensor.Float64, []float64{0, 4, 8, 16}, 2, 2), 16, tensor.Float64, []float64{0, 0.25, 0.5, 1}, ""},
		{"float32 pixels", dense(tensor.Float32, []float64{0, 51, 255}, 3, 1), 255, tensor.Float32, []float64{0, 0.2, 1}, ""},
		{"uint8", tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]uint8{0, 51, 255})), 255, tensor.Float64, []float64{0, 0.2, 1}, ""},
		{"int", tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{2, 4})), 4, tensor.Float64, []float64{0.5, 1}, ""},
		{"zero max", dense(tensor.Float64, []float64{0}, 1), 0, tensor.Dtype{}, nil, "datasets.ScaleImages: max 0 is not positive and finite"},
		{"infinite max", dense(tensor.Float64, []float64{0}, 1), math.Inf(1), tensor.Dtype{}, nil, "max +Inf is not positive and finite"},
		{"value above max", dense(tensor.Float64, []float64{0, 255}, 2), 16, tensor.Dtype{}, nil, "value 255 at flat position 1 is outside [0, 16]"},
		{"negative value", dense(tensor.Float64, []float64{-1}, 1), 16, tensor.Dtype{}, nil, "value -1 at flat position 0 is outside [0, 16]"},
		{"NaN value", dense(tensor.Float64, []float64{1, math.NaN()}, 2), 16, tensor.Dtype{}, nil, "value NaN at flat position 1"},
		{"nil", nil, 16, tensor.Dtype{}, nil, "datasets.ScaleImages: x is nil"},
		{"bool", tensor.New(tensor.WithShape(1), tensor.WithBacking([]bool{true})), 1, tensor.Dtype{}, nil, "x has dtype bool"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var before []float64
			if tc.x != nil && isFloat(tc.x.Dtype()) {
				before = values(tc.x)
			}
			got, err := ScaleImages(tc.x, tc.max)
			checkErr(t, err, tc.wantErr)
			if tc.wantErr != "" {
				return
			}
			if got.Dtype() != tc.wantDt || !equalInts(got.Shape(), tc.x.Shape()) {
				t.Fatalf("dtype %v shape %v, want %v %v", got.Dtype(), got.Shape(), tc.wantDt, tc.x.Shape())
			}
			for i, v := range values(got) {
				if math.Abs(v-tc.want[i]) > 1e-6 {
					t.Fatalf("got %v, want %v", values(got), tc.want)
				}
			}
			if before != nil && !equalFloats(values(tc.x), before) {
				t.Fatal("x was modified")
			}
		})
	}
}
