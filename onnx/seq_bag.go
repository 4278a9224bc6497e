package onnx

import (
	pb "github.com/advancedclimatesystems/gonnx/onnx"
	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// seqEmbeddingBag is EmbeddingBag: ids (batch, maxlen) → (batch, dim), the rows of
// the ids that are not the padding id added ("sum"), averaged ("mean") or divided
// by the square root of their count ("sqrtn"); a bag of padding only gives zeros.
// Padding slots are looked up as id 0 and multiplied by zero, so a padding id of
// -1 reads no row. Other ids out of [0, vocab) fail the run in ONNX Runtime, as in
// gokeras (see seqEmbedding).
func seqEmbeddingBag(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.EmbeddingBagLayer)
	if !ok {
		return nil, errors.Errorf("not an EmbeddingBag layer (%T)", c.Layer())
	}
	w, err := c.Param(l.Table())
	if err != nil {
		return nil, err
	}
	ids, dt := c.Inputs()[0], c.InputSpecs()[0].DType
	pad, err := intConst(c, "padding_id", dt, l.PaddingID())
	if err != nil {
		return nil, err
	}
	zero, err := intConst(c, "zero_id", dt, 0)
	if err != nil {
		return nil, err
	}
	keepB := c.Op("Not", []string{c.Op("Equal", []string{ids, pad})}) // (B, L) bool
	safe, err := outOfRange(c, c.Op("Where", []string{keepB, ids, zero}), dt, l.Vocab())
	if err != nil {
		return nil, err
	}
	keep, err := seqCast(c, keepB)
	if err != nil {
		return nil, err
	}
	rows := c.Op("Gather", []string{w, safe}, AttrInt("axis", 0)) // (B, L, D)
	sum := c.Op("ReduceSum", []string{c.Op("Mul", []string{rows, seqUnsqueeze(c, keep, -1)}), c.Ints("axes", 1)}, AttrInt("keepdims", 0))
	if l.Combiner() == graph.BagSum {
		return []string{sum}, nil
	}
	n := c.Op("Max", []string{c.Op("ReduceSum", []string{keep, c.Ints("axes", 1)}, AttrInt("keepdims", 1)), c.Scalar("one", 1)}) // (B, 1)
	switch l.Combiner() {
	case graph.BagMean:
	case graph.BagSqrtN:
		n = c.Op("Sqrt", []string{n})
	default:
		return nil, errors.Errorf("combiner %q has no ONNX form", l.Combiner())
	}
	return []string{c.Op("Div", []string{sum, n})}, nil
}

// intConst adds a scalar initializer of integer dtype dt (Int32, Int64 or Int).
func intConst(c *Context, hint string, dt tensor.Dtype, v int) (string, error) {
	name := c.Fresh(hint)
	switch dt {
	case tensor.Int64, tensor.Int:
		c.e.g.Initializer = append(c.e.g.Initializer, int64Tensor(name, []int{}, []int64{int64(v)}))
	case tensor.Int32:
		c.e.g.Initializer = append(c.e.g.Initializer, &pb.TensorProto{Name: name, DataType: int32(pb.TensorProto_INT32), Int32Data: []int32{int32(v)}})
	default:
		return "", errors.Errorf("ids of dtype %v are not integers", dt)
	}
	return name, nil
}
