package datasets

import (
	"testing"

	"gorgonia.org/tensor"
)

func TestNewTensorsErrors(t *testing.T) {
	a := dense(tensor.Float64, seq(6), 3, 2)
	b := anyDense(tensor.Int64, seq(3), 3)
	four := dense(tensor.Float32, seq(4), 4, 1)
	bytes := tensor.New(tensor.WithShape(3, 1), tensor.WithBacking([]uint8{1, 2, 3}))
	scalar := tensor.New(tensor.FromScalar(1.0))
	type ts = []*tensor.Dense
	tests := []struct {
		name        string
		inNames     []string
		ins         ts
		outNames    []string
		outs        ts
		wantErr     string
		wantIn, out int
	}{
		{"ok unnamed", nil, ts{a, b}, nil, ts{b}, "", 2, 1},
		{"ok named", []string{"a", "b"}, ts{a, b}, []string{"y"}, ts{a}, "", 2, 1},
		{"ok no targets", []string{"a"}, ts{a}, nil, nil, "", 1, 0},
		{"same name input and target", []string{"a"}, ts{a}, []string{"a"}, ts{b}, "", 1, 1},
		{"no inputs", nil, nil, nil, ts{a}, "datasets.NewTensors: no inputs", 0, 0},
		{"nil input", []string{"a", "b"}, ts{a, nil}, nil, nil, `input "b" is nil`, 0, 0},
		{"nil unnamed target", nil, ts{a}, nil, ts{b, nil}, "target 1 is nil", 0, 0},
		{"uint8", nil, ts{bytes}, nil, nil, "input 0 has dtype uint8, want float32, float64, int32, int64, int or string", 0, 0},
		{"scalar", []string{"s"}, ts{scalar}, nil, nil, `input "s" is a scalar`, 0, 0},
		{"empty", nil, ts{a}, []string{"y"}, ts{zeros(tensor.Int32, 0, 2)}, `target "y" is empty (shape (0, 2))`, 0, 0},
		{"too few names", []string{"a"}, ts{a, b}, nil, nil, "1 input names for 2 inputs", 0, 0},
		{"too many target names", nil, ts{a}, []string{"y", "z"}, ts{b}, "2 target names for 1 targets", 0, 0},
		{"empty name", []string{"a", ""}, ts{a, b}, nil, nil, "input 1 has an empty name", 0, 0},
		{"duplicate", []string{"a", "a"}, ts{a, b}, nil, nil, `inputs 0 and 1 are both named "a"`, 0, 0},
		{"examples differ", []string{"a", "f"}, ts{a, four}, nil, nil,
			`input "f" has 4 examples (shape (4, 1)), input "a" has 3 (shape (3, 2))`, 0, 0},
		{"target examples differ", nil, ts{a}, nil, ts{four}, "target 0 has 4 examples (shape (4, 1)), input 0 has 3", 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewTensors(tc.inNames, tc.ins, tc.outNames, tc.outs)
			checkErr(t, err, tc.wantErr)
			if err != nil {
				if m != nil {
					t.Errorf("got a data set with an error")
				}
				return
			}
			if len(m.Inputs()) != tc.wantIn || len(m.Targets()) != tc.out || m.Len() != 3 {
				t.Errorf("%d inputs, %d targets, Len %d", len(m.Inputs()), len(m.Targets()), m.Len())
			}
		})
	}
}

