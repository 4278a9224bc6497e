package datasets

import (
	"testing"

	"gorgonia.org/tensor"
)

func TestSubsetMulti(t *testing.T) {
	base := userTensors(t) // user_id = 100+i, features = (10i, 10i+1), click = i%2
	tests := []struct {
		name    string
		m       Multi
		idx     []int
		wantErr string
	}{
		{"in order", base, []int{1, 2}, ""},
		{"reordered with repeats", base, []int{4, 0, 4}, ""},
		{"over AsMulti", AsMulti(rowsDataset(t, 5)), []int{3, 1}, ""},
		{"without TensorGatherer", plainMulti{base}, []int{2, 2}, ""},
		{"nil data set", nil, []int{0}, "datasets.SubsetMulti: nil data set"},
		{"empty idx", base, nil, "no indices"},
		{"out of range", base, []int{0, 5}, "index 5 at position 1 out of range [0, 5)"},
		{"negative", base, []int{-2}, "index -2 at position 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sub, err := SubsetMulti(tc.m, tc.idx)
			checkErr(t, err, tc.wantErr)
			if err != nil {
				return
			}
			if sub.Len() != len(tc.idx) || len(sub.Inputs()) != len(tc.m.Inputs()) || len(sub.Targets()) != len(tc.m.Targets()) {
				t.Fatalf("Len %d, %d inputs, %d targets", sub.Len(), len(sub.Inputs()), len(sub.Targets()))
			}
			gx, gy := gatherMultiAll(t, sub)
			wx, wy := gatherMulti(t, tc.m, tc.idx)
			for i := range wx {
				if !equalFloats(gx[i], wx[i]) {
					t.Errorf("input %d = %v, want %v", i, gx[i], wx[i])
				}
			}
			for j := range wy {
				if !equalFloats(gy[j], wy[j]) {
					t.Errorf("target %d = %v, want %v", j, gy[j], wy[j])
				}
			}
		})
	}
}

func TestSubsetMultiOfSubset(t *testing.T) {
	base := userTensors(t)
	idx := []int{4, 3, 1}
	a, err := SubsetMulti(base, idx)
	if err != nil {
		t.Fatal(err)
	}
	idx[0] = 0 // SubsetMulti must have copied idx
	b, err := SubsetMulti(a, []int{2, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	if s := b.(*multiSubset); s.parent != Multi(base) {
		t.Errorf("nested subset does not refer to the base data set")
	}
	xs, ys := gatherMultiAll(t, b)
	if want := []float64{101, 104, 104}; !equalFloats(xs[0], want) {
		t.Errorf("user_id = %v, want %v", xs[0], want)
	}
	if want := []float64{10, 11, 40, 41, 40, 41}; !equalFloats(xs[1], want) {
		t.Errorf("features = %v, want %v", xs[1], want)
	}
	if want := []float64{1, 0, 0}; !equalFloats(ys[0], want) {
		t.Errorf("click = %v, want %v", ys[0], want)
	}
	ids := zeros(tensor.Int32, 2)
	if err := GatherInputMulti(b, []int{1, 0}, 0, ids); err != nil {
		t.Fatal(err)
	}
	if got := anyValues(t, ids); !equalFloats(got, []float64{104, 101}) {
		t.Errorf("GatherInputMulti user_id = %v, want [104 101]", got)
	}
	if _, err := SubsetMulti(a, []int{3}); err == nil {
		t.Errorf("index beyond the subset accepted")
	}
}

func TestSubsetMultiGatherErrors(t *testing.T) {
	spy := &spyMulti{Tensors: userTensors(t)}
	sub, err := SubsetMulti(spy, []int{4, 3})
	if err != nil {
		t.Fatal(err)
	}
	g := sub.(TensorGatherer)
	type ts = []*tensor.Dense
	tests := []struct {
		name    string
		gather  func() error
		wantErr string
	}{
		{"multi out of range", func() error { return sub.GatherMulti([]int{2}, ts{f64(1), f64(2)}, ts{f64(1)}) }, "index 2 at position 0 out of range [0, 2)"},
		{"multi nil target", func() error { return sub.GatherMulti([]int{1}, ts{f64(1), f64(2)}, ts{nil}) }, `destination for target "click" is nil`},
		{"input out of range", func() error { return g.GatherInput([]int{-1}, 0, f64(1)) }, "index -1 at position 0"},
		{"target out of range", func() error { return g.GatherTarget([]int{2}, 0, f64(1)) }, "index 2 at position 0"},
		{"input index", func() error { return g.GatherInput([]int{0}, 3, f64(1)) }, "input index 3 out of range [0, 2)"},
		{"target ok", func() error { return g.GatherTarget([]int{0, 1}, 0, f64(2)) }, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, tc.gather(), tc.wantErr)
		})
	}
	if spy.target != 1 {
		t.Errorf("subset GatherTarget made %d GatherTarget calls on the parent, want 1", spy.target)
	}
}
