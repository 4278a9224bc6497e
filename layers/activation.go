package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// ActivationLayer applies an activation function; the shape is unchanged. It
// passes its input's mask on (Keras' supports_masking).
type ActivationLayer struct {
	Base
	activation string
	act        graph.ActivationFunc
	err        error
}

// Activation returns a layer applying the activation of the given Keras name (see
// graph.Activation). It takes WithName.
func Activation(name string, opts ...Option) *ActivationLayer {
	cfg, err := layerConfig("Activation", nil, opts)
	l := &ActivationLayer{activation: name, err: err}
	l.SetName(cfg.name)
	return l
}

// Type returns "Activation".
func (l *ActivationLayer) Type() string { return "Activation" }

// Build resolves the activation name.
func (l *ActivationLayer) Build(_ BuildContext, in []int) ([]int, error) {
	if l.err != nil {
		return nil, l.err
	}
	act, err := graph.Activation(l.activation)
	if err != nil {
		return nil, err
	}
	l.act = act
	return append([]int(nil), in...), nil
}

// Forward applies the activation; the output carries x's mask in g, if any.
func (l *ActivationLayer) Forward(g *graph.Graph, x *G.Node) (*G.Node, error) {
	if l.act == nil {
		return nil, errors.New("Activation: not built")
	}
	y, err := activate(g, x, l.activation, l.act)
	if err != nil {
		return nil, err
	}
	passMask(g, x, y)
	return y, nil
}

// passMask records x's mask in g (if x has one) as the mask of y, for layers
// that work step by step and keep x's leading (batch, steps) axes, as Keras'
// supports_masking layers do: Dropout, LayerNormalization, Activation, Dense on
// sequences, PositionalEmbedding. A nil g, or an x without a mask, does nothing.
func passMask(g *graph.Graph, x, y *G.Node) {
	if g == nil || y == nil {
		return
	}
	if m, ok := g.Mask(x); ok {
		g.SetMask(y, m)
	}
}
