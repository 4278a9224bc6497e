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
		rows32(o.kind, xs, gs, out.Data().([]float32), cols)
	case []float64:
		var gs []float64
		if g != nil {
			gs = g.Data().([]float64)
		}
		rows64(o.kind, xs, gs, out.Data().([]float64), cols)
	default:
		return nil, checkFloat(o.name, x.Dtype())
	}
	return out, nil
}

// rowKernel computes one row of kind k in float64; x and g are the row's inputs.
func rowKernel(k rowKind, x, g, y []float64) {
	switch k {
	case rowSoftmax, rowLogSoftmax:
		m := math.Inf(-1)
		for _, v := range x {
			m = math.Max(m, v)
		}
		var s float64
		for _, v := range x {
			s += math.Exp(v - m)
		}
		if k == rowSoftmax {
			for i, v := range x {
				y[i] = math.Exp(v-m) / s
			}
			return
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
			y[i] = g[i] - math.Exp(v)*s
		}
	}
}

func rows64(k rowKind, x, g, y []float64, cols int) {
	for r := 0; r+cols <= len(x); r += cols {
		var gr []float64
		if g != nil {
			gr = g[r : r+cols]
		}
		rowKernel(k, x[r:r+cols], gr, y[r:r+cols])
	}
}

func rows32(k rowKind, x, g, y []float32, cols int) {
	xb, gb, yb := make([]float64, cols), make([]float64, cols), make([]float64, cols)
	for r := 0; r+cols <= len(x); r += cols {
		for i := 0; i < cols; i++ {
			xb[i] = float64(x[r+i])
			if g != nil {
				gb[i] = float64(g[r+i])
			}
		}
		rowKernel(k, xb, gb, yb)
		for i := 0; i < cols; i++ {
			y[r+i] = float32(yb[i])
		}
	}
}
