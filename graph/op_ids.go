package graph

import (
	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The ops that map each value of a tensor (B, ...) to an Int64 id, giving a tensor
// of the same shape (lookupOp, discretizeOp), share their type and arguments.

// idsType is the type of an op mapping a tensor of dims axes and dtype in to Int64
// ids of the same shape.
func idsType(dims int, in tensor.Dtype) hm.Type {
	return hm.NewFnType(G.TensorType{Dims: dims, Of: in}, G.TensorType{Dims: dims, Of: tensor.Int64})
}

// idsArgs returns the one input x, of shape (B, ...), of an op mapping its values
// to Int64 ids; out, the Int64 output of x's shape (prealloc when it fits); size,
// the number of values; and per, the number of values per example (1 for an empty
// batch), so that value i lies at example i/per, position i%per.
func idsArgs(name string, prealloc G.Value, in []G.Value) (x, out *tensor.Dense, size, per int, err error) {
	args, err := denseArgs(name, 1, in)
	if err != nil {
		return nil, nil, 0, 0, err
	}
	x = args[0]
	size = x.Shape().TotalSize()
	per = 1
	if x.Shape()[0] > 0 {
		per = size / x.Shape()[0]
	}
	return x, outputLike(prealloc, tensor.Int64, x.Shape()), size, per, nil
}
