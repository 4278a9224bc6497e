package graph

import (
	"fmt"

	"gonum.org/v1/gonum/blas"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// bmmOp is a batched matrix product C[i] = op0(X0[i]) · op1(X1[i]), where each
// input is read as a stack of matrices v = (batch, rows, cols) and op is the
// matrix itself or, when t is set, its transpose. Its inputs and output keep
// shapes of their own (s0, s1, out) with the same number of elements as the
// views, so a (B, D) input can be read as (B, 1, D) and a (B, 1, 1) product
// written as (B, 1). Its gradients are bmmOps too.
type bmmOp struct {
	opBase
	t0, t1      bool
	v0, v1      [3]int
	s0, s1, out tensor.Shape
}

// BatchDot is Keras' Dot layer for a batch: the dot product of a and b (float32
// or float64, one dtype) along axisA of a and axisB of b, example by example.
// Axes count the batch axis as 0 and may be negative (counted from the end); the
// batch axis cannot be contracted.
//   - a (B, D), b (B, D), axes (1, 1): result (B, 1).
//   - a (B, n, d), b (B, m, e), the contracted axes of equal size: the result holds
//     the remaining axis of a, then that of b, as Keras' batch_dot: axes (2, 2)
//     give (B, n, m) (d = e); (1, 1) give (B, d, e) (n = m); (2, 1) give (B, n, e)
//     (d = m); (1, 2) give (B, d, m) (n = e).
//
// With normalize, each input is first divided by its L2 norm along its contracted
// axis (L2Normalize), so that rank-2 inputs give the cosine similarity.
func BatchDot(a, b *G.Node, axisA, axisB int, normalize bool) (n *G.Node, err error) {
	defer recoverOp(&err, "batch_dot")
	op, err := newBatchDot(a.Shape(), b.Shape(), axisA, axisB)
	if err != nil {
		return nil, err
	}
	if a.Dtype() != b.Dtype() {
		return nil, errors.Errorf("batch_dot: dtypes %v and %v differ", a.Dtype(), b.Dtype())
	}
	if err := checkFloat("batch_dot", a.Dtype()); err != nil {
		return nil, err
	}
	if normalize {
		if a, err = L2Normalize(a, axisA); err != nil {
			return nil, errors.Wrap(err, "batch_dot")
		}
		if b, err = L2Normalize(b, axisB); err != nil {
			return nil, errors.Wrap(err, "batch_dot")
		}
	}
	n, err = G.ApplyOp(op, a, b)
	return n, errors.Wrap(err, "batch_dot")
}

// newBatchDot checks the shapes and axes of BatchDot and returns its product op.
func newBatchDot(sa, sb tensor.Shape, axisA, axisB int) (bmmOp, error) {
	bad := func(why string) (bmmOp, error) {
		return bmmOp{}, errors.Errorf("batch_dot: shapes %v and %v with axes (%d, %d): %s", sa, sb, axisA, axisB, why)
	}
	r := sa.Dims()
	if r != sb.Dims() || (r != 2 && r != 3) {
		return bad("want two inputs of rank 2 or two of rank 3")
	}
	ax, okA := normAxis(axisA, r)
	bx, okB := normAxis(axisB, r)
	if !okA || !okB || ax == 0 || bx == 0 {
		return bad(fmt.Sprintf("an axis is out of range [1, %d) or the batch axis", r))
	}
	if sa[0] != sb[0] {
		return bad("batch sizes differ")
	}
	if sa[ax] != sb[bx] {
		return bad("the contracted axes differ in size")
	}
	if r == 2 {
		// (B, D)·(B, D): (B, 1, D) times the transpose of (B, 1, D)
		v := [3]int{sa[0], 1, sa[1]}
		return newBmm(false, true, v, v, sa, sb, tensor.Shape{sa[0], 1})
	}
	// a as (n, d) contracts its last axis; contracting axis 1 reads it transposed.
	// b as (m, e) contracts its first axis; contracting axis 2 reads it transposed.
	va, vb := [3]int{sa[0], sa[1], sa[2]}, [3]int{sb[0], sb[1], sb[2]}
	out := tensor.Shape{sa[0], sa[3-ax], sb[3-bx]}
	return newBmm(ax == 1, bx == 2, va, vb, sa, sb, out)
}

// newBmm returns the op computing op0(X0)·op1(X1) read through views v0 and v1,
// checking that the views fit the shapes and the output.
func newBmm(t0, t1 bool, v0, v1 [3]int, s0, s1, out tensor.Shape) (bmmOp, error) {
	o := bmmOp{opBase{arity: 2}, t0, t1, v0, v1, s0.Clone(), s1.Clone(), out.Clone()}
	o.name = fmt.Sprintf("batch_matmul(%v,%v,%v,%v,%v,%v,%v)", t0, t1, v0, v1, s0, s1, out)
	n, k0, k1, m := o.dims()
	if v0[0] != v1[0] || k0 != k1 || v0[0]*v0[1]*v0[2] != s0.TotalSize() || v1[0]*v1[1]*v1[2] != s1.TotalSize() || v0[0]*n*m != out.TotalSize() {
		return bmmOp{}, errors.Errorf("%s: views do not fit", o.name)
	}
	return o, nil
}

// dims returns op0(X0) as (n, k0) and op1(X1) as (k1, m).
func (o bmmOp) dims() (n, k0, k1, m int) {
	n, k0 = o.v0[1], o.v0[2]
	if o.t0 {
		n, k0 = k0, n
	}
	k1, m = o.v1[1], o.v1[2]
	if o.t1 {
		k1, m = m, k1
	}
	return n, k0, k1, m
}

func (o bmmOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: o.s0.Dims(), Of: a}, G.TensorType{Dims: o.s1.Dims(), Of: a}, G.TensorType{Dims: o.out.Dims(), Of: a})
}

