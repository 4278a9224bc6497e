package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// Pooling1DLayer is 1-D max or average pooling, Keras' MaxPooling1D and
// AveragePooling1D with data_format channels_last: sequences (batch, steps,
// channels) become (batch, out_steps, channels). It has no parameters.
type Pooling1DLayer struct {
	Base
	kind string // "MaxPooling1D" or "AveragePooling1D"
	spec graph.Pool1DSpec
	err  error
}

// MaxPooling1D returns a layer taking the maximum of each window of poolSize
// steps. Options: WithName, WithStride1D (default: poolSize), WithPadding
// ("valid", the default, or "same"; padded positions are never the maximum). Bad
// settings are reported by Build.
func MaxPooling1D(poolSize int, opts ...Option) *Pooling1DLayer {
	return newPooling1D("MaxPooling1D", poolSize, opts)
}

// AveragePooling1D returns a layer taking the mean of each window of poolSize
// steps. Options: WithName, WithStride1D (default: poolSize), WithPadding
// ("valid", the default, or "same"; padded positions are not counted, as in
// Keras). Bad settings are reported by Build.
func AveragePooling1D(poolSize int, opts ...Option) *Pooling1DLayer {
	return newPooling1D("AveragePooling1D", poolSize, opts)
}

func newPooling1D(kind string, poolSize int, opts []Option) *Pooling1DLayer {
	cfg, err := layerConfig(kind, []string{"strides_1d", "padding"}, opts)
	spec := graph.Pool1DSpec{Size: poolSize, Stride: one(cfg.conv1d.stride, cfg.set["strides_1d"], poolSize), Padding: orValid(cfg.padding)}
	if err == nil {
		err = checkWindow1D(kind, 1, spec.Size, spec.Stride, 1, spec.Padding, false)
	}
	l := &Pooling1DLayer{kind: kind, spec: spec, err: err}
	l.SetName(cfg.name)
	return l
}

// Type returns "MaxPooling1D" or "AveragePooling1D".
func (l *Pooling1DLayer) Type() string { return l.kind }

// Spec is the pooling's window, stride and padding.
func (l *Pooling1DLayer) Spec() graph.Pool1DSpec { return l.spec }

// Build checks that the input is (steps, channels) and no shorter than the window
// (padding valid), and returns (out_steps, channels).
func (l *Pooling1DLayer) Build(_ BuildContext, in []int) ([]int, error) {
	who := named(l.kind, l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	out, err := graph.Pool1DOutputShape(in, l.spec)
	return out, errors.Wrap(err, who)
}

// Forward pools x of shape (batch, steps, channels).
func (l *Pooling1DLayer) Forward(_ *graph.Graph, x *G.Node) (*G.Node, error) {
	op := graph.MaxPool1D
	if l.kind == "AveragePooling1D" {
		op = graph.AvgPool1D
	}
	y, err := op(x, l.spec)
	return y, errors.Wrap(err, named(l.kind, l.Name()))
}

// GlobalPooling1DLayer is Keras' GlobalAveragePooling1D or GlobalMaxPooling1D with
// data_format channels_last: sequences (batch, steps, channels) become (batch,
// channels). It is mask-aware: when the input carries a mask (Embedding with
// WithMaskZero), padded steps are left out (the mean is over the real steps, the
// maximum ignores padded ones; a row with no real step gives 0). It has no
// parameters.
type GlobalPooling1DLayer struct {
	Base
	kind string // "GlobalAveragePooling1D" or "GlobalMaxPooling1D"
	err  error
}

// GlobalAveragePooling1D returns a layer averaging each channel over the steps
// (the real steps only, when the input carries a mask): (batch, steps, channels)
// -> (batch, channels). It takes WithName.
func GlobalAveragePooling1D(opts ...Option) *GlobalPooling1DLayer {
	return newGlobalPooling1D("GlobalAveragePooling1D", opts)
}

// GlobalMaxPooling1D returns a layer taking each channel's maximum over the steps
// (the real steps only, when the input carries a mask): (batch, steps, channels)
// -> (batch, channels). It takes WithName.
func GlobalMaxPooling1D(opts ...Option) *GlobalPooling1DLayer {
	return newGlobalPooling1D("GlobalMaxPooling1D", opts)
}

func newGlobalPooling1D(kind string, opts []Option) *GlobalPooling1DLayer {
	cfg, err := layerConfig(kind, nil, opts)
	l := &GlobalPooling1DLayer{kind: kind, err: err}
	l.SetName(cfg.name)
	return l
}

// Type returns "GlobalAveragePooling1D" or "GlobalMaxPooling1D".
func (l *GlobalPooling1DLayer) Type() string { return l.kind }

// Build checks that the input is (steps, channels) and returns (channels).
func (l *GlobalPooling1DLayer) Build(_ BuildContext, in []int) ([]int, error) {
	who := named(l.kind, l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(in) != 2 || prod(in) <= 0 {
		return nil, errors.Errorf("%s: input shape %s is not (steps, channels)", who, fmtShape(in))
	}
	return []int{in[1]}, nil
}

// Forward pools x of shape (batch, steps, channels) to (batch, channels), leaving
// out the steps that x's mask in g marks as padding.
func (l *GlobalPooling1DLayer) Forward(g *graph.Graph, x *G.Node) (*G.Node, error) {
	op := graph.GlobalMaxPool1D
	if l.kind == "GlobalAveragePooling1D" {
		op = graph.GlobalAvgPool1D
	}
	var mask *G.Node
	if g != nil {
		if m, ok := g.Mask(x); ok {
			mask = m
		}
	}
	y, err := op(x, mask)
	return y, errors.Wrap(err, named(l.kind, l.Name()))
}
