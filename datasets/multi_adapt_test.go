package datasets

import (
	"testing"

	"gorgonia.org/tensor"
)

// dualSet is a Dataset that also implements Multi.
type dualSet struct {
	Dataset
	m Multi
}

func (d dualSet) Inputs() []Spec  { return d.m.Inputs() }
func (d dualSet) Targets() []Spec { return d.m.Targets() }
func (d dualSet) GatherMulti(idx []int, xs, ys []*tensor.Dense) error {
	return d.m.GatherMulti(idx, xs, ys)
}

func TestAsMultiMatchesGather(t *testing.T) {
	x := dense(tensor.Float32, seq(7*3*2), 7, 3, 2)
	y := dense(tensor.Float64, seq(7), 7)
	base, err := NewTensor(x, y)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := Subset(base, []int{6, 2, 2, 0, 5})
	if err != nil {
		t.Fatal(err)
	}
	subsub, err := Subset(sub, []int{4, 1, 0})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		ds       Dataset
		xdt, ydt tensor.Dtype
	}{
		{"tensor", base, tensor.Float32, tensor.Float64},
		{"subset", sub, tensor.Float32, tensor.Float64},
		{"subset of subset", subsub, tensor.Float32, tensor.Float64},
		{"other data set", plainDataset{sub}, tensor.Float64, tensor.Float64},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := AsMulti(tc.ds)
			in, out := m.Inputs(), m.Targets()
			if len(in) != 1 || len(out) != 1 || m.Len() != tc.ds.Len() {
				t.Fatalf("Len %d, %d inputs, %d targets", m.Len(), len(in), len(out))
			}
			if in[0].Name != "" || !equalInts(in[0].Shape, []int{3, 2}) || in[0].DType != tc.xdt {
				t.Errorf("input spec %+v", in[0])
			}
			if out[0].Name != "" || !equalInts(out[0].Shape, []int{1}) || out[0].DType != tc.ydt {
				t.Errorf("target spec %+v", out[0])
			}
			idx := []int{m.Len() - 1, 0, m.Len() - 1}
			wx, wy := gather(t, tc.ds, idx)
			xs, ys := gatherMulti(t, m, idx)
			if !equalFloats(xs[0], wx) || !equalFloats(ys[0], wy) {
				t.Errorf("GatherMulti gives %v %v, Gather %v %v", xs[0], ys[0], wx, wy)
			}
			gx := zeros(tensor.Float32, len(idx), 6)
			if err := GatherInputMulti(m, idx, 0, gx); err != nil {
				t.Fatal(err)
			}
			gy := f64(len(idx))
			if err := GatherTargetMulti(m, idx, 0, gy); err != nil {
				t.Fatal(err)
			}
			if !equalFloats(values(gx), wx) || !equalFloats(gy.Float64s(), wy) {
				t.Errorf("GatherInput/GatherTarget give %v %v, Gather %v %v", values(gx), gy.Float64s(), wx, wy)
			}
		})
	}
}

func TestAsMultiErrors(t *testing.T) {
	m := AsMulti(rowsDataset(t, 4)) // x [2], y [1], float64
	type ts = []*tensor.Dense
	tests := []struct {
		name    string
		gather  func() error
		wantErr string
	}{
		{"ok", func() error { return m.GatherMulti([]int{1}, ts{zeros(tensor.Float32, 2)}, ts{f64(1)}) }, ""},
		{"no indices", func() error { return m.GatherMulti(nil, ts{f64(2)}, ts{f64(1)}) }, "no indices"},
		{"out of range", func() error { return m.GatherMulti([]int{4}, ts{f64(2)}, ts{f64(1)}) }, "index 4 at position 0 out of range [0, 4)"},
		{"two inputs", func() error { return m.GatherMulti([]int{1}, ts{f64(2), f64(2)}, ts{f64(1)}) }, "2 input destinations for 1 inputs"},
		{"no targets", func() error { return m.GatherMulti([]int{1}, ts{f64(2)}, nil) }, "0 target destinations for 1 targets"},
		{"int input", func() error { return m.GatherMulti([]int{1}, ts{zeros(tensor.Int, 2)}, ts{f64(1)}) },
			"destination for input 0 has dtype int, want float32 or float64 for a float64 source"},
		{"nil target", func() error { return m.GatherMulti([]int{1}, ts{f64(2)}, ts{nil}) }, "destination for target 0 is nil"},
		{"target size", func() error { return m.GatherMulti([]int{1}, ts{f64(2)}, ts{f64(2)}) }, "destination for target 0 has 2 values"},
		{"input index", func() error { return GatherInputMulti(m, []int{1}, 1, f64(2)) }, "input index 1 out of range [0, 1)"},
		{"target dtype", func() error { return GatherTargetMulti(m, []int{1}, 0, zeros(tensor.Int64, 1)) }, "destination for target 0 has dtype int64"},
		{"target index", func() error { return m.(TensorGatherer).GatherTarget([]int{0}, 1, f64(1)) }, "target index 1 out of range [0, 1)"},
		{"gather one out of range", func() error { return m.(TensorGatherer).GatherInput([]int{9}, 0, f64(2)) }, "index 9 at position 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, tc.gather(), tc.wantErr)
		})
	}
}

