package layers

import (
	"math"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// RepeatVectorLayer repeats its input n times: (batch, d) -> (batch, n, d), as
// Keras' RepeatVector.
type RepeatVectorLayer struct {
	Base
	n   int
	err error
}

// RepeatVector returns a layer that repeats a (d) vector n >= 1 times. Options:
// WithName.
func RepeatVector(n int, opts ...Option) *RepeatVectorLayer {
	cfg, err := layerConfig("RepeatVector", nil, opts)
	if err == nil && (n < 1 || n > maxConfigInt) {
		err = errors.Errorf("RepeatVector: n %d must be in [1, %d]", n, maxConfigInt)
	}
	l := &RepeatVectorLayer{n: n, err: err}
	l.SetName(cfg.name)
	return l
}

// Type returns "RepeatVector".
func (l *RepeatVectorLayer) Type() string { return "RepeatVector" }

// N is the number of repetitions.
func (l *RepeatVectorLayer) N() int { return l.n }

// Apply calls the layer on x.
func (l *RepeatVectorLayer) Apply(x *Tensor) *Tensor { return apply1(l, []*Tensor{x}) }

// Config returns n.
func (l *RepeatVectorLayer) Config() LayerConfig {
	return LayerConfig{"RepeatVector", l.Name(), map[string]interface{}{"n": l.n}}
}

// Build takes inputs of shape (d) and returns (n, d).
func (l *RepeatVectorLayer) Build(ctx BuildContext, in []int) ([]int, error) {
	who := named("RepeatVector", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(in) != 1 || in[0] < 1 {
		return nil, errors.Errorf("%s: input shape %s, want (features)", who, fmtShape(in))
	}
	return []int{l.n, in[0]}, nil
}

// Forward repeats x of shape (batch, d) into (batch, n, d).
func (l *RepeatVectorLayer) Forward(g *graph.Graph, x *G.Node) (y *G.Node, err error) {
	who := named("RepeatVector", l.Name())
	defer recoverSeq(&err, who)
	s := x.Shape()
	if s.Dims() != 2 {
		return nil, errors.Errorf("%s: input shape %v, want (batch, features)", who, s)
	}
	x3, err := G.Reshape(x, tensor.Shape{s[0], 1, s[1]})
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	if l.n == 1 {
		return x3, nil
	}
	xs := make([]*G.Node, l.n)
	for i := range xs {
		xs[i] = x3
	}
	y, err = graph.Concat(1, xs...)
	return y, errors.Wrap(err, who)
}

// MaskingLayer is Keras' Masking: for inputs (batch, steps, ..., features) it
// records a mask of shape (batch, steps, ...) that is 1 where any feature of a
// step differs from the mask value and 0 where all equal it (graph.Graph's
// SetMask, read by the layers that handle masks), and outputs x with the masked
// steps set to zero.
type MaskingLayer struct {
	Base
	value float64
	err   error
}

// Masking returns a masking layer for the given mask value (Keras' default is 0).
// Options: WithName.
func Masking(maskValue float64, opts ...Option) *MaskingLayer {
	cfg, err := layerConfig("Masking", nil, opts)
	if err == nil && (math.IsNaN(maskValue) || math.IsInf(maskValue, 0)) {
		err = errors.Errorf("Masking: mask value %g must be finite", maskValue)
	}
	l := &MaskingLayer{value: maskValue, err: err}
	l.SetName(cfg.name)
	return l
}

// Type returns "Masking".
func (l *MaskingLayer) Type() string { return "Masking" }

// MaskValue is the value that marks a padded step.
func (l *MaskingLayer) MaskValue() float64 { return l.value }

// Apply calls the layer on x.
func (l *MaskingLayer) Apply(x *Tensor) *Tensor { return apply1(l, []*Tensor{x}) }

// Config returns mask_value.
func (l *MaskingLayer) Config() LayerConfig {
	return LayerConfig{"Masking", l.Name(), map[string]interface{}{"mask_value": l.value}}
}

// Build takes inputs of shape (steps, ..., features) and returns the same shape.
func (l *MaskingLayer) Build(ctx BuildContext, in []int) ([]int, error) {
	who := named("Masking", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(in) < 2 || prod(in) <= 0 {
		return nil, errors.Errorf("%s: input shape %s, want (steps, ..., features)", who, fmtShape(in))
	}
	return append([]int(nil), in...), nil
}

// Forward zeroes the masked steps of x and records the mask of the output.
func (l *MaskingLayer) Forward(g *graph.Graph, x *G.Node) (*G.Node, error) {
	who := named("Masking", l.Name())
	m, err := graph.StepMask(x, l.value)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	y, err := graph.MaskSteps(x, m)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	g.SetMask(y, m)
	return y, nil
}
