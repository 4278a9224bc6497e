package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// CategoryEncodingLayer encodes integer ids in [0, NumTokens) as float rows of the
// model's type (Keras' CategoryEncoding), for models that take categories without
// an Embedding (the wide part of Wide&Deep, an MLP over a few string columns).
// "one_hot" (default): ids (...) or (..., 1) give (..., num_tokens) for inputs of
// rank 1; "multi_hot" (1 for every id present) and "count" (occurrences) pool the
// ids of an example: (k) gives (num_tokens). An id outside [0, num_tokens) is an
// error of the run naming the example and the value.
type CategoryEncodingLayer struct {
	Base
	tokens int
	mode   string
	err    error
}

// CategoryEncoding returns an encoding of ids in [0, numTokens). Options: WithName,
// WithOutputMode (default "one_hot").
func CategoryEncoding(numTokens int, opts ...Option) *CategoryEncodingLayer {
	cfg, err := layerConfig("CategoryEncoding", []string{"output_mode"}, opts)
	mode := graph.OneHotMode
	if cfg.set["output_mode"] {
		mode = cfg.outputMode
	}
	if err == nil && numTokens <= 0 {
		err = errors.Errorf("CategoryEncoding: num_tokens %d must be positive", numTokens)
	}
	if err == nil && mode != graph.OneHotMode && mode != graph.MultiHotMode && mode != graph.CountMode {
		err = errors.Errorf("CategoryEncoding: output mode %q (valid: one_hot, multi_hot, count)", mode)
	}
	l := &CategoryEncodingLayer{tokens: numTokens, mode: mode, err: err}
	l.SetName(cfg.name)
	return l
}

// WithOutputMode sets CategoryEncoding's output: "one_hot" (default), "multi_hot"
// or "count". CategoryEncoding takes it.
func WithOutputMode(mode string) Option {
	return optionFunc(func(c *config) { c.outputMode = mode; c.set["output_mode"] = true })
}

// Type returns "CategoryEncoding".
func (l *CategoryEncodingLayer) Type() string { return "CategoryEncoding" }

// NumTokens is the number of ids (the width of an output row).
func (l *CategoryEncodingLayer) NumTokens() int { return l.tokens }

// OutputMode is "one_hot", "multi_hot" or "count".
func (l *CategoryEncodingLayer) OutputMode() string { return l.mode }

// Apply calls the layer on ids and returns the encoded rows.
func (l *CategoryEncodingLayer) Apply(ids *Tensor) *Tensor { return apply1(l, []*Tensor{ids}) }

// BuildMulti checks for one integer input of shape () or (k) and returns the
// rows' spec in the model's float type.
func (l *CategoryEncodingLayer) BuildMulti(ctx BuildContext, in []Spec) ([]Spec, error) {
	who := named("CategoryEncoding", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(in) != 1 {
		return nil, errors.Errorf("%s takes one input of ids, got %d", who, len(in))
	}
	if !isIntDType(in[0].DType) {
		return nil, errors.Errorf("%s takes integer ids (an input of dtype Int32 or Int64, or a lookup's output), got %s", who, in[0])
	}
	s := in[0].Shape
	if len(s) > 1 {
		return nil, errors.Errorf("%s takes ids of shape () or (k) per example, got %s", who, in[0])
	}
	out := []int{l.tokens}
	if l.mode == graph.OneHotMode && len(s) == 1 && s[0] != 1 {
		out = []int{s[0], l.tokens}
	}
	return []Spec{{Shape: out, DType: ctx.DType}}, nil
}

// ForwardMulti encodes the ids.
func (l *CategoryEncodingLayer) ForwardMulti(g *graph.Graph, xs []*G.Node) ([]*G.Node, error) {
	y, err := graph.CategoryEncode(xs[0], l.tokens, l.mode, g.DType())
	if err != nil {
		return nil, errors.Wrap(err, named("CategoryEncoding", l.Name()))
	}
	return []*G.Node{y}, nil
}
