package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// addConvWeights makes a convolution's kernel of shape kshape (with cfg's kernel
// initializer and regularizer) and, when cfg uses a bias, its bias of shape
// (filters); both see the fans (fanIn, fanOut). who names the layer in errors.
// Conv1D and Conv2D share it.
func addConvWeights(ctx BuildContext, owner Layer, cfg config, who string, kshape []int, filters, fanIn, fanOut int) (kernel, bias *graph.Param, err error) {
	kinit, err := initializer(cfg.kernelInit, cfg.kernelInitName)
	if err != nil {
		return nil, nil, errors.Wrapf(err, "%s: kernel", who)
	}
	if kernel, err = ctx.AddWeight(owner, "kernel", kshape, kinit, WeightFans(fanIn, fanOut), WeightRegularizer(cfg.kernelRegularizer)); err != nil {
		return nil, nil, errors.Wrap(err, who)
	}
	if !cfg.useBias {
		return kernel, nil, nil
	}
	binit, err := initializer(cfg.biasInit, cfg.biasInitName)
	if err != nil {
		return nil, nil, errors.Wrapf(err, "%s: bias", who)
	}
	if bias, err = ctx.AddWeight(owner, "bias", []int{filters}, binit, WeightFans(fanIn, fanOut)); err != nil {
		return nil, nil, errors.Wrap(err, who)
	}
	return kernel, bias, nil
}

// biasActivate adds the bias (if any) to a convolution's output z and applies the
// activation: the end of Conv1D's and Conv2D's Forward.
func biasActivate(g *graph.Graph, z *G.Node, bias *graph.Param, activation string, act graph.ActivationFunc, who string) (*G.Node, error) {
	if bias != nil {
		b, err := g.Param(bias)
		if err != nil {
			return nil, err
		}
		if z, err = graph.AddBias(z, b); err != nil {
			return nil, errors.Wrap(err, who)
		}
	}
	return activate(g, z, activation, act)
}
