package layers

import (
	"fmt"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// Conv2DLayer is a 2-D convolution, Keras' Conv2D with data_format channels_last:
// images (batch, height, width, channels) become (batch, out_height, out_width,
// filters) = activation(conv(x, kernel) + bias), with a kernel of shape
// (kernel_height, kernel_width, channels, filters) and a bias of shape (filters).
type Conv2DLayer struct {
	Base
	filters int
	size    [2]int
	spec    graph.Conv2DSpec
	cfg     config
	err     error
	kernel  *graph.Param
	bias    *graph.Param
	act     graph.ActivationFunc
}

// Conv2D returns a convolution of filters output channels and a square kernel of
// kernelSize (WithKernelSize for another shape). Options: WithName,
// WithKernelSize, WithStrides (default (1, 1)), WithPadding ("valid", the default,
// or "same"), WithDilation (default (1, 1)), WithActivation (default linear),
// WithBias (default on), WithKernelInitializer / WithKernelInitializerName
// (default glorot_uniform, with Keras' fans for a convolution: fan_in =
// kh·kw·channels, fan_out = kh·kw·filters), WithBiasInitializer (default zeros),
// WithKernelRegularizer (default none). Bad settings (a size or stride of zero)
// are reported by Build.
func Conv2D(filters, kernelSize int, opts ...Option) *Conv2DLayer {
	cfg, err := layerConfig("Conv2D", []string{"activation", "bias", "kernel_initializer", "bias_initializer",
		"kernel_regularizer", "kernel_size", "strides", "padding", "dilation"}, opts)
	l := &Conv2DLayer{filters: filters, cfg: cfg, err: err}
	l.size = pair(cfg.kernelSize, cfg.set["kernel_size"], [2]int{kernelSize, kernelSize})
	l.spec = graph.Conv2DSpec{
		Strides:  pair(cfg.strides, cfg.set["strides"], [2]int{1, 1}),
		Dilation: pair(cfg.dilation, cfg.set["dilation"], [2]int{1, 1}),
		Padding:  orValid(cfg.padding),
	}
	if l.err == nil {
		l.err = checkWindow("Conv2D", filters, l.size, l.spec.Strides, l.spec.Dilation, l.spec.Padding)
	}
	l.SetName(cfg.name)
	return l
}

// checkWindow reports the first bad setting of a convolution or pooling layer.
func checkWindow(kind string, filters int, size, strides, dilation [2]int, padding string) error {
	switch {
	case filters <= 0:
		return errors.Errorf("%s: filters %d must be positive", kind, filters)
	case size[0] <= 0 || size[1] <= 0:
		return errors.Errorf("%s: window size %s must be positive", kind, fmtShape(size[:]))
	case strides[0] <= 0 || strides[1] <= 0:
		return errors.Errorf("%s: strides %s must be >= 1", kind, fmtShape(strides[:]))
	case dilation[0] <= 0 || dilation[1] <= 0:
		return errors.Errorf("%s: dilation %s must be >= 1", kind, fmtShape(dilation[:]))
	case padding != "valid" && padding != "same":
		return errors.Errorf("%s: unknown padding %q (valid: same, valid)", kind, padding)
	}
	return nil
}

// named is the layer's kind and name for error messages: Conv2D "conv2d_1".
func named(kind, name string) string {
	if name == "" {
		return kind
	}
	return fmt.Sprintf("%s %q", kind, name)
}

// Type returns "Conv2D".
func (l *Conv2DLayer) Type() string { return "Conv2D" }

// Filters is the number of output channels.
func (l *Conv2DLayer) Filters() int { return l.filters }

// Spec is the convolution's strides, dilation and padding.
func (l *Conv2DLayer) Spec() graph.Conv2DSpec { return l.spec }

// Kernel is the (kernel_height, kernel_width, channels, filters) kernel (nil
// before Build).
func (l *Conv2DLayer) Kernel() *graph.Param { return l.kernel }

// Bias is the (filters) bias (nil before Build or without a bias).
func (l *Conv2DLayer) Bias() *graph.Param { return l.bias }

// Build creates the kernel and bias for images of shape (height, width, channels)
// and returns (out_height, out_width, filters).
func (l *Conv2DLayer) Build(ctx BuildContext, in []int) ([]int, error) {
	who := named("Conv2D", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(in) != 3 {
		return nil, errors.Errorf("%s: input shape %s is not (height, width, channels)", who, fmtShape(in))
	}
	kshape := []int{l.size[0], l.size[1], in[2], l.filters}
	out, err := graph.Conv2DOutputShape(in, kshape, l.spec)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	if l.act, err = graph.Activation(l.cfg.activation); err != nil {
		return nil, errors.Wrap(err, who)
	}
	area := l.size[0] * l.size[1]
	fanIn, fanOut := area*in[2], area*l.filters
	if l.kernel, l.bias, err = addConvWeights(ctx, l, l.cfg, who, kshape, l.filters, fanIn, fanOut); err != nil {
		return nil, err
	}
	return out, nil
}

// Forward computes activation(conv(x, kernel) + bias) for x of shape (batch,
// height, width, channels).
func (l *Conv2DLayer) Forward(g *graph.Graph, x *G.Node) (*G.Node, error) {
	who := named("Conv2D", l.Name())
	if l.kernel == nil {
		return nil, errors.Errorf("%s: not built", who)
	}
	w, err := g.Param(l.kernel)
	if err != nil {
		return nil, err
	}
	z, err := graph.Conv2D(x, w, l.spec)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	return biasActivate(g, z, l.bias, l.cfg.activation, l.act, who)
}
