package trainers

import (
	"math"

	"github.com/gokeras/gokeras/graph"
	"gorgonia.org/tensor"
)

type adam struct {
	baseOpt
	decoupled bool
}

// Adam returns the Adam optimizer with learning rate lr (Keras' default is 0.001).
// Options: Beta1 (0.9), Beta2 (0.999), Epsilon (1e-7), AMSGrad (off), WeightDecay
// (coupled L2, as PyTorch's Adam; default 0), and the clipping and schedule options.
// The update is PyTorch's: w -= lr/(1-β1ᵗ) · m / (sqrt(v)/sqrt(1-β2ᵗ) + ε), with v
// replaced by its running maximum under AMSGrad. The update is done in place, with
// no allocation after the first step (Gorgonia's Adam copies every parameter).
func Adam(lr float64, opts ...OptimizerOption) Optimizer {
	return &adam{baseOpt: newBase("adam", lr, 3, []string{"beta1", "beta2", "epsilon", "amsgrad", "weight_decay"}, opts)}
}

// AdamW returns Adam with decoupled weight decay (Loshchilov & Hutter): before each
// Adam update, w -= lr·wd·w. WeightDecay defaults to 0.004 (Keras' AdamW); it takes
// the same options as Adam. Unlike Gorgonia's AdamW, the decay is written to the
// weights.
func AdamW(lr float64, opts ...OptimizerOption) Optimizer {
	o := &adam{baseOpt: newBase("adamw", lr, 3, []string{"beta1", "beta2", "epsilon", "amsgrad", "weight_decay"}, opts), decoupled: true}
	if !o.cfg.set["weight_decay"] {
		o.cfg.weightDecay = 0.004
	}
	return o
}

func (o *adam) Step(params []*graph.Param, grads []*tensor.Dense) error {
	return o.StepSparse(params, grads, nil)
}

// rowSlots: m and v, and v's running maximum under AMSGrad.
func (o *adam) rowSlots(c optConfig) int {
	if c.amsgrad {
		return 3
	}
	return 2
}

// StepSparse implements SparseOptimizer. Tables updated by rows follow LazyAdam,
// PyTorch's SparseAdam (see SparseOptimizer): only touched rows' moments and
// weights change, with the bias corrections of the global step and ε unscaled.
func (o *adam) StepSparse(params []*graph.Param, grads []*tensor.Dense, rows []*graph.RowGrad) error {
	if err := o.prepareRows(params, grads, rows, 0, o.rowSlots(o.cfg)); err != nil {
		return err
	}
	lr, c := o.LearningRate(), o.cfg
	t := float64(o.iter + 1)
	k := adamConsts{
		stepSize:  lr / (1 - math.Pow(c.beta1, t)),
		sqrtBC2:   math.Sqrt(1 - math.Pow(c.beta2, t)),
		decay:     1 - lr*c.weightDecay,
		coupledWD: c.weightDecay,
	}
	if o.decoupled {
		k.coupledWD = 0
	} else {
		k.decay = 1
	}
	for i, p := range params {
		if r := rowGradOf(rows, i); r != nil {
			lk := k
			lk.stepSize = lr * k.sqrtBC2 / (1 - math.Pow(c.beta1, t))
			switch st := o.rows[i].(type) {
			case *rowStore[float32]:
				lazyAdamRows(p, r, st, c, lk)
			case *rowStore[float64]:
				lazyAdamRows(p, r, st, c, lk)
			}
			continue
		}
		step(p, grads[i],
			func(w, g []float32) {
				adamChunks(w, g, slot[float32](&o.baseOpt, i, 0), slot[float32](&o.baseOpt, i, 1), slot[float32](&o.baseOpt, i, 2), c, k)
			},
			func(w, g []float64) {
				adamChunks(w, g, slot[float64](&o.baseOpt, i, 0), slot[float64](&o.baseOpt, i, 1), slot[float64](&o.baseOpt, i, 2), c, k)
			})
	}
	o.iter++
	return nil
}

