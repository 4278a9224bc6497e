package graph

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The combiners of EmbeddingBag: how the rows of a bag are pooled.
const (
	// BagSum adds the rows of the bag's ids.
	BagSum = "sum"
	// BagMean averages them over the bag's ids that are not padding.
	BagMean = "mean"
	// BagSqrtN adds them and divides by the square root of the number of ids that
	// are not padding (TensorFlow's "sqrtn" combiner).
	BagSqrtN = "sqrtn"
)

// BagCombiners lists the combiners EmbeddingBag takes.
func BagCombiners() []string { return []string{BagSum, BagMean, BagSqrtN} }

// bagOp pools the table rows of bags of ids: table (V, D) and ids (B, L) give
// (B, D). Its gradient with respect to the table is bagGradOp.
type bagOp struct {
	opBase
	v, d     int
	combiner string
	pad      int64
}

// bagGradOp scatters the upstream rows (B, D), scaled as the combiner scaled them,
// into a zero table (V, D) at the ids of each bag (B, L): the gradient of bagOp.
// It is not differentiable.
type bagGradOp struct {
	opBase
	noDiff
	v, d     int
	combiner string
	pad      int64
}

// EmbeddingBag pools embedding rows over bags of ids, like PyTorch's
// nn.EmbeddingBag with padding_idx and TensorFlow's embedding_lookup_sparse: table
// of shape (V, D) (float32 or float64), ids an integer tensor (Int, Int32 or Int64)
// of shape (B, L), one bag of at most L ids per example; the result has shape
// (B, D) and the table's dtype. A slot holding pad is padding: it adds nothing and
// does not count. combiner is BagSum (Σ table[id]), BagMean (the sum divided by the
// number of ids that are not padding) or BagSqrtN (divided by its square root). A
// bag of padding only gives zeros (no NaN). pad may lie outside [0, V) (-1, say):
// then every row of the table is a real id. The gradient with respect to the table
// adds each bag's upstream row, scaled as the combiner scaled it, at its ids
// (repeated ids accumulate; the padding row gets nothing); ids get no gradient. An
// id outside [0, V) that is not pad makes the run fail with an *IndexError naming
// the example (row of ids) and the position within the bag. Sums accumulate in
// float64.
func EmbeddingBag(table, ids *G.Node, combiner string, pad int64) (n *G.Node, err error) {
	defer recoverOp(&err, "embedding_bag")
	ts, is := table.Shape(), ids.Shape()
	if ts.Dims() != 2 || ts[0] < 1 || ts[1] < 1 {
		return nil, errors.Errorf("embedding_bag: table shape %v is not (rows, dims)", ts)
	}
	if err := checkFloat("embedding_bag: table", table.Dtype()); err != nil {
		return nil, err
	}
	if err := checkInt("embedding_bag: ids", ids.Dtype()); err != nil {
		return nil, err
	}
	if is.Dims() != 2 || is[1] < 1 {
		return nil, errors.Errorf("embedding_bag: ids shape %v is not (batch, bag length)", is)
	}
	if err := checkCombiner(combiner); err != nil {
		return nil, errors.Wrap(err, "embedding_bag")
	}
	op := bagOp{opBase{name: fmt.Sprintf("embedding_bag(%d,%d,%s,%d)", ts[0], ts[1], combiner, pad), arity: 2}, ts[0], ts[1], combiner, pad}
	n, err = G.ApplyOp(op, table, ids)
	return n, errors.Wrap(err, "embedding_bag")
}

// checkCombiner returns an error unless c is one of BagCombiners.
func checkCombiner(c string) error {
	for _, ok := range BagCombiners() {
		if c == ok {
			return nil
		}
	}
	return errors.Errorf("combiner %q (valid: %s, %s, %s)", c, BagSum, BagMean, BagSqrtN)
}

func (o bagOp) Type() hm.Type {
	tbl, ids, _ := gatherType(2)
	return hm.NewFnType(tbl, ids, tbl)
}

func (o bagOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, errors.Errorf("%s: expected 2 inputs, got %d", o.name, len(in))
	}
	s, ok := in[1].(tensor.Shape)
	if !ok || s.Dims() != 2 {
		return nil, errors.Errorf("%s: ids have no (batch, bag length) shape", o.name)
	}
	return tensor.Shape{s[0], o.d}, nil
}

func (o bagOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }
func (o bagOp) DiffWRT(int) []bool                { return []bool{true, false} }

func (o bagOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	op := bagGradOp{opBase{name: "embedding_bag_grad" + o.name[len("embedding_bag"):], arity: 2}, noDiff{}, o.v, o.d, o.combiner, o.pad}
	n, err := G.ApplyOp(op, inputs[1], grad)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %s", o.name)
	}
	return G.Nodes{n, nil}, nil
}

