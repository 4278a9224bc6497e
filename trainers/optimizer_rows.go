package trainers

import (
	"math"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// SparseOptimizer is an Optimizer that also updates parameters by rows: embedding
// tables that a training program reads only through graph.Gather get a
// graph.RowGrad (the rows of the batch and their summed gradients) instead of a
// dense gradient, and the update touches those rows only, weights and optimizer
// state alike (TensorFlow's LazyAdam and sparse_apply_*, PyTorch's SparseAdam and
// sparse gradients). A step then costs O(rows in the batch · D), not O(V · D).
// Every optimizer of this package implements it; a Trainer whose optimizer does not
// computes dense gradients for every parameter.
//
// What "lazy" means, per optimizer (rows absent from the batch are never read nor
// written, so their state does not decay and they get no update; the step count is
// global):
//   - SGD: without momentum, the same update as the dense one. With momentum μ, a
//     touched row's buffer is buf = μ·buf + g (g alone at its first touch) and
//     w -= lr·buf; an untouched row keeps its buffer and its weights (TensorFlow's
//     sparse_apply_momentum; PyTorch's SGD on sparse gradients instead keeps moving
//     every row it ever touched).
//   - Adam (LazyAdam, PyTorch's SparseAdam): for a touched row,
//     m += (1-β1)·(g-m), v += (1-β2)·(g²-v), and
//     w -= lr·sqrt(1-β2ᵗ)/(1-β1ᵗ) · m/(sqrt(v)+ε), t the global step (ε enters
//     unscaled, as in SparseAdam and TensorFlow's LazyAdam, where dense Adam here
//     adds ε to sqrt(v/(1-β2ᵗ))). AMSGrad keeps the running maximum of v per touched
//     row; coupled weight decay adds wd·w to g and AdamW's decoupled decay scales w,
//     for touched rows only.
//   - AdaGrad: acc += g², w -= lr·g/(sqrt(acc)+ε) on touched rows, as dense (and as
//     PyTorch's Adagrad on sparse gradients); an untouched row's accumulator stays.
//   - RMSProp: the dense update on touched rows; untouched rows' averages stay.
//
// The state of a table updated by rows is allocated lazily, for the rows touched
// so far (in blocks of rows, with an index from table row to state row: a map
// while few rows are touched, then 4 bytes per table row), not as 2 or 3 copies
// of the table up front.
type SparseOptimizer interface {
	Optimizer
	// StepSparse applies one update: parameter i from grads[i] when rows[i] is
	// nil, from rows[i] (grads[i] nil) otherwise. rows may be nil (all dense, as
	// Step). The kind of gradient of a parameter may change from one call to the
	// next (its state is converted).
	StepSparse(params []*graph.Param, grads []*tensor.Dense, rows []*graph.RowGrad) error
}

// rowStore is the optimizer state of one table updated by rows: nslots state rows
// (D values each) per table row touched so far, allocated in chunks of chunkRows
// rows as rows are first touched, and an index from table row to state row. In
// identity mode (ident set) it wraps dense state tensors of the table's shape
// instead: state row = table row.
type rowStore[T float] struct {
	v, d, nslots int
	init         T
	chunkRows    int
	// The index from table row to state row: a map while few rows are touched
	// (its cost follows the rows touched), then a flat array of V entries (4
	// bytes per table row, written only where touched) once the map would cost
	// about as much (len(rows) >= V/flatIndexFrac).
	small  map[int]int32 // table row -> state row
	index  []int32       // table row -> state row + 1; 0: none yet
	rows   []int         // state row -> table row
	chunks [][][]T       // chunks[slot][c]: chunkRows·d values
	ident  [][]T         // identity mode: slot s of table row r at ident[s][r·d:]
}

// flatIndexFrac: a store switches from a map index to a flat one once it holds
// state for V/flatIndexFrac rows (a Go map entry costs several times the 4 bytes
// per row of the flat index).
const flatIndexFrac = 8

// chunkElems is about how many values a chunk of state rows holds.
const chunkElems = 16384

// maxLazyRows is the most table rows a lazy store indexes (int32 positions); a
// larger table keeps dense state.
const maxLazyRows = math.MaxInt32 - 1

func newRowStore[T float](v, d, nslots int, init T) *rowStore[T] {
	cr := chunkElems / d
	if cr < 1 {
		cr = 1
	}
	if cr > v {
		cr = v
	}
	s := &rowStore[T]{v: v, d: d, nslots: nslots, init: init, chunkRows: cr, chunks: make([][][]T, nslots)}
	if nslots > 0 {
		s.small = map[int]int32{}
	}
	return s
}

func identityStore[T float](state []*tensor.Dense, v, d int) *rowStore[T] {
	s := &rowStore[T]{v: v, d: d, nslots: len(state), ident: make([][]T, len(state))}
	for i, t := range state {
		s.ident[i] = t.Data().([]T)
	}
	return s
}

// lazy reports whether the store holds state rows of its own (not identity mode).
func (s *rowStore[T]) lazy() bool { return s.ident == nil }

// at returns the state row of table row r, giving it one filled with init (fresh)
// if it had none.
func (s *rowStore[T]) at(r int) (k int, fresh bool) {
	if s.ident != nil {
		return r, false
	}
	if s.index != nil {
		if p := s.index[r]; p != 0 {
			return int(p - 1), false
		}
	} else if p, ok := s.small[r]; ok {
		return int(p), false
	}
	k = len(s.rows)
	if k%s.chunkRows == 0 {
		for sl := range s.chunks {
			c := make([]T, s.chunkRows*s.d)
			if s.init != 0 {
				for i := range c {
					c[i] = s.init
				}
			}
			s.chunks[sl] = append(s.chunks[sl], c)
		}
	}
	s.rows = append(s.rows, r)
	if s.index != nil {
		s.index[r] = int32(k + 1)
	} else if s.small[r] = int32(k); len(s.rows) >= s.v/flatIndexFrac && s.v >= 1024 {
		s.index = make([]int32, s.v)
		for j, row := range s.rows {
			s.index[row] = int32(j + 1)
		}
		s.small = nil
	}
	return k, true
}

// slot returns state row k of slot sl.
func (s *rowStore[T]) slot(sl, k int) []T {
	if s.ident != nil {
		return s.ident[sl][k*s.d : (k+1)*s.d]
	}
	c, o := k/s.chunkRows, (k%s.chunkRows)*s.d
	return s.chunks[sl][c][o : o+s.d]
}

// dense returns the state as nslots tensors of the table's shape (slots the store
// does not hold, and rows never touched, filled with init).
func (s *rowStore[T]) dense(dt tensor.Dtype, shape tensor.Shape, nslots int, init float64) []*tensor.Dense {
	out := make([]*tensor.Dense, nslots)
	for sl := range out {
		t := tensor.New(tensor.Of(dt), tensor.WithShape(shape.Clone()...))
		if init != 0 {
			fill(t, init)
		}
		if sl < s.nslots {
			data := t.Data().([]T)
			for k, r := range s.rows {
				copy(data[r*s.d:(r+1)*s.d], s.slot(sl, k))
			}
		}
		out[sl] = t
	}
	return out
}

// export returns the touched rows (as float64, what a model file stores) and each
// slot's state rows as a (n, D) tensor.
func (s *rowStore[T]) export(dt tensor.Dtype) (*tensor.Dense, []*tensor.Dense) {
	n := len(s.rows)
	if n == 0 {
		return nil, nil
	}
	rows := make([]float64, n)
	for k, r := range s.rows {
		rows[k] = float64(r)
	}
	out := make([]*tensor.Dense, s.nslots)
	for sl := range out {
		data := make([]T, n*s.d)
		for k := 0; k < n; k++ {
			copy(data[k*s.d:(k+1)*s.d], s.slot(sl, k))
		}
		out[sl] = tensor.New(tensor.WithShape(n, s.d), tensor.WithBacking(data))
	}
	return tensor.New(tensor.WithShape(n), tensor.WithBacking(rows)), out
}

// load fills an empty lazy store from rows and slot values (as export wrote them).
func (s *rowStore[T]) load(rows []int, slots []*tensor.Dense) {
	for k, r := range rows {
		s.at(r)
		for sl, t := range slots {
			copy(s.slot(sl, k), t.Data().([]T)[k*s.d:(k+1)*s.d])
		}
	}
}

// rowSlotter is implemented by this package's optimizers: the number of state
// buffers a parameter updated by rows needs under settings c.
type rowSlotter interface{ rowSlots(c optConfig) int }

// prepareRows checks a mixed call, allocates or converts each parameter's state as
// its gradient kind asks (dense state for a dense gradient, at its first use; a
// lazy row store for a row gradient; a store is made dense when the parameter
// gets a dense gradient; dense state is used in place by rows), and clips the
// gradients in place, row gradients' values included.
func (o *baseOpt) prepareRows(params []*graph.Param, grads []*tensor.Dense, rows []*graph.RowGrad, init float64, nslots int) error {
	if o.err != nil {
		return o.err
	}
	if len(params) != len(grads) || (rows != nil && len(rows) != len(params)) {
		return errors.Errorf("optimizer %s: %d parameters, %d gradients and %d row gradients", o.name, len(params), len(grads), len(rows))
	}
	hasRows := false
	for i, p := range params {
		if rows != nil && rows[i] != nil {
			if grads[i] != nil {
				return errors.Errorf("optimizer %s: parameter %s has both a dense and a row gradient", o.name, p.Name)
			}
			if err := checkRowGrad(rows[i], p); err != nil {
				return errors.Wrapf(err, "optimizer %s", o.name)
			}
			hasRows = true
			continue
		}
		if grads[i] == nil || grads[i].Dtype() != p.Value.Dtype() || grads[i].Shape().TotalSize() != p.Size() {
			return errors.Errorf("optimizer %s: gradient %d does not match parameter %s %v", o.name, i, p.Name, p.Value.Shape())
		}
	}
	if o.state == nil {
		o.state = make([][]*tensor.Dense, len(params))
	} else if len(o.state) != len(params) {
		return errors.Errorf("optimizer %s: called with %d parameters, earlier with %d", o.name, len(params), len(o.state))
	}
	if o.rows == nil {
		o.rows = make([]any, len(params))
	}
	for i, p := range params {
		if rows != nil && rows[i] != nil {
			o.rowState(i, p, init, nslots)
			continue
		}
		if o.state[i] == nil {
			if o.rows[i] != nil {
				o.state[i] = denseOf(o.rows[i], p, o.slots, init)
			} else {
				o.state[i] = newDenseState(p, o.slots, init)
			}
		}
		o.rows[i] = nil
	}
	if !hasRows {
		return clipGrads(o.cfg, grads)
	}
	o.clipTs = o.clipTs[:0]
	for i, g := range grads {
		if g != nil {
			o.clipTs = append(o.clipTs, g)
		} else if rows[i].Values != nil {
			o.clipTs = append(o.clipTs, rows[i].Values)
		}
	}
	return clipGrads(o.cfg, o.clipTs)
}

// rowState makes sure parameter i has a row store: its dense state wrapped if it
// has some, a new lazy store otherwise (dense state for a table too large to index).
func (o *baseOpt) rowState(i int, p *graph.Param, init float64, nslots int) {
	if o.rows[i] != nil {
		return
	}
	sh := p.Value.Shape()
	v, d := sh[0], sh[1]
	if o.state[i] == nil && v > maxLazyRows {
		o.state[i] = newDenseState(p, o.slots, init)
	}
	switch p.Value.Dtype() {
	case tensor.Float32:
		if o.state[i] != nil {
			o.rows[i] = identityStore[float32](o.state[i], v, d)
		} else {
			o.rows[i] = newRowStore(v, d, nslots, float32(init))
		}
	default:
		if o.state[i] != nil {
			o.rows[i] = identityStore[float64](o.state[i], v, d)
		} else {
			o.rows[i] = newRowStore(v, d, nslots, init)
		}
	}
}

func checkRowGrad(r *graph.RowGrad, p *graph.Param) error {
	sh := p.Value.Shape()
	if sh.Dims() != 2 || r.TableRows != sh[0] {
		return errors.Errorf("row gradient of %d rows does not match parameter %s %v", r.TableRows, p.Name, sh)
	}
	if r.Values == nil {
		if len(r.Rows) != 0 {
			return errors.Errorf("row gradient of parameter %s has %d rows and no values", p.Name, len(r.Rows))
		}
		return nil
	}
	if r.Values.Dtype() != p.Value.Dtype() || !r.Values.Shape().Eq(tensor.Shape{len(r.Rows), sh[1]}) {
		return errors.Errorf("row gradient values %v %v do not match parameter %s %v %v", r.Values.Dtype(), r.Values.Shape(), p.Name, p.Value.Dtype(), sh)
	}
	for _, x := range r.Rows {
		if x < 0 || x >= sh[0] {
			return errors.Errorf("row gradient of parameter %s: row %d is out of range [0, %d)", p.Name, x, sh[0])
		}
	}
	return nil
}

func newDenseState(p *graph.Param, nslots int, init float64) []*tensor.Dense {
	out := make([]*tensor.Dense, nslots)
	for s := range out {
		t := tensor.New(tensor.Of(p.Value.Dtype()), tensor.WithShape(p.Value.Shape().Clone()...))
		if init != 0 {
			fill(t, init)
		}
		out[s] = t
	}
	return out
}

// denseOf converts a row store to dense state of nslots slots.
func denseOf(st any, p *graph.Param, nslots int, init float64) []*tensor.Dense {
	switch s := st.(type) {
	case *rowStore[float32]:
		return s.dense(p.Value.Dtype(), p.Value.Shape(), nslots, init)
	case *rowStore[float64]:
		return s.dense(p.Value.Dtype(), p.Value.Shape(), nslots, init)
	}
	return newDenseState(p, nslots, init)
}

// lazyStore returns parameter i's lazy row store (nil when its state is dense or
// it has none).
func (o *baseOpt) lazyStore(i int) any {
	if i >= len(o.rows) || o.state == nil || o.state[i] != nil {
		return nil
	}
	return o.rows[i]
}

// forRows calls f for every row of r: the parameter's row, its gradient row, its
// state row index in st (-1 when st holds no slots) and whether that state row is
// new.
func forRows[T float](p *graph.Param, r *graph.RowGrad, st *rowStore[T], f func(w, g []T, k int, fresh bool)) {
	if r.Values == nil {
		return
	}
	w, vals, d := p.Value.Data().([]T), r.Values.Data().([]T), r.Dim()
	for j, row := range r.Rows {
		k, fresh := -1, false
		if st.nslots > 0 {
			k, fresh = st.at(row)
		}
		f(w[row*d:(row+1)*d], vals[j*d:(j+1)*d], k, fresh)
	}
}

// rowGradOf returns rows[i], or nil when rows is nil.
func rowGradOf(rows []*graph.RowGrad, i int) *graph.RowGrad {
	if rows == nil {
		return nil
	}
	return rows[i]
}
