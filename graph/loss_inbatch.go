package graph

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// InBatchSoftmax returns the in-batch sampled-softmax loss of a two-tower
// retrieval model as a LossFunc (for trainers.WithLossFunc). The model's one
// output pred, of shape (B, 2·dim+1), holds row by row [u_i, v_i, log q_i]: the
// query (user) embedding u_i (dim), the embedding v_i of its positive item
// (dim), and log q_i, the log of the probability that item i is drawn as a
// training pair (fed as an input). Every other item of the batch is a negative
// of row i:
//
//	S_ij = (u_i · v_j) / temperature - log q_j   (logQ true; without it, no log q term)
//	loss = mean over i of -log softmax(S_i)_i = mean_i (logsumexp_j S_ij - S_ii)
//
// The log q term is the sampling-bias correction of Yi et al. (2019,
// "Sampling-bias-corrected neural modeling for large corpus item
// recommendations"): popular items appear as in-batch negatives more often,
// and subtracting log q makes the batch softmax an unbiased estimate of the
// full softmax over the catalogue. The target node is not used (the positives
// are the diagonal); give any target of pred's shape (zeros). A batch of one
// row has loss 0. temperature must be finite and positive (0.05 to 0.1 suit
// L2-normalized embeddings); dim must be positive. Errors of the arguments or
// of pred's shape are errors of the returned function.
func InBatchSoftmax(dim int, temperature float64, logQ bool) LossFunc {
	return func(_ *Graph, pred, _ *G.Node) (*G.Node, error) {
		return InBatchSoftmaxLoss(pred, dim, temperature, logQ)
	}
}

// InBatchSoftmaxLoss is the scalar loss of InBatchSoftmax for pred of shape
// (B, 2·dim+1), float32 or float64: the mean over the batch of
// InBatchSoftmaxRows.
func InBatchSoftmaxLoss(pred *G.Node, dim int, temperature float64, logQ bool) (*G.Node, error) {
	rows, err := InBatchSoftmaxRows(pred, dim, temperature, logQ)
	if err != nil {
		return nil, err
	}
	m, err := MeanAll(rows)
	return m, errors.Wrap(err, "in-batch softmax")
}

// InBatchSoftmaxRows returns the per-row losses (B) of InBatchSoftmax:
// logsumexp_j S_ij - S_ii. Its gradient with respect to pred (all of it: u,
// v and the log q column) is exact; the computation runs in float64 whatever
// pred's dtype, with the row maximum subtracted before exp.
func InBatchSoftmaxRows(pred *G.Node, dim int, temperature float64, logQ bool) (n *G.Node, err error) {
	defer recoverOp(&err, "in-batch softmax")
	if pred == nil {
		return nil, errors.New("in-batch softmax: nil prediction")
	}
	if dim < 1 {
		return nil, errors.Errorf("in-batch softmax: dim = %d, want >= 1", dim)
	}
	if !(temperature > 0) || math.IsInf(temperature, 0) {
		return nil, errors.Errorf("in-batch softmax: temperature = %v, want a finite value > 0", temperature)
	}
	if s := pred.Shape(); s.Dims() != 2 || s[1] != 2*dim+1 {
		return nil, errors.Errorf("in-batch softmax: prediction shape %v, want (batch, %d) = [u (%d), v (%d), log q (1)]", s, 2*dim+1, dim, dim)
	}
	if err := checkFloat("in-batch softmax", pred.Dtype()); err != nil {
		return nil, err
	}
	n, err = G.ApplyOp(newInBatchOp(dim, temperature, logQ, false), pred)
	return n, errors.Wrap(err, "in-batch softmax")
}

// inBatchOp computes the per-row in-batch softmax losses (B) from pred (B,
// 2d+1); with grad set it is its gradient instead: inputs (pred, upstream
// (B)), output (B, 2d+1). The gradient op is not differentiable.
type inBatchOp struct {
	opBase
	d    int
	tau  float64
	logQ bool
	grad bool
}

func newInBatchOp(d int, tau float64, logQ, grad bool) inBatchOp {
	name, arity := "inbatch_softmax", 1
	if grad {
		name, arity = "inbatch_softmax_grad", 2
	}
	return inBatchOp{opBase{name: fmt.Sprintf("%s(%d,%v,%v)", name, d, tau, logQ), arity: arity}, d, tau, logQ, grad}
}

func (o inBatchOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m, v := G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: 1, Of: a}
	if o.grad {
		return hm.NewFnType(m, v, m)
	}
	return hm.NewFnType(m, v)
}

