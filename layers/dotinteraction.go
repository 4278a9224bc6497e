package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// DotInteractionLayer is DLRM's feature interaction (Keras-RS' DotInteraction): the
// dot product of every pair of field vectors. Its input is either one tensor of
// shape (batch, fields, k) or several tensors (batch, k), one per field, stacked in
// the order given. The output is (batch, fields·(fields-1)/2): the pairs (i, j),
// i < j, of the upper triangle in row-major order, (0,1), (0,2), ..., (1,2), ...;
// with WithSelfInteraction(true) the pairs i <= j, (0,0), (0,1), ..., fields·
// (fields+1)/2 of them. (PyTorch's DLRM lists the lower triangle, (1,0), (2,0),
// (2,1), ...: the same values in another order.) It has no weights.
type DotInteractionLayer struct {
	Base
	self bool
	err  error
}

// DotInteraction returns a pairwise dot-product interaction layer. Its input is one
// float tensor (batch, fields, k) or at least two float tensors (batch, k) of one k;
// it needs at least 2 fields (1 with self-interactions). The output is (batch,
// fields·(fields-1)/2), or (batch, fields·(fields+1)/2) with self-interactions.
// Options: WithName, WithSelfInteraction (default false).
func DotInteraction(opts ...Option) *DotInteractionLayer {
	cfg, err := layerConfig("DotInteraction", []string{"self_interaction"}, opts)
	l := &DotInteractionLayer{self: cfg.interaction.self, err: err}
	l.SetName(cfg.name)
	return l
}

// WithSelfInteraction makes DotInteraction include each field's dot product with
// itself, the diagonal (default false). DotInteraction takes it.
func WithSelfInteraction(on bool) Option {
	return optionFunc(func(c *config) { c.interaction.self = on; c.set["self_interaction"] = true })
}

// Type returns "DotInteraction".
func (l *DotInteractionLayer) Type() string { return "DotInteraction" }

// SelfInteraction reports whether the diagonal pairs (i, i) are included.
func (l *DotInteractionLayer) SelfInteraction() bool { return l.self }

// Apply calls the layer on one tensor (batch, fields, k) or on one tensor (batch, k)
// per field and returns the pairwise dot products.
func (l *DotInteractionLayer) Apply(xs ...*Tensor) *Tensor { return apply1(l, xs) }

// BuildMulti checks the inputs and returns the spec (pairs).
func (l *DotInteractionLayer) BuildMulti(_ BuildContext, in []Spec) ([]Spec, error) {
	who := named("DotInteraction", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(in) == 0 {
		return nil, errors.Errorf("%s takes field vectors, got no input", who)
	}
	for _, s := range in {
		if !isFloatDType(s.DType) {
			return nil, errors.Errorf("%s: input %s is not a float tensor: integer ids go to an Embedding first", who, s)
		}
		if s.DType != in[0].DType {
			return nil, errors.Errorf("%s: inputs %s mix dtypes", who, fmtSpecs(in))
		}
	}
	var fields int
	if len(in) == 1 {
		if len(in[0].Shape) != 2 {
			return nil, errors.Errorf("%s takes one input of shape (batch, fields, k) or several of shape (batch, k), got one of shape %s", who, batchShape(in[0].Shape))
		}
		fields = in[0].Shape[0]
	} else {
		for _, s := range in {
			if len(s.Shape) != 1 || s.Shape[0] != in[0].Shape[0] {
				return nil, errors.Errorf("%s takes several inputs of one shape (batch, k), one per field, got %s", who, fmtSpecs(in))
			}
		}
		fields = len(in)
	}
	if fields < 2 && !l.self {
		return nil, errors.Errorf("%s needs at least 2 fields to make pairs, got %d (or take self-interactions, WithSelfInteraction)", who, fields)
	}
	if fields > maxConfigInt {
		return nil, errors.Errorf("%s: %d fields is too many", who, fields)
	}
	return []Spec{{Shape: []int{graph.InteractionPairs(fields, l.self)}, DType: in[0].DType}}, nil
}

// ForwardMulti stacks the fields if they come as several inputs and adds the
// interaction to g.
func (l *DotInteractionLayer) ForwardMulti(_ *graph.Graph, xs []*G.Node) ([]*G.Node, error) {
	who := named("DotInteraction", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(xs) == 0 {
		return nil, errors.Errorf("%s: no input", who)
	}
	x := xs[0]
	if len(xs) > 1 {
		s := xs[0].Shape()
		cat, err := graph.Concat(-1, xs...)
		if err != nil {
			return nil, errors.Wrap(err, who)
		}
		if x, err = G.Reshape(cat, []int{s[0], len(xs), s[1]}); err != nil {
			return nil, errors.Wrapf(err, "%s: stack the fields", who)
		}
	}
	y, err := graph.DotInteraction(x, l.self)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	return []*G.Node{y}, nil
}

// Config returns {"self_interaction": ...}.
func (l *DotInteractionLayer) Config() LayerConfig {
	return LayerConfig{"DotInteraction", l.Name(), map[string]interface{}{"self_interaction": l.self}}
}
