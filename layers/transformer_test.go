package layers_test

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// transformerDecoderModel builds Input(T, width) -> TransformerDecoder in dt.
func transformerDecoderModel(t *testing.T, T, width, heads, inter int, dt tensor.Dtype, opts ...layers.Option) *layers.TransformerDecoderLayer {
	t.Helper()
	in := layers.NewInput("x", layers.Shape(T, width))
	l := layers.TransformerDecoder(heads, inter, append([]layers.Option{layers.WithName("dec")}, opts...)...)
	m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{l.Apply(in)})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(layers.WithSeed(7), layers.WithDType(dt)); err != nil {
		t.Fatal(err)
	}
	harnessPerturb(l.Params(), 3) // non-trivial layer norms and biases
	return l
}

func transformerFill(d *tensor.Dense, v []float64) {
	switch x := d.Data().(type) {
	case []float32:
		for i := range x {
			x[i] = float32(v[i])
		}
	case []float64:
		copy(x, v)
	}
}

// TestTransformerDecoderStepMatchesForward: Step over t = 0..T-1 with a host-side
// cache gives the full causal forward's output at every position (float32,
// 1e-5), pre-norm and post-norm, relu and gelu.
func TestTransformerDecoderStepMatchesForward(t *testing.T) {
	const B, T, W, H, F = 2, 5, 8, 2, 12
	for _, c := range []struct {
		name string
		opts []layers.Option
	}{
		{"post-norm relu", nil},
		{"pre-norm gelu", []layers.Option{layers.WithNormalizeFirst(true), layers.WithActivation("gelu")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := transformerDecoderModel(t, T, W, H, F, tensor.Float32, c.opts...)
			if l.NumHeads() != H || l.KeyDim() != W/H || l.Width() != W || l.Attention() == nil {
				t.Fatalf("accessors: heads %d keyDim %d width %d", l.NumHeads(), l.KeyDim(), l.Width())
			}
			rng := rand.New(rand.NewSource(5))
			xv := make([]float64, B*T*W)
			for i := range xv {
				xv[i] = rng.NormFloat64()
			}
			// The full causal forward.
			g, err := graph.New(graph.Infer, tensor.Float32, B)
			if err != nil {
				t.Fatal(err)
			}
			xn, xt, err := g.Input("x", T, W)
			if err != nil {
				t.Fatal(err)
			}
			transformerFill(xt, xv)
			yn, err := l.Forward(g, xn)
			if err != nil {
				t.Fatal(err)
			}
			e, err := graph.NewExecutor(g.ExprGraph())
			if err != nil {
				t.Fatal(err)
			}
			if err := e.Run(); err != nil {
				t.Fatal(err)
			}
			full := append([]float32(nil), e.Dense(yn).Data().([]float32)...)

			// The step graph, with a fixed cache of T slots.
			D := l.KeyDim()
			sg, err := graph.New(graph.Infer, tensor.Float32, B)
			if err != nil {
				t.Fatal(err)
			}
			sx, sxt, _ := sg.Input("x", 1, W)
			pk, pkt, _ := sg.Input("past_k", H, T, D)
			pv, pvt, _ := sg.Input("past_v", H, T, D)
			keep, keept, _ := sg.Input("keep", T)
			y, k, v, err := l.Step(sg, sx, pk, pv, keep)
			if err != nil {
				t.Fatal(err)
			}
			if !y.Shape().Eq(tensor.Shape{B, 1, W}) || !k.Shape().Eq(tensor.Shape{B, H, 1, D}) || !v.Shape().Eq(tensor.Shape{B, H, 1, D}) {
				t.Fatalf("shapes y %v k %v v %v", y.Shape(), k.Shape(), v.Shape())
			}
			se, err := graph.NewExecutor(sg.ExprGraph())
			if err != nil {
				t.Fatal(err)
			}
			// Empty slots hold garbage: the keep mask must hide it.
			for _, d := range []*tensor.Dense{pkt, pvt} {
				data := d.Data().([]float32)
				for i := range data {
					data[i] = 100 * float32(rng.NormFloat64())
				}
			}
			worst := 0.0
			for step := 0; step < T; step++ {
				xs := sxt.Data().([]float32)
				for b := 0; b < B; b++ {
					for j := 0; j < W; j++ {
						xs[b*W+j] = float32(xv[(b*T+step)*W+j])
					}
				}
				if err := se.Run(); err != nil {
					t.Fatal(err)
				}
				ys := se.Dense(y).Data().([]float32)
				for b := 0; b < B; b++ {
					for j := 0; j < W; j++ {
						d := math.Abs(float64(ys[b*W+j] - full[(b*T+step)*W+j]))
						worst = math.Max(worst, d)
						if d > 1e-5 {
							t.Errorf("step %d example %d feature %d: %g, full forward %g", step, b, j, ys[b*W+j], full[(b*T+step)*W+j])
						}
					}
				}
				// Write k, v into slot step and mark it kept.
				kv, vv := se.Dense(k).Data().([]float32), se.Dense(v).Data().([]float32)
				pks, pvs, ks := pkt.Data().([]float32), pvt.Data().([]float32), keept.Data().([]float32)
				for b := 0; b < B; b++ {
					for h := 0; h < H; h++ {
						for d := 0; d < D; d++ {
							pks[((b*H+h)*T+step)*D+d] = kv[(b*H+h)*D+d]
							pvs[((b*H+h)*T+step)*D+d] = vv[(b*H+h)*D+d]
						}
					}
					ks[b*T+step] = 1
				}
			}
			t.Logf("worst |step - full| = %.3g", worst)
		})
	}
}

