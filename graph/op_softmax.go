package graph

import (
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// rowKind selects what a rowOp computes over the last axis.
type rowKind int

const (
	rowSoftmax rowKind = iota
	rowLogSoftmax
	rowSoftmaxGrad    // inputs (y, g): y * (g - sum(g*y))
	rowLogSoftmaxGrad // inputs (y, g): g - exp(y) * sum(g)
)

var rowNames = [...]string{"softmax", "log_softmax", "softmax_grad", "log_softmax_grad"}

// rowOp is softmax, log-softmax or one of their gradients over the last axis. Each
// row is shifted by its own maximum (Gorgonia's SoftMax shifts by the maximum of the
// whole tensor and overflows when rows differ by ~90 in float32).
type rowOp struct {
	opBase
	kind rowKind
}

func newRowOp(k rowKind) rowOp {
	arity := 1
	if k >= rowSoftmaxGrad {
		arity = 2
	}
	return rowOp{opBase{name: rowNames[k], arity: arity}, k}
}

// Softmax is exp(x) / sum(exp(x)) over the last axis, stable for any logits.
func Softmax(x *G.Node) (n *G.Node, err error) {
	defer recoverOp(&err, "softmax")
	n, err = G.ApplyOp(newRowOp(rowSoftmax), x)
	return n, errors.Wrap(err, "softmax")
}

// LogSoftmax is x - log(sum(exp(x))) over the last axis, stable for any logits
// (rows whose logits differ by 1000 stay finite in float32).
func LogSoftmax(x *G.Node) (n *G.Node, err error) {
	defer recoverOp(&err, "log_softmax")
	n, err = G.ApplyOp(newRowOp(rowLogSoftmax), x)
	return n, errors.Wrap(err, "log_softmax")
}

func (o rowOp) Type() hm.Type                                     { return o.sameTypeFn() }
func (o rowOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return o.firstShape(in...) }
func (o rowOp) Do(in ...G.Value) (G.Value, error)                 { return o.UsePreallocDo(nil, in...) }

func (o rowOp) DiffWRT(n int) []bool {
	out := make([]bool, n)
	if o.kind < rowSoftmaxGrad {
		for i := range out {
			out[i] = true
		}
	}
	return out
}

func (o rowOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	k := rowSoftmaxGrad
	if o.kind == rowLogSoftmax {
		k = rowLogSoftmaxGrad
	}
	if o.kind >= rowSoftmaxGrad {
		return nil, errors.Errorf("%s has no gradient", o.name)
	}
	n, err := G.ApplyOp(newRowOp(k), output, grad)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %s", o.name)
	}
	return G.Nodes{n}, nil
}

func (o rowOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	args, err := denseArgs(o.name, o.arity, in)
	if err != nil {
		return nil, err
	}
	x := args[0]
	shape := x.Shape()
	if shape.Dims() == 0 {
		return nil, errors.Errorf("%s: needs at least one axis, got a scalar", o.name)
	}
	cols := shape[shape.Dims()-1]
	out := outputLike(prealloc, x.Dtype(), shape)
	var g *tensor.Dense
	if o.arity == 2 {
		g = args[1]
		if g.Dtype() != x.Dtype() || g.Shape().TotalSize() != shape.TotalSize() {
			return nil, errors.Errorf("%s: output %v and gradient %v differ", o.name, shape, g.Shape())
		}
	}
	switch xs := x.Data().(type) {
	case []float32:
		var gs []float32
		if g != nil {
			gs = g.Data().([]float32)
		}
		err = rows32(o.kind, xs, gs, out.Data().([]float32), cols)
	case []float64:
		var gs []float64
		if g != nil {
			gs = g.Data().([]float64)
		}
		err = rows64(o.kind, xs, gs, out.Data().([]float64), cols)
	default:
		return nil, checkFloat(o.name, x.Dtype())
	}
	if err != nil {
		return nil, errors.Wrap(err, o.name)
	}
	return out, nil
}

// rowKernel computes one row of kind k in float64 with the exponential exp (math.Exp
// for float64 data, exp32 for float32); x and g are the row's inputs.
func rowKernel(k rowKind, x, g, y []float64, exp func(float64) float64) {
	switch k {
	case rowSoftmax, rowLogSoftmax:
		m := rowMax(x)
		var s float64
		if k == rowSoftmax {
			for i, v := range x {
				y[i] = exp(v - m)
				s += y[i]
			}
			for i := range y {
				y[i] /= s
			}
			return
		}
		for _, v := range x {
			s += exp(v - m)
		}
		ls := math.Log(s)
		for i, v := range x {
			y[i] = v - m - ls
		}
	case rowSoftmaxGrad:
		var dot float64
		for i, v := range x {
			dot += v * g[i]
		}
		for i, v := range x {
			y[i] = v * (g[i] - dot)
		}
	case rowLogSoftmaxGrad:
		var s float64
		for _, v := range g {
			s += v
		}
		for i, v := range x {
			y[i] = g[i] - exp(v)*s
		}
	}
}

// rows64 computes the rows of kind k, split across cores when the tensor is large.
func rows64(k rowKind, x, g, y []float64, cols int) error {
	if cols == 0 {
		return nil
	}
	return parallelRows(len(x)/cols, cols, func(_, lo, hi int) error {
		for r := lo * cols; r < hi*cols; r += cols {
			var gr []float64
			if g != nil {
				gr = g[r : r+cols]
			}
			rowKernel(k, x[r:r+cols], gr, y[r:r+cols], math.Exp)
		}
		return nil
	})
}

// rows32 computes the rows of kind k of float32 data: each row is widened into a
// float64 scratch row of its worker, computed (with exp32) and rounded once (no
// float64 copy of the tensor); the rows are split across cores when the tensor is
// large.
func rows32(k rowKind, x, g, y []float32, cols int) error {
	if cols == 0 {
		return nil
	}
	return parallelRows(len(x)/cols, cols, func(_, lo, hi int) error {
		xb, gb, yb := make([]float64, cols), make([]float64, cols), make([]float64, cols)
		for r := lo * cols; r < hi*cols; r += cols {
			for i := 0; i < cols; i++ {
				xb[i] = float64(x[r+i])
				if g != nil {
					gb[i] = float64(g[r+i])
				}
			}
			rowKernel(k, xb, gb, yb, exp32)
			for i := 0; i < cols; i++ {
				y[r+i] = float32(yb[i])
			}
		}
		return nil
	})
}

// exp32 is e^x in float64 arithmetic to about 1e-12 relative error, far inside
// float32 precision: the float32 kernels of this package use it where the float64
// ones use math.Exp (several times slower). x = (32k + j)·ln2/32 + r with |r| <=
// ln2/64: e^x = 2^k · 2^(j/32) (a table) · e^r (its Taylor polynomial of degree 5).
func exp32(x float64) float64 {
	const (
		shifter = 0x1.8p52 // adding it rounds to an integer
		inv     = 32 / math.Ln2
		ln2Hi   = 6.93147180369123816490e-01 / 32 // ln2 in two parts (as math.Exp)
		ln2Lo   = 1.90821492927058770002e-10 / 32
	)
	if !(x > -708 && x < 709.7) { // NaN, overflow, subnormal results and underflow
		return math.Exp(x)
	}
	n := float64(x*inv+shifter) - shifter
	r := x - n*ln2Hi - n*ln2Lo
	i := int64(n)
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120)))))
	return p * exp2Table[i&31] * math.Float64frombits(uint64((i>>5)+1023)<<52)
}

// exp2Table holds 2^(j/32) for j in [0, 32).
var exp2Table = func() (t [32]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / 32)
	}
	return t
}()
