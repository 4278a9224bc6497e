package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// TimeDistributedLayer is Keras' TimeDistributed: it applies a one-input layer to
// every step of a (batch, steps, ...) input, with the same weights at each step,
// by folding the steps into the batch: (B·T, ...) -> layer -> (B, T, ...). The
// input's mask, if any, passes to the output.
type TimeDistributedLayer struct {
	Base
	inner Layer
	err   error
	out   []int
}

// TimeDistributed wraps layer (a SingleLayer: Dense, Conv2D, Dropout, ...).
// Options: WithName. The wrapped layer is named "<wrapper>/<layer>".
func TimeDistributed(layer Layer, opts ...Option) *TimeDistributedLayer {
	cfg, err := layerConfig("TimeDistributed", nil, opts)
	if err == nil {
		if layer == nil {
			err = errors.New("TimeDistributed: no layer")
		} else if _, ok := layer.(SingleLayer); !ok {
			err = errors.Errorf("TimeDistributed: layer %s (%s) is not a one-input layer", layer.Name(), layer.Type())
		}
	}
	l := &TimeDistributedLayer{inner: layer, err: err}
	l.SetName(cfg.name)
	return l
}

// Type returns "TimeDistributed".
func (l *TimeDistributedLayer) Type() string { return "TimeDistributed" }

// Layer is the wrapped layer.
func (l *TimeDistributedLayer) Layer() Layer { return l.inner }

// Params are the wrapped layer's weights.
func (l *TimeDistributedLayer) Params() []*graph.Param {
	if l.out == nil || l.inner == nil {
		return nil
	}
	return l.inner.Params()
}

// Build builds the wrapped layer on the per-step shape in[1:].
func (l *TimeDistributedLayer) Build(ctx BuildContext, in []int) ([]int, error) {
	who := named("TimeDistributed", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(in) < 2 {
		return nil, errors.Errorf("%s: input %s needs a steps axis and at least one more (rank 3 or more with the batch)", who, fmtShape(in))
	}
	block := l.Name()
	if block == "" {
		block = "time_distributed"
	}
	if l.inner.Name() == "" {
		l.inner.SetName(snake(l.inner.Type()))
	}
	if len(l.inner.Name()) <= len(block) || l.inner.Name()[:len(block)+1] != block+"/" {
		l.inner.SetName(block + "/" + l.inner.Name())
	}
	out, err := buildStack(ctx, "wrapped", []Layer{l.inner}, in[1:])
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	l.out = append([]int{in[0]}, out...)
	return append([]int(nil), l.out...), nil
}

// Forward folds the steps into the batch, applies the layer and unfolds them.
func (l *TimeDistributedLayer) Forward(g *graph.Graph, x *G.Node) (*G.Node, error) {
	who := named("TimeDistributed", l.Name())
	if l.out == nil {
		return nil, errors.Errorf("%s: not built", who)
	}
	s := x.Shape().Clone()
	folded := append([]int{s[0] * s[1]}, s[2:]...)
	xf, err := G.Reshape(x, folded)
	if err != nil {
		return nil, errors.Wrapf(err, "%s: fold steps of %v", who, s)
	}
	ys, err := forwardLayer(g, l.inner, []*G.Node{xf})
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	ysh := ys[0].Shape()
	y, err := G.Reshape(ys[0], append([]int{s[0], s[1]}, ysh[1:]...))
	if err != nil {
		return nil, errors.Wrapf(err, "%s: unfold steps of %v", who, ysh)
	}
	if m, ok := g.Mask(x); ok {
		g.SetMask(y, m)
	}
	return y, nil
}

// Config returns the wrapped layer's configuration under "layer".
func (l *TimeDistributedLayer) Config() LayerConfig {
	var inner LayerConfig
	if c, ok := l.inner.(Configurable); ok {
		inner = c.Config()
	} else if l.inner != nil {
		inner = LayerConfig{Class: l.inner.Type(), Name: l.inner.Name()}
	}
	return LayerConfig{"TimeDistributed", l.Name(), map[string]interface{}{"layer": inner}}
}

// Apply applies the layer to x and returns the output tensor.
func (l *TimeDistributedLayer) Apply(x *Tensor) *Tensor { return Apply(l, x)[0] }
