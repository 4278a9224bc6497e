package interop_test

import (
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/interop"
	"github.com/gokeras/gokeras/layers"
)

// tt is a tensor spec for makeSD: name and shape; values are 0.01·(i+1)·sign.
type tt struct {
	name  string
	shape []int
}

func makeSD(t *testing.T, ts ...tt) *interop.StateDict {
	t.Helper()
	sd := interop.NewStateDict()
	for k, e := range ts {
		n := 1
		for _, d := range e.shape {
			n *= d
		}
		data := make([]float64, n)
		for i := range data {
			data[i] = 0.01 * float64(i+1+k)
			if i%3 == 1 {
				data[i] = -data[i]
			}
		}
		if err := sd.Add(&interop.Tensor{Name: e.name, DType: "float32", Shape: e.shape, Data: data}); err != nil {
			t.Fatal(err)
		}
	}
	return sd
}

// seqModel builds Input(in...) → ls..., float32.
func seqModel(t *testing.T, in []int, ls ...layers.Layer) layers.Model {
	t.Helper()
	m := layers.NewSequential(append([]layers.Layer{layers.Input(in...)}, ls...)...)
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	return m
}

func snapshot(m layers.Model) [][]float64 {
	var out [][]float64
	for _, p := range m.Params() {
		out = append(out, p.Float64s())
	}
	return out
}

func sameSnapshot(a, b [][]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if maxAbsDiff(a[i], b[i]) != 0 {
			return false
		}
	}
	return true
}

