package onnx

import (
	"fmt"

	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// seqEmbedding is Embedding: Gather of the (vocab, dim) table on the ids. The
// graph input keeps the ids' dtype (int32 or int64, both of which Gather takes).
// With mask_zero the output's mask is ids != 0.
//
// Ids out of range: gokeras stops with an error naming the value. ONNX's Gather
// would read a negative id in [-vocab, -1] from the end of the table, so negative
// ids are replaced by vocab first (outOfRange): ONNX Runtime then fails the
// run ("indices element out of data bounds") for every id outside [0, vocab), as
// gokeras does. The ONNX specification calls an out-of-bounds index an error
// without saying how a runtime reports it: feed ids in [0, vocab).
func seqEmbedding(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.EmbeddingLayer)
	if !ok {
		return nil, errors.Errorf("not an Embedding layer (%T)", c.Layer())
	}
	w, err := c.Param(l.Table())
	if err != nil {
		return nil, err
	}
	ids := c.Inputs()[0]
	safe, err := outOfRange(c, ids, c.InputSpecs()[0].DType, l.Vocab())
	if err != nil {
		return nil, err
	}
	y := c.Op("Gather", []string{w, safe}, AttrInt("axis", 0))
	if l.MaskZero() {
		f, err := seqCast(c, ids) // any id != 0 stays != 0 as a float
		if err != nil {
			return nil, err
		}
		m, err := seqCast(c, c.Op("Not", []string{c.Op("Equal", []string{f, c.Scalar("zero", 0)})}))
		if err != nil {
			return nil, err
		}
		setMask(c, y, m)
	}
	return []string{y}, nil
}

// outOfRange returns ids with every negative id replaced by vocab, an index
// Gather refuses (instead of reading it from the end of the table).
func outOfRange(c *Context, ids string, dt tensor.Dtype, vocab int) (string, error) {
	zero, err := intConst(c, "zero_id", dt, 0)
	if err != nil {
		return "", err
	}
	bad, err := intConst(c, "out_of_range_id", dt, vocab)
	if err != nil {
		return "", err
	}
	return c.Op("Where", []string{c.Op("Less", []string{ids, zero}), bad, ids}), nil
}

// seqPositionalEmbedding adds the first steps rows of the learned (maxLen, dim)
// table to x (batch, steps, dim); the mask passes.
func seqPositionalEmbedding(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.PositionalEmbeddingLayer)
	if !ok {
		return nil, errors.Errorf("not a PositionalEmbedding layer (%T)", c.Layer())
	}
	s := c.InputSpecs()[0].Shape
	if len(s) != 2 {
		return nil, errors.Errorf("input shape %v is not (steps, dim)", s)
	}
	steps, dim := s[0], s[1]
	pe, err := c.ParamFunc(l.Embeddings(), fmt.Sprintf("first_%d", steps), func(shape []int, data []float64) ([]int, []float64, error) {
		if len(shape) != 2 || shape[0] < steps || shape[1] != dim {
			return nil, nil, errors.Errorf("table %v has no %d rows of %d", shape, steps, dim)
		}
		return []int{steps, dim}, data[:steps*dim], nil
	})
	if err != nil {
		return nil, err
	}
	y := c.Op("Add", []string{c.Inputs()[0], pe})
	setMask(c, y, inputMask(c, 0))
	return []string{y}, nil
}

// seqSinusoidalEncoding adds the fixed (steps, dim) sine/cosine table to x; the
// mask passes.
func seqSinusoidalEncoding(c *Context) ([]string, error) {
	s := c.InputSpecs()[0].Shape
	if len(s) != 2 {
		return nil, errors.Errorf("input shape %v is not (steps, dim)", s)
	}
	pe, err := c.Const("encoding", s, layers.SinusoidalTable(s[0], s[1]))
	if err != nil {
		return nil, err
	}
	y := c.Op("Add", []string{c.Inputs()[0], pe})
	setMask(c, y, inputMask(c, 0))
	return []string{y}, nil
}

// seqLayerNormalization is LayerNormalization over the last axis; the mask passes.
func seqLayerNormalization(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.LayerNormLayer)
	if !ok {
		return nil, errors.Errorf("not a LayerNormalization layer (%T)", c.Layer())
	}
	y, err := seqLayerNorm(c, l, c.Inputs()[0])
	if err != nil {
		return nil, err
	}
	setMask(c, y, inputMask(c, 0))
	return []string{y}, nil
}

// layerNorm writes (x - mean)/sqrt(var + eps)·gamma + beta over the last axis of
// x: ONNX's LayerNormalization at opset 17, the same from primitive operators
// below.
func seqLayerNorm(c *Context, l *layers.LayerNormLayer, x string) (string, error) {
	gamma, err := c.Param(l.Gamma())
	if err != nil {
		return "", err
	}
	beta, err := c.Param(l.Beta())
	if err != nil {
		return "", err
	}
	if c.Opset() >= 17 {
		return c.Op("LayerNormalization", []string{x, gamma, beta}, AttrInt("axis", -1), AttrFloat("epsilon", l.Epsilon())), nil
	}
	mean := c.Op("ReduceMean", []string{x}, AttrInts("axes", -1), AttrInt("keepdims", 1))
	d := c.Op("Sub", []string{x, mean})
	v := c.Op("ReduceMean", []string{c.Op("Mul", []string{d, d})}, AttrInts("axes", -1), AttrInt("keepdims", 1))
	sd := c.Op("Sqrt", []string{c.Op("Add", []string{v, c.Scalar("epsilon", l.Epsilon())})})
	y := c.Op("Mul", []string{c.Op("Div", []string{d, sd}), gamma})
	return c.Op("Add", []string{y, beta}), nil
}

// seqRepeatVector is RepeatVector(n): x (batch, features) becomes (batch, n,
// features).
func seqRepeatVector(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.RepeatVectorLayer)
	if !ok {
		return nil, errors.Errorf("not a RepeatVector layer (%T)", c.Layer())
	}
	x3 := seqUnsqueeze(c, c.Inputs()[0], 1)
	return []string{c.Op("Tile", []string{x3, c.Ints("repeats", 1, l.N(), 1)})}, nil
}

// seqTimeDistributed folds the steps into the batch, converts the wrapped layer
// on (batch·steps, ...) and unfolds its output to (batch, steps, ...); the mask
// passes.
func seqTimeDistributed(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.TimeDistributedLayer)
	if !ok {
		return nil, errors.Errorf("not a TimeDistributed layer (%T)", c.Layer())
	}
	in, out := c.InputSpecs()[0].Shape, c.OutputSpecs()[0].Shape
	if len(in) < 2 || len(out) < 1 {
		return nil, errors.Errorf("input shape %v, output shape %v: no steps axis", in, out)
	}
	xf := c.Op("Reshape", []string{c.Inputs()[0], c.Ints("folded", append([]int{-1}, in[1:]...)...)})
	ys, err := c.Convert(l.Layer(), []string{xf})
	if err != nil {
		return nil, errors.Wrapf(err, "wrapped layer %q", l.Layer().Name())
	}
	if len(ys) != 1 {
		return nil, errors.Errorf("wrapped layer %q gives %d outputs, want 1", l.Layer().Name(), len(ys))
	}
	y := c.Op("Reshape", []string{ys[0], c.Ints("unfolded", append([]int{-1}, out...)...)})
	setMask(c, y, inputMask(c, 0))
	return []string{y}, nil
}
