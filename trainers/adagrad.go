package trainers

import (
	"math"

	"github.com/gokeras/gokeras/graph"
	"gorgonia.org/tensor"
)

type adagrad struct{ baseOpt }

// AdaGrad returns Adagrad with learning rate lr (Keras' default is 0.001). Options:
// InitialAccumulator (0.1), Epsilon (1e-7), and the clipping and schedule options.
// The update is acc += g², w -= lr·g/(sqrt(acc)+ε).
func AdaGrad(lr float64, opts ...OptimizerOption) Optimizer {
	return &adagrad{newBase("adagrad", lr, 1, []string{"initial_accumulator", "epsilon"}, opts)}
}

func (o *adagrad) Step(params []*graph.Param, grads []*tensor.Dense) error {
	if err := o.prepare(params, grads, o.cfg.initialAccumulator); err != nil {
		return err
	}
	lr, c := o.LearningRate(), o.cfg
	for i, p := range params {
		step(p, grads[i],
			func(w, g []float32) { adagradKernel(w, g, slot[float32](&o.baseOpt, i, 0), c, lr) },
			func(w, g []float64) { adagradKernel(w, g, slot[float64](&o.baseOpt, i, 0), c, lr) })
	}
	o.iter++
	return nil
}

func adagradKernel[T float](w, g, acc []T, c optConfig, lr float64) {
	eps, eta := T(c.eps), T(lr)
	for i := range w {
		acc[i] += g[i] * g[i]
		w[i] -= eta * g[i] / (T(math.Sqrt(float64(acc[i]))) + eps)
	}
}
