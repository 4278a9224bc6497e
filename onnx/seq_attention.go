package onnx

import (
	"math"
	"strings"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// mhaWeights are a MultiHeadAttention's kernels and biases (nil biases without
// use_bias), found by their names.
type mhaWeights struct {
	kernel, bias [4]*graph.Param // query, key, value, output
}

var mhaParts = [4]string{"query", "key", "value", "output"}

func attentionWeights(l *layers.MultiHeadAttentionLayer) (mhaWeights, error) {
	var w mhaWeights
	for _, p := range l.Params() {
		for i, part := range mhaParts {
			switch {
			case strings.HasSuffix(p.Name, "/"+part+"/kernel"):
				w.kernel[i] = p
			case strings.HasSuffix(p.Name, "/"+part+"/bias"):
				w.bias[i] = p
			}
		}
	}
	for i, k := range w.kernel {
		if k == nil {
			return w, errors.Errorf("no %s kernel among the weights (layer not built?)", mhaParts[i])
		}
	}
	return w, nil
}

// mhaCall is one call of MultiHeadAttention: the values of query, value and key,
// their steps, and the masks ("" for none) of the query and of the keys.
type mhaCall struct {
	query, value, key string
	tq, tv            int
	qMask, kMask      string
	causal            bool
}

// attention writes the call and returns the output (batch, tq, out) and the
// attention weights (batch, heads, tq, tv). Like gokeras: projections x·W + b with
// the kernels flattened to (d, heads·keyDim), the queries scaled by 1/√keyDim,
// softmax over the keys, and with masks the keep mask M = qMask·kMask·causal:
// weights = softmax(s + (1-M)·(-1e9))·M, so masked keys get no weight and a
// masked query step (or one whose keys are all masked) attends to nothing.
func mhaAttention(c *Context, l *layers.MultiHeadAttentionLayer, a mhaCall) (out, weights string, err error) {
	w, err := attentionWeights(l)
	if err != nil {
		return "", "", err
	}
	h, d := l.NumHeads(), l.KeyDim()
	proj := func(x string, i int) (string, error) {
		k, err := c.ParamFunc(w.kernel[i], "matrix", func(shape []int, data []float64) ([]int, []float64, error) {
			if i == 3 { // (heads, keyDim, out)
				return []int{h * d, shape[len(shape)-1]}, data, nil
			}
			return []int{shape[0], h * d}, data, nil // (d, heads, keyDim)
		})
		if err != nil {
			return "", err
		}
		y := c.Op("MatMul", []string{x, k})
		if w.bias[i] == nil {
			return y, nil
		}
		b, err := c.ParamFunc(w.bias[i], "vector", func(shape []int, data []float64) ([]int, []float64, error) {
			return []int{len(data)}, data, nil
		})
		if err != nil {
			return "", err
		}
		return c.Op("Add", []string{y, b}), nil
	}
	q, err := proj(a.query, 0)
	if err != nil {
		return "", "", errors.Wrap(err, "query")
	}
	k, err := proj(a.key, 1)
	if err != nil {
		return "", "", errors.Wrap(err, "key")
	}
	v, err := proj(a.value, 2)
	if err != nil {
		return "", "", errors.Wrap(err, "value")
	}
	q = c.Op("Mul", []string{q, c.Scalar("scale", 1/math.Sqrt(float64(d)))})
	split := func(x string, perm ...int) string { // (B, T, H·D) -> heads
		r := c.Op("Reshape", []string{x, c.Ints("split_shape", 0, -1, h, d)})
		return c.Op("Transpose", []string{r}, AttrInts("perm", perm...))
	}
	qh := split(q, 0, 2, 1, 3)                 // (B, H, Tq, D)
	kt := split(k, 0, 2, 3, 1)                 // (B, H, D, Tv)
	vh := split(v, 0, 2, 1, 3)                 // (B, H, Tv, D)
	scores := c.Op("MatMul", []string{qh, kt}) // (B, H, Tq, Tv)
	keep, err := keepMask(c, a)
	if err != nil {
		return "", "", err
	}
	if keep == "" {
		weights = c.Op("Softmax", []string{scores}, AttrInt("axis", -1))
	} else {
		pen := c.Op("Mul", []string{c.Op("Sub", []string{c.Scalar("one", 1), keep}), c.Scalar("mask_negative", graph.AttentionMaskNegative)})
		sm := c.Op("Softmax", []string{c.Op("Add", []string{scores, pen})}, AttrInt("axis", -1))
		weights = c.Op("Mul", []string{sm, keep})
	}
	att := c.Op("MatMul", []string{weights, vh})                         // (B, H, Tq, D)
	att = c.Op("Transpose", []string{att}, AttrInts("perm", 0, 2, 1, 3)) // (B, Tq, H, D)
	merged := c.Op("Reshape", []string{att, c.Ints("merge_shape", 0, -1, h*d)})
	if out, err = proj(merged, 3); err != nil {
		return "", "", errors.Wrap(err, "output")
	}
	return out, weights, nil
}

// keepMask returns the keep mask of a call, broadcastable to (B, H, Tq, Tv), or ""
// when nothing is masked.
func keepMask(c *Context, a mhaCall) (string, error) {
	var parts []string
	if a.causal {
		tri := make([]float64, a.tq*a.tv)
		for i := 0; i < a.tq; i++ {
			for j := 0; j <= i && j < a.tv; j++ {
				tri[i*a.tv+j] = 1
			}
		}
		m, err := c.Const("causal_mask", []int{a.tq, a.tv}, tri)
		if err != nil {
			return "", err
		}
		parts = append(parts, m)
	}
	if a.qMask != "" {
		parts = append(parts, seqUnsqueeze(c, a.qMask, 1, 3)) // (B, 1, Tq, 1)
	}
	if a.kMask != "" {
		parts = append(parts, seqUnsqueeze(c, a.kMask, 1, 2)) // (B, 1, 1, Tv)
	}
	if len(parts) == 0 {
		return "", nil
	}
	m := parts[0]
	for _, p := range parts[1:] {
		m = c.Op("Mul", []string{m, p})
	}
	return m, nil
}

// seqMultiHeadAttention is MultiHeadAttention(query, value[, key]); the output
// carries the query's mask.
func seqMultiHeadAttention(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.MultiHeadAttentionLayer)
	if !ok {
		return nil, errors.Errorf("not a MultiHeadAttention layer (%T)", c.Layer())
	}
	ins, specs := c.Inputs(), c.InputSpecs()
	if len(ins) != 2 && len(ins) != 3 {
		return nil, errors.Errorf("%d inputs, want query, value[, key]", len(ins))
	}
	a := mhaCall{query: ins[0], value: ins[1], key: ins[1], tq: specs[0].Shape[0], tv: specs[1].Shape[0],
		qMask: inputMask(c, 0), kMask: inputMask(c, 1), causal: c.BoolConfig("use_causal_mask", false)}
	if len(ins) == 3 {
		a.key = ins[2]
		if km := inputMask(c, 2); km != "" {
			if a.kMask == "" {
				a.kMask = km
			} else {
				a.kMask = c.Op("Mul", []string{a.kMask, km})
			}
		}
	}
	y, w, err := mhaAttention(c, l, a)
	if err != nil {
		return nil, err
	}
	setMask(c, y, a.qMask)
	outs := []string{y}
	if len(c.OutputSpecs()) == 2 {
		outs = append(outs, w)
	}
	return outs, nil
}

