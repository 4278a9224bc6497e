package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// DropoutLayer zeroes a fraction of its inputs during training and scales the rest
// by 1/(1-rate); at inference it is the identity. Masks come from the trainer's
// seeded source. The output carries the input's mask (Keras' supports_masking).
type DropoutLayer struct {
	Base
	rate float64
	err  error
}

// Dropout returns a dropout layer; rate must be in [0, 1). It takes WithName.
func Dropout(rate float64, opts ...Option) *DropoutLayer {
	cfg, err := layerConfig("Dropout", nil, opts)
	if err == nil && (rate < 0 || rate >= 1) {
		err = errors.Errorf("Dropout: rate %g must be in [0, 1)", rate)
	}
	l := &DropoutLayer{rate: rate, err: err}
	l.SetName(cfg.name)
	return l
}

// Type returns "Dropout".
func (l *DropoutLayer) Type() string { return "Dropout" }

// Rate is the fraction of inputs dropped in training.
func (l *DropoutLayer) Rate() float64 { return l.rate }

// Build checks the rate; the shape is unchanged.
func (l *DropoutLayer) Build(_ BuildContext, in []int) ([]int, error) {
	if l.err != nil {
		return nil, l.err
	}
	return append([]int(nil), in...), nil
}

// Forward applies dropout in Train mode and returns x in Infer mode; the output
// carries x's mask in g, if any.
func (l *DropoutLayer) Forward(g *graph.Graph, x *G.Node) (*G.Node, error) {
	if g == nil {
		return nil, errors.New("Dropout: no graph")
	}
	y, err := g.Dropout(x, l.rate)
	if err != nil {
		return nil, err
	}
	passMask(g, x, y)
	return y, nil
}