// TestLoadErrors checks that every failing Load names what is wrong and leaves
// the model's weights exactly as they were.
func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name  string
		model func(t *testing.T) layers.Model
		sd    []tt
		opts  []interop.LoadOption
		want  []string
	}{
		{"shape mismatch names both tensors",
			func(t *testing.T) layers.Model {
				return seqModel(t, []int{784}, layers.Dense(256, layers.WithName("dense_1")))
			},
			[]tt{{"fc1.weight", []int{128, 784}}, {"fc1.bias", []int{128}}}, nil,
			[]string{`layer "dense_1" (Dense) weight dense_1/kernel shape (784, 256) ← fc1.weight shape (128, 784) transposed to (784, 128): shapes differ`,
				`layer "dense_1" (Dense) weight dense_1/bias shape (256) ← fc1.bias shape (128): shapes differ`,
				`paired with torch modules by order: "dense_1" ← "fc1"; if a pair is wrong, pair them by name with WithModules`}},
		{"missing tensor",
			func(t *testing.T) layers.Model { return seqModel(t, []int{4}, layers.Dense(3)) },
			[]tt{{"fc.weight", []int{3, 4}}}, nil,
			[]string{`layer "dense" (Dense) weight dense/bias shape (3): the state dict has no tensor fc.bias`}},
		{"unused tensors",
			func(t *testing.T) layers.Model { return seqModel(t, []int{4}, layers.Dense(3)) },
			[]tt{{"fc.weight", []int{3, 4}}, {"fc.bias", []int{3}}, {"head.weight", []int{2, 3}}, {"head.bias", []int{2}}}, nil,
			[]string{"2 tensors of the state dict are not used: head.weight (2, 3), head.bias (2)", "WithAllowUnused(true)"}},
		{"wrong kind",
			func(t *testing.T) layers.Model { return seqModel(t, []int{4}, layers.Dense(3)) },
			[]tt{{"conv.weight", []int{3, 4, 1, 1}}, {"conv.bias", []int{3}}}, nil,
			[]string{`layer "dense" (Dense) is paired by order with torch module "conv" (Conv2d: weight (3, 4, 1, 1), bias (3))`, "kinds differ", "WithModules"}},
		{"later layer fails, earlier unchanged",
			func(t *testing.T) layers.Model {
				return seqModel(t, []int{4}, layers.Dense(3, layers.WithName("a")), layers.Dense(2, layers.WithName("b")))
			},
			[]tt{{"fc1.weight", []int{3, 4}}, {"fc1.bias", []int{3}}, {"fc2.weight", []int{5, 3}}, {"fc2.bias", []int{5}}}, nil,
			[]string{`layer "b" (Dense) weight b/kernel shape (3, 2) ← fc2.weight shape (5, 3) transposed to (3, 5): shapes differ`}},
		{"more layers than modules",
			func(t *testing.T) layers.Model {
				return seqModel(t, []int{4}, layers.Dense(3, layers.WithName("a")), layers.Dense(2, layers.WithName("b")))
			},
			[]tt{{"fc1.weight", []int{3, 4}}, {"fc1.bias", []int{3}}}, nil,
			[]string{`layer "b" (Dense) weight b/kernel shape (3, 2): nothing in the state dict fills it (no torch module is paired with the layer`}},
		{"allow unused: no module fits",
			func(t *testing.T) layers.Model { return seqModel(t, []int{4}, layers.Dense(3)) },
			[]tt{{"fc.weight", []int{5, 4}}, {"fc.bias", []int{5}}},
			[]interop.LoadOption{interop.WithAllowUnused(true)},
			[]string{`layer "dense" (Dense) weight dense/kernel shape (4, 3): nothing in the state dict fills it (no torch module fits the layer; the first of its kind: layer "dense" (Dense) weight dense/kernel shape (4, 3) ← fc.weight shape (5, 4) transposed to (4, 5): shapes differ`}},
		{"gru without reset_after",
			func(t *testing.T) layers.Model {
				return seqModel(t, []int{5, 3}, layers.GRU(4, layers.WithResetAfter(false)))
			},
			[]tt{{"gru.weight_ih_l0", []int{12, 3}}, {"gru.weight_hh_l0", []int{12, 4}}, {"gru.bias_ih_l0", []int{12}}, {"gru.bias_hh_l0", []int{12}}}, nil,
			[]string{`layer "gru" (GRU) has reset_after false`, "WithResetAfter(true)"}},
		{"bidirectional torch, plain layer",
			func(t *testing.T) layers.Model { return seqModel(t, []int{5, 3}, layers.LSTM(4)) },
			[]tt{{"lstm.weight_ih_l0", []int{16, 3}}, {"lstm.weight_hh_l0", []int{16, 4}}, {"lstm.bias_ih_l0", []int{16}}, {"lstm.bias_hh_l0", []int{16}},
				{"lstm.weight_ih_l0_reverse", []int{16, 3}}, {"lstm.weight_hh_l0_reverse", []int{16, 4}}, {"lstm.bias_ih_l0_reverse", []int{16}}, {"lstm.bias_hh_l0_reverse", []int{16}}}, nil,
			[]string{"the torch module is bidirectional (wrap the layer in layers.Bidirectional)"}},
		{"WithModules names no layer",
			func(t *testing.T) layers.Model { return seqModel(t, []int{4}, layers.Dense(3)) },
			[]tt{{"fc.weight", []int{3, 4}}, {"fc.bias", []int{3}}},
			[]interop.LoadOption{interop.WithModules(map[string]string{"dense_9": "fc"})},
			[]string{`WithModules: the model has no layer with weights at "dense_9" (layers with weights: dense (Dense))`}},
		{"WithModules names no module",
			func(t *testing.T) layers.Model { return seqModel(t, []int{4}, layers.Dense(3)) },
			[]tt{{"fc.weight", []int{3, 4}}, {"fc.bias", []int{3}}},
			[]interop.LoadOption{interop.WithModules(map[string]string{"dense": "fc2"})},
			[]string{`WithModules: layer "dense" (Dense) → torch module "fc2": the state dict has no such module (modules: "fc" (Linear))`}},
		{"WithTensor names no weight",
			func(t *testing.T) layers.Model { return seqModel(t, []int{4}, layers.Dense(3)) },
			[]tt{{"fc.weight", []int{3, 4}}, {"fc.bias", []int{3}}},
			[]interop.LoadOption{interop.WithTensor("dense/kernal", "fc.weight", interop.Transpose)},
			[]string{`the model has no weight "dense/kernal" (its weights: dense/bias, dense/kernel)`}},
		{"WithTensor names no tensor",
			func(t *testing.T) layers.Model { return seqModel(t, []int{4}, layers.Dense(3)) },
			[]tt{{"fc.weight", []int{3, 4}}, {"fc.bias", []int{3}}},
			[]interop.LoadOption{interop.WithTensor("dense/kernel", "fc.wieght", interop.Transpose)},
			[]string{`weight dense/kernel shape (4, 3): the state dict has no tensor fc.wieght`}},
		{"conv layout of a matrix",
			func(t *testing.T) layers.Model { return seqModel(t, []int{4}, layers.Dense(3)) },
			[]tt{{"fc.weight", []int{3, 4}}, {"fc.bias", []int{3}}},
			[]interop.LoadOption{interop.WithTensor("dense/kernel", "fc.weight", interop.ConvKernel2D)},
			[]string{`tensor "fc.weight" of shape (3, 4) is not a rank-4 conv2d weight (out, in, kh, kw)`}},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			m := c.model(t)
			before := snapshot(m)
			err := interop.Load(m, makeSD(t, c.sd...), c.opts...)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			t.Logf("error: %v", err)
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\ndoes not contain\n%s", err, w)
				}
			}
			if !sameSnapshot(before, snapshot(m)) {
				t.Error("a failed Load changed the model's weights")
			}
			if _, perr := interop.Plan(m, makeSD(t, c.sd...), c.opts...); perr == nil || !strings.Contains(perr.Error(), c.want[0]) {
				t.Errorf("Plan's error %v does not say %q", perr, c.want[0])
			}
		})
	}
}

