package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ctcOp computes the per-sample terms of a CTC loss over x (B, T, K): inputs
// (x, labels (B, S)[, input lengths (B)][, label lengths (B)]), output (B)
// holding w_b·nll_b, where w_b is 1 ("sum", "none") or 1/(max(1, L_b)·B)
// ("mean"), so that the sum of the output is the reduced loss. With grad set it
// is the gradient with respect to x instead: the same inputs and the upstream
// gradient (B) last, output (B, T, K). See CTCLoss for the meaning of the
// options.
type ctcOp struct {
	opBase
	cfg  ctcConfig
	grad bool
}

// ctcConfig is what the kernel needs to know besides the values.
type ctcConfig struct {
	input     CTCInput
	blank     int
	mean      bool // scale sample b by 1/(max(1, L_b)·B)
	keepInf   bool // impossible samples give +Inf (else 0 and a zero gradient)
	hasInLen  bool // an input-length vector follows the labels
	hasLabLen bool // a label-length vector follows (else labels end at the first negative)
}

func newCTCOp(cfg ctcConfig, grad bool) ctcOp {
	arity := 2
	if cfg.hasInLen {
		arity++
	}
	if cfg.hasLabLen {
		arity++
	}
	if grad {
		arity++
	}
	name := fmt.Sprintf("ctc(input=%v,blank=%d,mean=%v,keepinf=%v,inlen=%v,lablen=%v,grad=%v)",
		cfg.input, cfg.blank, cfg.mean, cfg.keepInf, cfg.hasInLen, cfg.hasLabLen, grad)
	return ctcOp{opBase{name: name, arity: arity}, cfg, grad}
}

func (o ctcOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	x := G.TensorType{Dims: 3, Of: a}
	ts := []hm.Type{x, G.TensorType{Dims: 2, Of: a}}
	for i := 2; i < o.arity; i++ {
		ts = append(ts, G.TensorType{Dims: 1, Of: a})
	}
	if o.grad {
		return hm.NewFnType(append(ts, x)...)
	}
	return hm.NewFnType(append(ts, G.TensorType{Dims: 1, Of: a})...)
}

func (o ctcOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := o.firstShape(in...)
	if err != nil {
		return nil, err
	}
	if s.Dims() != 3 {
		return nil, errors.Errorf("%s: input shape %v, want (batch, steps, classes)", o.name, s)
	}
	if o.grad {
		return s, nil
	}
	return tensor.Shape{s[0]}, nil
}

func (o ctcOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

func (o ctcOp) DiffWRT(n int) []bool {
	out := make([]bool, n)
	if n > 0 {
		out[0] = !o.grad
	}
	return out
}

func (o ctcOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	if o.grad {
		return nil, errors.Errorf("%s has no gradient", o.name)
	}
	args := append(append(G.Nodes(nil), inputs...), grad)
	n, err := G.ApplyOp(newCTCOp(o.cfg, true), args...)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %s", o.name)
	}
	out := make(G.Nodes, len(inputs))
	out[0] = n
	return out, nil
}

func (o ctcOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	args, err := denseArgs(o.name, o.arity, in)
	if err != nil {
		return nil, err
	}
	x := args[0]
	if err := checkFloat(o.name, x.Dtype()); err != nil {
		return nil, err
	}
	if x.Dims() != 3 {
		return nil, errors.Errorf("%s: input shape %v, want (batch, steps, classes)", o.name, x.Shape())
	}
	for i, a := range args[1:] {
		if a.Dtype() != x.Dtype() {
			return nil, errors.Errorf("%s: input %d is %v, want %v like the predictions", o.name, i+1, a.Dtype(), x.Dtype())
		}
	}
	b, t, k := x.Shape()[0], x.Shape()[1], x.Shape()[2]
	lab := args[1]
	if lab.Dims() != 2 || lab.Shape()[0] != b {
		return nil, errors.Errorf("ctc_loss: labels shape %v, want (%d, max label length)", lab.Shape(), b)
	}
	var inLens, labLens, up []float64
	next := 2
	if o.cfg.hasInLen {
		inLens, next = float64s(args[next]), next+1
	}
	if o.cfg.hasLabLen {
		labLens, next = float64s(args[next]), next+1
	}
	if o.grad {
		up = float64s(args[next])
	}
	for _, v := range [][]float64{inLens, labLens, up} {
		if v != nil && len(v) != b {
			return nil, errors.Errorf("ctc_loss: a length or gradient vector has %d entries, want the batch size %d", len(v), b)
		}
	}
	samples, err := ctcSamples(o.cfg, float64s(lab), lab.Shape()[1], inLens, labLens, b, t, k)
	if err != nil {
		return nil, err
	}
	shape := tensor.Shape{b}
	if o.grad {
		shape = tensor.Shape{b, t, k}
	}
	out := freshOutput(prealloc, x.Dtype(), shape, args...)
	switch d := out.Data().(type) {
	case []float64:
		err = ctcRun(o.cfg, x.Data().([]float64), d, samples, up, t, k, o.grad)
	case []float32:
		err = ctcRun(o.cfg, x.Data().([]float32), d, samples, up, t, k, o.grad)
	default:
		return nil, checkFloat(o.name, x.Dtype())
	}
	if err != nil {
		return nil, errors.Wrap(err, o.name)
	}
	return out, nil
}
