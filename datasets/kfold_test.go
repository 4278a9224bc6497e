package datasets

import (
	"math"
	"testing"
)

// kfoldCheckCover fails t unless every fold's Train and Test are increasing,
// disjoint and together hold 0..n-1, and every position is a test position
// in exactly one fold. It returns the test sizes.
func kfoldCheckCover(t *testing.T, folds []Fold, n int) []int {
	t.Helper()
	asTest := make([]int, n)
	sizes := make([]int, len(folds))
	for f, fold := range folds {
		in := make([]int, n)
		for _, part := range [][]int{fold.Train, fold.Test} {
			for k, i := range part {
				if k > 0 && part[k-1] >= i {
					t.Fatalf("fold %d: positions not increasing: %v", f, part)
				}
				in[i]++
			}
		}
		for i, c := range in {
			if c != 1 {
				t.Fatalf("fold %d: position %d appears %d times in train+test", f, i, c)
			}
		}
		for _, i := range fold.Test {
			asTest[i]++
		}
		sizes[f] = len(fold.Test)
	}
	for i, c := range asTest {
		if c != 1 {
			t.Fatalf("position %d is a test position in %d folds, want 1", i, c)
		}
	}
	return sizes
}

func TestKFold(t *testing.T) {
	tests := []struct {
		name      string
		n, k      int
		shuffle   bool
		wantSizes []int
		wantTest0 []int // nil: not checked
	}{
		{"5 in 2 ordered", 5, 2, false, []int{3, 2}, []int{0, 1, 2}},
		{"10 in 3 ordered", 10, 3, false, []int{4, 3, 3}, []int{0, 1, 2, 3}},
		{"leave one out", 4, 4, false, []int{1, 1, 1, 1}, []int{0}},
		{"10 in 3 shuffled", 10, 3, true, []int{4, 3, 3}, nil},
		{"101 in 10 shuffled", 101, 10, true, []int{11, 10, 10, 10, 10, 10, 10, 10, 10, 10}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			folds, err := KFold(tc.n, tc.k, tc.shuffle, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(folds) != tc.k {
				t.Fatalf("%d folds, want %d", len(folds), tc.k)
			}
			if sizes := kfoldCheckCover(t, folds, tc.n); !equalInts(sizes, tc.wantSizes) {
				t.Errorf("test sizes %v, want %v", sizes, tc.wantSizes)
			}
			if tc.wantTest0 != nil && !equalInts(folds[0].Test, tc.wantTest0) {
				t.Errorf("fold 0 test %v, want %v", folds[0].Test, tc.wantTest0)
			}
		})
	}
}

func TestKFoldShuffleSeed(t *testing.T) {
	a, err := KFold(20, 4, true, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := KFold(20, 4, true, 1)
	if err != nil {
		t.Fatal(err)
	}
	c, err := KFold(20, 4, false, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !equalInts(a[0].Test, b[0].Test) {
		t.Errorf("same seed gives %v and %v", a[0].Test, b[0].Test)
	}
	if equalInts(a[0].Test, c[0].Test) {
		t.Errorf("shuffled fold equals the ordered one %v", c[0].Test)
	}
}

func TestKFoldErrors(t *testing.T) {
	tests := []struct {
		name string
		n, k int
		want string
	}{
		{"k one", 10, 1, "datasets.KFold: k = 1 folds, want at least 2"},
		{"k zero", 10, 0, "k = 0 folds, want at least 2"},
		{"k above n", 3, 4, "datasets.KFold: k = 4 folds is more than the 3 examples"},
		{"n zero", 0, 2, "k = 2 folds is more than the 0 examples"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := KFold(tc.n, tc.k, true, 1)
			checkErr(t, err, tc.want)
		})
	}
}

func TestStratifiedKFold(t *testing.T) {
	tests := []struct {
		name   string
		labels []float64
		k      int
	}{
		{"three classes in 3", prepClasses(), 3},
		{"three classes in 4", prepClasses(), 4},
		{"leave one out", []float64{0, 1, 1, 0, 1}, 5},
		{"class smaller than k", []float64{0, 0, 0, 0, 0, 0, 1, 1}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds := prepLabelled(t, tc.labels)
			folds, err := StratifiedKFold(ds, tc.k, 5)
			if err != nil {
				t.Fatal(err)
			}
			if len(folds) != tc.k {
				t.Fatalf("%d folds, want %d", len(folds), tc.k)
			}
			n := len(tc.labels)
			sizes := kfoldCheckCover(t, folds, n)
			total := map[float64]int{}
			for _, l := range tc.labels {
				total[l]++
			}
			for f, fold := range folds {
				if math.Abs(float64(sizes[f])-float64(n)/float64(tc.k)) >= 1 {
					t.Errorf("fold %d has %d test examples, want %d/%d within 1", f, sizes[f], n, tc.k)
				}
				got := map[float64]int{}
				for _, i := range fold.Test {
					got[tc.labels[i]]++
				}
				for l, c := range total {
					if share := float64(c) / float64(tc.k); math.Abs(float64(got[l])-share) >= 1 {
						t.Errorf("fold %d has %d of class %v, want %.2f within 1", f, got[l], l, share)
					}
				}
			}
			again, err := StratifiedKFold(ds, tc.k, 5)
			if err != nil {
				t.Fatal(err)
			}
			for f := range folds {
				if !equalInts(folds[f].Test, again[f].Test) {
					t.Fatalf("same seed, fold %d differs: %v and %v", f, folds[f].Test, again[f].Test)
				}
			}
		})
	}
}

func TestStratifiedKFoldErrors(t *testing.T) {
	tests := []struct {
		name string
		ds   Dataset
		k    int
		want string
	}{
		{"nil", nil, 2, "datasets.StratifiedKFold: nil data set"},
		{"k one", prepLabelled(t, prepClasses()), 1, "datasets.StratifiedKFold: k = 1 folds, want at least 2"},
		{"k above n", prepLabelled(t, []float64{0, 1}), 3, "k = 3 folds is more than the 2 examples"},
		{"non-integer target", prepLabelled(t, []float64{0, 1.5, 1}), 2, "target 1.5 of example 1 is not an integer class id"},
		{"gather error", materializeFailing{3}, 2, "disk on fire"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := StratifiedKFold(tc.ds, tc.k, 1)
			checkErr(t, err, tc.want)
		})
	}
}
