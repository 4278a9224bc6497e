package layers_test

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// maskIDs is a batch of 5 rows of 5 ids; 0 is padding (rows 0, 2 and 4 padded).
func maskIDs() []*tensor.Dense {
	return []*tensor.Dense{tensor.New(tensor.WithShape(5, 5), tensor.WithBacking([]int64{
		1, 2, 3, 0, 0,
		4, 5, 6, 7, 8,
		9, 0, 0, 0, 0,
		2, 4, 6, 8, 1,
		3, 5, 7, 9, 0,
	}))}
}

// shiftRows adds delta to the given rows of p's (rows, cols) values.
func shiftRows(t *testing.T, p *graph.Param, cols int, delta float64, rows ...int) {
	t.Helper()
	v := p.Float64s()
	for _, r := range rows {
		for j := 0; j < cols; j++ {
			v[r*cols+j] += delta * float64(1+j%3)
		}
	}
	if err := p.SetFloat64s(v); err != nil {
		t.Fatal(err)
	}
}

// maxDiff is the largest absolute difference between a and b.
func maxDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

// maskedCases are the layers that work step by step and must pass the mask on.
var maskedCases = []struct {
	name string
	make func() layers.Layer
}{
	{"PositionalEmbedding", func() layers.Layer { return layers.PositionalEmbedding(5, 4) }},
	{"SinusoidalEncoding", func() layers.Layer { return layers.SinusoidalEncoding() }},
	{"Dropout", func() layers.Layer { return layers.Dropout(0.3) }},
	{"LayerNormalization", func() layers.Layer { return layers.LayerNormalization() }},
	{"Activation", func() layers.Layer { return layers.Activation("tanh") }},
	{"Dense", func() layers.Layer { return layers.Dense(3) }},
}

// maskModel builds ids (5) → Embedding(10, 4, mask_zero) → l [→ GlobalAveragePooling1D].
func maskModel(t *testing.T, l layers.Layer, maskZero, pool bool) (*layers.Functional, *layers.EmbeddingLayer) {
	t.Helper()
	ids := layers.NewInput("ids", layers.Shape(5), layers.Int64)
	emb := layers.Embedding(10, 4, layers.WithMaskZero(maskZero))
	h := layers.Apply(l, emb.Apply(ids))[0]
	if pool {
		h = layers.Apply(layers.GlobalAveragePooling1D(), h)[0]
	}
	m, err := layers.NewModel([]*layers.Tensor{ids}, []*layers.Tensor{h})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(layers.WithSeed(4)); err != nil {
		t.Fatal(err)
	}
	return m, emb
}

// TestMaskPropagationPooled: for each element-wise layer, Embedding(mask_zero) →
// layer → GlobalAveragePooling1D gives the same outputs whatever the padding
// id's embedding holds; without mask_zero (the control) the outputs change.
func TestMaskPropagationPooled(t *testing.T) {
	for _, c := range maskedCases {
		for _, maskZero := range []bool{true, false} {
			m, emb := maskModel(t, c.make(), maskZero, true)
			before := harnessPredict(t, m, maskIDs())
			shiftRows(t, emb.Params()[0], 4, 2.5, 0)
			after := harnessPredict(t, m, maskIDs())
			d := maxDiff(before, after)
			if maskZero && d > 1e-5 {
				t.Errorf("%s: the pooled outputs changed by %g with the padding's embedding", c.name, d)
			}
			if !maskZero && d < 1e-4 {
				t.Errorf("%s without mask_zero: the padding's embedding changed nothing (%g): the test cannot see a lost mask", c.name, d)
			}
		}
	}
}

// TestMaskPropagationGraph: in training and inference graphs, each layer's
// output carries its input's mask (Dropout returns its input at inference, so
// only the training graph tells that it passes the mask on).
func TestMaskPropagationGraph(t *testing.T) {
	for _, c := range maskedCases {
		m, _ := maskModel(t, c.make(), true, false)
		for _, mode := range []graph.Mode{graph.Train, graph.Infer} {
			g, err := graph.New(mode, tensor.Float32, 2)
			if err != nil {
				t.Fatal(err)
			}
			ids, _, err := g.InputOf("ids", tensor.Int64, 5)
			if err != nil {
				t.Fatal(err)
			}
			outs, err := m.ForwardMulti(g, []*G.Node{ids})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			mask, ok := g.Mask(outs[0])
			if !ok {
				t.Errorf("%s (mode %v): the output has no mask", c.name, mode)
				continue
			}
			if s := mask.Shape(); s.Dims() != 2 || s[0] != 2 || s[1] != 5 {
				t.Errorf("%s (mode %v): mask shape %v, want (2, 5)", c.name, mode, s)
			}
		}
	}
}

