package onnx

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"gorgonia.org/tensor"
)

// seqCase is one row of the sequence-layer parity tables: a model (built) and
// its inputs by name.
type seqCase struct {
	name  string
	build func(t *testing.T) (layers.Model, map[string]*tensor.Dense)
	tol   float64
	opts  []Option
}

// runSeqCases checks each case's export against gokeras' prediction.
func runSeqCases(t *testing.T, cases []seqCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, ins := tc.build(t)
			tol := tc.tol
			if tol == 0 {
				tol = 1e-5
			}
			t.Logf("%s: max error %.3g", tc.name, parity(t, m, ins, tol, tc.opts...))
		})
	}
}

// jitter adds deterministic values in [-scale, scale) to every weight of m, so
// that biases, layer-norm scales and the like are not at their initial zeros and
// ones (a bias mapped to the wrong place then shows).
func jitter(m layers.Model, scale float64) {
	seed := uint64(987654321)
	for _, p := range m.Params() {
		switch d := p.Value.Data().(type) {
		case []float32:
			for i := range d {
				seed = seed*6364136223846793005 + 1442695040888963407
				d[i] += float32((float64(seed>>11)/float64(1<<53)*2 - 1) * scale)
			}
		case []float64:
			for i := range d {
				seed = seed*6364136223846793005 + 1442695040888963407
				d[i] += (float64(seed>>11)/float64(1<<53)*2 - 1) * scale
			}
		}
	}
}

// ids is a (len(rows), len(rows[0])) id tensor of dtype dt (Int64 or Int32).
func ids(dt tensor.Dtype, rows ...[]int) *tensor.Dense {
	n := len(rows[0])
	if dt == tensor.Int32 {
		d := make([]int32, 0, len(rows)*n)
		for _, r := range rows {
			for _, v := range r {
				d = append(d, int32(v))
			}
		}
		return tensor.New(tensor.WithShape(len(rows), n), tensor.WithBacking(d))
	}
	d := make([]int64, 0, len(rows)*n)
	for _, r := range rows {
		for _, v := range r {
			d = append(d, int64(v))
		}
	}
	return tensor.New(tensor.WithShape(len(rows), n), tensor.WithBacking(d))
}

// functional builds a functional model of inputs and outputs (float32 unless
// dt says otherwise), jittered.
func functional(t *testing.T, ins []*layers.Tensor, outs []*layers.Tensor, dt tensor.Dtype) layers.Model {
	t.Helper()
	m, err := layers.NewModel(ins, outs)
	if err != nil {
		t.Fatalf("model: %v", err)
	}
	if err := m.Build(layers.WithDType(dt)); err != nil {
		t.Fatalf("build: %v", err)
	}
	jitter(m, 0.3)
	return m
}

// named maps the model's input names to the given tensors, in order.
func named(m layers.Model, xs ...*tensor.Dense) map[string]*tensor.Dense {
	out := map[string]*tensor.Dense{}
	for i, s := range m.Inputs() {
		out[s.Name] = xs[i]
	}
	return out
}

// ortError runs the ONNX file on the inputs with ONNX Runtime and returns what it
// printed on failure ("" when the run succeeded).
func ortError(t *testing.T, path string, ins map[string]*tensor.Dense) string {
	t.Helper()
	_, err := exec.LookPath("node")
	need(t, err == nil, "node")
	_, err = os.Stat(ortModule())
	need(t, err == nil, "onnxruntime-node at "+ortModule())
	req := map[string]ortTensor{}
	for k, v := range ins {
		typ := map[tensor.Dtype]string{tensor.Int64: "int64", tensor.Int32: "int32", tensor.Float64: "float64"}[v.Dtype()]
		if typ == "" {
			typ = "float32"
		}
		req[k] = ortTensor{Type: typ, Dims: v.Shape(), Data: numbers(t, v)}
	}
	reqPath := filepath.Join(t.TempDir(), "req.json")
	b, _ := json.Marshal(req)
	if err := os.WriteFile(reqPath, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("node", "-e", nodeRun, path, ortModule(), reqPath).CombinedOutput()
	if err == nil {
		return ""
	}
	return string(out)
}
