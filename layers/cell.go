package layers

import (
	"math/rand"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// RNNCell is one step of a recurrent layer (as Flax's cells: the cell does one step,
// the RNN wrapper does the loop over time, the masking and the initial states).
//
// To write a cell: embed Base, give Type a class name, and
//
//   - StateSizes returns the width of each state (an LSTM has two, h and c, of
//     width units), known from construction (before BuildCell);
//   - OutputSize returns the width of the output of one step;
//   - BuildCell makes the weights for steps of inputDim features with
//     ctx.AddWeight(cell, ...): the cell owns them, and the wrapper reports them as
//     its own (their names are "<rnn name>/<cell name>/kernel", ...);
//   - Step adds one step to g: x is (batch, inputDim), states[i] is (batch,
//     StateSizes()[i]); it returns the output (batch, OutputSize()) and the new
//     states, in the order of StateSizes.
//
// A cell given to RNN that is not one of this package's must also implement
// Configurable for the model to be saved; Load rebuilds only this package's cells.
type RNNCell interface {
	Layer
	StateSizes() []int
	OutputSize() int
	BuildCell(ctx BuildContext, inputDim int) error
	Step(g *graph.Graph, x *G.Node, states []*G.Node) (out *G.Node, newStates []*G.Node, err error)
}

// cellBase holds what the three cells of this package share: the units, the
// number of gates, and the kernel, recurrent kernel and bias.
type cellBase struct {
	Base
	kind      string
	units     int
	gates     int
	err       error
	kernel    *graph.Param // (in, gates·units)
	recurrent *graph.Param // (units, gates·units)
	bias      *graph.Param // (gates·units), or (2, gates·units) for a GRU with reset_after
}

func newCellBase(kind string, units, gates int, allowed []string, opts []Option) (cellBase, config) {
	cfg, err := layerConfig(kind, allowed, opts)
	if err == nil && (units <= 0 || units > maxConfigInt) {
		err = errors.Errorf("%s: units %d must be in [1, %d]", kind, units, maxConfigInt)
	}
	c := cellBase{kind: kind, units: units, gates: gates, err: err}
	c.SetName(cfg.name)
	return c, cfg
}

// Type returns the cell's class: "SimpleRNNCell", "LSTMCell" or "GRUCell".
func (c *cellBase) Type() string { return c.kind }

// Units is the width of the cell's output and states.
func (c *cellBase) Units() int { return c.units }

// OutputSize returns the units.
func (c *cellBase) OutputSize() int { return c.units }

// Kernel is the (in, gates·units) input kernel (nil before build).
func (c *cellBase) Kernel() *graph.Param { return c.kernel }

// RecurrentKernel is the (units, gates·units) recurrent kernel (nil before build).
func (c *cellBase) RecurrentKernel() *graph.Param { return c.recurrent }

// Bias is the bias: (gates·units), or (2, gates·units) for a GRU with reset_after
// (input bias row 0, recurrent bias row 1). Nil before build.
func (c *cellBase) Bias() *graph.Param { return c.bias }

// build makes the three weights; biasInit fills the bias, biasShape its shape.
func (c *cellBase) build(owner Layer, ctx BuildContext, inputDim int, biasInit graph.Initializer, biasShape []int) error {
	if c.err != nil {
		return c.err
	}
	if inputDim <= 0 {
		return errors.Errorf("%s: input width %d must be positive", c.kind, inputDim)
	}
	gu := c.gates * c.units
	var err error
	if c.kernel, err = ctx.AddWeight(owner, "kernel", []int{inputDim, gu}, graph.VarianceScaling{Scale: 1, Mode: "fan_avg", Distribution: "uniform"}); err != nil {
		return err
	}
	if c.recurrent, err = ctx.AddWeight(owner, "recurrent_kernel", []int{c.units, gu}, graph.VarianceScaling{Scale: 1, Mode: "fan_avg", Distribution: "uniform"}); err != nil {
		return err
	}
	c.bias, err = ctx.AddWeight(owner, "bias", biasShape, biasInit, WeightFans(inputDim, gu))
	return err
}

// params binds the three weights in g.
func (c *cellBase) params(g *graph.Graph) (k, r, b *G.Node, err error) {
	if c.kernel == nil {
		return nil, nil, nil, errors.Errorf("%s: not built", c.kind)
	}
	if k, err = g.Param(c.kernel); err != nil {
		return
	}
	if r, err = g.Param(c.recurrent); err != nil {
		return
	}
	b, err = g.Param(c.bias)
	return
}

// gate returns columns [i·units, (i+1)·units) of z (batch, gates·units).
func (c *cellBase) gate(z *G.Node, i int) (*G.Node, error) {
	return graph.SliceAxis(z, 1, i*c.units, (i+1)*c.units)
}

func (c *cellBase) checkStates(states []*G.Node, n int) error {
	if len(states) != n {
		return errors.Errorf("%s: %d states, want %d", c.kind, len(states), n)
	}
	return nil
}

// affine returns x·w + b (b a vector, or nil).
func affine(x, w, b *G.Node) (*G.Node, error) {
	z, err := G.Mul(x, w)
	if err != nil || b == nil {
		return z, err
	}
	return graph.AddBias(z, b)
}

// SimpleRNNCellLayer is the cell of SimpleRNN: h' = tanh(x·W + h·U + b).
type SimpleRNNCellLayer struct{ cellBase }

// SimpleRNNCell returns a fully connected recurrent cell of the given units with a
// tanh activation. Options: WithName.
func SimpleRNNCell(units int, opts ...Option) *SimpleRNNCellLayer {
	b, _ := newCellBase("SimpleRNNCell", units, 1, nil, opts)
	return &SimpleRNNCellLayer{b}
}

// StateSizes returns [units].
func (c *SimpleRNNCellLayer) StateSizes() []int { return []int{c.units} }

// BuildCell makes kernel (in, units), recurrent_kernel (units, units), bias (units).
func (c *SimpleRNNCellLayer) BuildCell(ctx BuildContext, inputDim int) error {
	return c.build(c, ctx, inputDim, graph.Constant{V: 0}, []int{c.units})
}

// Step computes h' = tanh(x·W + h·U + b); the output is h'.
func (c *SimpleRNNCellLayer) Step(g *graph.Graph, x *G.Node, states []*G.Node) (*G.Node, []*G.Node, error) {
	if err := c.checkStates(states, 1); err != nil {
		return nil, nil, err
	}
	k, r, b, err := c.params(g)
	if err != nil {
		return nil, nil, err
	}
	zx, err := affine(x, k, b)
	if err != nil {
		return nil, nil, err
	}
	zh, err := G.Mul(states[0], r)
	if err != nil {
		return nil, nil, err
	}
	z, err := G.Add(zx, zh)
	if err != nil {
		return nil, nil, err
	}
	h, err := graph.Tanh(z)
	if err != nil {
		return nil, nil, err
	}
	return h, []*G.Node{h}, nil
}

// Config returns the units.
func (c *SimpleRNNCellLayer) Config() LayerConfig {
	return LayerConfig{"SimpleRNNCell", c.Name(), map[string]interface{}{"units": c.units}}
}

// LSTMCellLayer is the cell of LSTM, as Keras': gates in the order i, f, c, o in the
// kernels' columns, sigmoid gates, tanh candidate and output, and a forget-gate
// bias initialized to one (unit_forget_bias).
type LSTMCellLayer struct{ cellBase }

// LSTMCell returns a long short-term memory cell of the given units. Options:
// WithName.
func LSTMCell(units int, opts ...Option) *LSTMCellLayer {
	b, _ := newCellBase("LSTMCell", units, 4, nil, opts)
	return &LSTMCellLayer{b}
}

// StateSizes returns [units, units]: h then c.
func (c *LSTMCellLayer) StateSizes() []int { return []int{c.units, c.units} }

// BuildCell makes kernel (in, 4·units), recurrent_kernel (units, 4·units) and bias
// (4·units), the forget block of the bias set to one.
func (c *LSTMCellLayer) BuildCell(ctx BuildContext, inputDim int) error {
	return c.build(c, ctx, inputDim, unitForgetBias{c.units}, []int{4 * c.units})
}

// unitForgetBias fills a (4·units) LSTM bias with zeros and ones in the forget block.
type unitForgetBias struct{ units int }

func (u unitForgetBias) Fill(_ *rand.Rand, _, _ int, dst []float64) error {
	for i := range dst {
		dst[i] = 0
		if i >= u.units && i < 2*u.units {
			dst[i] = 1
		}
	}
	return nil
}

// Step computes i, f, o = σ(...), g = tanh(...), c' = f·c + i·g, h' = o·tanh(c').
func (c *LSTMCellLayer) Step(g *graph.Graph, x *G.Node, states []*G.Node) (*G.Node, []*G.Node, error) {
	if err := c.checkStates(states, 2); err != nil {
		return nil, nil, err
	}
	k, r, b, err := c.params(g)
	if err != nil {
		return nil, nil, err
	}
	var zh, gates [4]*G.Node
	zx, err := affine(x, k, b)
	if err != nil {
		return nil, nil, err
	}
	if zh[0], err = G.Mul(states[0], r); err != nil {
		return nil, nil, err
	}
	all, err := G.Add(zx, zh[0])
	if err != nil {
		return nil, nil, err
	}
	for i := range gates {
		gi, err := c.gate(all, i)
		if err != nil {
			return nil, nil, err
		}
		if i == 2 {
			gates[i], err = graph.Tanh(gi)
		} else {
			gates[i], err = graph.Sigmoid(gi)
		}
		if err != nil {
			return nil, nil, err
		}
	}
	fc, err := G.HadamardProd(gates[1], states[1])
	if err != nil {
		return nil, nil, err
	}
	ig, err := G.HadamardProd(gates[0], gates[2])
	if err != nil {
		return nil, nil, err
	}
	cNew, err := G.Add(fc, ig)
	if err != nil {
		return nil, nil, err
	}
	tc, err := graph.Tanh(cNew)
	if err != nil {
		return nil, nil, err
	}
	h, err := G.HadamardProd(gates[3], tc)
	if err != nil {
		return nil, nil, err
	}
	return h, []*G.Node{h, cNew}, nil
}

// Config returns the units.
func (c *LSTMCellLayer) Config() LayerConfig {
	return LayerConfig{"LSTMCell", c.Name(), map[string]interface{}{"units": c.units}}
}

// GRUCellLayer is the cell of GRU, as Keras': gates in the order z (update), r
// (reset), h (candidate) in the kernels' columns; h' = z·h + (1-z)·ĥ. With
// reset_after (the default, Keras 2+ and PyTorch) the reset gate multiplies the
// recurrent term after the product, ĥ = tanh(x·W_h + b_h + r·(h·U_h + c_h)), and
// the bias is (2, 3·units): input bias then recurrent bias. Without it (the
// original GRU), ĥ = tanh(x·W_h + (r·h)·U_h + b_h) and the bias is (3·units).
type GRUCellLayer struct {
	cellBase
	resetAfter bool
}

// GRUCell returns a gated recurrent unit cell of the given units. Options:
// WithName, WithResetAfter (default true).
func GRUCell(units int, opts ...Option) *GRUCellLayer {
	b, cfg := newCellBase("GRUCell", units, 3, []string{"reset_after"}, opts)
	ra := true
	if cfg.set["reset_after"] {
		ra = cfg.rnn.resetAfter
	}
	return &GRUCellLayer{b, ra}
}

// ResetAfter reports whether the reset gate applies after the recurrent product.
func (c *GRUCellLayer) ResetAfter() bool { return c.resetAfter }

// StateSizes returns [units].
func (c *GRUCellLayer) StateSizes() []int { return []int{c.units} }

// BuildCell makes kernel (in, 3·units), recurrent_kernel (units, 3·units) and the
// bias ((2, 3·units) with reset_after, (3·units) without).
func (c *GRUCellLayer) BuildCell(ctx BuildContext, inputDim int) error {
	shape := []int{3 * c.units}
	if c.resetAfter {
		shape = []int{2, 3 * c.units}
	}
	return c.build(c, ctx, inputDim, graph.Constant{V: 0}, shape)
}

// Step computes one GRU step (see GRUCellLayer).
func (c *GRUCellLayer) Step(g *graph.Graph, x *G.Node, states []*G.Node) (*G.Node, []*G.Node, error) {
	if err := c.checkStates(states, 1); err != nil {
		return nil, nil, err
	}
	k, r, b, err := c.params(g)
	if err != nil {
		return nil, nil, err
	}
	h := states[0]
	gu := 3 * c.units
	var zx, zh *G.Node
	if c.resetAfter {
		bx, bh, err := biasRows(b, gu)
		if err != nil {
			return nil, nil, err
		}
		if zx, err = affine(x, k, bx); err != nil {
			return nil, nil, err
		}
		if zh, err = affine(h, r, bh); err != nil {
			return nil, nil, err
		}
	} else {
		if zx, err = affine(x, k, b); err != nil {
			return nil, nil, err
		}
		rzr, err := graph.SliceAxis(r, 1, 0, 2*c.units)
		if err != nil {
			return nil, nil, err
		}
		if zh, err = G.Mul(h, rzr); err != nil {
			return nil, nil, err
		}
	}
	var sig [2]*G.Node
	for i := range sig {
		a, err := c.gate(zx, i)
		if err != nil {
			return nil, nil, err
		}
		bb, err := c.gate(zh, i)
		if err != nil {
			return nil, nil, err
		}
		s, err := G.Add(a, bb)
		if err != nil {
			return nil, nil, err
		}
		if sig[i], err = graph.Sigmoid(s); err != nil {
			return nil, nil, err
		}
	}
	zg, rg := sig[0], sig[1]
	xh, err := c.gate(zx, 2)
	if err != nil {
		return nil, nil, err
	}
	var rec *G.Node
	if c.resetAfter {
		hh, err := c.gate(zh, 2)
		if err != nil {
			return nil, nil, err
		}
		if rec, err = G.HadamardProd(rg, hh); err != nil {
			return nil, nil, err
		}
	} else {
		rh, err := G.HadamardProd(rg, h)
		if err != nil {
			return nil, nil, err
		}
		uh, err := graph.SliceAxis(r, 1, 2*c.units, 3*c.units)
		if err != nil {
			return nil, nil, err
		}
		if rec, err = G.Mul(rh, uh); err != nil {
			return nil, nil, err
		}
	}
	pre, err := G.Add(xh, rec)
	if err != nil {
		return nil, nil, err
	}
	cand, err := graph.Tanh(pre)
	if err != nil {
		return nil, nil, err
	}
	// h' = cand + z·(h - cand)
	d, err := G.Sub(h, cand)
	if err != nil {
		return nil, nil, err
	}
	zd, err := G.HadamardProd(zg, d)
	if err != nil {
		return nil, nil, err
	}
	hNew, err := G.Add(cand, zd)
	if err != nil {
		return nil, nil, err
	}
	return hNew, []*G.Node{hNew}, nil
}

// biasRows splits a (2, n) bias into its two rows as vectors.
func biasRows(b *G.Node, n int) (*G.Node, *G.Node, error) {
	var rows [2]*G.Node
	for i := range rows {
		s, err := graph.SliceAxis(b, 0, i, i+1)
		if err != nil {
			return nil, nil, err
		}
		if rows[i], err = G.Reshape(s, tensor.Shape{n}); err != nil {
			return nil, nil, err
		}
	}
	return rows[0], rows[1], nil
}

// Config returns the units and reset_after.
func (c *GRUCellLayer) Config() LayerConfig {
	return LayerConfig{"GRUCell", c.Name(), map[string]interface{}{"units": c.units, "reset_after": c.resetAfter}}
}

// WithResetAfter chooses the GRU variant (default true: the reset gate applies
// after the recurrent product, with two biases, as Keras 2+ and PyTorch; false:
// the original GRU). GRUCell and GRU take it.
func WithResetAfter(on bool) Option {
	return optionFunc(func(c *config) { c.rnn.resetAfter = on; c.set["reset_after"] = true })
}
