package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// ActivationLayer applies an activation function; the shape is unchanged.
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

// Forward applies the activation.
func (l *ActivationLayer) Forward(g *graph.Graph, x *G.Node) (*G.Node, error) {
	if l.act == nil {
		return nil, errors.New("Activation: not built")
	}
	return activate(g, x, l.activation, l.act)
}
