package onnx

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/internal/onnxcheck"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// ortModule is where ONNX Runtime for Node is looked for (GOKERAS_ORT_NODE
// overrides it).
func ortModule() string {
	if p := os.Getenv("GOKERAS_ORT_NODE"); p != "" {
		return p
	}
	return "/tmp/ortt/node_modules/onnxruntime-node"
}

// need skips the test when a tool is missing, unless GOKERAS_ONNX_REQUIRED=1.
func need(t *testing.T, ok bool, what string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("GOKERAS_ONNX_REQUIRED") == "1" {
		t.Fatalf("%s is missing and GOKERAS_ONNX_REQUIRED=1", what)
	}
	t.Skipf("skipped: %s is missing (set GOKERAS_ONNX_REQUIRED=1 to fail instead)", what)
}

// checkONNX runs the ONNX checker (full check) and strict shape inference on
// path, with the shared harness (internal/onnxcheck, tests/onnx).
func checkONNX(t *testing.T, path string) {
	t.Helper()
	if _, err := onnxcheck.Require(t).Check(path); err != nil {
		t.Fatalf("onnx checker rejects %s: %v", path, err)
	}
}

// nodeRun is a one-file ONNX Runtime runner for ad-hoc runs (ortError); the
// tests' runs go through internal/onnxcheck.
const nodeRun = `const ort = require(process.argv[2]);
const fs = require('fs');
(async () => {
  const req = JSON.parse(fs.readFileSync(process.argv[3]));
  const s = await ort.InferenceSession.create(process.argv[1]);
  const feeds = {};
  for (const [k, v] of Object.entries(req)) {
    let data;
    if (v.type === 'float64') data = Float64Array.from(v.data);
    else if (v.type === 'int64') data = BigInt64Array.from(v.data.map(BigInt));
    else if (v.type === 'int32') data = Int32Array.from(v.data);
    else data = Float32Array.from(v.data);
    feeds[k] = new ort.Tensor(v.type, data, v.dims);
  }
  const res = await s.run(feeds);
  const out = {};
  for (const [k, v] of Object.entries(res)) out[k] = {dims: v.dims, data: Array.from(v.data, Number)};
  process.stdout.write(JSON.stringify(out));
})().catch(e => { console.error(String(e)); process.exit(1); });`

type ortTensor struct {
	Type string    `json:"type,omitempty"`
	Dims []int     `json:"dims"`
	Data []float64 `json:"data"`
}

// runORT runs the ONNX file on the inputs with ONNX Runtime (the shared harness)
// and returns the outputs by name.
func runORT(t *testing.T, path string, ins map[string]*tensor.Dense) map[string]ortTensor {
	t.Helper()
	outs, err := onnxcheck.Require(t).Run(path, ins)
	if err != nil {
		t.Fatalf("onnxruntime failed on %s: %v", path, err)
	}
	res := map[string]ortTensor{}
	for _, o := range outs {
		res[o.Name] = ortTensor{Type: o.DType, Dims: o.Shape, Data: o.Data}
	}
	return res
}

func numbers(t *testing.T, v *tensor.Dense) []float64 {
	t.Helper()
	switch d := v.Data().(type) {
	case []int:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case []int64:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case []int32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	}
	f, err := Floats(v)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// parity exports m, checks the file and runs it in ONNX Runtime (internal/onnxcheck)
// and in gokeras on ins
// and compares every output within tol (absolute, scaled by max(1, |want|)). It
// returns the largest error seen.
func parity(t *testing.T, m layers.Model, ins map[string]*tensor.Dense, tol float64, opts ...Option) float64 {
	t.Helper()
	path := filepath.Join(t.TempDir(), "model.onnx")
	if err := Save(m, path, opts...); err != nil {
		t.Fatalf("export: %v", err)
	}
	checkONNX(t, path)
	got := runORT(t, path, ins)
	want, err := trainers.PredictNamed(m, ins)
	if err != nil {
		t.Fatalf("gokeras predict: %v", err)
	}
	worst := 0.0
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Fatalf("ONNX Runtime gave no output %q (has %v)", name, keys(got))
		}
		if !sameInts(g.Dims, w.Shape()) {
			t.Fatalf("output %q: ONNX shape %v, gokeras %v", name, g.Dims, w.Shape())
		}
		wv := numbers(t, w)
		for i := range wv {
			d := math.Abs(g.Data[i]-wv[i]) / math.Max(1, math.Abs(wv[i]))
			if math.IsNaN(g.Data[i]) != math.IsNaN(wv[i]) {
				d = math.Inf(1)
			}
			if d > worst {
				worst = d
			}
			if d > tol {
				t.Fatalf("output %q[%d]: ONNX %g, gokeras %g (error %g > %g)", name, i, g.Data[i], wv[i], d, tol)
			}
		}
	}
	return worst
}

func keys(m map[string]ortTensor) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return strings.Join(ks, ", ")
}

func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// randInput is a (batch, shape...) tensor of dtype dt with values in [-2, 2)
// from a fixed sequence.
func randInput(dt tensor.Dtype, batch int, shape ...int) *tensor.Dense {
	full := append([]int{batch}, shape...)
	n := 1
	for _, d := range full {
		n *= d
	}
	seed := uint64(12345 + n)
	next := func() float64 {
		seed = seed*6364136223846793005 + 1442695040888963407
		return float64(seed>>11)/float64(1<<53)*4 - 2
	}
	if dt == tensor.Float64 {
		d := make([]float64, n)
		for i := range d {
			d[i] = next()
		}
		return tensor.New(tensor.WithShape(full...), tensor.WithBacking(d))
	}
	d := make([]float32, n)
	for i := range d {
		d[i] = float32(next())
	}
	return tensor.New(tensor.WithShape(full...), tensor.WithBacking(d))
}

// seqModel builds a Sequential of an Input of the given shape and ls.
func seqModel(t *testing.T, shape []int, ls ...layers.Layer) *layers.Sequential {
	t.Helper()
	all := append([]layers.Layer{layers.Input(shape...)}, ls...)
	m := layers.NewSequential(all...)
	if err := m.Build(); err != nil {
		t.Fatalf("build: %v", err)
	}
	return m
}
