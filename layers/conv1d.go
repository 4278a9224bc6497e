package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// Conv1DLayer is a 1-D convolution, Keras' Conv1D with data_format channels_last:
// sequences (batch, steps, channels) become (batch, out_steps, filters) =
// activation(conv(x, kernel) + bias), with a kernel of shape (kernel_size,
// channels, filters) and a bias of shape (filters).
type Conv1DLayer struct {
	Base
	filters int
	size    int
	spec    graph.Conv1DSpec
	cfg     config
	err     error
	kernel  *graph.Param
	bias    *graph.Param
	act     graph.ActivationFunc
}

// Conv1D returns a convolution of filters output channels and a kernel of
// kernelSize steps. Options: WithName, WithStride1D (default 1), WithDilation1D
// (default 1), WithPadding ("valid", the default, "same" or "causal": causal puts
// dilation·(kernelSize-1) zeros before the first step, so that output t sees
// inputs up to t only), WithActivation (default linear), WithBias (default on),
// WithKernelInitializer / WithKernelInitializerName (default glorot_uniform, with
// Keras' fans: fan_in = kernelSize·channels, fan_out = kernelSize·filters),
// WithBiasInitializer (default zeros), WithKernelRegularizer (default none). Bad
// settings are reported by Build. A mask on the input is not passed on.
func Conv1D(filters, kernelSize int, opts ...Option) *Conv1DLayer {
	cfg, err := layerConfig("Conv1D", []string{"activation", "bias", "kernel_initializer", "bias_initializer",
		"kernel_regularizer", "strides_1d", "padding", "dilation_1d"}, opts)
	l := &Conv1DLayer{filters: filters, size: kernelSize, cfg: cfg, err: err}
	l.spec = graph.Conv1DSpec{
		Stride:   one(cfg.conv1d.stride, cfg.set["strides_1d"], 1),
		Dilation: one(cfg.conv1d.dilation, cfg.set["dilation_1d"], 1),
		Padding:  orValid(cfg.padding),
	}
	if l.err == nil {
		l.err = checkWindow1D("Conv1D", filters, kernelSize, l.spec.Stride, l.spec.Dilation, l.spec.Padding, true)
	}
	l.SetName(cfg.name)
	return l
}

// one returns v, or def when v was not given.
func one(v int, given bool, def int) int {
	if given {
		return v
	}
	return def
}

// checkWindow1D reports the first bad setting of a 1-D convolution or pooling.
func checkWindow1D(kind string, filters, size, stride, dilation int, padding string, causal bool) error {
	switch {
	case filters <= 0:
		return errors.Errorf("%s: filters %d must be positive", kind, filters)
	case size <= 0:
		return errors.Errorf("%s: window size %d must be positive", kind, size)
	case stride <= 0:
		return errors.Errorf("%s: stride %d must be >= 1", kind, stride)
	case dilation <= 0:
		return errors.Errorf("%s: dilation %d must be >= 1", kind, dilation)
	case causal && padding != "valid" && padding != "same" && padding != "causal":
		return errors.Errorf("%s: unknown padding %q (valid: causal, same, valid)", kind, padding)
	case !causal && padding != "valid" && padding != "same":
		return errors.Errorf("%s: unknown padding %q (valid: same, valid)", kind, padding)
	}
	return nil
}

// Type returns "Conv1D".
func (l *Conv1DLayer) Type() string { return "Conv1D" }

// Filters is the number of output channels.
func (l *Conv1DLayer) Filters() int { return l.filters }

// KernelSize is the kernel's length in steps.
func (l *Conv1DLayer) KernelSize() int { return l.size }

// Spec is the convolution's stride, dilation and padding.
func (l *Conv1DLayer) Spec() graph.Conv1DSpec { return l.spec }

// Kernel is the (kernel_size, channels, filters) kernel (nil before Build).
func (l *Conv1DLayer) Kernel() *graph.Param { return l.kernel }

// Bias is the (filters) bias (nil before Build or without a bias).
func (l *Conv1DLayer) Bias() *graph.Param { return l.bias }

// Build creates the kernel and bias for sequences of shape (steps, channels) and
// returns (out_steps, filters).
func (l *Conv1DLayer) Build(ctx BuildContext, in []int) ([]int, error) {
	who := named("Conv1D", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(in) != 2 || in[0] <= 0 || in[1] <= 0 {
		return nil, errors.Errorf("%s: input shape %s is not (steps, channels)", who, fmtShape(in))
	}
	kshape := []int{l.size, in[1], l.filters}
	out, err := graph.Conv1DOutputShape(in, kshape, l.spec)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	if l.act, err = graph.Activation(l.cfg.activation); err != nil {
		return nil, errors.Wrap(err, who)
	}
	fanIn, fanOut := l.size*in[1], l.size*l.filters
	if l.kernel, l.bias, err = addConvWeights(ctx, l, l.cfg, who, kshape, l.filters, fanIn, fanOut); err != nil {
		return nil, err
	}
	return out, nil
}

// Forward computes activation(conv(x, kernel) + bias) for x of shape (batch,
// steps, channels).
func (l *Conv1DLayer) Forward(g *graph.Graph, x *G.Node) (*G.Node, error) {
	who := named("Conv1D", l.Name())
	if l.kernel == nil {
		return nil, errors.Errorf("%s: not built", who)
	}
	w, err := g.Param(l.kernel)
	if err != nil {
		return nil, err
	}
	z, err := graph.Conv1D(x, w, l.spec)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	return biasActivate(g, z, l.bias, l.cfg.activation, l.act, who)
}