func lazyAdamRows[T float](p *graph.Param, r *graph.RowGrad, st *rowStore[T], c optConfig, k adamConsts) {
	forRows(p, r, st, func(w, g []T, j int, _ bool) {
		var vmax []T
		if c.amsgrad {
			vmax = st.slot(2, j)
		}
		lazyAdamKernel(w, g, st.slot(0, j), st.slot(1, j), vmax, c, k)
	})
}

// lazyAdamKernel is PyTorch's SparseAdam on one row, operation for operation:
// m += (1-β1)·(g-m); v += (1-β2)·(g²-v); w -= step·(m/(sqrt(v)+ε)), with
// step = lr·sqrt(1-β2ᵗ)/(1-β1ᵗ) (k.stepSize), plus the weight decay and AMSGrad
// options SparseAdam lacks.
func lazyAdamKernel[T float](w, g, m, v, vmax []T, c optConfig, k adamConsts) {
	b1, b2 := T(1-c.beta1), T(1-c.beta2)
	eps, step, decay, wd := T(c.eps), T(k.stepSize), T(k.decay), T(k.coupledWD)
	for i := range w {
		gi := g[i]
		if wd != 0 {
			gi += wd * w[i]
		}
		m[i] += b1 * (gi - m[i])
		v[i] += b2 * (gi*gi - v[i])
		vi := v[i]
		if vmax != nil {
			if vi > vmax[i] {
				vmax[i] = vi
			}
			vi = vmax[i]
		}
		q := m[i] / (T(math.Sqrt(float64(vi))) + eps)
		if decay != 1 {
			w[i] *= decay
		}
		w[i] -= step * q
	}
}

type adamConsts struct {
	stepSize, sqrtBC2, decay, coupledWD float64
}

// adamChunks runs adamKernel over the cores for large parameters (forChunks);
// the update is element-wise, so the result does not depend on the split.
func adamChunks[T float](w, g, m, v, vmax []T, c optConfig, k adamConsts) {
	forChunks(len(w), func(lo, hi int) {
		adamKernel(w[lo:hi], g[lo:hi], m[lo:hi], v[lo:hi], slotPart(vmax, lo, hi), c, k)
	})
}

// adamKernel updates w, m, v (and vmax under AMSGrad; nil otherwise) in place
// from the gradient g, all of one length: the AVX2 kernel (adamFast) takes the
// float32 elements in blocks of 8 where the CPU has it, adamKernelGo the rest,
// with the same bits.
func adamKernel[T float](w, g, m, v, vmax []T, c optConfig, k adamConsts) {
	if d := adamFast(w, g, m, v, vmax, c, k); d > 0 {
		w, g, m, v = w[d:], g[d:], m[d:], v[d:]
		if c.amsgrad {
			vmax = vmax[d:]
		}
	}
	adamKernelGo(w, g, m, v, vmax, c, k)
}

// adamKernelGo is Adam's element-wise update in Go (see adamKernel):
// gi = g + wd·w; m = β1·m + (1-β1)·gi; v = β2·v + (1-β2)·gi·gi;
// w = w·decay - step·m/(sqrt(v)/sqrt(1-β2ᵗ) + ε), v replaced by its running
// maximum under AMSGrad.
func adamKernelGo[T float](w, g, m, v, vmax []T, c optConfig, k adamConsts) {
	b1, b2 := T(c.beta1), T(c.beta2)
	eps, step, bc2, decay, wd := T(c.eps), T(k.stepSize), T(k.sqrtBC2), T(k.decay), T(k.coupledWD)
	for i := range w {
		gi := g[i] + wd*w[i]
		m[i] = b1*m[i] + (1-b1)*gi
		v[i] = b2*v[i] + (1-b2)*gi*gi
		vi := v[i]
		if c.amsgrad {
			if vi > vmax[i] {
				vmax[i] = vi
			}
			vi = vmax[i]
		}
		w[i] = w[i]*decay - step*m[i]/(T(math.Sqrt(float64(vi)))/bc2+eps)
	}
}