func (o bagOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	args, err := denseArgs(o.name, 2, in)
	if err != nil {
		return nil, err
	}
	table, ids := args[0], args[1]
	if !table.Shape().Eq(tensor.Shape{o.v, o.d}) || ids.Dims() != 2 {
		return nil, errors.Errorf("%s: table %v and ids %v do not fit", o.name, table.Shape(), ids.Shape())
	}
	b, l := ids.Shape()[0], ids.Shape()[1]
	out := outputLike(prealloc, table.Dtype(), tensor.Shape{b, o.d})
	switch ts := table.Data().(type) {
	case []float32:
		err = bagIDs(o, ts, ids, out.Data().([]float32), b, l, false)
	case []float64:
		err = bagIDs(o, ts, ids, out.Data().([]float64), b, l, false)
	default:
		return nil, checkFloat(o.name, table.Dtype())
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (o bagGradOp) Type() hm.Type {
	tbl, ids, _ := gatherType(2)
	return hm.NewFnType(ids, tbl, tbl)
}

func (o bagGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{o.v, o.d}, nil
}

func (o bagGradOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

func (o bagGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	args, err := denseArgs(o.name, 2, in)
	if err != nil {
		return nil, err
	}
	ids, g := args[0], args[1]
	if ids.Dims() != 2 || g.Shape().TotalSize() != ids.Shape()[0]*o.d {
		return nil, errors.Errorf("%s: ids %v and gradient %v do not fit", o.name, ids.Shape(), g.Shape())
	}
	b, l := ids.Shape()[0], ids.Shape()[1]
	out := outputLike(prealloc, g.Dtype(), tensor.Shape{o.v, o.d})
	fwd := bagOp{o.opBase, o.v, o.d, o.combiner, o.pad}
	switch gs := g.Data().(type) {
	case []float32:
		err = bagIDs(fwd, out.Data().([]float32), ids, gs, b, l, true)
	case []float64:
		err = bagIDs(fwd, out.Data().([]float64), ids, gs, b, l, true)
	default:
		return nil, checkFloat(o.name, g.Dtype())
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// bagIDs dispatches on the ids' dtype: forward (scatter false) pools table rows
// into rows (B, D); backward (scatter true) adds the scaled rows (B, D) into the
// zeroed table gradient.
func bagIDs[T float](o bagOp, table []T, ids *tensor.Dense, rows []T, b, l int, scatter bool) error {
	switch x := ids.Data().(type) {
	case []int:
		return bagRows(o, table, x[:b*l], rows, l, scatter)
	case []int32:
		return bagRows(o, table, x[:b*l], rows, l, scatter)
	case []int64:
		return bagRows(o, table, x[:b*l], rows, l, scatter)
	}
	return checkInt("ids", ids.Dtype())
}

// bagScale is what the combiner multiplies a bag's sum by, for n ids that are not
// padding: 1, 1/n or 1/√n, and 0 for an empty bag.
func bagScale(combiner string, n int) float64 {
	switch {
	case n == 0:
		return 0
	case combiner == BagMean:
		return 1 / float64(n)
	case combiner == BagSqrtN:
		return 1 / math.Sqrt(float64(n))
	}
	return 1
}

// bagRows checks every id first (an *IndexError for one outside [0, V) that is not
// padding), then pools (forward) or scatters (backward) bag by bag.
func bagRows[T float, I idInt](o bagOp, table []T, ids []I, rows []T, l int, scatter bool) error {
	for i, x := range ids {
		if int64(x) != o.pad && (x < 0 || int64(x) >= int64(o.v)) {
			return &IndexError{Row: i / l, Pos: i % l, Value: int64(x), Limit: o.v}
		}
	}
	d := o.d
	acc := make([]float64, d)
	if scatter {
		clear(table)
	}
	for e := 0; e*l < len(ids); e++ {
		bag := ids[e*l : (e+1)*l]
		n := 0
		for _, x := range bag {
			if int64(x) != o.pad {
				n++
			}
		}
		scale := bagScale(o.combiner, n)
		row := rows[e*d : (e+1)*d]
		if scatter {
			for _, x := range bag {
				if int64(x) == o.pad {
					continue
				}
				dst := table[int(x)*d : (int(x)+1)*d]
				for j, g := range row {
					dst[j] += T(scale * float64(g))
				}
			}
			continue
		}
		clear(acc)
		for _, x := range bag {
			if int64(x) == o.pad {
				continue
			}
			for j, v := range table[int(x)*d : (int(x)+1)*d] {
				acc[j] += float64(v)
			}
		}
		for j := range row {
			row[j] = T(scale * acc[j])
		}
	}
	return nil
}
