package layers

import (
	"math"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// transformerBlock is what TransformerEncoderLayer and TransformerDecoderLayer
// share: Keras-hub's transformer block of self-attention and a feed-forward
// network, each followed (post-norm) or preceded (pre-norm) by a layer
// normalization, each with a residual connection.
//
// Its sublayers, named after the block ("<block>/<sublayer>") and holding the
// weights, in this order: self_attention (MultiHeadAttention), self_attention_layer_norm,
// feedforward_layer_norm (LayerNormalization), feedforward_intermediate_dense
// (Dense(intermediateDim, activation)), feedforward_output_dense (Dense(width)).
type transformerBlock struct {
	Base
	kind       string // "TransformerEncoder" or "TransformerDecoder"
	heads      int
	inter      int
	causal     bool
	normFirst  bool
	dropout    float64
	activation string
	eps        float64
	cfg        config
	err        error

	attn              *MultiHeadAttentionLayer
	attnNorm, ffnNorm *LayerNormLayer
	ffnIn, ffnOut     *DenseLayer
	width, keyDim     int // 0 before Build
}

// transformerOption is an Option only the transformer blocks take.
type transformerOption struct {
	key string
	set func(*transformerBlock)
}

func (o transformerOption) apply(c *config) { c.set[o.key] = true }

// WithNormalizeFirst makes TransformerEncoder and TransformerDecoder pre-norm
// (Keras-hub's normalize_first=True: each sublayer's input is normalized, the
// residual sums are not). The default, false, is post-norm (each residual sum is
// normalized), as Keras-hub and the original Transformer.
func WithNormalizeFirst(on bool) Option {
	return transformerOption{"normalize_first", func(b *transformerBlock) { b.normFirst = on }}
}

// TransformerEncoderLayer is Keras-hub's TransformerEncoder: a self-attention
// block and a feed-forward block on a (B, T, width) sequence, each with a
// residual connection and a layer normalization:
//
//	post-norm (default): x = LN1(x + Drop(MHA(x, x)));  y = LN2(x + Drop(FFN(x)))
//	pre-norm:            x = x + Drop(MHA(LN1(x), LN1(x))); y = x + Drop(FFN(LN2(x)))
//
// where FFN(x) = Dense(width)(Dense(intermediateDim, activation)(x)) and MHA has
// numHeads heads of size keyDim = width/numHeads. The input's padding mask (B, T)
// (Embedding(mask_zero), Masking) masks the attention's keys and queries as in
// MultiHeadAttention and is carried by the output (B, T, width).
type TransformerEncoderLayer struct{ transformerBlock }

// TransformerDecoderLayer is Keras-hub's TransformerDecoder without
// cross-attention (the GPT block): a TransformerEncoderLayer whose
// self-attention is always causal (position i attends to positions j <= i).
// Input and output (B, T, width); a padding mask on the input is honoured as in
// TransformerEncoderLayer. Step runs one position against a cache of earlier
// keys and values, for token-by-token generation.
type TransformerDecoderLayer struct{ transformerBlock }

// TransformerEncoder returns a Keras-hub TransformerEncoder of numHeads heads
// and a feed-forward network of intermediateDim units; the width is the input's
// last axis, which must be a multiple of numHeads. Options: WithName,
// WithNormalizeFirst (default false: post-norm), WithAttentionDropout (Keras-hub's
// dropout, default 0: the rate on the attention weights and after the attention
// and the feed-forward network, in training only), WithActivation (of the
// intermediate Dense, default "relu"), WithEpsilon (of both layer
// normalizations, default 1e-5), WithKernelInitializer /
// WithKernelInitializerName (default glorot_uniform), WithBiasInitializer
// (default zeros).
func TransformerEncoder(numHeads, intermediateDim int, opts ...Option) *TransformerEncoderLayer {
	l := &TransformerEncoderLayer{}
	l.init("TransformerEncoder", numHeads, intermediateDim, false, opts)
	return l
}

// TransformerDecoder returns a Keras-hub TransformerDecoder (causal
// self-attention, no cross-attention) of numHeads heads and a feed-forward
// network of intermediateDim units. It takes TransformerEncoder's options, with
// the same defaults.
func TransformerDecoder(numHeads, intermediateDim int, opts ...Option) *TransformerDecoderLayer {
	l := &TransformerDecoderLayer{}
	l.init("TransformerDecoder", numHeads, intermediateDim, true, opts)
	return l
}

// Type returns "TransformerEncoder".
func (l *TransformerEncoderLayer) Type() string { return "TransformerEncoder" }

// Type returns "TransformerDecoder".
func (l *TransformerDecoderLayer) Type() string { return "TransformerDecoder" }

// Apply calls the layer on x (B, T, width) and returns its output (B, T, width).
func (l *TransformerEncoderLayer) Apply(x *Tensor) *Tensor { return apply1(l, []*Tensor{x}) }

// Apply calls the layer on x (B, T, width) and returns its output (B, T, width).
func (l *TransformerDecoderLayer) Apply(x *Tensor) *Tensor { return apply1(l, []*Tensor{x}) }

func (b *transformerBlock) init(kind string, heads, inter int, causal bool, opts []Option) {
	b.kind, b.heads, b.inter, b.causal = kind, heads, inter, causal
	b.cfg, b.err = layerConfig(kind, []string{"normalize_first", "dropout", "activation", "epsilon",
		"kernel_initializer", "bias_initializer"}, opts)
	for _, o := range opts {
		if t, ok := o.(transformerOption); ok {
			t.set(b)
		}
	}
	b.dropout, b.activation, b.eps = b.cfg.attention.dropout, "relu", 1e-5
	if b.cfg.set["activation"] {
		b.activation = b.cfg.activation
	}
	if b.cfg.set["epsilon"] {
		b.eps = b.cfg.epsilon
	}
	switch {
	case b.err != nil:
	case heads <= 0 || inter <= 0:
		b.err = errors.Errorf("%s: num_heads %d and intermediate_dim %d must be positive", kind, heads, inter)
	case b.dropout < 0 || b.dropout >= 1:
		b.err = errors.Errorf("%s: dropout %g must be in [0, 1)", kind, b.dropout)
	case !(b.eps > 0) || math.IsInf(b.eps, 0):
		b.err = errors.Errorf("%s: layer_norm_epsilon %g must be positive and finite", kind, b.eps)
	}
	if b.err == nil {
		if _, err := graph.Activation(b.activation); err != nil {
			b.err = errors.Wrap(err, kind)
		}
	}
	b.attnNorm = LayerNormalization(WithEpsilon(b.eps))
	b.ffnNorm = LayerNormalization(WithEpsilon(b.eps))
	b.SetName(b.cfg.name)
}

// SetName names the block and its sublayers ("<name>/self_attention", ...).
func (b *transformerBlock) SetName(name string) {
	b.Base.SetName(name)
	if b.attn != nil {
		b.attn.SetName(name + "/self_attention")
	}
	if b.attnNorm != nil {
		b.attnNorm.SetName(name + "/self_attention_layer_norm")
	}
	if b.ffnNorm != nil {
		b.ffnNorm.SetName(name + "/feedforward_layer_norm")
	}
	if b.ffnIn != nil {
		b.ffnIn.SetName(name + "/feedforward_intermediate_dense")
	}
	if b.ffnOut != nil {
		b.ffnOut.SetName(name + "/feedforward_output_dense")
	}
}

// Params are the sublayers' weights (nil before Build), 16 with biases: the
// attention's query/key/value/output kernels and biases, the two layer
// normalizations' gamma and beta, the two Dense layers' kernels and biases.
func (b *transformerBlock) Params() []*graph.Param {
	if b.width == 0 {
		return nil
	}
	var ps []*graph.Param
	for _, s := range []Layer{b.attn, b.attnNorm, b.ffnNorm, b.ffnIn, b.ffnOut} {
		ps = append(ps, s.Params()...)
	}
	return ps
}

// Attention is the self-attention sublayer (nil before Build): query, key and
// value kernels (width, heads, keyDim), biases (heads, keyDim), output kernel
// (heads, keyDim, width) and bias (width).
func (b *transformerBlock) Attention() *MultiHeadAttentionLayer { return b.attn }

// AttentionNorm is the layer normalization of the attention block (its gamma
// and beta, of shape (width), are made by Build).
func (b *transformerBlock) AttentionNorm() *LayerNormLayer { return b.attnNorm }

// FeedForwardNorm is the layer normalization of the feed-forward block (its
// gamma and beta, of shape (width), are made by Build).
func (b *transformerBlock) FeedForwardNorm() *LayerNormLayer { return b.ffnNorm }

// FeedForward returns the intermediate Dense (kernel (width, intermediateDim))
// and the output Dense (kernel (intermediateDim, width)); nil before Build.
func (b *transformerBlock) FeedForward() (intermediate, output *DenseLayer) { return b.ffnIn, b.ffnOut }

// NumHeads is the number of attention heads.
func (b *transformerBlock) NumHeads() int { return b.heads }

// IntermediateDim is the number of units of the feed-forward network's hidden layer.
func (b *transformerBlock) IntermediateDim() int { return b.inter }

// Width is the input's and output's last axis (0 before Build).
func (b *transformerBlock) Width() int { return b.width }

// KeyDim is the size of each head, width/numHeads (0 before Build).
func (b *transformerBlock) KeyDim() int { return b.keyDim }

// NormalizeFirst reports whether the block is pre-norm.
func (b *transformerBlock) NormalizeFirst() bool { return b.normFirst }

// DropoutRate is the dropout rate (attention weights, attention output, feed-forward output).
func (b *transformerBlock) DropoutRate() float64 { return b.dropout }

// Epsilon is the layer normalizations' epsilon.
func (b *transformerBlock) Epsilon() float64 { return b.eps }

// Build makes the sublayers' weights for inputs (T, width) and returns (T, width).
func (b *transformerBlock) Build(ctx BuildContext, in []int) ([]int, error) {
	who := named(b.kind, b.Name())
	if b.err != nil {
		return nil, errors.Wrap(b.err, who)
	}
	if len(in) != 2 || in[0] <= 0 || in[1] <= 0 {
		return nil, errors.Errorf("%s: input %s must be (steps, width) (rank 3 with the batch)", who, fmtShape(in))
	}
	width := in[1]
	if width%b.heads != 0 {
		return nil, errors.Errorf("%s: width %d is not a multiple of num_heads %d", who, width, b.heads)
	}
	kd := width / b.heads
	// The block's initializers, passed on without marking the options as given.
	kopt := optionFunc(func(c *config) { c.kernelInit, c.kernelInitName = b.cfg.kernelInit, b.cfg.kernelInitName })
	bopt := optionFunc(func(c *config) { c.biasInit, c.biasInitName = b.cfg.biasInit, b.cfg.biasInitName })
	b.attn = MultiHeadAttention(b.heads, kd, WithCausalMask(b.causal), WithAttentionDropout(b.dropout), kopt, bopt)
	b.ffnIn = Dense(b.inter, WithActivation(b.activation), kopt, bopt)
	b.ffnOut = Dense(width, kopt, bopt)
	b.SetName(b.Name())
	spec := Spec{Shape: append([]int(nil), in...), DType: ctx.DType}
	if _, err := b.attn.BuildMulti(ctx, []Spec{spec, spec}); err != nil {
		return nil, errors.Wrap(err, who)
	}
	steps := []struct {
		l  SingleLayer
		in []int
	}{{b.attnNorm, in}, {b.ffnNorm, in}, {b.ffnIn, in}, {b.ffnOut, []int{in[0], b.inter}}}
	for _, s := range steps {
		if _, err := s.l.Build(ctx, append([]int(nil), s.in...)); err != nil {
			return nil, errors.Wrapf(err, "%s: %s", who, s.l.Name())
		}
	}
	b.width, b.keyDim = width, kd
	return append([]int(nil), in...), nil
}

// Forward adds the block to g; x is (B, T, width), its mask (if any) masks the
// attention and is set on the output.
func (b *transformerBlock) Forward(g *graph.Graph, x *G.Node) (y *G.Node, err error) {
	who := named(b.kind, b.Name())
	defer recoverTo(&err, who)
	if b.width == 0 {
		return nil, errors.Errorf("%s: not built", who)
	}
	if s := x.Shape(); s.Dims() != 3 || s[2] != b.width {
		return nil, errors.Errorf("%s: input %v, want (batch, steps, %d)", who, s, b.width)
	}
	mask, masked := g.Mask(x)
	h := x
	if b.normFirst {
		if h, err = b.attnNorm.Forward(g, x); err != nil {
			return nil, errors.Wrap(err, who)
		}
		if masked {
			g.SetMask(h, mask)
		}
	}
	as, err := b.attn.ForwardMulti(g, []*G.Node{h, h})
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	if y, err = b.residual(g, as[0], x, b.attnNorm, true); err != nil {
		return nil, errors.Wrapf(err, "%s: attention block", who)
	}
	if y, err = b.feedForward(g, y, true); err != nil {
		return nil, errors.Wrapf(err, "%s: feed-forward block", who)
	}
	if masked {
		g.SetMask(y, mask)
	}
	return y, nil
}

// residual returns post-norm LN(res + Drop(out)) or pre-norm res + Drop(out);
// dropout only when drop (and in training).
func (b *transformerBlock) residual(g *graph.Graph, out, res *G.Node, ln *LayerNormLayer, drop bool) (*G.Node, error) {
	var err error
	if drop {
		if out, err = g.Dropout(out, b.dropout); err != nil {
			return nil, err
		}
	}
	sum, err := G.Add(out, res)
	if err != nil {
		return nil, errors.Wrap(err, "residual")
	}
	if b.normFirst {
		return sum, nil
	}
	return ln.Forward(g, sum)
}

// feedForward applies the feed-forward block with its residual and normalization.
func (b *transformerBlock) feedForward(g *graph.Graph, x *G.Node, drop bool) (*G.Node, error) {
	h := x
	var err error
	if b.normFirst {
		if h, err = b.ffnNorm.Forward(g, x); err != nil {
			return nil, err
		}
	}
	if h, err = b.ffnIn.Forward(g, h); err != nil {
		return nil, err
	}
	if h, err = b.ffnOut.Forward(g, h); err != nil {
		return nil, err
	}
	return b.residual(g, h, x, b.ffnNorm, drop)
}

// Config returns Keras-hub's keys: num_heads, intermediate_dim, dropout,
// activation, layer_norm_epsilon, normalize_first, kernel_initializer and
// bias_initializer.
func (b *transformerBlock) Config() LayerConfig {
	return LayerConfig{b.kind, b.Name(), map[string]interface{}{
		"num_heads": b.heads, "intermediate_dim": b.inter, "dropout": b.dropout,
		"activation": b.activation, "layer_norm_epsilon": b.eps, "normalize_first": b.normFirst,
		"kernel_initializer": orCustom(b.cfg.kernelInitName), "bias_initializer": orCustom(b.cfg.biasInitName),
	}}
}