func (o bmmOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, errors.Errorf("%s: expected 2 inputs, got %d", o.name, len(in))
	}
	for i, want := range []tensor.Shape{o.s0, o.s1} {
		if s, ok := in[i].(tensor.Shape); !ok || !s.Eq(want) {
			return nil, errors.Errorf("%s: input %d has shape %v, want %v", o.name, i, in[i], want)
		}
	}
	return o.out.Clone(), nil
}

func (o bmmOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }
func (o bmmOp) DiffWRT(int) []bool                { return []bool{true, true} }

// SymDiff: with C = op0(X0)·op1(X1) and upstream dC (read as (B, n, m)),
// dop0 = dC·op1ᵀ and dop1 = op0ᵀ·dC; a transposed input takes the transpose:
// dX0 = op1·dCᵀ, dX1 = dCᵀ·op0.
func (o bmmOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	n, _, _, m := o.dims()
	vc := [3]int{o.v0[0], n, m}
	var d0, d1 bmmOp
	var err0, err1 error
	var in0, in1 [2]*G.Node
	if !o.t0 {
		d0, err0 = newBmm(false, !o.t1, vc, o.v1, o.out, o.s1, o.s0)
		in0 = [2]*G.Node{grad, inputs[1]}
	} else {
		d0, err0 = newBmm(o.t1, true, o.v1, vc, o.s1, o.out, o.s0)
		in0 = [2]*G.Node{inputs[1], grad}
	}
	if !o.t1 {
		d1, err1 = newBmm(!o.t0, false, o.v0, vc, o.s0, o.out, o.s1)
		in1 = [2]*G.Node{inputs[0], grad}
	} else {
		d1, err1 = newBmm(true, o.t0, vc, o.v0, o.out, o.s0, o.s1)
		in1 = [2]*G.Node{grad, inputs[0]}
	}
	if err0 != nil || err1 != nil {
		return nil, errors.Errorf("gradient of %s: %v %v", o.name, err0, err1)
	}
	g0, err := G.ApplyOp(d0, in0[0], in0[1])
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %s", o.name)
	}
	g1, err := G.ApplyOp(d1, in1[0], in1[1])
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %s", o.name)
	}
	return G.Nodes{g0, g1}, nil
}

func (o bmmOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	args, err := denseArgs(o.name, 2, in)
	if err != nil {
		return nil, err
	}
	x0, x1 := args[0], args[1]
	if x0.Dtype() != x1.Dtype() || x0.Shape().TotalSize() != o.s0.TotalSize() || x1.Shape().TotalSize() != o.s1.TotalSize() {
		return nil, errors.Errorf("%s: inputs %v %v and %v %v do not fit", o.name, x0.Dtype(), x0.Shape(), x1.Dtype(), x1.Shape())
	}
	out := freshOutput(prealloc, x0.Dtype(), o.out, x0, x1)
	switch a := x0.Data().(type) {
	case []float32:
		bmmKernel(o, a, x1.Data().([]float32), out.Data().([]float32))
	case []float64:
		bmmKernel(o, a, x1.Data().([]float64), out.Data().([]float64))
	default:
		return nil, checkFloat(o.name, x0.Dtype())
	}
	return out, nil
}

// bmmKernel computes C[i] = op0(A[i])·op1(B[i]) with one BLAS gemm per
// matrix of the stack (the current gonum BLAS implementation: pure Go, or
// OpenBLAS in the openblas build), the stack split across the cores. Sums run in
// T (float32 for float32 inputs, as PyTorch's bmm).
func bmmKernel[T float](o bmmOp, a, b, c []T) {
	n, k, _, m := o.dims()
	tA, tB := blas.NoTrans, blas.NoTrans
	if o.t0 {
		tA = blas.Trans
	}
	if o.t1 {
		tB = blas.Trans
	}
	lda, ldb := o.v0[2], o.v1[2]
	sizeA, sizeB := o.v0[1]*o.v0[2], o.v1[1]*o.v1[2]
	batch := o.v0[0]
	g := gemmFor[T](numWorkers(batch))
	if k == 0 {
		clear(c)
		return
	}
	// parallelFor only fails on a panic in gemm, which the op's recover reports.
	if err := parallelFor(batch, func(_, lo, hi int) error {
		for i := lo; i < hi; i++ {
			g.gemm(tA, tB, n, m, k, 1, a[i*sizeA:(i+1)*sizeA], lda, b[i*sizeB:(i+1)*sizeB], ldb, 0, c[i*n*m:(i+1)*n*m], m)
		}
		return nil
	}); err != nil {
		panic(err)
	}
}
