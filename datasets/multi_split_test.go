package datasets

import (
	"math"
	"testing"

	"gorgonia.org/tensor"
)

// splitTensors returns the data of rowsDataset(n) as a Multi with an int64
// input id = i besides x, and y as the target.
func splitTensors(t *testing.T, n int) (Dataset, Multi) {
	t.Helper()
	ds := rowsDataset(t, n)
	m, err := NewNamedTensors(map[string]*tensor.Dense{"x": ds.X(), "id": anyDense(tensor.Int64, seq(n), n)},
		map[string]*tensor.Dense{"y": ds.Y()})
	if err != nil {
		t.Fatal(err)
	}
	return ds, m
}

func TestSplitTailMultiMatchesSplitTail(t *testing.T) {
	tests := []struct {
		n        int
		fraction float64
	}{
		{100, 0.2}, {100, 0.3}, {7, 0.25}, {10, 0.01}, {10, 0.1}, {3, 1.0 / 3}, {49, 0.7},
		{100, 0}, {100, 1}, {100, -0.1}, {100, math.NaN()}, {100, 1e-17}, {10, 0.95}, {1, 0.5},
	}
	for _, tc := range tests {
		ds, m := splitTensors(t, tc.n)
		train, val, err := SplitTail(ds, tc.fraction)
		mtrain, mval, merr := SplitTailMulti(m, tc.fraction)
		if (err == nil) != (merr == nil) {
			t.Errorf("n %d fraction %v: SplitTail error %v, SplitTailMulti error %v", tc.n, tc.fraction, err, merr)
			continue
		}
		if err != nil {
			continue
		}
		compareSplit(t, train, mtrain)
		compareSplit(t, val, mval)
	}
	_, m := splitTensors(t, 10)
	_, _, err := SplitTailMulti(m, 1.5)
	checkErr(t, err, "datasets.SplitTailMulti: fraction 1.5 is not in (0, 1)")
	_, _, err = SplitTailMulti(m, 0.95)
	checkErr(t, err, "fraction 0.95 of 10 examples leaves 0 for training and 10 for validation")
	_, _, err = SplitTailMulti(nil, 0.2)
	checkErr(t, err, "nil data set")
}

func TestTrainTestSplitMultiMatchesTrainTestSplit(t *testing.T) {
	tests := []struct {
		n        int
		fraction float64
		seed     int64
	}{
		{100, 0.25, 42}, {100, 0.25, 7}, {7, 0.1, 1}, {50, 0.2, 8}, {3, 0.5, 0},
		{100, 0, 1}, {100, 1, 1}, {10, 0.95, 1}, {1, 0.5, 1},
	}
	for _, tc := range tests {
		ds, m := splitTensors(t, tc.n)
		train, test, err := TrainTestSplit(ds, tc.fraction, tc.seed)
		mtrain, mtest, merr := TrainTestSplitMulti(m, tc.fraction, tc.seed)
		if (err == nil) != (merr == nil) {
			t.Errorf("n %d fraction %v: TrainTestSplit error %v, TrainTestSplitMulti error %v", tc.n, tc.fraction, err, merr)
			continue
		}
		if err != nil {
			continue
		}
		compareSplit(t, train, mtrain)
		compareSplit(t, test, mtest)
	}
	_, m := splitTensors(t, 10)
	_, _, err := TrainTestSplitMulti(m, math.NaN(), 1)
	checkErr(t, err, "datasets.TrainTestSplitMulti: test fraction NaN is not in (0, 1)")
	_, _, err = TrainTestSplitMulti(m, 0.95, 1)
	checkErr(t, err, "test fraction 0.95 of 10 examples leaves 0 for training and 10 for test")
	_, _, err = TrainTestSplitMulti(nil, 0.2, 1)
	checkErr(t, err, "nil data set")
}

// compareSplit fails t unless the Multi part of a split (inputs id and x,
// target y, from splitTensors) holds the same examples as the Dataset part.
func compareSplit(t *testing.T, ds Dataset, m Multi) {
	t.Helper()
	if ds.Len() != m.Len() {
		t.Fatalf("sizes %d and %d", ds.Len(), m.Len())
	}
	wx, wy := gatherAll(t, ds)
	xs, ys := gatherMultiAll(t, m)
	if !equalFloats(xs[0], wy) || !equalFloats(xs[1], wx) || !equalFloats(ys[0], wy) {
		t.Errorf("Multi split id %v x %v y %v; Dataset split x %v y %v", xs[0], xs[1], ys[0], wx, wy)
	}
}
