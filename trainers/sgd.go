package trainers

import (
	"github.com/gokeras/gokeras/graph"
	"gorgonia.org/tensor"
)

type sgd struct{ baseOpt }

// SGD returns stochastic gradient descent with learning rate lr. Options: Momentum
// (default 0), Nesterov (default off), WeightDecay (coupled L2, default 0), and the
// clipping and schedule options. With momentum μ the update is PyTorch's:
// buf = μ·buf + g, w -= lr·buf (Nesterov: w -= lr·(g + μ·buf)), which equals
// Keras' form at a constant learning rate.
func SGD(lr float64, opts ...OptimizerOption) Optimizer {
	return &sgd{newBase("sgd", lr, 1, []string{"momentum", "nesterov", "weight_decay"}, opts)}
}

func (o *sgd) Step(params []*graph.Param, grads []*tensor.Dense) error {
	if err := o.prepare(params, grads, 0); err != nil {
		return err
	}
	lr, c := o.LearningRate(), o.cfg
	first := o.iter == 0
	for i, p := range params {
		step(p, grads[i],
			func(w, g []float32) { sgdKernel(w, g, slot[float32](&o.baseOpt, i, 0), c, lr, first) },
			func(w, g []float64) { sgdKernel(w, g, slot[float64](&o.baseOpt, i, 0), c, lr, first) })
	}
	o.iter++
	return nil
}

func sgdKernel[T float](w, g, buf []T, c optConfig, lr float64, first bool) {
	wd, mu, eta := T(c.weightDecay), T(c.momentum), T(lr)
	for i := range w {
		d := g[i] + wd*w[i]
		if mu != 0 {
			if first {
				buf[i] = d
			} else {
				buf[i] = mu*buf[i] + d
			}
			if c.nesterov {
				d += mu * buf[i]
			} else {
				d = buf[i]
			}
		}
		w[i] -= eta * d
	}
}
