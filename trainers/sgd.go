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
	return o.StepSparse(params, grads, nil)
}

// rowSlots: the momentum buffer, when there is momentum.
func (o *sgd) rowSlots(c optConfig) int {
	if c.momentum == 0 {
		return 0
	}
	return 1
}

// StepSparse implements SparseOptimizer: touched rows only; with momentum, a row's
// buffer starts at its first touch and is left alone when the row is absent.
func (o *sgd) StepSparse(params []*graph.Param, grads []*tensor.Dense, rows []*graph.RowGrad) error {
	if err := o.prepareRows(params, grads, rows, 0, o.rowSlots(o.cfg)); err != nil {
		return err
	}
	lr, c := o.LearningRate(), o.cfg
	first := o.iter == 0
	for i, p := range params {
		if r := rowGradOf(rows, i); r != nil {
			switch st := o.rows[i].(type) {
			case *rowStore[float32]:
				sgdRows(p, r, st, c, lr)
			case *rowStore[float64]:
				sgdRows(p, r, st, c, lr)
			}
			continue
		}
		step(p, grads[i],
			func(w, g []float32) { sgdKernel(w, g, slot[float32](&o.baseOpt, i, 0), c, lr, first) },
			func(w, g []float64) { sgdKernel(w, g, slot[float64](&o.baseOpt, i, 0), c, lr, first) })
	}
	o.iter++
	return nil
}

func sgdRows[T float](p *graph.Param, r *graph.RowGrad, st *rowStore[T], c optConfig, lr float64) {
	forRows(p, r, st, func(w, g []T, k int, fresh bool) {
		var buf []T
		if k >= 0 && c.momentum != 0 {
			buf = st.slot(0, k)
		}
		sgdKernel(w, g, buf, c, lr, fresh)
	})
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