// TestDenseRank2KeepsNoMask: Dense on (batch, features) does not invent a mask.
func TestDenseRank2KeepsNoMask(t *testing.T) {
	g, err := graph.New(graph.Infer, tensor.Float32, 2)
	if err != nil {
		t.Fatal(err)
	}
	x, _, err := g.InputOf("x", tensor.Float32, 4)
	if err != nil {
		t.Fatal(err)
	}
	in := layers.NewInput("x", layers.Shape(4))
	m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{layers.Dense(2).Apply(in)})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(layers.WithSeed(1)); err != nil {
		t.Fatal(err)
	}
	outs, err := m.ForwardMulti(g, []*G.Node{x})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := g.Mask(outs[0]); ok {
		t.Error("Dense on rank 2 has a mask")
	}
}

// encoderModel builds ids (5) → Embedding(mask_zero) → PositionalEmbedding →
// Dropout → TransformerEncoder → LayerNormalization [→ GlobalAveragePooling1D],
// the BERT encoder's stack of plain layers.
func encoderModel(t *testing.T, maskZero, pool bool) (*layers.Functional, *layers.EmbeddingLayer, *layers.PositionalEmbeddingLayer) {
	t.Helper()
	ids := layers.NewInput("ids", layers.Shape(5), layers.Int64)
	emb := layers.Embedding(10, 4, layers.WithMaskZero(maskZero))
	pos := layers.PositionalEmbedding(5, 4)
	h := pos.Apply(emb.Apply(ids))
	h = layers.Dropout(0.2).Apply(h)
	h = layers.TransformerEncoder(2, 6, layers.WithNormalizeFirst(true)).Apply(h)
	h = layers.LayerNormalization().Apply(h)
	if pool {
		h = layers.Apply(layers.GlobalAveragePooling1D(), h)[0]
	}
	m, err := layers.NewModel([]*layers.Tensor{ids}, []*layers.Tensor{h})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(layers.WithSeed(5)); err != nil {
		t.Fatal(err)
	}
	return m, emb, pos
}

// TestMaskPropagationTransformer: with Embedding(mask_zero) → PositionalEmbedding
// → TransformerEncoder → pooling, changing what the padded positions hold (the
// padding's embedding and the position vectors of padded steps) does not change
// the pooled output of the padded rows; without mask_zero it does.
func TestMaskPropagationTransformer(t *testing.T) {
	for _, maskZero := range []bool{true, false} {
		m, emb, pos := encoderModel(t, maskZero, true)
		before := harnessPredict(t, m, maskIDs())
		shiftRows(t, emb.Params()[0], 4, 3, 0)
		shiftRows(t, pos.Embeddings(), 4, -2, 4) // position 4 is padded in rows 0, 2, 4
		after := harnessPredict(t, m, maskIDs())
		// Rows 1 and 3 have no padding: position 4 is a real step there.
		var b, a []float64
		for _, row := range []int{0, 2, 4} {
			b = append(b, before[row*4:row*4+4]...)
			a = append(a, after[row*4:row*4+4]...)
		}
		d := maxDiff(b, a)
		if maskZero && d > 1e-5 {
			t.Errorf("the pooled outputs of padded rows changed by %g with the padded positions", d)
		}
		if !maskZero && d < 1e-4 {
			t.Errorf("without mask_zero the padded positions changed nothing (%g): the test cannot see a lost mask", d)
		}
	}
}

// TestMaskPropagationSaveLoad: a model of plain layers (no wrapper) keeps
// passing the mask after Save and Load, in training and inference graphs, and
// predicts the same.
func TestMaskPropagationSaveLoad(t *testing.T) {
	m, _, _ := encoderModel(t, true, false)
	path := filepath.Join(t.TempDir(), "encoder.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := layers.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	f, ok := loaded.(*layers.Functional)
	if !ok {
		t.Fatalf("loaded %T, want *layers.Functional", loaded)
	}
	for _, mode := range []graph.Mode{graph.Train, graph.Infer} {
		g, err := graph.New(mode, tensor.Float32, 2)
		if err != nil {
			t.Fatal(err)
		}
		ids, _, err := g.InputOf("ids", tensor.Int64, 5)
		if err != nil {
			t.Fatal(err)
		}
		outs, err := f.ForwardMulti(g, []*G.Node{ids})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := g.Mask(outs[0]); !ok {
			t.Errorf("mode %v: the loaded encoder's output has no mask", mode)
		}
	}
	if d := maxDiff(harnessPredict(t, m, maskIDs()), harnessPredict(t, f, maskIDs())); d > 1e-6 {
		t.Errorf("the loaded model predicts differently (%g)", d)
	}
}
