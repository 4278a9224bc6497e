package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// PoolingLayer is 2-D max or average pooling, Keras' MaxPooling2D and
// AveragePooling2D with data_format channels_last: images (batch, height, width,
// channels) become (batch, out_height, out_width, channels). It has no parameters.
type PoolingLayer struct {
	Base
	kind string // "MaxPooling2D" or "AveragePooling2D"
	spec graph.Pool2DSpec
	err  error
}

// MaxPooling2D returns a layer taking the maximum of each poolSize×poolSize window
// (WithPoolSize for another shape). Options: WithName, WithPoolSize, WithStrides
// (default: the pool size), WithPadding ("valid", the default, or "same"; padded
// positions are never the maximum). Bad settings are reported by Build.
func MaxPooling2D(poolSize int, opts ...Option) *PoolingLayer {
	return newPooling("MaxPooling2D", poolSize, opts)
}

// AveragePooling2D returns a layer taking the mean of each poolSize×poolSize
// window (WithPoolSize for another shape). Options: WithName, WithPoolSize,
// WithStrides (default: the pool size), WithPadding ("valid", the default, or
// "same"; padded positions are not counted, as in Keras). Its gradient reaches every
// element of every window. Bad settings are reported by Build.
func AveragePooling2D(poolSize int, opts ...Option) *PoolingLayer {
	return newPooling("AveragePooling2D", poolSize, opts)
}

func newPooling(kind string, poolSize int, opts []Option) *PoolingLayer {
	cfg, err := layerConfig(kind, []string{"pool_size", "strides", "padding"}, opts)
	size := pair(cfg.kernelSize, cfg.set["pool_size"], [2]int{poolSize, poolSize})
	spec := graph.Pool2DSpec{Size: size, Strides: pair(cfg.strides, cfg.set["strides"], size), Padding: orValid(cfg.padding)}
	if err == nil {
		err = checkWindow(kind, 1, spec.Size, spec.Strides, [2]int{1, 1}, spec.Padding)
	}
	l := &PoolingLayer{kind: kind, spec: spec, err: err}
	l.SetName(cfg.name)
	return l
}

// Type returns "MaxPooling2D" or "AveragePooling2D".
func (l *PoolingLayer) Type() string { return l.kind }

// Spec is the pooling's window, strides and padding.
func (l *PoolingLayer) Spec() graph.Pool2DSpec { return l.spec }

// Build checks that the input is (height, width, channels) and larger than the
// window (padding valid), and returns (out_height, out_width, channels).
func (l *PoolingLayer) Build(_ BuildContext, in []int) ([]int, error) {
	who := named(l.kind, l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	out, err := graph.Pool2DOutputShape(in, l.spec)
	return out, errors.Wrap(err, who)
}

// Forward pools x of shape (batch, height, width, channels).
func (l *PoolingLayer) Forward(_ *graph.Graph, x *G.Node) (*G.Node, error) {
	op := graph.MaxPool2D
	if l.kind == "AveragePooling2D" {
		op = graph.AvgPool2D
	}
	y, err := op(x, l.spec)
	return y, errors.Wrap(err, named(l.kind, l.Name()))
}

// GlobalPoolingLayer is Keras' GlobalAveragePooling2D or GlobalMaxPooling2D with
// data_format channels_last: images (batch, height, width, channels) become
// (batch, channels). It has no parameters.
type GlobalPoolingLayer struct {
	Base
	kind string // "GlobalAveragePooling2D" or "GlobalMaxPooling2D"
	err  error
}

// GlobalAveragePooling2D returns a layer averaging each channel over the image:
// (batch, height, width, channels) -> (batch, channels). It takes WithName.
func GlobalAveragePooling2D(opts ...Option) *GlobalPoolingLayer {
	return newGlobalPooling("GlobalAveragePooling2D", opts)
}

// GlobalMaxPooling2D returns a layer taking each channel's maximum over the image:
// (batch, height, width, channels) -> (batch, channels). It takes WithName.
func GlobalMaxPooling2D(opts ...Option) *GlobalPoolingLayer {
	return newGlobalPooling("GlobalMaxPooling2D", opts)
}

func newGlobalPooling(kind string, opts []Option) *GlobalPoolingLayer {
	cfg, err := layerConfig(kind, nil, opts)
	l := &GlobalPoolingLayer{kind: kind, err: err}
	l.SetName(cfg.name)
	return l
}

// Type returns "GlobalAveragePooling2D" or "GlobalMaxPooling2D".
func (l *GlobalPoolingLayer) Type() string { return l.kind }

// Build checks that the input is (height, width, channels) and returns (channels).
func (l *GlobalPoolingLayer) Build(_ BuildContext, in []int) ([]int, error) {
	who := named(l.kind, l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(in) != 3 || prod(in) <= 0 {
		return nil, errors.Errorf("%s: input shape %s is not (height, width, channels)", who, fmtShape(in))
	}
	return []int{in[2]}, nil
}

// Forward pools x of shape (batch, height, width, channels) to (batch, channels).
func (l *GlobalPoolingLayer) Forward(_ *graph.Graph, x *G.Node) (*G.Node, error) {
	op := graph.GlobalMaxPool2D
	if l.kind == "GlobalAveragePooling2D" {
		op = graph.GlobalAvgPool2D
	}
	y, err := op(x)
	return y, errors.Wrap(err, named(l.kind, l.Name()))
}
