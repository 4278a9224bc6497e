package onnxcheck

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// The models in testdata are made by testdata/make_models.py (see there).

func TestCheck(t *testing.T) {
	tools := Require(t)
	cases := []struct {
		file    string
		inputs  []string // name elem_type [dims]
		outputs []string
		wantErr string // part of the error; "" for a valid model
	}{
		{file: "add.onnx", inputs: []string{"a FLOAT [batch, 3]", "b FLOAT [batch, 3]"}, outputs: []string{"y FLOAT [batch, 3]"}},
		{file: "add_f64.onnx", inputs: []string{"a DOUBLE [batch, 3]", "b DOUBLE [batch, 3]"}, outputs: []string{"y DOUBLE [batch, 3]"}},
		{file: "gather_matmul.onnx", inputs: []string{"ids INT64 [batch, 2]", "pos INT32 [batch]"}, outputs: []string{"y FLOAT [batch, 2, 3]"}},
		{file: "bad_graph.onnx", wantErr: "checker: Nodes in a graph must be topologically sorted"},
		{file: "malformed.onnx", wantErr: "load: Protobuf decoding"},
		{file: "no_such_file.onnx", wantErr: "load:"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			info, err := tools.Check("testdata/" + c.file)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), c.file) {
					t.Fatalf("Check: error %v, want one naming %s and containing %q", err, c.file, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if info.Opsets[""] != 17 || info.IRVersion != 8 || info.ONNXVersion == "" {
				t.Errorf("opsets %v, IR %d, onnx %q; want opset 17, IR 8", info.Opsets, info.IRVersion, info.ONNXVersion)
			}
			if got := describe(info.Inputs); got != strings.Join(c.inputs, "; ") {
				t.Errorf("inputs %s, want %s", got, strings.Join(c.inputs, "; "))
			}
			if got := describe(info.Outputs); got != strings.Join(c.outputs, "; ") {
				t.Errorf("outputs %s, want %s", got, strings.Join(c.outputs, "; "))
			}
		})
	}
}

func describe(vs []ValueInfo) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = v.String()
	}
	return strings.Join(s, "; ")
}

func TestRun(t *testing.T) {
	tools := Require(t)
	f32 := func(shape []int, v ...float32) *tensor.Dense {
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	}
	f64 := func(shape []int, v ...float64) *tensor.Dense {
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	}
	// gather_matmul: y[n, t, :] = E[ids[n, t]] @ W + P[pos[n]] with
	// E[i, j] = (4i + j)/10, W[j, k] = (3j + k)/4 - 1, P = [[100, 200, 300], [-1, -2, -3]].
	gm := func(ids [][2]int, pos []int) []float64 {
		p := [2][3]float64{{100, 200, 300}, {-1, -2, -3}}
		var y []float64
		for n, row := range ids {
			for _, id := range row {
				for k := 0; k < 3; k++ {
					s := p[pos[n]][k]
					for j := 0; j < 4; j++ {
						s += float64(float32(float64(4*id+j)/10)) * (float64(3*j+k)/4 - 1)
					}
					y = append(y, s)
				}
			}
		}
		return y
	}
	cases := []struct {
		name    string
		file    string
		inputs  map[string]*tensor.Dense
		want    map[string]*tensor.Dense
		wantErr string
	}{
		{name: "add float32", file: "add.onnx",
			inputs: map[string]*tensor.Dense{"a": f32([]int{2, 3}, 1, 2, 3, 4, 5, 6), "b": f32([]int{2, 3}, 0.5, -2, 0.25, 1e-3, 0, -6)},
			want:   map[string]*tensor.Dense{"y": f32([]int{2, 3}, 1.5, 0, 3.25, 4.001, 5, 0)}},
		{name: "add float64", file: "add_f64.onnx",
			inputs: map[string]*tensor.Dense{"a": f64([]int{1, 3}, 0.1, 1e300, -2), "b": f64([]int{1, 3}, 0.2, 1e300, 2)},
			want:   map[string]*tensor.Dense{"y": f64([]int{1, 3}, 0.1+0.2, 2e300, 0)}},
		{name: "gather int64 and int32", file: "gather_matmul.onnx",
			inputs: map[string]*tensor.Dense{
				"ids": tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]int64{0, 4, 3, 1})),
				"pos": tensor.New(tensor.WithShape(2), tensor.WithBacking([]int32{1, 0}))},
			want: map[string]*tensor.Dense{"y": f64([]int{2, 2, 3}, gm([][2]int{{0, 4}, {3, 1}}, []int{1, 0})...)}},
		{name: "go int ids as int64", file: "gather_matmul.onnx",
			inputs: map[string]*tensor.Dense{
				"ids": tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]int{2, 2})),
				"pos": tensor.New(tensor.WithShape(1), tensor.WithBacking([]int32{0}))},
			want: map[string]*tensor.Dense{"y": f64([]int{1, 2, 3}, gm([][2]int{{2, 2}}, []int{0})...)}},
		{name: "missing input", file: "add.onnx",
			inputs:  map[string]*tensor.Dense{"a": f32([]int{1, 3}, 1, 2, 3)},
			wantErr: "needs inputs [b]"},
		{name: "wrong dtype", file: "add.onnx",
			inputs:  map[string]*tensor.Dense{"a": f64([]int{1, 3}, 1, 2, 3), "b": f64([]int{1, 3}, 1, 2, 3)},
			wantErr: "Unexpected input data type"},
		{name: "unsupported dtype", file: "add.onnx",
			inputs:  map[string]*tensor.Dense{"a": tensor.New(tensor.WithShape(1), tensor.WithBacking([]bool{true}))},
			wantErr: `input "a": dtype bool`},
		{name: "malformed file", file: "malformed.onnx",
			inputs:  map[string]*tensor.Dense{"a": f32([]int{1, 3}, 1, 2, 3)},
			wantErr: "Protobuf parsing failed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			outs, err := tools.Run("testdata/"+c.file, c.inputs, WithOptLevel("basic"))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), c.file) {
					t.Fatalf("Run: error %v, want one naming %s and containing %q", err, c.file, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			maxAbs, err := Compare(outs, c.want, 1e-5, 1e-6)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%v: max abs difference %.3g", outs, maxAbs)
		})
	}
}

