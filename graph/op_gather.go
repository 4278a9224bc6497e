package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// IndexError is the error of a Gather whose ids hold a value outside [0, Limit).
// It survives wrapping: find it with errors.As.
type IndexError struct {
	// Row is the index of the offending id along the first axis of ids (the example
	// within the batch); Pos is its flat position within that row (0 for ids of
	// shape (B)).
	Row, Pos int
	// Value is the id found; Limit is the number of rows V of the table.
	Value int64
	Limit int
}

// Error says which id is out of range, e.g. "id 10005 at example 3 position 0 is
// out of range [0, 10000)".
func (e *IndexError) Error() string {
	return fmt.Sprintf("id %d at example %d position %d is out of range [0, %d)", e.Value, e.Row, e.Pos, e.Limit)
}

// gatherOp looks up rows of a table (V, D) for integer ids (B, ...), giving
// (B, ..., D). Its gradient with respect to the table is scatterAddOp, or none when
// the table is updated by rows (tg.byRows, set by Grad before differentiating: the
// trainer then builds a RowGrad from the ids and the upstream gradient instead).
type gatherOp struct {
	opBase
	v, d, idDims int
	tg           *tableGrad
}

// tableGrad is shared by the copies of one gatherOp value (Gorgonia stores the op by
// value in its node), so that Grad can switch the dense table gradient off after
// the node is built. It does not enter the op's hash.
type tableGrad struct{ byRows bool }

// scatterAddOp adds the rows of grad (B, ..., D) into a zero table (V, D) at the
// rows named by ids (B, ...): the gradient of gatherOp. It is not differentiable.
type scatterAddOp struct {
	opBase
	noDiff
	v, d, idDims int
}

// Gather is an embedding lookup: table of shape (V, D) (float32 or float64), ids an
// integer tensor (Int, Int32 or Int64) of shape (B, ...) with rank >= 1; the result
// has shape (B, ..., D) and the table's dtype, row (b, ...) being table[ids[b, ...]].
// The gradient with respect to the table adds the upstream rows at their ids
// (repeated ids accumulate); ids get no gradient. An id outside [0, V) makes the run
// fail with an *IndexError.
func Gather(table, ids *G.Node) (n *G.Node, err error) {
	defer recoverOp(&err, "gather")
	ts, is := table.Shape(), ids.Shape()
	if ts.Dims() != 2 || ts[0] < 1 || ts[1] < 1 {
		return nil, errors.Errorf("gather: table shape %v is not (rows, dims)", ts)
	}
	if err := checkFloat("gather: table", table.Dtype()); err != nil {
		return nil, err
	}
	if err := checkInt("gather: ids", ids.Dtype()); err != nil {
		return nil, err
	}
	if is.Dims() < 1 {
		return nil, errors.Errorf("gather: ids shape %v must have at least one axis (batch, ...)", is)
	}
	op := newGatherOp(ts[0], ts[1], is.Dims())
	n, err = G.ApplyOp(op, table, ids)
	return n, errors.Wrap(err, "gather")
}

func newGatherOp(v, d, idDims int) gatherOp {
	return gatherOp{opBase{name: fmt.Sprintf("gather(%d,%d,%d)", v, d, idDims), arity: 2}, v, d, idDims, &tableGrad{}}
}

// checkInt returns an error unless dt is Int, Int32 or Int64.
func checkInt(name string, dt tensor.Dtype) error {
	if dt != tensor.Int && dt != tensor.Int32 && dt != tensor.Int64 {
		return errors.Errorf("%s: dtype %v is not supported (want int, int32 or int64)", name, dt)
	}
	return nil
}

// gatherType is table (a) -> ids (i) -> rows (a), with ids of idDims axes. The ids'
// type variable must not be 'b': Gorgonia's type inference names the result 'b'
// and fails to unify ("Unequal length") when an op's type uses it too.
func gatherType(idDims int) (tbl, ids, rows hm.Type) {
	a, i := hm.TypeVariable('a'), hm.TypeVariable('i')
	return G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: idDims, Of: i}, G.TensorType{Dims: idDims + 1, Of: a}
}

func (o gatherOp) Type() hm.Type {
	tbl, ids, rows := gatherType(o.idDims)
	return hm.NewFnType(tbl, ids, rows)
}

func (o gatherOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, errors.Errorf("%s: expected 2 inputs, got %d", o.name, len(in))
	}
	s, ok := in[1].(tensor.Shape)
	if !ok {
		return nil, errors.Errorf("%s: ids have no shape", o.name)
	}
	return append(s.Clone(), o.d), nil
}

func (o gatherOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

// DiffWRT is {table, ids}: the table is differentiable unless it is updated by rows.
func (o gatherOp) DiffWRT(int) []bool { return []bool{!o.byRows(), false} }

func (o gatherOp) byRows() bool { return o.tg != nil && o.tg.byRows }

func (o gatherOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if o.byRows() {
		return G.Nodes{nil, nil}, nil
	}
	sc := scatterAddOp{opBase{name: fmt.Sprintf("scatter_add(%d,%d,%d)", o.v, o.d, o.idDims), arity: 2}, noDiff{}, o.v, o.d, o.idDims}
	n, err := G.ApplyOp(sc, inputs[1], grad)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %s", o.name)
	}
	return G.Nodes{n, nil}, nil
}