// TestTransformerDecoderStepEmptyCache: with no cache the first position's
// output is the full forward's at t = 0 (float64).
func TestTransformerDecoderStepEmptyCache(t *testing.T) {
	l := transformerDecoderModel(t, 3, 4, 2, 6, tensor.Float64, layers.WithNormalizeFirst(true))
	xv := []float64{0.3, -1.2, 0.8, 0.1, 1.5, -0.4, 0.2, 0.9, -0.7, 0.6, -0.2, 1.1}
	g, _ := graph.New(graph.Infer, tensor.Float64, 1)
	xn, xt, _ := g.Input("x", 3, 4)
	copy(xt.Data().([]float64), xv)
	full, err := l.Forward(g, xn)
	if err != nil {
		t.Fatal(err)
	}
	x0, x0t, _ := g.Input("x0", 1, 4)
	copy(x0t.Data().([]float64), xv[:4])
	y, _, _, err := l.Step(g, x0, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := graph.NewExecutor(g.ExprGraph())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	fv, yv := e.Dense(full).Data().([]float64), e.Dense(y).Data().([]float64)
	for j := 0; j < 4; j++ {
		if math.Abs(fv[j]-yv[j]) > 1e-12 {
			t.Errorf("feature %d: step %g, full %g", j, yv[j], fv[j])
		}
	}
}

// TestTransformerDecoderStepErrors: an unbuilt layer and bad shapes are errors,
// not panics, and Step makes no weights.
func TestTransformerDecoderStepErrors(t *testing.T) {
	g, _ := graph.New(graph.Infer, tensor.Float32, 2)
	x, _, _ := g.Input("x", 1, 8)
	if _, _, _, err := layers.TransformerDecoder(2, 4).Step(g, x, nil, nil, nil); err == nil || !strings.Contains(err.Error(), "not built") {
		t.Errorf("unbuilt: %v", err)
	}
	l := transformerDecoderModel(t, 5, 8, 2, 12, tensor.Float32)
	before := len(l.Params())
	in := func(name string, shape ...int) *G.Node {
		n, _, err := g.Input(name, shape...)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	k, v, keep := in("k", 2, 3, 4), in("v", 2, 3, 4), in("keep", 3)
	g64, _ := graph.New(graph.Infer, tensor.Float64, 2)
	x64, _, _ := g64.Input("x", 1, 8)
	for _, c := range []struct {
		name          string
		x, k, v, keep *G.Node
		want          string
	}{
		{"two steps", in("x2", 2, 8), nil, nil, nil, "want (batch, 1, 8)"},
		{"wrong width", in("x3", 1, 6), nil, nil, nil, "want (batch, 1, 8)"},
		{"wrong dtype", x64, nil, nil, nil, "weights float32"},
		{"only keys", x, k, nil, nil, "all be given"},
		{"bad key heads", x, in("k3", 3, 3, 4), v, keep, "pastK"},
		{"bad key dim", x, in("k5", 2, 3, 5), v, keep, "pastK"},
		{"value differs", x, k, in("v4", 2, 4, 4), keep, "pastV"},
		{"keep differs", x, k, v, in("keep4", 4), "pastKeep"},
		{"rank 3 keys", x, in("k2", 2, 12), v, keep, "pastK"},
		{"no input", nil, nil, nil, nil, "no input"},
	} {
		if _, _, _, err := l.Step(g, c.x, c.k, c.v, c.keep); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	if _, _, _, err := l.Step(nil, x, nil, nil, nil); err == nil {
		t.Error("nil graph: no error")
	}
	if len(l.Params()) != before {
		t.Errorf("Step made weights: %d, was %d", len(l.Params()), before)
	}
}

// TestTransformerErrors: bad settings and inputs fail at Build with a clear error.
func TestTransformerErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		layer layers.Layer
		shape []int
		want  string
	}{
		{"width not a multiple", layers.TransformerEncoder(3, 8), []int{4, 8}, "not a multiple of num_heads"},
		{"zero heads", layers.TransformerDecoder(0, 8), []int{4, 8}, "must be positive"},
		{"bad dropout", layers.TransformerEncoder(2, 8, layers.WithAttentionDropout(1)), []int{4, 8}, "dropout"},
		{"bad activation", layers.TransformerEncoder(2, 8, layers.WithActivation("nope")), []int{4, 8}, "nope"},
		{"bad epsilon", layers.TransformerEncoder(2, 8, layers.WithEpsilon(-1)), []int{4, 8}, "epsilon"},
		{"foreign option", layers.TransformerDecoder(2, 8, layers.WithCausalMask(true)), []int{4, 8}, "does not take option(s) use_causal_mask"},
		{"rank 2", layers.TransformerEncoder(2, 8), []int{8}, "must be (steps, width)"},
	} {
		in := layers.NewInput("x", layers.Shape(c.shape...))
		m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{layers.Apply(c.layer, in)[0]})
		if err == nil {
			err = m.Build()
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

// TestTransformerEncoderPaddingMask: in a model, Embedding(mask_zero)'s mask
// reaches the encoder's attention: the padding's embedding does not change the
// outputs at real steps (it does without the mask).
func TestTransformerEncoderPaddingMask(t *testing.T) {
	for _, maskZero := range []bool{true, false} {
		ids := layers.NewInput("ids", layers.Shape(5), layers.Int64)
		emb := layers.Embedding(10, 4, layers.WithMaskZero(maskZero))
		enc := layers.TransformerEncoder(2, 6, layers.WithNormalizeFirst(true))
		m, err := layers.NewModel([]*layers.Tensor{ids}, []*layers.Tensor{enc.Apply(emb.Apply(ids))})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Build(layers.WithSeed(2)); err != nil {
			t.Fatal(err)
		}
		x := []*tensor.Dense{tensor.New(tensor.WithShape(2, 5), tensor.WithBacking([]int64{1, 2, 3, 0, 0, 4, 5, 6, 7, 8}))}
		before := harnessPredict(t, m, x)
		table := emb.Params()[0]
		v := table.Float64s()
		for j := 0; j < 4; j++ {
			v[j] += 3 // row 0: the padding's embedding
		}
		if err := table.SetFloat64s(v); err != nil {
			t.Fatal(err)
		}
		after := harnessPredict(t, m, x)
		changed := false
		for i := range before {
			step := (i / 4) % 5
			if i < 20 && step >= 3 {
				continue // the padded steps themselves
			}
			if math.Abs(before[i]-after[i]) > 1e-6 {
				changed = true
			}
		}
		if changed == maskZero {
			t.Errorf("mask_zero %v: real steps changed with the padding's embedding: %v", maskZero, changed)
		}
	}
}