func TestNewTensorsSpecs(t *testing.T) {
	img := dense(tensor.Float32, seq(2*4*3), 2, 4, 3)
	ids := anyDense(tensor.Int32, []float64{7, 9}, 2)
	cls := anyDense(tensor.Int, []float64{1, 0}, 2, 1)
	m, err := NewTensors([]string{"image", "id"}, []*tensor.Dense{img, ids}, nil, []*tensor.Dense{cls})
	if err != nil {
		t.Fatal(err)
	}
	want := []Spec{{"image", []int{4, 3}, tensor.Float32}, {"id", []int{1}, tensor.Int32}, {"", []int{1}, tensor.Int}}
	got := append(m.Inputs(), m.Targets()...)
	for i := range want {
		if got[i].Name != want[i].Name || !equalInts(got[i].Shape, want[i].Shape) || got[i].DType != want[i].DType {
			t.Errorf("spec %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if m.Input(0) != img || m.Input(1) != ids || m.Target(0) != cls {
		t.Errorf("Input/Target are not the tensors given")
	}
	if m.Input(2) != nil || m.Input(-1) != nil || m.Target(1) != nil {
		t.Errorf("out-of-range Input/Target not nil")
	}
	m.Inputs()[0].Shape[0] = 99
	if m.Inputs()[0].Shape[0] == 99 {
		t.Errorf("Inputs exposes internal state")
	}
}

func TestNewNamedTensors(t *testing.T) {
	x := dense(tensor.Float64, seq(4), 2, 2)
	id := anyDense(tensor.Int64, []float64{3, 4}, 2)
	m, err := NewNamedTensors(map[string]*tensor.Dense{"zeta": x, "alpha": id}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if in := m.Inputs(); in[0].Name != "alpha" || in[1].Name != "zeta" || len(m.Targets()) != 0 {
		t.Errorf("inputs %+v, targets %+v: want alpha, zeta and no targets", in, m.Targets())
	}
	if m.Input(0) != id {
		t.Errorf("Input(0) is not the tensor named alpha")
	}
	_, err = NewNamedTensors(map[string]*tensor.Dense{"a": x}, map[string]*tensor.Dense{"": id})
	checkErr(t, err, "datasets.NewNamedTensors: datasets.NewTensors: target 0 has an empty name")
	_, err = NewNamedTensors(nil, map[string]*tensor.Dense{"y": id})
	checkErr(t, err, "no inputs")
}

func TestNewTensorsMaterializesTranspose(t *testing.T) {
	// ids is (2, 3) transposed into (3, 2): example i is column i.
	ids := anyDense(tensor.Int64, []float64{1, 2, 3, 4, 5, 6}, 2, 3)
	if err := ids.T(); err != nil {
		t.Fatal(err)
	}
	m, err := NewTensors(nil, []*tensor.Dense{ids}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	xs, _ := gatherMultiAll(t, m)
	if want := []float64{1, 4, 2, 5, 3, 6}; !equalFloats(xs[0], want) {
		t.Errorf("x = %v, want %v", xs[0], want)
	}
}

func TestTensorsGatherConversion(t *testing.T) {
	vals := []float64{5, -3, 2, 7, 0, 1}
	idx := []int{2, 0, 2}
	want := []float64{0, 1, 5, -3, 0, 1}
	all := []tensor.Dtype{tensor.Float32, tensor.Float64, tensor.Int32, tensor.Int64, tensor.Int}
	for _, src := range all {
		for _, dst := range all {
			t.Run(src.String()+"->"+dst.String(), func(t *testing.T) {
				m, err := NewTensors([]string{"v"}, []*tensor.Dense{anyDense(src, vals, 3, 2)}, nil, nil)
				if err != nil {
					t.Fatal(err)
				}
				x := zeros(dst, 3, 2)
				err = m.GatherMulti(idx, []*tensor.Dense{x}, nil)
				if isFloat(src) && !isFloat(dst) {
					checkErr(t, err, `destination for input "v" has dtype `+dst.String()+", want float32 or float64 for a "+src.String()+" source")
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got := anyValues(t, x); !equalFloats(got, want) {
					t.Errorf("got %v, want %v", got, want)
				}
				y := zeros(dst, 3, 2)
				if err := m.GatherInput(idx, 0, y); err != nil {
					t.Fatal(err)
				}
				if got := anyValues(t, y); !equalFloats(got, want) {
					t.Errorf("GatherInput got %v, want %v", got, want)
				}
			})
		}
	}
}

func TestTensorsGatherOverflow(t *testing.T) {
	big := []int64{1, 1 << 40, -(1 << 35)}
	tests := []struct {
		name    string
		src     *tensor.Dense
		dst     tensor.Dtype
		idx     []int
		wantErr string
	}{
		{"int64 into int32", tensor.New(tensor.WithShape(3), tensor.WithBacking(big)), tensor.Int32, []int{0, 1},
			`input "id" of example 1 has 1099511627776 at flat position 0, which does not fit the destination's int32`},
		{"int into int32", tensor.New(tensor.WithShape(3), tensor.WithBacking([]int{1, 2, -(1 << 35)})), tensor.Int32, []int{2},
			`input "id" of example 2 has -34359738368`},
		{"small values fit", tensor.New(tensor.WithShape(3), tensor.WithBacking(big)), tensor.Int32, []int{0, 0}, ""},
		{"int64 into int", tensor.New(tensor.WithShape(3), tensor.WithBacking(big)), tensor.Int, []int{1, 2}, ""},
		{"int32 into int64", anyDense(tensor.Int32, []float64{-5, 6, 7}, 3), tensor.Int64, []int{0, 2}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewTensors([]string{"id"}, []*tensor.Dense{tc.src}, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			x := zeros(tc.dst, len(tc.idx))
			checkErr(t, m.GatherMulti(tc.idx, []*tensor.Dense{x}, nil), tc.wantErr)
			if tc.wantErr != "" {
				return
			}
			src := anyValues(t, tc.src)
			for k, i := range tc.idx {
				if got := anyValues(t, x)[k]; got != src[i] {
					t.Errorf("value %d = %v, want %v", k, got, src[i])
				}
			}
		})
	}
}

func TestTensorsGatherErrors(t *testing.T) {
	m := userTensors(t) // user_id int64 [1], features float32 [2], click float64 [1]
	transposed := f64(2, 2)
	if err := transposed.T(); err != nil {
		t.Fatal(err)
	}
	type ts = []*tensor.Dense
	tests := []struct {
		name    string
		idx     []int
		xs, ys  ts
		wantErr string
	}{
		{"ok", []int{0, 4}, ts{zeros(tensor.Int, 2), f64(2, 2)}, ts{zeros(tensor.Float32, 2)}, ""},
		{"any shape of right size", []int{0, 4}, ts{f64(1, 2), f64(4)}, ts{f64(2, 1, 1)}, ""},
		{"empty idx", nil, ts{f64(2), f64(2, 2)}, ts{f64(2)}, "no indices"},
		{"out of range", []int{1, 5}, ts{f64(2), f64(2, 2)}, ts{f64(2)}, "index 5 at position 1 out of range [0, 5)"},
		{"one input destination", []int{0}, ts{f64(1)}, ts{f64(1)}, "1 input destinations for 2 inputs"},
		{"no target destination", []int{0}, ts{f64(1), f64(2)}, nil, "0 target destinations for 1 targets"},
		{"nil input", []int{0}, ts{nil, f64(2)}, ts{f64(1)}, `destination for input "user_id" is nil`},
		{"nil target", []int{0}, ts{f64(1), f64(2)}, ts{nil}, `destination for target "click" is nil`},
		{"float into int", []int{0}, ts{f64(1), zeros(tensor.Int32, 2)}, ts{f64(1)},
			`destination for input "features" has dtype int32, want float32 or float64 for a float32 source`},
		{"bool destination", []int{0}, ts{zeros(tensor.Bool, 1), f64(2)}, ts{f64(1)},
			`destination for input "user_id" has dtype bool, want int32, int64, int, float32 or float64 for a int64 source`},
		{"too small", []int{0, 1}, ts{f64(2), f64(1, 2)}, ts{f64(2)}, `destination for input "features" has 2 values (shape (1, 2)), want 4`},
		{"too big", []int{0, 1}, ts{f64(2), f64(2, 2)}, ts{f64(3)}, `destination for target "click" has 3 values (shape (3)), want 2`},
		{"transposed", []int{0, 1}, ts{f64(2), transposed}, ts{f64(2)}, `destination for input "features" is not contiguous`},
		{"scalar", []int{0}, ts{tensor.New(tensor.FromScalar(int64(0))), f64(2)}, ts{f64(1)}, `destination for input "user_id" is a scalar`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, m.GatherMulti(tc.idx, tc.xs, tc.ys), tc.wantErr)
		})
	}
}

func TestTensorsGatherChecksBeforeWriting(t *testing.T) {
	m := userTensors(t)
	x0, x1 := f64(1), f64(2)
	err := m.GatherMulti([]int{3}, []*tensor.Dense{x0, x1}, []*tensor.Dense{zeros(tensor.Int, 1)})
	checkErr(t, err, `destination for target "click" has dtype int`)
	if !equalFloats(x0.Float64s(), []float64{0}) || !equalFloats(x1.Float64s(), []float64{0, 0}) {
		t.Errorf("inputs written before the target destination was checked: %v %v", x0, x1)
	}
}

func TestTensorsGatherValues(t *testing.T) {
	m := userTensors(t)
	xs, ys := gatherMulti(t, m, []int{4, 1, 4})
	if want := []float64{104, 101, 104}; !equalFloats(xs[0], want) {
		t.Errorf("user_id = %v, want %v", xs[0], want)
	}
	if want := []float64{40, 41, 10, 11, 40, 41}; !equalFloats(xs[1], want) {
		t.Errorf("features = %v, want %v", xs[1], want)
	}
	if want := []float64{0, 1, 0}; !equalFloats(ys[0], want) {
		t.Errorf("click = %v, want %v", ys[0], want)
	}
}

func TestTensorsGatherOneErrors(t *testing.T) {
	m := userTensors(t)
	tests := []struct {
		name    string
		gather  func() error
		wantErr string
	}{
		{"input ok", func() error { return m.GatherInput([]int{1}, 1, f64(2)) }, ""},
		{"target ok", func() error { return m.GatherTarget([]int{1, 2}, 0, zeros(tensor.Float32, 2)) }, ""},
		{"input out of range", func() error { return m.GatherInput([]int{1}, 2, f64(2)) }, "input index 2 out of range [0, 2)"},
		{"target out of range", func() error { return m.GatherTarget([]int{1}, -1, f64(1)) }, "target index -1 out of range [0, 1)"},
		{"bad index", func() error { return m.GatherTarget([]int{7}, 0, f64(1)) }, "index 7 at position 0 out of range [0, 5)"},
		{"bad size", func() error { return m.GatherInput([]int{1}, 0, f64(2)) }, `destination for input "user_id" has 2 values`},
		{"float into int", func() error { return m.GatherTarget([]int{1}, 0, zeros(tensor.Int64, 1)) }, `destination for target "click" has dtype int64`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, tc.gather(), tc.wantErr)
		})
	}
}

func TestGatherOneMulti(t *testing.T) {
	base := userTensors(t)
	for _, m := range []Multi{base, plainMulti{base}} {
		x := zeros(tensor.Int32, 2)
		if err := GatherInputMulti(m, []int{3, 0}, 0, x); err != nil {
			t.Fatal(err)
		}
		if got := anyValues(t, x); !equalFloats(got, []float64{103, 100}) {
			t.Errorf("%T: user_id = %v, want [103 100]", m, got)
		}
		y := f64(2)
		if err := GatherTargetMulti(m, []int{3, 0}, 0, y); err != nil {
			t.Fatal(err)
		}
		if got := y.Float64s(); !equalFloats(got, []float64{1, 0}) {
			t.Errorf("%T: click = %v, want [1 0]", m, got)
		}
		checkErr(t, GatherTargetMulti(m, []int{0}, 1, y), "datasets.GatherTargetMulti: target index 1 out of range [0, 1)")
		checkErr(t, GatherInputMulti(m, []int{0}, 1, zeros(tensor.Int, 2)), `destination for input "features" has dtype int`)
	}
	checkErr(t, GatherInputMulti(nil, []int{0}, 0, f64(1)), "nil data set")
	spy := &spyMulti{Tensors: base}
	if err := GatherTargetMulti(spy, []int{1}, 0, f64(1)); err != nil {
		t.Fatal(err)
	}
	if spy.multi != 0 || spy.input != 0 || spy.target != 1 {
		t.Errorf("calls: %d GatherMulti, %d GatherInput, %d GatherTarget; want only 1 GatherTarget", spy.multi, spy.input, spy.target)
	}
}
