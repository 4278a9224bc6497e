package interop_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gokeras/gokeras/interop"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// fixtureArray is {"shape": [...], "data": [row-major values]}.
type fixtureArray struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

// torchCase is one case of testdata/torch_layers/layers.json (see the README there).
type torchCase struct {
	Name      string                 `json:"name"`
	Module    string                 `json:"module"`
	Config    map[string]interface{} `json:"config"`
	StateDict []struct {
		Name  string    `json:"name"`
		DType string    `json:"dtype"`
		Shape []int     `json:"shape"`
		Data  []float64 `json:"data"`
	} `json:"state_dict"`
	Inputs []fixtureArray `json:"inputs"`
	Output fixtureArray   `json:"output"`
}

func readTorchCases(t *testing.T) []torchCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "torch_layers", "layers.json"))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	var fx struct {
		Cases []torchCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatalf("decode fixture: %v", err)
	}
	if len(fx.Cases) < 16 {
		t.Fatalf("fixture has %d cases, want 16", len(fx.Cases))
	}
	return fx.Cases
}

// stateDict turns a case's state dict into an interop.StateDict, in file order.
func (c torchCase) stateDict(t *testing.T) *interop.StateDict {
	t.Helper()
	sd := interop.NewStateDict()
	for _, e := range c.StateDict {
		if err := sd.Add(&interop.Tensor{Name: e.Name, DType: e.DType, Shape: e.Shape, Data: e.Data}); err != nil {
			t.Fatal(err)
		}
	}
	return sd
}

// torchModel is the gokeras counterpart of a fixture case's torch module, its
// inputs' names and the dtype of its first input.
func torchModel(t *testing.T, c torchCase) (layers.Model, []string) {
	t.Helper()
	x := func(name string, i int) *layers.Tensor {
		return layers.NewInput(name, layers.Shape(c.Inputs[i].Shape[1:]...))
	}
	one := func(ls ...layers.Layer) (layers.Model, []string) {
		in := x("x", 0)
		h := in
		for _, l := range ls {
			h = layers.Apply(l, h)[0]
		}
		m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{h})
		if err != nil {
			t.Fatal(err)
		}
		return m, []string{"x"}
	}
	seq := layers.WithReturnSequences(true)
	bn := func() layers.Layer {
		return layers.BatchNormalization(layers.WithEpsilon(1e-5), layers.WithMomentum(0.9))
	}
	switch c.Name {
	case "linear":
		return one(layers.Dense(3))
	case "linear_no_bias":
		return one(layers.Dense(3, layers.WithBias(false)))
	case "conv1d":
		return one(layers.Conv1D(4, 3, layers.WithStride1D(2)))
	case "conv2d":
		return one(layers.ZeroPadding2D(1, 1, 1, 1), layers.Conv2D(4, 3, layers.WithStrides(2, 2)))
	case "batchnorm1d", "batchnorm2d":
		return one(bn())
	case "layernorm":
		return one(layers.LayerNormalization(layers.WithEpsilon(1e-5)))
	case "embedding":
		in := layers.NewInput("ids", layers.Shape(c.Inputs[0].Shape[1:]...), layers.Int64)
		m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{layers.Embedding(10, 4).Apply(in)})
		if err != nil {
			t.Fatal(err)
		}
		return m, []string{"ids"}
	case "lstm":
		return one(layers.LSTM(4, seq))
	case "lstm_2_layers":
		return one(layers.LSTM(4, seq), layers.LSTM(4, seq))
	case "lstm_bidirectional":
		return one(layers.Bidirectional(layers.LSTM(4, seq)))
	case "gru":
		return one(layers.GRU(4, seq))
	case "mha":
		in := x("x", 0)
		out := layers.MultiHeadAttention(2, 3).Apply(in, in)[0]
		m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{out})
		if err != nil {
			t.Fatal(err)
		}
		return m, []string{"x"}
	case "mha_kdim_vdim":
		q, kv := x("q", 0), x("kv", 1)
		out := layers.MultiHeadAttention(2, 3).Apply(q, kv)[0]
		m, err := layers.NewModel([]*layers.Tensor{q, kv}, []*layers.Tensor{out})
		if err != nil {
			t.Fatal(err)
		}
		return m, []string{"q", "kv"}
	case "transformer":
		return one(layers.TransformerEncoder(2, 16))
	case "transformer_norm_first":
		return one(layers.TransformerEncoder(2, 16, layers.WithNormalizeFirst(true)))
	}
	t.Fatalf("no gokeras counterpart for case %q", c.Name)
	return nil, nil
}

// TestLoadTorchLayers loads each fixture module's state dict into its gokeras
// counterpart by automatic mapping and compares the output with PyTorch's
// (float64 in torch): within 1e-10 for a float64 model, 1e-5 for float32.
func TestLoadTorchLayers(t *testing.T) {
	for _, c := range readTorchCases(t) {
		c := c
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			dt := dt
			t.Run(c.Name+"/"+dt.String(), func(t *testing.T) {
				tol := 1e-10
				if dt == tensor.Float32 {
					tol = 1e-5
				}
				m, names := torchModel(t, c)
				if err := m.Build(layers.WithDType(dt)); err != nil {
					t.Fatal(err)
				}
				if err := interop.Load(m, c.stateDict(t)); err != nil {
					t.Fatalf("load: %v", err)
				}
				xs := map[string]*tensor.Dense{}
				for i, a := range c.Inputs {
					if names[i] == "ids" {
						ids := make([]int64, len(a.Data))
						for k, v := range a.Data {
							ids[k] = int64(v)
						}
						xs[names[i]] = tensor.New(tensor.WithShape(a.Shape...), tensor.WithBacking(ids))
						continue
					}
					xs[names[i]] = tensor.New(tensor.WithShape(a.Shape...), tensor.WithBacking(append([]float64(nil), a.Data...)))
				}
				outs, err := trainers.PredictNamed(m, xs)
				if err != nil {
					t.Fatalf("predict: %v", err)
				}
				if len(outs) != 1 {
					t.Fatalf("%d outputs", len(outs))
				}
				for _, y := range outs {
					got := floats(t, y)
					if !sameInts(y.Shape(), c.Output.Shape) {
						t.Fatalf("output shape %v, torch %v", y.Shape(), c.Output.Shape)
					}
					d := maxAbsDiff(got, c.Output.Data)
					t.Logf("max abs difference %.3g (tolerance %g)", d, tol)
					if !(d <= tol) {
						t.Errorf("output differs from torch by %.3g > %g", d, tol)
					}
				}
			})
		}
	}
}

func floats(t *testing.T, d *tensor.Dense) []float64 {
	t.Helper()
	switch v := d.Data().(type) {
	case []float64:
		return v
	case []float32:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	}
	t.Fatalf("output of dtype %v", d.Dtype())
	return nil
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

func maxAbsDiff(a, b []float64) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range a {
		if e := math.Abs(a[i] - b[i]); e > d || math.IsNaN(e) {
			d = e
		}
	}
	return d
}
