package layers

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/graph"
)

// CheckGradient compares the gradient of a built layer of one input with central
// finite differences (step eps; 1e-6 is a good value), with respect to the input x
// and to every weight in l.Params(). The layer must have been built in float64 for
// x's shape without the batch axis, and x must be a float64 tensor of shape
// (batch, ...). The weights are perturbed in place and restored; x is left as it is.
// It is graph.CheckGradientParams over l.Forward: the input is numbered 0 in the
// result and the weights follow in the order of Params. Use it to test a layer of
// your own (it needs no function value, so it also works from the gophernotes
// interpreter).
func CheckGradient(l SingleLayer, x *tensor.Dense, eps float64) (graph.GradCheck, error) {
	if l == nil {
		return graph.GradCheck{}, errors.New("layers: CheckGradient: nil layer")
	}
	if x == nil {
		return graph.GradCheck{}, errors.Errorf("layers: CheckGradient %q: nil input", l.Name())
	}
	res, err := graph.CheckGradientParams(func(g *graph.Graph, in []*G.Node) (*G.Node, error) {
		return l.Forward(g, in[0])
	}, []*tensor.Dense{x}, l.Params(), eps)
	if err != nil {
		return res, errors.Wrapf(err, "layers: CheckGradient %q", l.Name())
	}
	return res, nil
}