func TestAsMultiIdentity(t *testing.T) {
	if AsMulti(nil) != nil {
		t.Errorf("AsMulti(nil) is not nil")
	}
	base := rowsDataset(t, 3)
	dual := dualSet{Dataset: base, m: userTensors(t)}
	if m, ok := AsMulti(dual).(dualSet); !ok || m.m != dual.m {
		t.Errorf("AsMulti of a Multi did not return it")
	}
	if ds, err := AsDataset(dual); err != nil || ds.(dualSet).m != dual.m {
		t.Errorf("AsDataset of a Dataset did not return it: %v", err)
	}
	ds, err := AsDataset(AsMulti(base))
	if err != nil || ds != Dataset(base) {
		t.Errorf("AsDataset(AsMulti(ds)) = %v, %v; want ds", ds, err)
	}
	ut := userTensors(t)
	one, err := NewTensors(nil, []*tensor.Dense{ut.Input(0)}, nil, []*tensor.Dense{ut.Target(0)})
	if err != nil {
		t.Fatal(err)
	}
	ds, err = AsDataset(one)
	if err != nil {
		t.Fatal(err)
	}
	if m := AsMulti(ds); m != Multi(one) {
		t.Errorf("AsMulti(AsDataset(m)) is not m")
	}
}

func TestTensorView(t *testing.T) {
	base := rowsDataset(t, 4)
	sub, err := Subset(base, []int{3, 1})
	if err != nil {
		t.Fatal(err)
	}
	if tv, pos := tensorView(base); tv != base || pos != nil {
		t.Errorf("tensorView(tensor) = %p %v", tv, pos)
	}
	if tv, pos := tensorView(sub); tv != base || !equalInts(pos, []int{3, 1}) {
		t.Errorf("tensorView(subset) = %p %v", tv, pos)
	}
	if tv, _ := tensorView(plainDataset{base}); tv != nil {
		t.Errorf("tensorView(other) = %p, want nil", tv)
	}
}

func TestAsDataset(t *testing.T) {
	ut := userTensors(t)
	// user_id (int64) as x, click as y.
	one, err := NewTensors([]string{"user_id"}, []*tensor.Dense{ut.Input(0)}, []string{"click"}, []*tensor.Dense{ut.Target(0)})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := AsDataset(one)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Len() != 5 || !equalInts(ds.XShape(), []int{1}) || !equalInts(ds.YShape(), []int{1}) {
		t.Errorf("Len %d XShape %v YShape %v", ds.Len(), ds.XShape(), ds.YShape())
	}
	x, y := gather(t, ds, []int{4, 3})
	if !equalFloats(x, []float64{104, 103}) || !equalFloats(y, []float64{0, 1}) {
		t.Errorf("x %v y %v", x, y)
	}
	tests := []struct {
		name    string
		m       Multi
		wantErr string
	}{
		{"nil", nil, "datasets.AsDataset: nil data set"},
		{"two inputs", ut, "the data set has 2 inputs and 1 targets, want 1 and 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := AsDataset(tc.m)
			checkErr(t, err, tc.wantErr)
		})
	}
	checkErr(t, ds.Gather([]int{0}, zeros(tensor.Int64, 1), f64(1)), "x has dtype int64, want float32 or float64")
	checkErr(t, ds.Gather([]int{0}, f64(1), f64(2)), "y has 2 values")
	checkErr(t, ds.Gather([]int{5}, f64(1), f64(1)), "index 5 at position 0 out of range [0, 5)")
}