// seqBlock is what the transformer blocks expose.
type seqBlock interface {
	Attention() *layers.MultiHeadAttentionLayer
	AttentionNorm() *layers.LayerNormLayer
	FeedForwardNorm() *layers.LayerNormLayer
	FeedForward() (intermediate, output *layers.DenseLayer)
	NormalizeFirst() bool
}

// seqTransformer is TransformerEncoder and TransformerDecoder (causal) at
// inference (dropout is the identity):
//
//	post-norm: x = LN1(x + MHA(x, x)); y = LN2(x + FFN(x))
//	pre-norm:  x = x + MHA(LN1(x), LN1(x)); y = x + FFN(LN2(x))
//
// The input's mask masks the attention's queries and keys and passes to the
// output.
func seqTransformer(c *Context) ([]string, error) {
	b, ok := c.Layer().(seqBlock)
	if !ok || b.Attention() == nil {
		return nil, errors.Errorf("not a built transformer block (%T)", c.Layer())
	}
	x, mask := c.Inputs()[0], inputMask(c, 0)
	s := c.InputSpecs()[0].Shape
	if len(s) != 2 {
		return nil, errors.Errorf("input shape %v is not (steps, width)", s)
	}
	causal := c.Layer().Type() == "TransformerDecoder"
	h := x
	var err error
	if b.NormalizeFirst() {
		if h, err = seqLayerNorm(c, b.AttentionNorm(), x); err != nil {
			return nil, errors.Wrap(err, "attention layer norm")
		}
	}
	a, _, err := mhaAttention(c, b.Attention(), mhaCall{query: h, value: h, key: h, tq: s[0], tv: s[0], qMask: mask, kMask: mask, causal: causal})
	if err != nil {
		return nil, errors.Wrap(err, "self attention")
	}
	y := c.Op("Add", []string{a, x})
	if !b.NormalizeFirst() {
		if y, err = seqLayerNorm(c, b.AttentionNorm(), y); err != nil {
			return nil, errors.Wrap(err, "attention layer norm")
		}
	}
	f := y
	if b.NormalizeFirst() {
		if f, err = seqLayerNorm(c, b.FeedForwardNorm(), y); err != nil {
			return nil, errors.Wrap(err, "feed-forward layer norm")
		}
	}
	in, outD := b.FeedForward()
	for _, d := range []*layers.DenseLayer{in, outD} {
		if f, err = seqDense(c, d, f); err != nil {
			return nil, errors.Wrapf(err, "feed-forward %s", d.Name())
		}
	}
	out := c.Op("Add", []string{f, y})
	if !b.NormalizeFirst() {
		if out, err = seqLayerNorm(c, b.FeedForwardNorm(), out); err != nil {
			return nil, errors.Wrap(err, "feed-forward layer norm")
		}
	}
	setMask(c, out, mask)
	return []string{out}, nil
}

// dense writes a Dense sublayer: x·kernel + bias, then its activation.
func seqDense(c *Context, d *layers.DenseLayer, x string) (string, error) {
	w, err := c.Param(d.Kernel())
	if err != nil {
		return "", err
	}
	y := c.Op("MatMul", []string{x, w})
	if d.Bias() != nil {
		b, err := c.Param(d.Bias())
		if err != nil {
			return "", err
		}
		y = c.Op("Add", []string{y, b})
	}
	act, _ := d.Config().Config["activation"].(string)
	return c.Activation(act, y)
}