func TestCompare(t *testing.T) {
	want := map[string]*tensor.Dense{"y": tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float32{1, 100}))}
	cases := []struct {
		name    string
		got     []Output
		wantMax float64
		wantErr string
	}{
		{name: "within tolerance", got: []Output{{Name: "y", Shape: []int{1, 2}, Data: []float64{1 + 5e-6, 100 - 1e-4}}}, wantMax: 1e-4},
		{name: "too far", got: []Output{{Name: "y", Shape: []int{1, 2}, Data: []float64{1 + 2e-5, 100}}}, wantErr: `output "y" value 0`},
		{name: "relative part", got: []Output{{Name: "y", Shape: []int{1, 2}, Data: []float64{1, 100.0003}}}, wantErr: `value 1`},
		{name: "shape", got: []Output{{Name: "y", Shape: []int{2, 1}, Data: []float64{1, 100}}}, wantErr: "has shape [2 1], want [1 2]"},
		{name: "name", got: []Output{{Name: "z", Shape: []int{1, 2}, Data: []float64{1, 100}}}, wantErr: `output "z" is not among`},
		{name: "count", got: nil, wantErr: "0 outputs"},
		{name: "NaN", got: []Output{{Name: "y", Shape: []int{1, 2}, Data: []float64{1, nan()}}}, wantErr: "got NaN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			maxAbs, err := Compare(c.got, want, 1e-5, 1e-6)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := maxAbs - c.wantMax; d > 1e-9 || d < -1e-9 {
				t.Errorf("max abs difference %g, want %g", maxAbs, c.wantMax)
			}
		})
	}
}

func nan() float64 { return math.NaN() }

func TestRequireFailsWhenRequired(t *testing.T) {
	t.Setenv(EnvDir, t.TempDir()) // no scripts there
	if _, err := Find(); err == nil || !strings.Contains(err.Error(), "run_ort.js missing") {
		t.Fatalf("Find in an empty folder: error %v, want one saying run_ort.js is missing", err)
	}
	t.Setenv(EnvRequired, "1")
	rec := &recorder{TB: t}
	func() {
		defer func() { _ = recover() }()
		Require(rec)
	}()
	if !rec.failed || rec.skipped {
		t.Fatalf("Require with %s=1 and no tools: failed %v, skipped %v; want a failure", EnvRequired, rec.failed, rec.skipped)
	}
	t.Setenv(EnvRequired, "")
	rec = &recorder{TB: t}
	func() {
		defer func() { _ = recover() }()
		Require(rec)
	}()
	if rec.failed || !rec.skipped || !strings.Contains(rec.msg, EnvRequired+"=1") {
		t.Fatalf("Require without %s and no tools: failed %v, skipped %v (%q); want a skip naming the variable", EnvRequired, rec.failed, rec.skipped, rec.msg)
	}
}

// recorder records Fatalf and Skipf instead of ending the test; it panics to
// stop Require as runtime.Goexit would.
type recorder struct {
	testing.TB
	failed, skipped bool
	msg             string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...interface{}) {
	r.failed, r.msg = true, fmt.Sprintf(format, args...)
	panic("fatal")
}
func (r *recorder) Skipf(format string, args ...interface{}) {
	r.skipped, r.msg = true, fmt.Sprintf(format, args...)
	panic("skip")
}
