package trainers

import (
	"math"

	"github.com/gokeras/gokeras/graph"
	"gorgonia.org/tensor"
)

type rmsprop struct{ baseOpt }

// RMSProp returns RMSprop with learning rate lr (Keras' default is 0.001). Options:
// Rho (0.9), Momentum (0), Epsilon (1e-7), and the clipping and schedule options.
// The update is v = ρ·v + (1-ρ)·g², w -= lr·g/(sqrt(v)+ε); with momentum μ,
// buf = μ·buf + g/(sqrt(v)+ε), w -= lr·buf.
func RMSProp(lr float64, opts ...OptimizerOption) Optimizer {
	return &rmsprop{newBase("rmsprop", lr, 2, []string{"rho", "momentum", "epsilon"}, opts)}
}

func (o *rmsprop) Step(params []*graph.Param, grads []*tensor.Dense) error {
	return o.StepSparse(params, grads, nil)
}

// rowSlots: the average of squares, and the momentum buffer when there is momentum.
func (o *rmsprop) rowSlots(c optConfig) int {
	if c.momentum == 0 {
		return 1
	}
	return 2
}

// StepSparse implements SparseOptimizer: touched rows only; an absent row's
// averages stay as they are.
func (o *rmsprop) StepSparse(params []*graph.Param, grads []*tensor.Dense, rows []*graph.RowGrad) error {
	if err := o.prepareRows(params, grads, rows, 0, o.rowSlots(o.cfg)); err != nil {
		return err
	}
	lr, c := o.LearningRate(), o.cfg
	for i, p := range params {
		if r := rowGradOf(rows, i); r != nil {
			switch st := o.rows[i].(type) {
			case *rowStore[float32]:
				rmsRows(p, r, st, c, lr)
			case *rowStore[float64]:
				rmsRows(p, r, st, c, lr)
			}
			continue
		}
		step(p, grads[i],
			func(w, g []float32) {
				rmsKernel(w, g, slot[float32](&o.baseOpt, i, 0), slot[float32](&o.baseOpt, i, 1), c, lr)
			},
			func(w, g []float64) {
				rmsKernel(w, g, slot[float64](&o.baseOpt, i, 0), slot[float64](&o.baseOpt, i, 1), c, lr)
			})
	}
	o.iter++
	return nil
}

func rmsRows[T float](p *graph.Param, r *graph.RowGrad, st *rowStore[T], c optConfig, lr float64) {
	forRows(p, r, st, func(w, g []T, k int, _ bool) {
		var buf []T
		if c.momentum != 0 {
			buf = st.slot(1, k)
		}
		rmsKernel(w, g, st.slot(0, k), buf, c, lr)
	})
}

func rmsKernel[T float](w, g, v, buf []T, c optConfig, lr float64) {
	rho, mu, eps, eta := T(c.rho), T(c.momentum), T(c.eps), T(lr)
	for i := range w {
		v[i] = rho*v[i] + (1-rho)*g[i]*g[i]
		d := g[i] / (T(math.Sqrt(float64(v[i]))) + eps)
		if mu != 0 {
			buf[i] = mu*buf[i] + d
			d = buf[i]
		}
		w[i] -= eta * d
	}
}
