package datasets

import (
	"math"
	"sort"
	"testing"
)

func TestSplitTail(t *testing.T) {
	tests := []struct {
		name         string
		n            int
		fraction     float64
		nTrain, nVal int
		wantErr      string
	}{
		{"keras 0.2", 100, 0.2, 80, 20, ""},
		{"keras 0.3", 100, 0.3, 70, 30, ""},
		{"rounds train down", 7, 0.25, 5, 2, ""},
		{"one val row", 10, 0.01, 9, 1, ""},
		{"zero", 100, 0, 0, 0, "fraction 0 is not in (0, 1)"},
		{"one", 100, 1, 0, 0, "fraction 1 is not in (0, 1)"},
		{"negative", 100, -0.1, 0, 0, "fraction -0.1 is not in (0, 1)"},
		{"above one", 100, 1.5, 0, 0, "fraction 1.5 is not in (0, 1)"},
		{"NaN", 100, math.NaN(), 0, 0, "fraction NaN is not in (0, 1)"},
		{"empty val", 100, 1e-17, 0, 0, "fraction 1e-17 of 100 examples leaves 100 for training and 0"},
		{"empty train", 10, 0.95, 0, 0, "fraction 0.95 of 10 examples leaves 0 for training"},
		{"single example", 1, 0.5, 0, 0, "fraction 0.5 of 1 examples"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			train, val, err := SplitTail(rowsDataset(t, tc.n), tc.fraction)
			checkErr(t, err, tc.wantErr)
			if err != nil {
				return
			}
			if train.Len() != tc.nTrain || val.Len() != tc.nVal {
				t.Fatalf("sizes %d/%d, want %d/%d", train.Len(), val.Len(), tc.nTrain, tc.nVal)
			}
			_, ty := gatherAll(t, train)
			_, vy := gatherAll(t, val)
			if want := seq(tc.n); !equalFloats(append(ty, vy...), want) {
				t.Errorf("train+val y = %v, want %v (in order)", append(ty, vy...), want)
			}
		})
	}
	if _, _, err := SplitTail(nil, 0.2); err == nil {
		t.Errorf("nil data set accepted")
	}
}

func TestTrainTestSplit(t *testing.T) {
	tests := []struct {
		name          string
		n             int
		fraction      float64
		nTrain, nTest int
		wantErr       string
	}{
		{"quarter", 100, 0.25, 75, 25, ""},
		{"rounds test up", 7, 0.1, 6, 1, ""},
		{"zero", 100, 0, 0, 0, "test fraction 0 is not in (0, 1)"},
		{"one", 100, 1, 0, 0, "test fraction 1 is not in (0, 1)"},
		{"NaN", 100, math.NaN(), 0, 0, "test fraction NaN"},
		{"empty train", 10, 0.95, 0, 0, "test fraction 0.95 of 10 examples leaves 0 for training and 10 for test"},
		{"single example", 1, 0.5, 0, 0, "test fraction 0.5 of 1 examples"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			train, test, err := TrainTestSplit(rowsDataset(t, tc.n), tc.fraction, 42)
			checkErr(t, err, tc.wantErr)
			if err != nil {
				return
			}
			if train.Len() != tc.nTrain || test.Len() != tc.nTest {
				t.Fatalf("sizes %d/%d, want %d/%d", train.Len(), test.Len(), tc.nTrain, tc.nTest)
			}
			_, ty := gatherAll(t, train)
			_, sy := gatherAll(t, test)
			all := append(ty, sy...)
			if equalFloats(all, seq(tc.n)) {
				t.Errorf("split is not shuffled: %v", all)
			}
			sort.Float64s(all)
			if !equalFloats(all, seq(tc.n)) {
				t.Errorf("train+test do not cover every example once: %v", all)
			}
		})
	}
	if _, _, err := TrainTestSplit(nil, 0.2, 1); err == nil {
		t.Errorf("nil data set accepted")
	}
}

func TestTrainTestSplitSeed(t *testing.T) {
	ds := rowsDataset(t, 50)
	testY := func(seed int64) []float64 {
		_, test, err := TrainTestSplit(ds, 0.2, seed)
		if err != nil {
			t.Fatal(err)
		}
		_, y := gatherAll(t, test)
		return y
	}
	if a, b := testY(7), testY(7); !equalFloats(a, b) {
		t.Errorf("same seed, different splits: %v and %v", a, b)
	}
	if a, b := testY(7), testY(8); equalFloats(a, b) {
		t.Errorf("seeds 7 and 8 give the same split %v", a)
	}
}
