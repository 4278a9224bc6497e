package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BatchNormSpec holds the settings of batch normalization; Keras' defaults are
// Momentum 0.99 and Epsilon 1e-3.
type BatchNormSpec struct {
	// Momentum is Keras' momentum: moving = Momentum·moving + (1-Momentum)·batch,
	// in [0, 1]. (PyTorch's momentum is 1 - Momentum.)
	Momentum float64
	// Epsilon is added to the variance before its square root; it must be > 0.
	Epsilon float64
}

// batchNormOp normalizes over the last axis. Inputs: x (..., C), gamma, beta,
// moving mean, moving variance (each (C)). In Train mode it uses the batch
// statistics and updates the moving ones in place (they are parameters' tensors);
// in Infer mode it uses the moving statistics. Its gradients are batchNormGradOp
// and colSumOp.
type batchNormOp struct {
	opBase
	train bool
	spec  BatchNormSpec
	dims  int
	ws    *workspace
}

// BatchNorm is batch normalization over the last axis of x, shape (batch, ...,
// channels) (channels_last: images (batch, height, width, channels) are normalized
// per channel over batch, height and width): y = gamma·(x - mean)/sqrt(var + eps) +
// beta. gamma, beta, movingMean and movingVar have shape (channels); the moving
// statistics must be nodes of non-trainable parameters (g.Param of a Param with
// Trainable false). In Train mode mean and var are the batch's (biased variance)
// and each run moves movingMean and movingVar toward them in place (see
// BatchNormSpec; the unbiased batch variance is used for the moving variance); in
// Infer mode they are movingMean and movingVar. The gradient with respect to x,
// gamma and beta is exact in both modes.
func (g *Graph) BatchNorm(x, gamma, beta, movingMean, movingVar *G.Node, spec BatchNormSpec) (*G.Node, error) {
	return batchNorm(g.mode, x, gamma, beta, movingMean, movingVar, spec)
}

// batchNorm is BatchNorm in mode m.
func batchNorm(m Mode, x, gamma, beta, movingMean, movingVar *G.Node, spec BatchNormSpec) (n *G.Node, err error) {
	defer recoverOp(&err, "batch_norm")
	xs := x.Shape()
	if xs.Dims() < 2 {
		return nil, errors.Errorf("batch_norm: input shape %v has no channel axis after the batch", xs)
	}
	c := xs[xs.Dims()-1]
	for i, v := range []*G.Node{gamma, beta, movingMean, movingVar} {
		if s := v.Shape(); s.Dims() != 1 || s[0] != c {
			return nil, errors.Errorf("batch_norm: %s has shape %v, want (%d) for input %v", bnInputName(i+1), s, c, xs)
		}
		if v.Dtype() != x.Dtype() {
			return nil, errors.Errorf("batch_norm: %s is %v, the input is %v", bnInputName(i+1), v.Dtype(), x.Dtype())
		}
	}
	if spec.Momentum < 0 || spec.Momentum > 1 || !(spec.Epsilon > 0) {
		return nil, errors.Errorf("batch_norm: momentum %g must be in [0, 1] and epsilon %g > 0", spec.Momentum, spec.Epsilon)
	}
	op := batchNormOp{opBase{name: fmt.Sprintf("batch_norm_%v(m%g,e%g)%d", m, spec.Momentum, spec.Epsilon, xs.Dims()), arity: 5},
		m == Train, spec, xs.Dims(), &workspace{}}
	n, err = G.ApplyOp(op, x, gamma, beta, movingMean, movingVar)
	return n, errors.Wrap(err, "batch_norm")
}

// bnInputName names input i of a batch norm op in messages.
func bnInputName(i int) string {
	return [...]string{"input", "gamma", "beta", "moving mean", "moving variance", "gradient"}[i]
}

// bnType is x -> v -> v -> v -> v -> ... -> out for an input of dims axes.
func bnType(dims int, last hm.Type, extra ...hm.Type) hm.Type {
	a := hm.TypeVariable('a')
	x, v := G.TensorType{Dims: dims, Of: a}, G.TensorType{Dims: 1, Of: a}
	ts := append([]hm.Type{x, v, v, v, v}, extra...)
	return hm.NewFnType(append(ts, last)...)
}

func (o batchNormOp) Type() hm.Type {
	return bnType(o.dims, G.TensorType{Dims: o.dims, Of: hm.TypeVariable('a')})
}
func (o batchNormOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return o.firstShape(in...) }
func (o batchNormOp) Do(in ...G.Value) (G.Value, error)                 { return o.UsePreallocDo(nil, in...) }
func (o batchNormOp) DiffWRT(int) []bool                                { return []bool{true, true, true, false, false} }

func (o batchNormOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	args := append(append(G.Nodes{}, inputs[:2]...), inputs[3], inputs[4], grad)
	dx, err := G.ApplyOp(newBNGrad(o, false), args...)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %s with respect to the input", o.name)
	}
	dgamma, err := G.ApplyOp(newBNGrad(o, true), args...)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %s with respect to gamma", o.name)
	}
	dbeta, err := G.ApplyOp(colSumOp{opBase{name: fmt.Sprintf("col_sum%d", o.dims), arity: 1}, noDiff{}, o.dims}, grad)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %s with respect to beta", o.name)
	}
	return G.Nodes{dx, dgamma, dbeta, nil, nil}, nil
}

// checkBNArgs checks the dense inputs of a batch norm op (the first n names of
// bnInputName) and returns them with the channel count.
func checkBNArgs(name string, in []G.Value, n int) ([]*tensor.Dense, int, error) {
	args, err := denseArgs(name, n, in)
	if err != nil {
		return nil, 0, err
	}
	xs := args[0].Shape()
	c := xs[xs.Dims()-1]
	for i, a := range args[1:] {
		want := tensor.Shape{c}
		if i+1 == 5 {
			want = xs
		}
		if a.Dtype() != args[0].Dtype() || !a.Shape().Eq(want) {
			return nil, 0, errors.Errorf("%s: %s is %v %v, want %v %v", name, bnInputName(i+1), a.Dtype(), a.Shape(), args[0].Dtype(), want)
		}
	}
	return args, c, nil
}

func (o batchNormOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	args, c, err := checkBNArgs(o.name, in, 5)
	if err != nil {
		return nil, err
	}
	out := freshOutput(prealloc, args[0].Dtype(), args[0].Shape(), args...)
	switch xs := args[0].Data().(type) {
	case []float32:
		bnForward(o, xs, tensorsOf[float32](args), out.Data().([]float32), c)
	case []float64:
		bnForward(o, xs, tensorsOf[float64](args), out.Data().([]float64), c)
	default:
		return nil, checkFloat(o.name, args[0].Dtype())
	}
	return out, nil
}

// tensorsOf returns the data of every tensor of args as []T.
func tensorsOf[T float](args []*tensor.Dense) [][]T {
	out := make([][]T, len(args))
	for i, a := range args {
		out[i] = a.Data().([]T)
	}
	return out
}

// bnForward computes y from x and a = (x, gamma, beta, moving mean, moving var).
func bnForward[T float](o batchNormOp, x []T, a [][]T, y []T, c int) {
	s := &o.ws.f64
	mean, variance, inv := s.get(0, c), s.get(1, c), s.get(2, c)
	if o.train {
		bnStats(x, c, mean, variance)
		bnUpdate(a[3], a[4], mean, variance, len(x)/c, o.spec.Momentum)
	} else {
		bnLoad(a[3], mean)
		bnLoad(a[4], variance)
	}
	bnInvStd(variance, o.spec.Epsilon, inv)
	bnApply(x, a[1], a[2], y, mean, inv)
}
