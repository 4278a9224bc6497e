package layers

import (
	"fmt"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// CrossNetLayer is the cross network of DCN-v2 (Wang et al. 2021; Keras-RS'
// FeatureCross stacked, DeepCTR's CrossNet with the matrix parameterization): on
// x0 of shape (batch, d), each cross layer l computes
//
//	x_{l+1} = x0 ⊙ (x_l·W_l + b_l) + x_l
//
// with W_l of shape (d, d) stored as a Dense kernel (rows: inputs, columns:
// outputs), or with WithLowRank(r) the product W_l = U_l·V_lᵀ of U_l and V_l of
// shape (d, r) (x_l·U_l·V_lᵀ, r·d·2 weights instead of d²). The output has the
// input's shape (batch, d). Weights, per cross layer l: "cross_<l>/kernel" (full
// rank) or "cross_<l>/kernel_u" and "cross_<l>/kernel_v" (low rank), glorot_uniform
// by default, and "cross_<l>/bias" of shape (d), zeros by default.
type CrossNetLayer struct {
	Base
	layers, rank int
	cfg          config
	err          error
	kernels      [][]*graph.Param // per cross layer: {W} or {U, V}
	biases       []*graph.Param   // per cross layer (nil without a bias)
}

// CrossNet returns a cross network of the given number of cross layers (at least
// 1) on an input of shape (batch, d); the output is (batch, d). Options: WithName,
// WithLowRank (default: full rank, W of shape (d, d)), WithBias (default on),
// WithKernelInitializer / WithKernelInitializerName (default glorot_uniform, for W,
// U and V), WithBiasInitializer (default zeros), WithKernelRegularizer (default
// none: the penalty applies to every W, U and V).
func CrossNet(layers int, opts ...Option) *CrossNetLayer {
	cfg, err := layerConfig("CrossNet", []string{"low_rank", "bias", "kernel_initializer", "bias_initializer", "kernel_regularizer"}, opts)
	if err == nil && layers < 1 {
		err = errors.Errorf("CrossNet: %d cross layers (want at least 1)", layers)
	}
	if err == nil && cfg.set["low_rank"] && cfg.interaction.lowRank < 1 {
		err = errors.Errorf("CrossNet: low rank %d must be positive", cfg.interaction.lowRank)
	}
	l := &CrossNetLayer{layers: layers, rank: cfg.interaction.lowRank, cfg: cfg, err: err}
	l.SetName(cfg.name)
	return l
}

// WithLowRank makes each CrossNet kernel the product U·Vᵀ of two (d, r) matrices
// (default: a full (d, d) kernel), as DCN-v2's low-rank cross layer (Keras-RS'
// projection_dim). r must be positive; r >= d/2 saves nothing. CrossNet takes it.
func WithLowRank(r int) Option {
	return optionFunc(func(c *config) { c.interaction.lowRank = r; c.set["low_rank"] = true })
}

// Type returns "CrossNet".
func (l *CrossNetLayer) Type() string { return "CrossNet" }

// CrossLayers is the number of cross layers.
func (l *CrossNetLayer) CrossLayers() int { return l.layers }

// LowRank is the rank r of the kernels U·Vᵀ, or 0 for full-rank kernels.
func (l *CrossNetLayer) LowRank() int { return l.rank }

// Kernels returns the kernels of cross layer i: {W} of shape (d, d), or {U, V} of
// shape (d, r) with WithLowRank (nil before Build or for i out of range).
func (l *CrossNetLayer) Kernels(i int) []*graph.Param {
	if i < 0 || i >= len(l.kernels) {
		return nil
	}
	return append([]*graph.Param(nil), l.kernels[i]...)
}

// Bias returns the bias of cross layer i, shape (d) (nil before Build, without a
// bias, or for i out of range).
func (l *CrossNetLayer) Bias(i int) *graph.Param {
	if i < 0 || i >= len(l.biases) {
		return nil
	}
	return l.biases[i]
}

// Apply calls the layer on x (batch, d) and returns its output (batch, d).
func (l *CrossNetLayer) Apply(x *Tensor) *Tensor { return apply1(l, []*Tensor{x}) }

// Build makes the weights for an input of shape (d) and returns (d).
func (l *CrossNetLayer) Build(ctx BuildContext, in []int) ([]int, error) {
	who := named("CrossNet", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(in) != 1 {
		return nil, errors.Errorf("%s takes an input of shape (batch, d), got %s: flatten or concatenate the features first", who, batchShape(in))
	}
	d := in[0]
	kinit, err := initializer(l.cfg.kernelInit, l.cfg.kernelInitName)
	if err != nil {
		return nil, errors.Wrapf(err, "%s: kernel", who)
	}
	var binit graph.Initializer
	if l.cfg.useBias {
		if binit, err = initializer(l.cfg.biasInit, l.cfg.biasInitName); err != nil {
			return nil, errors.Wrapf(err, "%s: bias", who)
		}
	}
	reg := WeightRegularizer(l.cfg.kernelRegularizer)
	l.kernels, l.biases = make([][]*graph.Param, l.layers), make([]*graph.Param, l.layers)
	for i := 0; i < l.layers; i++ {
		prefix := fmt.Sprintf("cross_%d/", i)
		if l.rank == 0 {
			w, err := ctx.AddWeight(l, prefix+"kernel", []int{d, d}, kinit, reg)
			if err != nil {
				return nil, errors.Wrap(err, who)
			}
			l.kernels[i] = []*graph.Param{w}
		} else {
			u, err := ctx.AddWeight(l, prefix+"kernel_u", []int{d, l.rank}, kinit, reg)
			if err != nil {
				return nil, errors.Wrap(err, who)
			}
			v, err := ctx.AddWeight(l, prefix+"kernel_v", []int{d, l.rank}, kinit, reg)
			if err != nil {
				return nil, errors.Wrap(err, who)
			}
			l.kernels[i] = []*graph.Param{u, v}
		}
		if l.cfg.useBias {
			if l.biases[i], err = ctx.AddWeight(l, prefix+"bias", []int{d}, binit, WeightFans(d, d)); err != nil {
				return nil, errors.Wrap(err, who)
			}
		}
	}
	return []int{d}, nil
}

// Forward adds the cross layers to g.
func (l *CrossNetLayer) Forward(g *graph.Graph, x *G.Node) (*G.Node, error) {
	who := named("CrossNet", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if l.kernels == nil || len(l.kernels) != l.layers {
		return nil, errors.Errorf("%s: not built", who)
	}
	xl := x
	for i := range l.kernels {
		z, err := l.project(g, i, xl)
		if err != nil {
			return nil, errors.Wrapf(err, "%s: cross layer %d", who, i)
		}
		if z, err = G.HadamardProd(x, z); err != nil {
			return nil, errors.Wrapf(err, "%s: cross layer %d", who, i)
		}
		if xl, err = G.Add(z, xl); err != nil {
			return nil, errors.Wrapf(err, "%s: cross layer %d", who, i)
		}
	}
	return xl, nil
}

// project computes x·W_i + b_i (x·U_i·V_iᵀ + b_i with a low rank).
func (l *CrossNetLayer) project(g *graph.Graph, i int, x *G.Node) (*G.Node, error) {
	ws := make([]*G.Node, len(l.kernels[i]))
	for j, p := range l.kernels[i] {
		n, err := g.Param(p)
		if err != nil {
			return nil, err
		}
		ws[j] = n
	}
	z, err := G.Mul(x, ws[0])
	if err != nil {
		return nil, err
	}
	if len(ws) == 2 {
		vt, err := G.Transpose(ws[1])
		if err != nil {
			return nil, err
		}
		if z, err = G.Mul(z, vt); err != nil {
			return nil, err
		}
	}
	if l.biases[i] != nil {
		b, err := g.Param(l.biases[i])
		if err != nil {
			return nil, err
		}
		if z, err = graph.AddBias(z, b); err != nil {
			return nil, err
		}
	}
	return z, nil
}

// Config returns layers, projection_dim (null for full rank), use_bias, the
// initializer names and the kernel regularizer.
func (l *CrossNetLayer) Config() LayerConfig {
	var rank interface{}
	if l.rank > 0 {
		rank = l.rank
	}
	return LayerConfig{"CrossNet", l.Name(), map[string]interface{}{
		"layers": l.layers, "projection_dim": rank, "use_bias": l.cfg.useBias,
		"kernel_initializer": orCustom(l.cfg.kernelInitName), "bias_initializer": orCustom(l.cfg.biasInitName),
		"kernel_regularizer": map[string]float64{"l1": l.cfg.kernelRegularizer.L1, "l2": l.cfg.kernelRegularizer.L2},
	}}
}
