package datasets

import (
	"testing"

	"gorgonia.org/tensor"
)

// rowsDataset returns n examples where x = (10i, 10i+1) and y = i.
func rowsDataset(t *testing.T, n int) *Tensor {
	t.Helper()
	x := make([]float64, 2*n)
	for i := range n {
		x[2*i], x[2*i+1] = float64(10*i), float64(10*i+1)
	}
	ds, err := FromFlat(x, []int{2}, seq(n), []int{1})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestSubset(t *testing.T) {
	base := rowsDataset(t, 5)
	tests := []struct {
		name    string
		ds      Dataset
		idx     []int
		wantY   []float64
		wantErr string
	}{
		{"in order", base, []int{1, 2}, []float64{1, 2}, ""},
		{"reordered with repeats", base, []int{4, 0, 4}, []float64{4, 0, 4}, ""},
		{"nil data set", nil, []int{0}, nil, "nil data set"},
		{"empty idx", base, nil, nil, "no indices"},
		{"out of range", base, []int{0, 5}, nil, "index 5 at position 1 out of range [0, 5)"},
		{"negative", base, []int{-2}, nil, "index -2 at position 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sub, err := Subset(tc.ds, tc.idx)
			checkErr(t, err, tc.wantErr)
			if err != nil {
				return
			}
			if sub.Len() != len(tc.idx) || !equalInts(sub.XShape(), []int{2}) || !equalInts(sub.YShape(), []int{1}) {
				t.Fatalf("Len %d XShape %v YShape %v", sub.Len(), sub.XShape(), sub.YShape())
			}
			gx, gy := gatherAll(t, sub)
			if !equalFloats(gy, tc.wantY) {
				t.Errorf("y = %v, want %v", gy, tc.wantY)
			}
			for k, v := range tc.wantY {
				if gx[2*k] != 10*v || gx[2*k+1] != 10*v+1 {
					t.Errorf("x[%d] = %v, want (%v, %v)", k, gx[2*k:2*k+2], 10*v, 10*v+1)
				}
			}
		})
	}
}

func TestSubsetOfSubset(t *testing.T) {
	base := rowsDataset(t, 6)
	idx := []int{5, 3, 1}
	a, err := Subset(base, idx)
	if err != nil {
		t.Fatal(err)
	}
	idx[0] = 0 // Subset must have copied idx
	b, err := Subset(a, []int{2, 0})
	if err != nil {
		t.Fatal(err)
	}
	if _, gy := gatherAll(t, b); !equalFloats(gy, []float64{1, 5}) {
		t.Errorf("y = %v, want [1 5]", gy)
	}
	if s := b.(*subset); s.parent != Dataset(base) {
		t.Errorf("nested subset does not refer to the base data set")
	}
	if _, err := Subset(a, []int{3}); err == nil {
		t.Errorf("index beyond the subset accepted")
	}
}

func TestSubsetGatherErrors(t *testing.T) {
	sub, err := Subset(rowsDataset(t, 5), []int{4, 3})
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(1, 2), tensor.Of(tensor.Float32))
	y := tensor.New(tensor.WithShape(1, 1), tensor.Of(tensor.Float32))
	checkErr(t, sub.Gather([]int{2}, x, y), "index 2 at position 0 out of range [0, 2)")
	checkErr(t, sub.Gather([]int{1}, x, nil), "y is nil")
	checkErr(t, sub.Gather([]int{1}, x, y), "")
	if got := values(x); !equalFloats(got, []float64{30, 31}) {
		t.Errorf("x = %v, want [30 31]", got)
	}
}
