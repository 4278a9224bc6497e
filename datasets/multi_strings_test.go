package datasets

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"gorgonia.org/tensor"
)

// strDense returns a String tensor of the given shape holding vals.
func strDense(vals []string, shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(vals))
}

// cityTensors returns 6 examples: input "city" (string, [1]) = "c<i>",
// input "tags" (string, [2]) = ("t<i>a", "t<i>b"), input "x" (float32, [1])
// = i, and target "y" (float64, [1]) = 10i.
func cityTensors(t *testing.T) *Tensors {
	t.Helper()
	const n = 6
	city, tags, x, y := make([]string, n), make([]string, 2*n), make([]float64, n), make([]float64, n)
	for i := range n {
		city[i] = fmt.Sprintf("c%d", i)
		tags[2*i], tags[2*i+1] = fmt.Sprintf("t%da", i), fmt.Sprintf("t%db", i)
		x[i], y[i] = float64(i), float64(10*i)
	}
	m, err := NewNamedTensors(
		map[string]*tensor.Dense{"city": strDense(city, n, 1), "tags": strDense(tags, n, 2), "x": dense(tensor.Float32, x, n, 1)},
		map[string]*tensor.Dense{"y": dense(tensor.Float64, y, n, 1)})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// gatherCity gathers examples idx of a Multi shaped like cityTensors and
// checks that every tensor holds the same examples: it returns the
// example numbers (x) it found.
func gatherCity(t *testing.T, m Multi, idx []int) []int {
	t.Helper()
	n := len(idx)
	city, tags := zeros(tensor.String, n, 1), zeros(tensor.String, n, 2)
	x, y := zeros(tensor.Float32, n, 1), zeros(tensor.Float64, n)
	if err := m.GatherMulti(idx, []*tensor.Dense{city, tags, x}, []*tensor.Dense{y}); err != nil {
		t.Fatalf("GatherMulti(%v): %v", idx, err)
	}
	got := make([]int, n)
	for k := range n {
		i := int(x.Float32s()[k])
		got[k] = i
		wantTags := []string{fmt.Sprintf("t%da", i), fmt.Sprintf("t%db", i)}
		if c := city.Strings()[k]; c != fmt.Sprintf("c%d", i) {
			t.Errorf("row %d: city %q with x %d", k, c, i)
		}
		if tg := tags.Strings()[2*k : 2*k+2]; !slices.Equal(tg, wantTags) {
			t.Errorf("row %d: tags %q with x %d", k, tg, i)
		}
		if v := y.Float64s()[k]; v != float64(10*i) {
			t.Errorf("row %d: y %v with x %d", k, v, i)
		}
	}
	return got
}

func TestTensorsStringSpecs(t *testing.T) {
	m := cityTensors(t)
	want := []Spec{{"city", []int{1}, tensor.String}, {"tags", []int{2}, tensor.String}, {"x", []int{1}, tensor.Float32}, {"y", []int{1}, tensor.Float64}}
	got := append(m.Inputs(), m.Targets()...)
	if len(got) != len(want) {
		t.Fatalf("%d specs, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Name != want[i].Name || !equalInts(got[i].Shape, want[i].Shape) || got[i].DType != want[i].DType {
			t.Errorf("spec %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestTensorsStringGather(t *testing.T) {
	m := cityTensors(t)
	tests := []struct {
		name string
		idx  []int
	}{
		{"one", []int{4}},
		{"in order", []int{0, 1, 2, 3, 4, 5}},
		{"shuffled with repeats", []int{5, 0, 5, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, mm := range []struct {
				name string
				m    Multi
			}{{"tensors", m}, {"plain", plainMulti{m}}} {
				if got := gatherCity(t, mm.m, tc.idx); !slices.Equal(got, tc.idx) {
					t.Errorf("%s: gathered examples %v, want %v", mm.name, got, tc.idx)
				}
				// One input alone, with and without TensorGatherer (the
				// plain Multi gathers the others into scratch tensors).
				tags := zeros(tensor.String, len(tc.idx)*2)
				if err := GatherInputMulti(mm.m, tc.idx, 1, tags); err != nil {
					t.Fatalf("%s: GatherInputMulti: %v", mm.name, err)
				}
				for k, i := range tc.idx {
					if s := tags.Strings()[2*k]; s != fmt.Sprintf("t%da", i) {
						t.Errorf("%s: GatherInputMulti row %d = %q, want example %d", mm.name, k, s, i)
					}
				}
			}
		})
	}
}

func TestTensorsStringViewsAndTargets(t *testing.T) {
	all := strDense([]string{"a", "b", "c", "d", "e", "f"}, 3, 2)
	col, err := all.Slice(nil, tensor.S(1)) // "b", "d", "f": a strided view
	if err != nil {
		t.Fatal(err)
	}
	lbl := strDense([]string{"x", "y", "z"}, 3)
	m, err := NewTensors(nil, []*tensor.Dense{col.(*tensor.Dense)}, []string{"label"}, []*tensor.Dense{lbl})
	if err != nil {
		t.Fatal(err)
	}
	in, out := zeros(tensor.String, 2, 1), zeros(tensor.String, 2)
	if err := m.GatherMulti([]int{2, 0}, []*tensor.Dense{in}, []*tensor.Dense{out}); err != nil {
		t.Fatal(err)
	}
	if got := in.Strings(); !slices.Equal(got, []string{"f", "b"}) {
		t.Errorf("input %q, want [f b]", got)
	}
	if got := out.Strings(); !slices.Equal(got, []string{"z", "x"}) {
		t.Errorf("target %q, want [z x]", got)
	}
	if got := m.Targets()[0]; got.DType != tensor.String || !equalInts(got.Shape, []int{1}) {
		t.Errorf("target spec %+v", got)
	}
}

func TestTensorsStringSplits(t *testing.T) {
	m := cityTensors(t)
	tests := []struct {
		name   string
		split  func() (Multi, Multi, error)
		nTrain int
	}{
		{"TrainTestSplitMulti", func() (Multi, Multi, error) { return TrainTestSplitMulti(m, 0.34, 7) }, 3},
		{"SplitTailMulti", func() (Multi, Multi, error) { return SplitTailMulti(m, 0.5) }, 3},
		{"SubsetMulti", func() (Multi, Multi, error) {
			a, err := SubsetMulti(m, []int{5, 1, 3})
			if err != nil {
				return nil, nil, err
			}
			b, err := SubsetMulti(m, []int{0, 2, 4})
			return a, b, err
		}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			train, test, err := tc.split()
			if err != nil {
				t.Fatal(err)
			}
			if train.Len() != tc.nTrain || train.Len()+test.Len() != m.Len() {
				t.Fatalf("Len %d and %d, want %d and %d", train.Len(), test.Len(), tc.nTrain, m.Len()-tc.nTrain)
			}
			if s := train.Inputs()[0]; s.DType != tensor.String || s.Name != "city" {
				t.Errorf("train input 0 spec %+v", s)
			}
			a := gatherCity(t, train, identity(train.Len()))
			b := gatherCity(t, test, identity(test.Len()))
			seen := slices.Sorted(slices.Values(append(a, b...)))
			if !slices.Equal(seen, []int{0, 1, 2, 3, 4, 5}) {
				t.Errorf("train %v and test %v do not cover the examples once each", a, b)
			}
			// A subset of the split: its example k is example a[idx[k]].
			sub, err := SubsetMulti(train, []int{2, 0})
			if err != nil {
				t.Fatal(err)
			}
			if got := gatherCity(t, sub, []int{0, 1}); !slices.Equal(got, []int{a[2], a[0]}) {
				t.Errorf("subset of train gives %v, want %v", got, []int{a[2], a[0]})
			}
		})
	}
}

func TestTensorsStringDestErrors(t *testing.T) {
	m := cityTensors(t)
	ids, err := NewTensors([]string{"id"}, []*tensor.Dense{anyDense(tensor.Int64, seq(6), 6)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := SubsetMulti(m, []int{1, 0})
	if err != nil {
		t.Fatal(err)
	}
	const strInF32 = `destination for input "city" has dtype float32, want string for a string source`
	tests := []struct {
		name    string
		gather  func() error
		wantErr string
	}{
		{"string into float32", func() error {
			return m.GatherMulti([]int{0}, []*tensor.Dense{zeros(tensor.Float32, 1), zeros(tensor.String, 2), zeros(tensor.Float32, 1)},
				[]*tensor.Dense{zeros(tensor.Float64, 1)})
		}, strInF32},
		{"string into int", func() error { return m.GatherInput([]int{0}, 0, zeros(tensor.Int, 1)) },
			`destination for input "city" has dtype int, want string for a string source`},
		{"float into string", func() error {
			return m.GatherMulti([]int{0}, []*tensor.Dense{zeros(tensor.String, 1), zeros(tensor.String, 2), zeros(tensor.String, 1)},
				[]*tensor.Dense{zeros(tensor.Float64, 1)})
		}, `destination for input "x" has dtype string, want float32 or float64 for a float32 source`},
		{"float target into string", func() error { return m.GatherTarget([]int{0}, 0, zeros(tensor.String, 1)) },
			`destination for target "y" has dtype string, want float32 or float64 for a float64 source`},
		{"int into string", func() error { return ids.GatherInput([]int{0, 1}, 0, zeros(tensor.String, 2)) },
			`destination for input "id" has dtype string, want int32, int64, int, float32 or float64 for a int64 source`},
		{"subset string into float32", func() error { return GatherInputMulti(sub, []int{0}, 0, zeros(tensor.Float32, 1)) }, strInF32},
		{"plain string into float32", func() error { return GatherInputMulti(plainMulti{m}, []int{0}, 0, zeros(tensor.Float32, 1)) }, strInF32},
		{"string wrong size", func() error { return m.GatherInput([]int{0}, 1, zeros(tensor.String, 3)) },
			`destination for input "tags" has 3 values (shape (3)), want 2`},
		{"columns mismatch", func() error {
			return gatherColumn("input 0", column{dt: tensor.Float32, f32: make([]float32, 1)},
				column{dt: tensor.String, strs: []string{"a"}}, []int{0}, 1)
		}, "destination for input 0 has dtype float32, want string for a string source"},
		{"columns mismatch reverse", func() error {
			return gatherColumn("input 0", column{dt: tensor.String, strs: make([]string, 1)},
				column{dt: tensor.Int, ints: []int{1}}, []int{0}, 1)
		}, "destination for input 0 has dtype string, want int32, int64, int, float32 or float64 for a int source"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, tc.gather(), tc.wantErr)
		})
	}
}

func TestTensorsStringChecks(t *testing.T) {
	m := cityTensors(t)
	if err := CheckFiniteMulti(m); err != nil {
		t.Errorf("CheckFiniteMulti: %v", err)
	}
	if err := CheckFiniteMulti(plainMulti{m}); err != nil {
		t.Errorf("CheckFiniteMulti (plain): %v", err)
	}
	never := func(float64) bool { return false } // rejects every number
	tests := []struct {
		name  string
		scan  func() (int, float64, bool, error)
		found bool
	}{
		{"string input skipped", func() (int, float64, bool, error) { return ScanInputMulti(m, 0, never) }, false},
		{"string input skipped, plain", func() (int, float64, bool, error) { return ScanInputMulti(plainMulti{m}, 1, never) }, false},
		{"float input scanned", func() (int, float64, bool, error) { return ScanInputMulti(m, 2, never) }, true},
		{"string target skipped", func() (int, float64, bool, error) {
			s, err := NewTensors(nil, []*tensor.Dense{dense(tensor.Float64, seq(2), 2)}, nil, []*tensor.Dense{strDense([]string{"a", "b"}, 2)})
			if err != nil {
				return 0, 0, false, err
			}
			return ScanTargetMulti(s, 0, never)
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, found, err := tc.scan()
			if err != nil {
				t.Fatal(err)
			}
			if found != tc.found {
				t.Errorf("found %v, want %v", found, tc.found)
			}
		})
	}
	// A NaN next to string inputs is still found.
	bad, err := NewTensors([]string{"s", "v"},
		[]*tensor.Dense{strDense([]string{"a", "b"}, 2), dense(tensor.Float64, []float64{1, math.NaN()}, 2)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkErr(t, CheckFiniteMulti(bad), `input "v" of example 1 has NaN`)
}

func TestAsDatasetStrings(t *testing.T) {
	f := dense(tensor.Float64, seq(2), 2)
	s := strDense([]string{"a", "b"}, 2)
	tests := []struct {
		name    string
		in, out *tensor.Dense
		wantErr string
	}{
		{"string input", s, f, "datasets.AsDataset: input 0 holds strings, and a Dataset holds numbers only"},
		{"string target", f, s, "datasets.AsDataset: target 0 holds strings"},
		{"numbers", f, f, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewTensors(nil, []*tensor.Dense{tc.in}, nil, []*tensor.Dense{tc.out})
			if err != nil {
				t.Fatal(err)
			}
			_, err = AsDataset(m)
			checkErr(t, err, tc.wantErr)
		})
	}
}