func (o gatherOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	args, err := denseArgs(o.name, 2, in)
	if err != nil {
		return nil, err
	}
	table, ids := args[0], args[1]
	if !table.Shape().Eq(tensor.Shape{o.v, o.d}) || ids.Dims() != o.idDims {
		return nil, errors.Errorf("%s: table %v and ids %v do not fit", o.name, table.Shape(), ids.Shape())
	}
	shape := append(ids.Shape().Clone(), o.d)
	out := outputLike(prealloc, table.Dtype(), shape)
	rowLen := idsPerRow(ids.Shape())
	switch ts := table.Data().(type) {
	case []float32:
		err = gatherIDs(ts, ids, out.Data().([]float32), o.v, o.d, rowLen)
	case []float64:
		err = gatherIDs(ts, ids, out.Data().([]float64), o.v, o.d, rowLen)
	default:
		return nil, checkFloat(o.name, table.Dtype())
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (o scatterAddOp) Type() hm.Type {
	tbl, ids, rows := gatherType(o.idDims)
	return hm.NewFnType(ids, rows, tbl)
}

func (o scatterAddOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{o.v, o.d}, nil
}

func (o scatterAddOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

func (o scatterAddOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (v G.Value, err error) {
	defer recoverOp(&err, o.name)
	args, err := denseArgs(o.name, 2, in)
	if err != nil {
		return nil, err
	}
	ids, g := args[0], args[1]
	if ids.Dims() < 1 || g.Shape().TotalSize() != ids.Shape().TotalSize()*o.d {
		return nil, errors.Errorf("%s: ids %v and gradient %v do not fit", o.name, ids.Shape(), g.Shape())
	}
	out := outputLike(prealloc, g.Dtype(), tensor.Shape{o.v, o.d})
	rowLen := idsPerRow(ids.Shape())
	switch gs := g.Data().(type) {
	case []float32:
		err = scatterIDs(gs, ids, out.Data().([]float32), o.v, o.d, rowLen)
	case []float64:
		err = scatterIDs(gs, ids, out.Data().([]float64), o.v, o.d, rowLen)
	default:
		return nil, checkFloat(o.name, g.Dtype())
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// idsPerRow is the number of ids per example of ids of shape s (B, ...).
func idsPerRow(s tensor.Shape) int {
	if s.Dims() < 1 || s[0] < 1 || s.TotalSize() < 1 {
		return 1
	}
	return s.TotalSize() / s[0]
}

// idInt is the integer dtypes ids may have.
type idInt interface{ int | int32 | int64 }

// gatherIDs copies table row ids[i] (of length d) to out row i.
func gatherIDs[T float](table []T, ids *tensor.Dense, out []T, v, d, rowLen int) error {
	switch x := ids.Data().(type) {
	case []int:
		return gatherRows(table, x, out, v, d, rowLen)
	case []int32:
		return gatherRows(table, x, out, v, d, rowLen)
	case []int64:
		return gatherRows(table, x, out, v, d, rowLen)
	}
	return checkInt("ids", ids.Dtype())
}

// scatterIDs zeroes out (v, d) and adds row i of g at row ids[i].
func scatterIDs[T float](g []T, ids *tensor.Dense, out []T, v, d, rowLen int) error {
	switch x := ids.Data().(type) {
	case []int:
		return scatterRows(g, x, out, v, d, rowLen)
	case []int32:
		return scatterRows(g, x, out, v, d, rowLen)
	case []int64:
		return scatterRows(g, x, out, v, d, rowLen)
	}
	return checkInt("ids", ids.Dtype())
}

// checkIDs returns an *IndexError for the first id outside [0, v). rowLen is the
// number of ids per example, to locate it.
func checkIDs[I idInt](ids []I, v, rowLen int) error {
	for i, x := range ids {
		if x < 0 || int64(x) >= int64(v) {
			return &IndexError{Row: i / rowLen, Pos: i % rowLen, Value: int64(x), Limit: v}
		}
	}
	return nil
}

func gatherRows[T float, I idInt](table []T, ids []I, out []T, v, d, rowLen int) error {
	if err := checkIDs(ids, v, rowLen); err != nil {
		return err
	}
	for i, id := range ids {
		r := int(id) * d
		copy(out[i*d:(i+1)*d], table[r:r+d])
	}
	return nil
}

func scatterRows[T float, I idInt](g []T, ids []I, out []T, v, d, rowLen int) error {
	if err := checkIDs(ids, v, rowLen); err != nil {
		return err
	}
	clear(out)
	for i, id := range ids {
		r := int(id) * d
		dst, src := out[r:r+d], g[i*d:(i+1)*d]
		for j, x := range src {
			dst[j] += x
		}
	}
	return nil
}