func (o inBatchOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := o.firstShape(in...)
	if err != nil {
		return nil, err
	}
	return o.outShape(s)
}

// outShape is the output shape for an input of shape s.
func (o inBatchOp) outShape(s tensor.Shape) (tensor.Shape, error) {
	if s.Dims() != 2 || s[1] != 2*o.d+1 {
		return nil, errors.Errorf("%s: input shape %v, want (batch, %d)", o.name, s, 2*o.d+1)
	}
	if o.grad {
		return s, nil
	}
	return tensor.Shape{s[0]}, nil
}

func (o inBatchOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

func (o inBatchOp) DiffWRT(n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = !o.grad && i == 0
	}
	return out
}

func (o inBatchOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	if o.grad {
		return nil, errors.Errorf("%s has no gradient", o.name)
	}
	n, err := G.ApplyOp(newInBatchOp(o.d, o.tau, o.logQ, true), inputs[0], grad)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %s", o.name)
	}
	return G.Nodes{n}, nil
}

func (o inBatchOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	args, err := denseArgs(o.name, o.arity, in)
	if err != nil {
		return nil, err
	}
	x := args[0]
	shape, err := o.outShape(x.Shape().Clone())
	if err != nil {
		return nil, err
	}
	b := x.Shape()[0]
	var up *tensor.Dense
	if o.grad {
		up = args[1]
		if up.Dtype() != x.Dtype() || up.Shape().TotalSize() != b {
			return nil, errors.Errorf("%s: upstream gradient %v %v, want %v (%d)", o.name, up.Dtype(), up.Shape(), x.Dtype(), b)
		}
	}
	out := freshOutput(prealloc, x.Dtype(), shape, args...)
	switch xs := x.Data().(type) {
	case []float64:
		var g []float64
		if up != nil {
			g = up.Data().([]float64)
		}
		o.kernel(xs, g, out.Data().([]float64), b)
	case []float32:
		var g []float64
		if up != nil {
			g = widen(up.Data().([]float32))
		}
		res := make([]float64, shape.TotalSize())
		o.kernel(widen(xs), g, res, b)
		dst := out.Data().([]float32)
		for i, r := range res {
			dst[i] = float32(r)
		}
	default:
		return nil, checkFloat(o.name, x.Dtype())
	}
	return out, nil
}

// widen returns x as float64s.
func widen(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

// kernel computes, for the b rows of x (each [u (d), v (d), log q]), the row
// losses into out (b) when g is nil, or else the gradient for the upstream g
// (b) into out (b, 2d+1).
func (o inBatchOp) kernel(x, g, out []float64, b int) {
	d, w := o.d, 2*o.d+1
	u := blas64.General{Rows: b, Cols: d, Stride: w, Data: x}
	v := blas64.General{Rows: b, Cols: d, Stride: w, Data: x[d:]}
	// S = U·Vᵀ/τ - 1·log qᵀ
	s := blas64.General{Rows: b, Cols: b, Stride: b, Data: make([]float64, b*b)}
	blas64.Gemm(blas.NoTrans, blas.Trans, 1/o.tau, u, v, 0, s)
	for i := 0; i < b; i++ {
		row := s.Data[i*b : (i+1)*b]
		if o.logQ {
			for j := range row {
				row[j] -= x[j*w+2*d]
			}
		}
		m := math.Inf(-1)
		for _, z := range row {
			m = math.Max(m, z)
		}
		var sum float64
		for _, z := range row {
			sum += math.Exp(z - m)
		}
		lse := m + math.Log(sum)
		if g == nil {
			out[i] = lse - row[i]
			continue
		}
		// row becomes G_i = g_i·(softmax(S_i) - e_i).
		for j, z := range row {
			row[j] = g[i] * math.Exp(z-lse)
		}
		row[i] -= g[i]
	}
	if g == nil {
		return
	}
	// dU = G·V/τ, dV = Gᵀ·U/τ, d log q_j = -Σ_i G_ij (0 without the correction).
	du := blas64.General{Rows: b, Cols: d, Stride: w, Data: out}
	dv := blas64.General{Rows: b, Cols: d, Stride: w, Data: out[d:]}
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1/o.tau, s, v, 0, du)
	blas64.Gemm(blas.Trans, blas.NoTrans, 1/o.tau, s, u, 0, dv)
	for j := 0; j < b; j++ {
		out[j*w+2*d] = 0
	}
	if o.logQ {
		for i := 0; i < b; i++ {
			for j, gij := range s.Data[i*b : (i+1)*b] {
				out[j*w+2*d] -= gij
			}
		}
	}
}
