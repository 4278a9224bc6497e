package graph

import (
	"math/bits"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// RowGrad is the gradient of a table (V, D) that a program reads only through
// Gather (an Embedding's table) for one batch: the distinct rows the batch looked
// up, and for each the sum of its gradient rows (a repeated id adds up). Every row
// not listed has a zero gradient. It holds what PyTorch's sparse gradient of
// nn.Embedding(sparse=True) holds once coalesced, and TensorFlow's IndexedSlices
// after a unique-and-sum.
type RowGrad struct {
	// Rows are the distinct row ids, in the order they first appear in the batch
	// (the Gathers of the table in graph order, each in the row-major order of its
	// ids).
	Rows []int
	// Values has shape (len(Rows), D) and the table's dtype: row k is the gradient
	// of table row Rows[k].
	Values *tensor.Dense
	// TableRows is V, the number of rows of the table.
	TableRows int
}

// NewRowGrad returns the row gradient of a table of tableRows rows: rows must be
// distinct ids in [0, tableRows), values a float32 or float64 tensor of shape
// (len(rows), D). It is for hand-written loops and tests; a Trainer builds its
// RowGrads itself (Grad, Gradients.Rows).
func NewRowGrad(tableRows int, rows []int, values *tensor.Dense) (*RowGrad, error) {
	if tableRows < 1 {
		return nil, errors.Errorf("row gradient: %d table rows", tableRows)
	}
	if values == nil || values.Dims() != 2 || values.Shape()[0] != len(rows) {
		var s tensor.Shape
		if values != nil {
			s = values.Shape()
		}
		return nil, errors.Errorf("row gradient: values %v do not have one row per id (%d ids)", s, len(rows))
	}
	if err := checkFloat("row gradient", values.Dtype()); err != nil {
		return nil, err
	}
	seen := make(map[int]bool, len(rows))
	for _, r := range rows {
		if r < 0 || r >= tableRows {
			return nil, errors.Errorf("row gradient: row %d is out of range [0, %d)", r, tableRows)
		}
		if seen[r] {
			return nil, errors.Errorf("row gradient: row %d is listed twice", r)
		}
		seen[r] = true
	}
	return &RowGrad{Rows: rows, Values: values, TableRows: tableRows}, nil
}

// Dim is D, the width of a row.
func (r *RowGrad) Dim() int {
	if r.Values == nil || r.Values.Dims() != 2 {
		return 0
	}
	return r.Values.Shape()[1]
}

// ToDense writes the gradient into dst, a tensor of shape (V, D) and the values'
// dtype: the listed rows, and zeros elsewhere. It is what the dense gradient of the
// same batch holds.
func (r *RowGrad) ToDense(dst *tensor.Dense) error {
	if r.Values == nil { // no rows
		if dst == nil || dst.Dims() != 2 || dst.Shape()[0] != r.TableRows || checkFloat("", dst.Dtype()) != nil {
			return errors.Errorf("row gradient: destination is not a (%d, D) float tensor", r.TableRows)
		}
		dst.Zero()
		return nil
	}
	d := r.Dim()
	if dst == nil || dst.Dtype() != r.Values.Dtype() || !dst.Shape().Eq(tensor.Shape{r.TableRows, d}) {
		return errors.Errorf("row gradient: destination does not have shape (%d, %d) and dtype %v", r.TableRows, d, r.Values.Dtype())
	}
	switch out := dst.Data().(type) {
	case []float32:
		scatterRowGrad(out, r.Rows, r.Values.Data().([]float32), d)
	case []float64:
		scatterRowGrad(out, r.Rows, r.Values.Data().([]float64), d)
	}
	return nil
}

func scatterRowGrad[T float](out []T, rows []int, vals []T, d int) {
	clear(out)
	for k, r := range rows {
		copy(out[r*d:(r+1)*d], vals[k*d:(k+1)*d])
	}
}

// rowGatherer is an op whose input 0 is a table (V, D) and whose gradient with
// respect to it adds rows of its upstream gradient at rows named by its input 1:
// Gather. A table read only by such ops can be updated by rows.
type rowGatherer interface {
	G.Op
	// setByRows switches the op's dense table gradient off (before Backpropagate).
	setByRows()
	// tableRows is V, the number of table rows.
	tableRows() int
	// addRows adds the gradient rows of one application (ids, and the upstream
	// gradient of the op's output) into a.
	addRows(a *rowAcc, ids, upstream *tensor.Dense) error
}

func (o gatherOp) setByRows()     { o.tg.byRows = true }
func (o gatherOp) tableRows() int { return o.v }

func (o gatherOp) addRows(a *rowAcc, ids, up *tensor.Dense) error {
	if ids.Shape().TotalSize()*o.d != up.Shape().TotalSize() || ids.Dims() != o.idDims {
		return errors.Errorf("%s: ids %v and gradient %v do not fit", o.name, ids.Shape(), up.Shape())
	}
	rowLen := idsPerRow(ids.Shape())
	switch g := up.Data().(type) {
	case []float32:
		return accumulateIDs(a, a.f32, ids, g, o.v, rowLen)
	case []float64:
		return accumulateIDs(a, a.f64, ids, g, o.v, rowLen)
	}
	return checkFloat(o.name, up.Dtype())
}

// rowAcc sums gradient rows by row id into a RowGrad, without a (V, D) buffer: an
// open-addressing hash set maps each id of the batch to its row in the values, and
// is emptied in O(1) between batches (generation stamps). It allocates only when
// built: its buffers are sized for the most ids a batch can hold.
type rowAcc struct {
	out   RowGrad
	d     int
	dt    tensor.Dtype
	keys  []int    // the table row held by each hash slot
	pos   []int32  // its index in out.Rows
	stamp []uint32 // the slot is in use when stamp == gen
	gen   uint32
	shift uint
	f32   []float32 // (maxIDs, D) values
	f64   []float64
}

func newRowAcc(dt tensor.Dtype, v, d, maxIDs int) *rowAcc {
	size := 8
	for size < 2*maxIDs {
		size *= 2
	}
	a := &rowAcc{d: d, dt: dt, keys: make([]int, size), pos: make([]int32, size), stamp: make([]uint32, size),
		shift: uint(64 - bits.TrailingZeros(uint(size)))}
	a.out.TableRows = v
	a.out.Rows = make([]int, 0, maxIDs)
	if dt == tensor.Float32 {
		a.f32 = make([]float32, maxIDs*d)
	} else {
		a.f64 = make([]float64, maxIDs*d)
	}
	return a
}

// reset empties the set and the rows.
func (a *rowAcc) reset() {
	a.gen++
	if a.gen == 0 { // wrapped: forget every stamp
		clear(a.stamp)
		a.gen = 1
	}
	a.out.Rows = a.out.Rows[:0]
}

// slot returns the index of row id in out.Rows, adding it (fresh) if absent.
func (a *rowAcc) slot(id int) (k int, fresh bool) {
	mask := len(a.keys) - 1
	h := int((uint64(id) * 0x9e3779b97f4a7c15) >> a.shift)
	for {
		if a.stamp[h] != a.gen {
			a.stamp[h], a.keys[h] = a.gen, id
			k = len(a.out.Rows)
			a.pos[h] = int32(k)
			a.out.Rows = append(a.out.Rows, id)
			return k, true
		}
		if a.keys[h] == id {
			return int(a.pos[h]), false
		}
		h = (h + 1) & mask
	}
}

// finish makes out.Values the (len(Rows), D) view of the values.
func (a *rowAcc) finish() *RowGrad {
	n := len(a.out.Rows)
	if n == 0 {
		a.out.Values = nil
		return &a.out
	}
	var back interface{}
	if a.dt == tensor.Float32 {
		back = a.f32[:n*a.d]
	} else {
		back = a.f64[:n*a.d]
	}
	a.out.Values = tensor.New(tensor.WithShape(n, a.d), tensor.WithBacking(back))
	return &a.out
}

func accumulateIDs[T float](a *rowAcc, vals []T, ids *tensor.Dense, up []T, v, rowLen int) error {
	switch x := ids.Data().(type) {
	case []int:
		return accumulateRows(a, vals, x, up, v, rowLen)
	case []int32:
		return accumulateRows(a, vals, x, up, v, rowLen)
	case []int64:
		return accumulateRows(a, vals, x, up, v, rowLen)
	}
	return checkInt("ids", ids.Dtype())
}

// accumulateRows adds upstream row i into the values row of ids[i], in the order
// of the ids, starting each row from zero: the sums are those scatterRows makes in
// the dense (V, D) gradient, bit for bit.
func accumulateRows[T float, I idInt](a *rowAcc, vals []T, ids []I, up []T, v, rowLen int) error {
	if err := checkIDs(ids, v, rowLen); err != nil {
		return err
	}
	d := a.d
	if (len(a.out.Rows)+len(ids))*d > len(vals) {
		return errors.Errorf("row gradient: %d more ids do not fit the buffer of %d rows", len(ids), len(vals)/d)
	}
	for i, id := range ids {
		k, fresh := a.slot(int(id))
		dst, src := vals[k*d:(k+1)*d], up[i*d:(i+1)*d]
		if fresh {
			clear(dst)
		}
		for j, x := range src {
			dst[j] += x
		}
	}
	return nil
}

// Gradients are the gradients of a loss with respect to parameters, made by Grad:
// a dense gradient node for each parameter, except for the tables updated by rows,
// whose RowGrad is built after each run by Rows.
type Gradients struct {
	// Nodes holds the gradient node of each parameter, in the order given to Grad;
	// nil for a table updated by rows.
	Nodes []*G.Node
	rows  []*rowSource
	out   []*RowGrad
}

// rowSource is what builds one table's RowGrad: every Gather of the table that
// reaches the loss, with its ids and the gradient of its output.
type rowSource struct {
	uses []rowUse
	acc  *rowAcc
}

type rowUse struct {
	op   rowGatherer
	ids  *G.Node
	out  *G.Node // the Gather's output
	grad *G.Node // the gradient of the loss with respect to out
}

// Grad adds to the graph of loss the gradient of the scalar loss with respect to
// the parameter nodes wrt, as G.Grad does. With byRows, a table (V, D) that the
// graph reads only through Gather (as its table input, never through another op:
// a weight penalty on it, a tied output layer, any other read keeps it dense) is
// updated by rows: it gets no gradient node, so no (V, D) gradient is computed at
// run time; after each run Rows builds its RowGrad from the ids and the gradient
// of each Gather's output, at a cost that depends on the batch and not on V.
func Grad(loss *G.Node, wrt []*G.Node, byRows bool) (gr *Gradients, err error) {
	defer recoverOp(&err, "gradient")
	gr = &Gradients{rows: make([]*rowSource, len(wrt)), out: make([]*RowGrad, len(wrt))}
	var sources []*rowSource
	if byRows {
		reach := ancestorsOf(loss.Graph(), []*G.Node{loss})
		for i, n := range wrt {
			if src := rowUses(n, reach); src != nil {
				gr.rows[i] = src
				sources = append(sources, src)
			}
		}
	}
	if len(sources) == 0 {
		grads, err := G.Grad(loss, wrt...)
		if err != nil {
			return nil, err
		}
		gr.Nodes = grads
		return gr, nil
	}
	// Differentiate with respect to the dense parameters and the outputs of the
	// Gathers of the tables updated by rows (G.Grad takes only inputs:
	// Backpropagate is what it calls).
	if !loss.IsScalar() {
		return nil, errors.Errorf("gradient: the loss %v is not a scalar", loss.Shape())
	}
	var ws G.Nodes
	for i, n := range wrt {
		if gr.rows[i] == nil {
			ws = append(ws, n)
		}
	}
	for _, src := range sources {
		for _, u := range src.uses {
			u.op.setByRows() // the Gather then builds no (V, D) scatter
			ws = append(ws, u.out)
		}
	}
	var one *G.Node
	if loss.Dtype() == tensor.Float32 {
		one = G.NewConstant(float32(1))
	} else {
		one = G.NewConstant(float64(1))
	}
	one = loss.Graph().AddNode(one)
	grads, err := G.Backpropagate(G.Nodes{loss}, G.Nodes{one}, ws)
	if err != nil {
		return nil, err
	}
	gr.Nodes = make([]*G.Node, len(wrt))
	k := 0
	for i := range wrt {
		if gr.rows[i] == nil {
			gr.Nodes[i] = grads[k]
			k++
		}
	}
	for _, src := range sources {
		for i := range src.uses {
			src.uses[i].grad = grads[k]
			k++
		}
	}
	return gr, nil
}

// rowUses returns how table is read when it is read only as the table of Gathers,
// and at least one of them reaches the loss (reach); nil otherwise.
func rowUses(table *G.Node, reach map[*G.Node]bool) *rowSource {
	sh := table.Shape()
	if sh.Dims() != 2 || !table.IsVar() {
		return nil
	}
	g := table.Graph()
	src := &rowSource{}
	maxIDs := 0
	for it := g.To(table.ID()); it.Next(); {
		p := it.Node().(*G.Node)
		op, ok := p.Op().(rowGatherer)
		if !ok || op.tableRows() != sh[0] {
			return nil
		}
		var kids []*G.Node
		for c := g.From(p.ID()); c.Next(); {
			kids = append(kids, c.Node().(*G.Node))
		}
		if len(kids) != 2 || kids[0] != table || kids[1] == table {
			return nil
		}
		if !reach[p] {
			continue // adds nothing to the loss, nor to a dense gradient
		}
		src.uses = append(src.uses, rowUse{op: op, ids: kids[1], out: p})
		maxIDs += kids[1].Shape().TotalSize()
	}
	if len(src.uses) == 0 {
		return nil
	}
	src.acc = newRowAcc(table.Dtype(), sh[0], sh[1], maxIDs)
	return src
}

// Reads lists the nodes whose values the gradients are read from after a run:
// Nodes (but nil ones) and, for the tables updated by rows, each Gather's ids
// and output gradient (what Rows reads). An Executor that only computes these
// (ComputeOnly) and the loss gives every gradient.
func (gr *Gradients) Reads() []*G.Node {
	var out []*G.Node
	for _, n := range gr.Nodes {
		if n != nil {
			out = append(out, n)
		}
	}
	for _, src := range gr.rows {
		if src == nil {
			continue
		}
		for _, u := range src.uses {
			out = append(out, u.ids, u.grad)
		}
	}
	return out
}

// ByRows reports whether parameter i is updated by rows (its gradient is a
// RowGrad, its node nil).
func (gr *Gradients) ByRows(i int) bool { return gr.rows[i] != nil }

// HasRows reports whether any parameter is updated by rows.
func (gr *Gradients) HasRows() bool {
	for _, s := range gr.rows {
		if s != nil {
			return true
		}
	}
	return false
}

// Rows builds the RowGrad of every table updated by rows from the values of e's
// last run: entry i is parameter i's, nil for a parameter with a dense gradient.
// The RowGrads and their values are reused (overwritten) by the next call.
func (gr *Gradients) Rows(e *Executor) ([]*RowGrad, error) {
	for i, src := range gr.rows {
		if src == nil {
			continue
		}
		src.acc.reset()
		for _, u := range src.uses {
			ids, up := e.Dense(u.ids), e.Dense(u.grad)
			if ids == nil || up == nil {
				return nil, errors.Errorf("row gradient of %v: the ids or the gradient of a gather have no tensor value", u.op)
			}
			if up.Dtype() != src.acc.dt {
				return nil, errors.Errorf("row gradient of %v: gradient is %v, the table %v", u.op, up.Dtype(), src.acc.dt)
			}
			if err := u.op.addRows(src.acc, ids, up); err != nil {
				return nil, err
			}
		}
		gr.out[i] = src.acc.finish()
	}
	return gr.out, nil
}