// TestLoadAllowUnused: WithAllowUnused lets extra tensors go and skips, in
// pairing by order, a module that does not fit the next layer.
func TestLoadAllowUnused(t *testing.T) {
	m := seqModel(t, []int{4}, layers.Dense(3, layers.WithName("a")), layers.Dense(2, layers.WithName("b")))
	sd := makeSD(t, tt{"fc1.weight", []int{3, 4}}, tt{"fc1.bias", []int{3}}, tt{"bn.weight", []int{3}}, tt{"bn.bias", []int{3}},
		tt{"bn.running_mean", []int{3}}, tt{"bn.running_var", []int{3}}, tt{"fc2.weight", []int{2, 3}}, tt{"fc2.bias", []int{2}}, tt{"head.weight", []int{7, 2}})
	if err := interop.Load(m, sd); err == nil {
		t.Fatal("Load without WithAllowUnused succeeded")
	}
	plan, err := interop.Plan(m, sd, interop.WithAllowUnused(true))
	if err != nil {
		t.Fatal(err)
	}
	mods := map[string]string{}
	for _, a := range plan {
		mods[a.Weight] = a.Module
	}
	if mods["a/kernel"] != "fc1" || mods["b/kernel"] != "fc2" || mods["b/bias"] != "fc2" {
		t.Errorf("modules %v, want a ← fc1, b ← fc2", mods)
	}
	if err := interop.Load(m, sd, interop.WithAllowUnused(true)); err != nil {
		t.Fatal(err)
	}
	want, _ := sd.Get("fc2.bias"), 0
	if d := maxAbsDiff(paramByName(t, m, "b/bias").Float64s(), want.Data); d > 1e-7 {
		t.Errorf("b/bias differs from fc2.bias by %g", d)
	}
}

func paramByName(t *testing.T, m layers.Model, path string) *graph.Param {
	t.Helper()
	paths, err := layers.WeightPaths(m)
	if err != nil {
		t.Fatal(err)
	}
	for p, n := range paths {
		if n == path {
			return p
		}
	}
	t.Fatalf("no weight %q", path)
	return nil
}
