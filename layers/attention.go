package layers

import (
	"math"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// MultiHeadAttentionLayer is Keras 3's MultiHeadAttention: scaled dot-product
// attention of a query sequence over a value sequence, in several heads.
//
// Inputs (Apply(l, query, value) or Apply(l, query, value, key)): query (B, Tq,
// dq), value (B, Tv, dv), key (B, Tv, dk), the key being the value when not given.
// Weights, in Keras' order and layout: query/kernel (dq, heads, keyDim),
// query/bias (heads, keyDim), key/kernel (dk, heads, keyDim), key/bias,
// value/kernel (dv, heads, keyDim), value/bias, output/kernel (heads, keyDim,
// out), output/bias (out), where out is dq or WithOutputShape; the biases only
// WithBias(true) (the default). Each head computes softmax(q·kᵀ/√keyDim)·v.
//
// Masks, as Keras: the query's mask (B, Tq) and the value's and key's masks
// (B, Tv) (set by Embedding(mask_zero) or Masking) and the causal mask
// (WithCausalMask) are combined into a keep mask M[b, i, j]; masked scores get
// -1e9 before the softmax and the weights are multiplied by M afterwards, so a
// masked query step (and a step whose keys are all masked) attends to nothing:
// its output is the output bias. The output carries the query's mask.
//
// WithAttentionDropout drops attention weights in training (after the softmax;
// the scores returned by WithReturnScores are those before dropout).
// WithReturnScores adds a second output, the weights (B, heads, Tq, Tv).
type MultiHeadAttentionLayer struct {
	Base
	heads, keyDim int
	cfg           config
	err           error
	outDim        int // 0: the query's last axis
	q, k, v, o    [2]*graph.Param
	outWidth      int
}

// MultiHeadAttention returns a multi-head attention layer of numHeads heads of
// size keyDim (for queries, keys and values). Options: WithName, WithBias
// (default on), WithKernelInitializer / WithKernelInitializerName (default
// glorot_uniform), WithBiasInitializer (default zeros), WithKernelRegularizer,
// WithOutputShape, WithCausalMask, WithAttentionDropout, WithReturnScores.
func MultiHeadAttention(numHeads, keyDim int, opts ...Option) *MultiHeadAttentionLayer {
	cfg, err := layerConfig("MultiHeadAttention", []string{"bias", "kernel_initializer", "bias_initializer", "kernel_regularizer",
		"output_shape", "use_causal_mask", "dropout", "return_attention_scores"}, opts)
	if err == nil && (numHeads <= 0 || keyDim <= 0) {
		err = errors.Errorf("MultiHeadAttention: num_heads %d and key_dim %d must be positive", numHeads, keyDim)
	}
	if err == nil && cfg.attention.outputShape < 0 {
		err = errors.Errorf("MultiHeadAttention: output shape %d must be positive", cfg.attention.outputShape)
	}
	if err == nil && (cfg.attention.dropout < 0 || cfg.attention.dropout >= 1) {
		err = errors.Errorf("MultiHeadAttention: dropout %g must be in [0, 1)", cfg.attention.dropout)
	}
	l := &MultiHeadAttentionLayer{heads: numHeads, keyDim: keyDim, cfg: cfg, err: err, outDim: cfg.attention.outputShape}
	l.SetName(cfg.name)
	return l
}

// WithOutputShape sets the last axis of MultiHeadAttention's output (default:
// the query's last axis).
func WithOutputShape(n int) Option {
	return optionFunc(func(c *config) { c.attention.outputShape = n; c.set["output_shape"] = true })
}

// WithCausalMask makes MultiHeadAttention causal (Keras' use_causal_mask): query
// step i attends to key steps j <= i only.
func WithCausalMask(on bool) Option {
	return optionFunc(func(c *config) { c.attention.causal = on; c.set["use_causal_mask"] = true })
}

// WithAttentionDropout sets MultiHeadAttention's dropout rate on the attention
// weights, in [0, 1) (default 0), applied in training only.
func WithAttentionDropout(rate float64) Option {
	return optionFunc(func(c *config) { c.attention.dropout = rate; c.set["dropout"] = true })
}

// WithReturnScores makes MultiHeadAttention return a second output: the
// attention weights (B, heads, Tq, Tv).
func WithReturnScores(on bool) Option {
	return optionFunc(func(c *config) { c.attention.returnScores = on; c.set["return_attention_scores"] = true })
}

// Type returns "MultiHeadAttention".
func (l *MultiHeadAttentionLayer) Type() string { return "MultiHeadAttention" }

// NumHeads is the number of heads.
func (l *MultiHeadAttentionLayer) NumHeads() int { return l.heads }

// KeyDim is the size of each head.
func (l *MultiHeadAttentionLayer) KeyDim() int { return l.keyDim }

// Apply applies the layer to query, value and optionally key; it returns the
// output and, WithReturnScores, the attention weights.
func (l *MultiHeadAttentionLayer) Apply(xs ...*Tensor) []*Tensor { return Apply(l, xs...) }

func (l *MultiHeadAttentionLayer) outputCount() int {
	if l.cfg.attention.returnScores {
		return 2
	}
	return 1
}

// BuildMulti checks the inputs and makes the weights.
func (l *MultiHeadAttentionLayer) BuildMulti(ctx BuildContext, in []Spec) ([]Spec, error) {
	who := named("MultiHeadAttention", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(in) != 2 && len(in) != 3 {
		return nil, errors.Errorf("%s: takes 2 or 3 inputs (query, value[, key]), got %d", who, len(in))
	}
	for i, s := range in {
		if !isFloatDType(s.DType) {
			return nil, errors.Errorf("%s: input %d %s is not a float tensor", who, i, s)
		}
		if len(s.Shape) != 2 {
			return nil, errors.Errorf("%s: input %d %s must be (steps, features) (rank 3 with the batch)", who, i, s)
		}
	}
	q, v := in[0].Shape, in[1].Shape
	k := v
	if len(in) == 3 {
		k = in[2].Shape
		if k[0] != v[0] {
			return nil, errors.Errorf("%s: key %s and value %s have different numbers of steps", who, fmtShape(k), fmtShape(v))
		}
	}
	out := l.outDim
	if out == 0 {
		out = q[1]
	}
	kinit, err := initializer(l.cfg.kernelInit, l.cfg.kernelInitName)
	if err != nil {
		return nil, errors.Wrapf(err, "%s: kernel", who)
	}
	binit, err := initializer(l.cfg.biasInit, l.cfg.biasInitName)
	if err != nil {
		return nil, errors.Wrapf(err, "%s: bias", who)
	}
	hd := l.heads * l.keyDim
	mk := func(name string, kshape, bshape []int, fanIn, fanOut int) ([2]*graph.Param, error) {
		var p [2]*graph.Param
		var err error
		if p[0], err = ctx.AddWeight(l, name+"/kernel", kshape, kinit, WeightFans(fanIn, fanOut), WeightRegularizer(l.cfg.kernelRegularizer)); err != nil {
			return p, errors.Wrap(err, who)
		}
		if l.cfg.useBias {
			if p[1], err = ctx.AddWeight(l, name+"/bias", bshape, binit, WeightFans(fanIn, fanOut)); err != nil {
				return p, errors.Wrap(err, who)
			}
		}
		return p, nil
	}
	if l.q, err = mk("query", []int{q[1], l.heads, l.keyDim}, []int{l.heads, l.keyDim}, q[1], hd); err != nil {
		return nil, err
	}
	if l.k, err = mk("key", []int{k[1], l.heads, l.keyDim}, []int{l.heads, l.keyDim}, k[1], hd); err != nil {
		return nil, err
	}
	if l.v, err = mk("value", []int{v[1], l.heads, l.keyDim}, []int{l.heads, l.keyDim}, v[1], hd); err != nil {
		return nil, err
	}
	if l.o, err = mk("output", []int{l.heads, l.keyDim, out}, []int{out}, hd, out); err != nil {
		return nil, err
	}
	l.outWidth = out
	outs := []Spec{{Shape: []int{q[0], out}, DType: in[0].DType}}
	if l.cfg.attention.returnScores {
		outs = append(outs, Spec{Shape: []int{l.heads, q[0], v[0]}, DType: in[0].DType})
	}
	return outs, nil
}

// project computes x (B, T, d) · kernel (d, H·D) + bias: (B, T, H·D).
func project(g *graph.Graph, x *G.Node, p [2]*graph.Param, width int) (*G.Node, error) {
	w, err := g.Param(p[0])
	if err != nil {
		return nil, err
	}
	s := x.Shape()
	rows := s.TotalSize() / s[len(s)-1]
	if w, err = G.Reshape(w, []int{s[len(s)-1], width}); err != nil {
		return nil, errors.Wrap(err, "flatten kernel")
	}
	flat, err := G.Reshape(x, []int{rows, s[len(s)-1]})
	if err != nil {
		return nil, errors.Wrap(err, "flatten input")
	}
	z, err := G.Mul(flat, w)
	if err != nil {
		return nil, errors.Wrapf(err, "input %v times kernel %v", s, w.Shape())
	}
	if p[1] != nil {
		b, err := g.Param(p[1])
		if err != nil {
			return nil, err
		}
		if b, err = G.Reshape(b, []int{width}); err != nil {
			return nil, errors.Wrap(err, "flatten bias")
		}
		if z, err = graph.AddBias(z, b); err != nil {
			return nil, err
		}
	}
	z, err = G.Reshape(z, []int{s[0], s[1], width})
	return z, errors.Wrap(err, "restore steps")
}

// ForwardMulti adds the attention to g.
func (l *MultiHeadAttentionLayer) ForwardMulti(g *graph.Graph, xs []*G.Node) ([]*G.Node, error) {
	who := named("MultiHeadAttention", l.Name())
	if l.q[0] == nil {
		return nil, errors.Errorf("%s: not built", who)
	}
	if len(xs) != 2 && len(xs) != 3 {
		return nil, errors.Errorf("%s: takes 2 or 3 inputs, got %d", who, len(xs))
	}
	query, value := xs[0], xs[1]
	key := value
	if len(xs) == 3 {
		key = xs[2]
	}
	hd := l.heads * l.keyDim
	q, err := project(g, query, l.q, hd)
	if err != nil {
		return nil, errors.Wrapf(err, "%s: query", who)
	}
	k, err := project(g, key, l.k, hd)
	if err != nil {
		return nil, errors.Wrapf(err, "%s: key", who)
	}
	v, err := project(g, value, l.v, hd)
	if err != nil {
		return nil, errors.Wrapf(err, "%s: value", who)
	}
	if q, err = G.Mul(q, g.Scalar(1/math.Sqrt(float64(l.keyDim)))); err != nil {
		return nil, errors.Wrapf(err, "%s: scale", who)
	}
	var heads [3]*G.Node
	for i, n := range []*G.Node{q, k, v} {
		if heads[i], err = graph.SplitHeads(n, l.heads); err != nil {
			return nil, errors.Wrap(err, who)
		}
	}
	scores, err := graph.BatchDot(heads[0], heads[1], 2, 2, false) // (B·H, Tq, Tv)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	qMask, _ := g.Mask(query)
	kMask, _ := g.Mask(value)
	if len(xs) == 3 {
		if km, ok := g.Mask(key); ok {
			if kMask == nil {
				kMask = km
			} else if kMask, err = G.HadamardProd(kMask, km); err != nil {
				return nil, errors.Wrapf(err, "%s: combine value and key masks", who)
			}
		}
	}
	weights, err := graph.MaskedSoftmax(scores, qMask, kMask, l.heads, l.cfg.attention.causal)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	dropped, err := g.Dropout(weights, l.cfg.attention.dropout)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	att, err := graph.BatchDot(dropped, heads[2], 2, 1, false) // (B·H, Tq, D)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	merged, err := graph.MergeHeads(att, l.heads) // (B, Tq, H·D)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	y, err := project(g, merged, l.o, l.outWidth)
	if err != nil {
		return nil, errors.Wrapf(err, "%s: output", who)
	}
	if qMask != nil {
		g.SetMask(y, qMask)
	}
	outs := []*G.Node{y}
	if l.cfg.attention.returnScores {
		s := scores.Shape()
		w, err := G.Reshape(weights, []int{s[0] / l.heads, l.heads, s[1], s[2]})
		if err != nil {
			return nil, errors.Wrapf(err, "%s: scores", who)
		}
		outs = append(outs, w)
	}
	return outs, nil
}

// Config returns num_heads, key_dim, output_shape (null: the query's), use_bias,
// dropout, use_causal_mask, return_attention_scores and the initializer names.
func (l *MultiHeadAttentionLayer) Config() LayerConfig {
	var out interface{}
	if l.outDim > 0 {
		out = l.outDim
	}
	return LayerConfig{"MultiHeadAttention", l.Name(), map[string]interface{}{
		"num_heads": l.heads, "key_dim": l.keyDim, "value_dim": l.keyDim, "output_shape": out,
		"use_bias": l.cfg.useBias, "dropout": l.cfg.attention.dropout,
		"use_causal_mask": l.cfg.attention.causal, "return_attention_scores": l.cfg.attention.returnScores,
		"kernel_initializer": orCustom(l.cfg.kernelInitName), "bias_initializer": orCustom(l.cfg.biasInitName),
		"kernel_regularizer": map[string]float64{"l1": l.cfg.kernelRegularizer.L1, "l2": l.cfg.kernelRegularizer.L2},
	}}
}
