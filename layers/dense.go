package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// DenseLayer is a fully connected layer: y = activation(x·W + b), with a kernel W of
// shape (in, units) and a bias b of shape (units), as in Keras. It acts on the last
// axis: an input (batch, ..., in) gives (batch, ..., units). On an input of rank 3
// or more (a sequence) the output carries the input's mask, as in Keras.
type DenseLayer struct {
	Base
	units      int
	activation string
	cfg        config
	err        error
	kernel     *graph.Param
	bias       *graph.Param
	act        graph.ActivationFunc
}

// Dense returns a fully connected layer of the given number of units. Options:
// WithName, WithActivation (default linear), WithBias (default on),
// WithKernelInitializer / WithKernelInitializerName (default glorot_uniform),
// WithBiasInitializer (default zeros), WithKernelRegularizer (default none).
func Dense(units int, opts ...Option) *DenseLayer {
	cfg, err := layerConfig("Dense", []string{"activation", "bias", "kernel_initializer", "bias_initializer", "kernel_regularizer"}, opts)
	if err == nil && units <= 0 {
		err = errors.Errorf("Dense: units %d must be positive", units)
	}
	l := &DenseLayer{units: units, activation: cfg.activation, cfg: cfg, err: err}
	l.SetName(cfg.name)
	return l
}

// Type returns "Dense".
func (l *DenseLayer) Type() string { return "Dense" }

// Units is the output width.
func (l *DenseLayer) Units() int { return l.units }

// Kernel is the (in, units) weight matrix (nil before Build).
func (l *DenseLayer) Kernel() *graph.Param { return l.kernel }

// Bias is the (units) bias vector (nil before Build or without a bias).
func (l *DenseLayer) Bias() *graph.Param { return l.bias }

// Build creates the kernel and bias for inputs of shape (..., in).
func (l *DenseLayer) Build(ctx BuildContext, in []int) ([]int, error) {
	if l.err != nil {
		return nil, l.err
	}
	if len(in) == 0 {
		return nil, errors.New("Dense: input has no feature axis")
	}
	act, err := graph.Activation(l.activation)
	if err != nil {
		return nil, err
	}
	l.act = act
	kinit, err := initializer(l.cfg.kernelInit, l.cfg.kernelInitName)
	if err != nil {
		return nil, errors.Wrap(err, "kernel")
	}
	fanIn := in[len(in)-1]
	if l.kernel, err = ctx.AddWeight(l, "kernel", []int{fanIn, l.units}, kinit, WeightRegularizer(l.cfg.kernelRegularizer)); err != nil {
		return nil, err
	}
	if l.cfg.useBias {
		binit, err := initializer(l.cfg.biasInit, l.cfg.biasInitName)
		if err != nil {
			return nil, errors.Wrap(err, "bias")
		}
		if l.bias, err = ctx.AddWeight(l, "bias", []int{l.units}, binit, WeightFans(fanIn, l.units)); err != nil {
			return nil, err
		}
	}
	out := append([]int(nil), in...)
	out[len(out)-1] = l.units
	return out, nil
}

// Forward computes activation(x·W + b). A softmax or sigmoid output records its
// logits in g, so that cross-entropy losses use the stable logits form. For x of
// rank 3 or more the output carries x's mask in g, if any.
func (l *DenseLayer) Forward(g *graph.Graph, x *G.Node) (*G.Node, error) {
	if l.kernel == nil {
		return nil, errors.New("Dense: not built")
	}
	w, err := g.Param(l.kernel)
	if err != nil {
		return nil, err
	}
	shape := x.Shape().Clone()
	flat := x
	if x.Dims() != 2 {
		if flat, err = G.Reshape(x, []int{shape.TotalSize() / shape[len(shape)-1], shape[len(shape)-1]}); err != nil {
			return nil, errors.Wrap(err, "Dense: flatten leading axes")
		}
	}
	z, err := G.Mul(flat, w)
	if err != nil {
		return nil, errors.Wrapf(err, "Dense: input %v times kernel %v", x.Shape(), w.Shape())
	}
	if l.bias != nil {
		b, err := g.Param(l.bias)
		if err != nil {
			return nil, err
		}
		if z, err = graph.AddBias(z, b); err != nil {
			return nil, err
		}
	}
	if x.Dims() != 2 {
		shape[len(shape)-1] = l.units
		if z, err = G.Reshape(z, shape); err != nil {
			return nil, errors.Wrap(err, "Dense: restore leading axes")
		}
	}
	y, err := activate(g, z, l.activation, l.act)
	if err != nil {
		return nil, err
	}
	if x.Dims() >= 3 {
		passMask(g, x, y)
	}
	return y, nil
}

// activate applies act and records the logits of softmax and sigmoid outputs.
func activate(g *graph.Graph, z *G.Node, name string, act graph.ActivationFunc) (*G.Node, error) {
	y, err := act(z)
	if err != nil {
		return nil, err
	}
	if name == "softmax" || name == "sigmoid" {
		g.SetLogits(y, z, name)
	}
	return y, nil
}
