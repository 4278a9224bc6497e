package layers

import (
	"strings"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// ResidualLayer is a residual block usable inside Sequential: y =
// activation(branch(x) + shortcut(x)), where branch and shortcut are stacks of
// layers applied in order and a nil shortcut is the identity. Both must give the
// same shape. Its sub-layers are named "<block>/<layer>" ("residual/conv2d_1"), so
// their parameters are "<block>/<layer>/<weight>"; Save and Load keep the names.
type ResidualLayer struct {
	Base
	branch, shortcut []Layer
	activation       string
	act              graph.ActivationFunc
	err              error
	out              []int
}

// Residual returns a block computing activation(branch(x) + shortcut(x)) for
// inputs of any shape, e.g. images (batch, height, width, channels). branch must
// not be empty; a nil or empty shortcut is the identity. Options: WithName,
// WithActivation (applied after the sum; default linear). Build reports branch
// and shortcut outputs of different shapes, naming both.
func Residual(branch, shortcut []Layer, opts ...Option) *ResidualLayer {
	cfg, err := layerConfig("Residual", []string{"activation"}, opts)
	if err == nil && len(branch) == 0 {
		err = errors.New("Residual: the branch has no layers")
	}
	l := &ResidualLayer{branch: append([]Layer(nil), branch...), shortcut: append([]Layer(nil), shortcut...),
		activation: cfg.activation, err: err}
	l.SetName(cfg.name)
	return l
}

// Type returns "Residual".
func (l *ResidualLayer) Type() string { return "Residual" }

// Branch returns the branch's layers.
func (l *ResidualLayer) Branch() []Layer { return append([]Layer(nil), l.branch...) }

// Shortcut returns the shortcut's layers (none for the identity).
func (l *ResidualLayer) Shortcut() []Layer { return append([]Layer(nil), l.shortcut...) }

// Params lists the branch's then the shortcut's parameters.
func (l *ResidualLayer) Params() []*graph.Param {
	if l.out == nil {
		return nil
	}
	var ps []*graph.Param
	for _, s := range append(l.Branch(), l.shortcut...) {
		ps = append(ps, s.Params()...)
	}
	return ps
}

// Build names the sub-layers "<block>/<layer>", builds the branch and the shortcut
// on the input shape, and checks that their outputs agree.
func (l *ResidualLayer) Build(ctx BuildContext, in []int) ([]int, error) {
	who := named("Residual", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	act, err := graph.Activation(l.activation)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	l.act = act
	block := l.Name()
	if block == "" {
		block = "residual"
	}
	used := map[string]int{}
	all := append(l.Branch(), l.shortcut...)
	for _, s := range all {
		if s.Name() != "" {
			used[s.Name()]++
		}
	}
	for _, s := range all {
		if used[s.Name()] > 1 {
			return nil, errors.Errorf("%s: two sub-layers named %q", who, s.Name())
		}
		if s.Name() == "" {
			s.SetName(uniqueName(snake(s.Type()), used))
		}
		if !strings.HasPrefix(s.Name(), block+"/") { // a loaded model's names have it
			s.SetName(block + "/" + s.Name())
		}
	}
	b, err := buildStack(ctx, "branch", l.branch, in)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	sc, err := buildStack(ctx, "shortcut", l.shortcut, in)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	if !equalShapes(b, sc) {
		what := "the input (identity shortcut)"
		if len(l.shortcut) > 0 {
			what = "the shortcut output"
		}
		return nil, errors.Errorf("%s: branch output %s and %s %s differ; give a shortcut that maps %s to %s (e.g. a 1x1 Conv2D with strides)",
			who, fmtShape(b), what, fmtShape(sc), fmtShape(in), fmtShape(b))
	}
	l.out = b
	return append([]int(nil), b...), nil
}

// buildStack builds layers in order from shape in (each once, see buildLayer) and
// returns the last shape.
func buildStack(ctx BuildContext, what string, ls []Layer, in []int) ([]int, error) {
	spec := []Spec{{Shape: append([]int(nil), in...), DType: ctx.DType}}
	for i, s := range ls {
		out, err := buildLayer(ctx, s, spec)
		if err != nil {
			return nil, errors.Wrapf(err, "%s layer %d (%s) with input shape %s", what, i, s.Name(), fmtShape(spec[0].Shape))
		}
		if len(out) != 1 {
			return nil, errors.Errorf("%s layer %d (%s) gives %d outputs, want 1", what, i, s.Name(), len(out))
		}
		spec = out
	}
	return spec[0].Shape, nil
}

// Forward adds branch(x) + shortcut(x) and the activation to g.
func (l *ResidualLayer) Forward(g *graph.Graph, x *G.Node) (*G.Node, error) {
	who := named("Residual", l.Name())
	if l.out == nil {
		return nil, errors.Errorf("%s: not built", who)
	}
	b, err := forwardStack(g, "branch", l.branch, x)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	s, err := forwardStack(g, "shortcut", l.shortcut, x)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	sum, err := mergeAdd(b, s)
	if err != nil {
		return nil, errors.Wrapf(err, "%s: add branch %v and shortcut %v", who, b.Shape(), s.Shape())
	}
	return activate(g, sum, l.activation, l.act)
}

func forwardStack(g *graph.Graph, what string, ls []Layer, x *G.Node) (*G.Node, error) {
	for i, s := range ls {
		ys, err := forwardLayer(g, s, []*G.Node{x})
		if err != nil {
			return nil, errors.Wrapf(err, "%s layer %d (%s)", what, i, s.Name())
		}
		x = ys[0]
	}
	return x, nil
}

// forwardLayer adds one call of l to g, whichever interface l implements.
func forwardLayer(g *graph.Graph, l Layer, xs []*G.Node) ([]*G.Node, error) {
	switch bl := l.(type) {
	case MultiLayer:
		return bl.ForwardMulti(g, xs)
	case SingleLayer:
		if len(xs) != 1 {
			return nil, errors.Errorf("layer %s takes one input, got %d", layerLabel(l), len(xs))
		}
		y, err := bl.Forward(g, xs[0])
		if err != nil {
			return nil, err
		}
		return []*G.Node{y}, nil
	}
	return nil, errors.Errorf("layer %s (%T) has neither Forward nor ForwardMulti", layerLabel(l), l)
}
