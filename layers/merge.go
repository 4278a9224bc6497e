package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// MergeLayer combines several float tensors into one (Keras' merging layers): Add,
// Subtract, Multiply, Average, Maximum, Minimum (element-wise, equal shapes),
// Concatenate (along an axis) and Dot (batch dot product). It has no weights.
type MergeLayer struct {
	Base
	kind      string
	axis      int    // Concatenate: Keras axis (the batch axis is 0; -1 the last)
	axes      [2]int // Dot: Keras axes
	normalize bool   // Dot: L2-normalize along the axes first (cosine similarity)
	err       error
}

func newMerge(kind string, allowed []string, opts []Option) (*MergeLayer, config) {
	cfg, err := layerConfig(kind, allowed, opts)
	l := &MergeLayer{kind: kind, err: err}
	l.SetName(cfg.name)
	return l, cfg
}

// Add returns a layer adding its inputs element-wise (one or more tensors of equal
// shape). Options: WithName.
func Add(opts ...Option) *MergeLayer { l, _ := newMerge("Add", nil, opts); return l }

// Subtract returns a layer computing a - b of its two inputs (equal shapes).
// Options: WithName.
func Subtract(opts ...Option) *MergeLayer { l, _ := newMerge("Subtract", nil, opts); return l }

// Multiply returns a layer multiplying its inputs element-wise (equal shapes).
// Options: WithName.
func Multiply(opts ...Option) *MergeLayer { l, _ := newMerge("Multiply", nil, opts); return l }

// Average returns a layer averaging its inputs element-wise (equal shapes).
// Options: WithName.
func Average(opts ...Option) *MergeLayer { l, _ := newMerge("Average", nil, opts); return l }

// Maximum returns a layer taking the element-wise maximum of its inputs (equal
// shapes); on a tie the gradient is shared equally, as in PyTorch. Options: WithName.
func Maximum(opts ...Option) *MergeLayer { l, _ := newMerge("Maximum", nil, opts); return l }

// Minimum returns a layer taking the element-wise minimum of its inputs (equal
// shapes); on a tie the gradient is shared equally. Options: WithName.
func Minimum(opts ...Option) *MergeLayer { l, _ := newMerge("Minimum", nil, opts); return l }

// Concatenate returns a layer joining its inputs along axis, counted as Keras counts
// it: the batch axis is 0, -1 (the usual choice) is the last. Every other axis must
// agree. Options: WithName.
func Concatenate(axis int, opts ...Option) *MergeLayer {
	l, _ := newMerge("Concatenate", nil, opts)
	l.axis = axis
	return l
}

// Dot returns a layer of the batch dot product of its two inputs along axes (Keras
// axes: the batch axis is 0). Inputs (batch, d) with axes 1 give (batch, 1); inputs
// (batch, n, d) and (batch, m, d) with axes 2 give (batch, n, m). Options: WithName,
// WithNormalize (default false: with it, each input is L2-normalized along its axis
// first, so Dot(1) of vectors is their cosine similarity).
func Dot(axes int, opts ...Option) *MergeLayer { return DotAxes(axes, axes, opts...) }

// DotAxes is Dot with a different axis for each input.
func DotAxes(axisA, axisB int, opts ...Option) *MergeLayer {
	l, cfg := newMerge("Dot", []string{"normalize"}, opts)
	l.axes = [2]int{axisA, axisB}
	l.normalize = cfg.normalize
	return l
}

// WithNormalize makes Dot L2-normalize its inputs along the dot axes (default
// false). Dot takes it.
func WithNormalize(on bool) Option {
	return optionFunc(func(c *config) { c.normalize = on; c.set["normalize"] = true })
}

// Type returns the layer's kind: "Add", "Concatenate", "Dot", ...
func (l *MergeLayer) Type() string { return l.kind }

// Axis is Concatenate's axis.
func (l *MergeLayer) Axis() int { return l.axis }

// Axes are Dot's axes.
func (l *MergeLayer) Axes() [2]int { return l.axes }

// Normalize reports whether Dot normalizes its inputs.
func (l *MergeLayer) Normalize() bool { return l.normalize }

// Apply calls the layer on xs and returns its output.
func (l *MergeLayer) Apply(xs ...*Tensor) *Tensor { return apply1(l, xs) }

// BuildMulti checks the inputs and returns the output's spec; errors name every
// input shape.
func (l *MergeLayer) BuildMulti(_ BuildContext, in []Spec) ([]Spec, error) {
	who := named(l.kind, l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	for _, s := range in {
		if !isFloatDType(s.DType) {
			return nil, errors.Errorf("%s: input %s is not a float tensor", who, s)
		}
	}
	shapes := make([][]int, len(in))
	for i, s := range in {
		shapes[i] = s.Shape
	}
	out, err := l.outShape(shapes)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	return []Spec{{Shape: out, DType: in[0].DType}}, nil
}

// ForwardMulti adds the merge to g.
func (l *MergeLayer) ForwardMulti(g *graph.Graph, xs []*G.Node) ([]*G.Node, error) {
	who := named(l.kind, l.Name())
	var y *G.Node
	var err error
	switch l.kind {
	case "Add":
		y, err = mergeAdd(xs...)
	case "Subtract":
		y, err = G.Sub(xs[0], xs[1])
	case "Multiply":
		y, err = fold(xs, G.HadamardProd)
	case "Average":
		if y, err = mergeAdd(xs...); err == nil && len(xs) > 1 {
			y, err = G.Mul(y, g.Scalar(1/float64(len(xs))))
		}
	case "Maximum":
		y, err = fold(xs, graph.Maximum)
	case "Minimum":
		y, err = fold(xs, graph.Minimum)
	case "Concatenate":
		y, err = graph.Concat(l.axis, xs...)
	case "Dot":
		y, err = graph.BatchDot(xs[0], xs[1], l.axes[0], l.axes[1], l.normalize)
	default:
		err = errors.Errorf("unknown merge %q", l.kind)
	}
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	return []*G.Node{y}, nil
}

// mergeAdd adds one or more nodes of equal shape.
func mergeAdd(xs ...*G.Node) (*G.Node, error) { return fold(xs, G.Add) }

func fold(xs []*G.Node, f func(a, b *G.Node) (*G.Node, error)) (*G.Node, error) {
	if len(xs) == 0 {
		return nil, errors.New("no inputs")
	}
	y := xs[0]
	for _, x := range xs[1:] {
		var err error
		if y, err = f(y, x); err != nil {
			return nil, err
		}
	}
	return y, nil
}
