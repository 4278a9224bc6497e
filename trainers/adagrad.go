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
	return o.StepSparse(params, grads, nil)
}

// rowSlots: the accumulator.
func (o *adagrad) rowSlots(optConfig) int { return 1 }

// StepSparse implements SparseOptimizer: touched rows only; an absent row's
// accumulator stays as it is (PyTorch's Adagrad on sparse gradients).
func (o *adagrad) StepSparse(params []*graph.Param, grads []*tensor.Dense, rows []*graph.RowGrad) error {
	if err := o.prepareRows(params, grads, rows, o.cfg.initialAccumulator, 1); err != nil {
		return err
	}
	lr, c := o.LearningRate(), o.cfg
	for i, p := range params {
		if r := rowGradOf(rows, i); r != nil {
			switch st := o.rows[i].(type) {
			case *rowStore[float32]:
				adagradRows(p, r, st, c, lr)
			case *rowStore[float64]:
				adagradRows(p, r, st, c, lr)
			}
			continue
		}
		step(p, grads[i],
			func(w, g []float32) { adagradKernel(w, g, slot[float32](&o.baseOpt, i, 0), c, lr) },
			func(w, g []float64) { adagradKernel(w, g, slot[float64](&o.baseOpt, i, 0), c, lr) })
	}
	o.iter++
	return nil
}

func adagradRows[T float](p *graph.Param, r *graph.RowGrad, st *rowStore[T], c optConfig, lr float64) {
	forRows(p, r, st, func(w, g []T, k int, _ bool) { adagradKernel(w, g, st.slot(0, k), c, lr) })
}

func adagradKernel[T float](w, g, acc []T, c optConfig, lr float64) {
	eps, eta := T(c.eps), T(lr)
	for i := range w {
		acc[i] += g[i] * g[i]
		w[i] -= eta * g[i] / (T(math.Sqrt(float64(acc[i]))) + eps)
	}
}
