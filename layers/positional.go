package layers

import (
	"fmt"
	"math"
	"math/rand"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// PositionalEmbeddingLayer adds a learned vector per position to a sequence:
// inputs (batch, steps, dim) with steps <= maxLen give x[b, t] + embeddings[t]. Its
// weight "embeddings" has shape (maxLen, dim) (glorot_uniform by default, as
// keras-hub's PositionEmbedding). The output carries the input's mask, so that
// Embedding(mask_zero) → PositionalEmbedding → TransformerEncoder still skips
// padding.
type PositionalEmbeddingLayer struct {
	Base
	maxLen, dim int
	cfg         config
	err         error
	table       *graph.Param
}

// PositionalEmbedding returns a learned positional embedding for up to maxLen
// steps of dim features. Options: WithName, WithEmbeddingsInitializer(Name)
// (default "glorot_uniform").
func PositionalEmbedding(maxLen, dim int, opts ...Option) *PositionalEmbeddingLayer {
	cfg, err := layerConfig("PositionalEmbedding", []string{"embeddings_initializer"}, opts)
	if cfg.embInit == nil && cfg.embInitName == "" {
		cfg.embInitName = "glorot_uniform"
	}
	if err == nil && (maxLen < 1 || dim < 1 || maxLen > maxConfigInt || dim > maxConfigInt) {
		err = errors.Errorf("PositionalEmbedding: max length %d and dim %d must be in [1, %d]", maxLen, dim, maxConfigInt)
	}
	l := &PositionalEmbeddingLayer{maxLen: maxLen, dim: dim, cfg: cfg, err: err}
	l.SetName(cfg.name)
	return l
}

// Type returns "PositionalEmbedding".
func (l *PositionalEmbeddingLayer) Type() string { return "PositionalEmbedding" }

// Embeddings is the (maxLen, dim) table (nil before Build).
func (l *PositionalEmbeddingLayer) Embeddings() *graph.Param { return l.table }

// Apply calls the layer on x and returns x plus the position vectors.
func (l *PositionalEmbeddingLayer) Apply(x *Tensor) *Tensor { return apply1(l, []*Tensor{x}) }

// Config returns sequence_length, output_dim and the initializer's name.
func (l *PositionalEmbeddingLayer) Config() LayerConfig {
	return LayerConfig{"PositionalEmbedding", l.Name(), map[string]interface{}{
		"sequence_length": l.maxLen, "output_dim": l.dim, "embeddings_initializer": orCustom(l.cfg.embInitName),
	}}
}

// Build makes the (maxLen, dim) table for inputs of shape (steps, dim).
func (l *PositionalEmbeddingLayer) Build(ctx BuildContext, in []int) ([]int, error) {
	who := named("PositionalEmbedding", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(in) != 2 || in[0] < 1 || in[0] > l.maxLen || in[1] != l.dim {
		return nil, errors.Errorf("%s: input shape %s, want (steps, %d) with 1 <= steps <= %d", who, fmtShape(in), l.dim, l.maxLen)
	}
	init, err := initializer(l.cfg.embInit, l.cfg.embInitName)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	if l.table, err = ctx.AddWeight(l, "embeddings", []int{l.maxLen, l.dim}, init); err != nil {
		return nil, errors.Wrap(err, who)
	}
	return append([]int(nil), in...), nil
}

// Forward adds the first steps rows of the table to x of shape (batch, steps,
// dim); the output carries x's mask in g, if any.
func (l *PositionalEmbeddingLayer) Forward(g *graph.Graph, x *G.Node) (y *G.Node, err error) {
	who := named("PositionalEmbedding", l.Name())
	if l.table == nil {
		return nil, errors.Errorf("%s: not built", who)
	}
	defer recoverSeq(&err, who)
	w, err := g.Param(l.table)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	s := x.Shape()
	if s.Dims() != 3 || s[1] > l.maxLen || s[2] != l.dim {
		return nil, errors.Errorf("%s: input shape %v does not fit (batch, <=%d, %d)", who, s, l.maxLen, l.dim)
	}
	if s[1] < l.maxLen {
		if w, err = G.Slice(w, G.S(0, s[1])); err != nil {
			return nil, errors.Wrap(err, who)
		}
	}
	if y, err = addPerStep(x, w); err != nil {
		return nil, errors.Wrap(err, who)
	}
	passMask(g, x, y)
	return y, nil
}

// addPerStep returns x (B, T, D) plus p (T, D) for every example, through AddBias
// on (B, T·D) views.
func addPerStep(x, p *G.Node) (*G.Node, error) {
	s := x.Shape().Clone()
	flat, err := G.Reshape(p, tensor.Shape{s[1] * s[2]})
	if err != nil {
		return nil, err
	}
	xf, err := G.Reshape(x, tensor.Shape{s[0], s[1] * s[2]})
	if err != nil {
		return nil, err
	}
	y, err := graph.AddBias(xf, flat)
	if err != nil {
		return nil, err
	}
	return G.Reshape(y, s)
}

// recoverSeq turns a panic inside Gorgonia into an error.
func recoverSeq(err *error, who string) {
	if r := recover(); r != nil {
		*err = errors.Errorf("%s: %v", who, r)
	}
}

// SinusoidalEncodingLayer adds the fixed sine/cosine position encoding of
// "Attention is all you need" (Vaswani et al. 2017) to inputs (batch, steps, dim):
// PE[t, 2i] = sin(t / 10000^(2i/dim)), PE[t, 2i+1] = cos(t / 10000^(2i/dim)),
// t counted from 0. It has no weights; any number of steps works. The output
// carries the input's mask.
type SinusoidalEncodingLayer struct {
	Base
	err error
}

// SinusoidalEncoding returns a sinusoidal position encoding layer. Options:
// WithName.
func SinusoidalEncoding(opts ...Option) *SinusoidalEncodingLayer {
	cfg, err := layerConfig("SinusoidalEncoding", nil, opts)
	l := &SinusoidalEncodingLayer{err: err}
	l.SetName(cfg.name)
	return l
}

// Type returns "SinusoidalEncoding".
func (l *SinusoidalEncodingLayer) Type() string { return "SinusoidalEncoding" }

// Apply calls the layer on x and returns x plus the encoding.
func (l *SinusoidalEncodingLayer) Apply(x *Tensor) *Tensor { return apply1(l, []*Tensor{x}) }

// Config returns the maximal wavelength (10000).
func (l *SinusoidalEncodingLayer) Config() LayerConfig {
	return LayerConfig{"SinusoidalEncoding", l.Name(), map[string]interface{}{"max_wavelength": 10000}}
}

// Build checks the (steps, dim) input shape and returns it.
func (l *SinusoidalEncodingLayer) Build(ctx BuildContext, in []int) ([]int, error) {
	who := named("SinusoidalEncoding", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(in) != 2 || in[0] < 1 || in[1] < 1 {
		return nil, errors.Errorf("%s: input shape %s, want (steps, dim)", who, fmtShape(in))
	}
	return append([]int(nil), in...), nil
}

// Forward adds the encoding to x of shape (batch, steps, dim); the output
// carries x's mask in g, if any.
func (l *SinusoidalEncodingLayer) Forward(g *graph.Graph, x *G.Node) (y *G.Node, err error) {
	who := named("SinusoidalEncoding", l.Name())
	defer recoverSeq(&err, who)
	s := x.Shape()
	if s.Dims() != 3 {
		return nil, errors.Errorf("%s: input shape %v, want (batch, steps, dim)", who, s)
	}
	pe := SinusoidalTable(s[1], s[2])
	fill := func(_ *rand.Rand, dst *tensor.Dense) {
		switch d := dst.Data().(type) {
		case []float32:
			for i, v := range pe {
				d[i] = float32(v)
			}
		case []float64:
			copy(d, pe)
		}
	}
	// A feed that ignores the random source: filled now (inference graphs are not
	// refilled) and again before every training run, with the same values.
	c, err := g.AddFeed(fmt.Sprintf("%s/encoding_%d", l.Name(), x.ID()), []int{s[1] * s[2]}, fill)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	t, ok := c.Value().(*tensor.Dense)
	if !ok {
		return nil, errors.Errorf("%s: encoding node has no tensor", who)
	}
	fill(nil, t)
	xf, err := G.Reshape(x, tensor.Shape{s[0], s[1] * s[2]})
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	if y, err = graph.AddBias(xf, c); err != nil {
		return nil, errors.Wrap(err, who)
	}
	if y, err = G.Reshape(y, s.Clone()); err != nil {
		return nil, errors.Wrap(err, who)
	}
	passMask(g, x, y)
	return y, nil
}

// SinusoidalTable returns the (steps, dim) sinusoidal position encoding, row by
// row: entry [t][2i] is sin(t / 10000^(2i/dim)) and [t][2i+1] cos of the same.
func SinusoidalTable(steps, dim int) []float64 {
	out := make([]float64, steps*dim)
	for t := 0; t < steps; t++ {
		for j := 0; j < dim; j++ {
			i2 := j - j%2
			a := float64(t) / math.Pow(10000, float64(i2)/float64(dim))
			if j%2 == 0 {
				out[t*dim+j] = math.Sin(a)
			} else {
				out[t*dim+j] = math.Cos(a)
			}
		}
	}
	return out
}
