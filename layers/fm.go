package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// FMLayer is the second-order interaction of a factorization machine, DeepFM's FM
// component: field embeddings of shape (batch, fields, k) give
//
//	Σ_{i<j} <v_i, v_j> = 0.5 · Σ_k [(Σ_f v_fk)² - Σ_f v_fk²]
//
// of shape (batch, 1), computed in O(fields·k) (graph.FMInteraction), not pair by
// pair. With WithKeepDims(true) the sum over k is left out: (batch, k), NFM's
// bi-interaction pooling. It has no weights: the field vectors usually come from
// Embedding layers (one id per field: ids (batch, fields) give (batch, fields, k)).
type FMLayer struct {
	Base
	keepDims bool
	err      error
}

// FM returns a factorization-machine interaction layer. Its input is one float
// tensor of shape (batch, fields, k) with at least 2 fields; its output is
// (batch, 1), or (batch, k) with WithKeepDims(true). Options: WithName,
// WithKeepDims (default false).
func FM(opts ...Option) *FMLayer {
	cfg, err := layerConfig("FM", []string{"keep_dims"}, opts)
	l := &FMLayer{keepDims: cfg.interaction.keepDims, err: err}
	l.SetName(cfg.name)
	return l
}

// WithKeepDims makes FM keep the embedding axis: output (batch, k), the
// per-dimension interactions, instead of their sum (batch, 1) (default false). FM
// takes it.
func WithKeepDims(on bool) Option {
	return optionFunc(func(c *config) { c.interaction.keepDims = on; c.set["keep_dims"] = true })
}

// Type returns "FM".
func (l *FMLayer) Type() string { return "FM" }

// KeepDims reports whether the output keeps the embedding axis (batch, k).
func (l *FMLayer) KeepDims() bool { return l.keepDims }

// Apply calls the layer on field vectors (batch, fields, k) and returns the
// interaction.
func (l *FMLayer) Apply(x *Tensor) *Tensor { return apply1(l, []*Tensor{x}) }

// Build checks the input shape (fields, k), at least 2 fields, and returns (1), or
// (k) with WithKeepDims.
func (l *FMLayer) Build(_ BuildContext, in []int) ([]int, error) {
	who := named("FM", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(in) != 2 {
		return nil, errors.Errorf("%s takes field vectors of shape (batch, fields, k), got %s: stack the fields first (an Embedding of ids (batch, fields) gives them)", who, batchShape(in))
	}
	if in[0] < 2 {
		return nil, errors.Errorf("%s needs at least 2 fields to interact, got input (batch, %d, %d)", who, in[0], in[1])
	}
	if l.keepDims {
		return []int{in[1]}, nil
	}
	return []int{1}, nil
}

// Forward adds the interaction to g.
func (l *FMLayer) Forward(_ *graph.Graph, x *G.Node) (*G.Node, error) {
	if l.err != nil {
		return nil, errors.Wrap(l.err, named("FM", l.Name()))
	}
	y, err := graph.FMInteraction(x, l.keepDims)
	return y, errors.Wrap(err, named("FM", l.Name()))
}

// Config returns {"keep_dims": ...}.
func (l *FMLayer) Config() LayerConfig {
	return LayerConfig{"FM", l.Name(), map[string]interface{}{"keep_dims": l.keepDims}}
}
