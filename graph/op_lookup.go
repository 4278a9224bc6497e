package graph

import (
	"fmt"
	"hash/fnv"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// LookupTable maps the values of a lookup layer's input (strings, or integers
// written in decimal) to ids, with out-of-vocabulary buckets. A value found in
// Index gets its id; any other value gets a bucket in [0, OOV) chosen by OOVBucket
// (OOV 0: an unknown value is an error of the run, a *LookupError). Make it with
// NewLookupTable; it is read-only afterwards and may be shared by graphs run in
// parallel.
type LookupTable struct {
	index map[string]int64
	oov   int
	name  string
}

// NewLookupTable returns a table giving vocab[k] the id offset+k and unknown values
// one of oov buckets [0, oov). name identifies the table in errors and in the graph
// (two tables of one graph must have different names). A value listed twice is an
// error.
func NewLookupTable(name string, vocab []string, offset, oov int) (*LookupTable, error) {
	if oov < 0 || offset < 0 {
		return nil, errors.Errorf("lookup table %q: offset %d and oov buckets %d must not be negative", name, offset, oov)
	}
	t := &LookupTable{index: make(map[string]int64, len(vocab)), oov: oov, name: name}
	for k, v := range vocab {
		if j, dup := t.index[v]; dup {
			return nil, errors.Errorf("lookup table %q: %q is listed twice (positions %d and %d)", name, v, int(j)-offset, k)
		}
		t.index[v] = int64(offset + k)
	}
	return t, nil
}

// OOVBucket returns the bucket of an unknown value among n: FNV-1a (64 bits) of its
// bytes modulo n, the same on every machine and run (Keras uses FarmHash, so bucket
// numbers differ from Keras').
func OOVBucket(v string, n int) int64 {
	h := fnv.New64a()
	h.Write([]byte(v))
	return int64(h.Sum64() % uint64(n))
}

// id returns the id of v.
func (t *LookupTable) id(v string, row, pos int) (int64, error) {
	if id, ok := t.index[v]; ok {
		return id, nil
	}
	if t.oov == 0 {
		return 0, &LookupError{Table: t.name, Value: v, Row: row, Pos: pos}
	}
	return OOVBucket(v, t.oov), nil
}

// LookupError is the error of a lookup without out-of-vocabulary buckets that meets
// an unknown value. It survives wrapping: find it with errors.As.
type LookupError struct {
	Table    string
	Value    string
	Row, Pos int
}

// Error says which value is unknown, e.g. `lookup "color": "mauve" at example 3
// position 0 is not in the vocabulary`.
func (e *LookupError) Error() string {
	return fmt.Sprintf("lookup %q: %q at example %d position %d is not in the vocabulary (and there are no out-of-vocabulary buckets)",
		e.Table, e.Value, e.Row, e.Pos)
}

// lookupOp maps a String or integer tensor (B, ...) to Int64 ids of the same shape.
type lookupOp struct {
	opBase
	noDiff
	table *LookupTable
	dims  int
	in    tensor.Dtype
}

// Lookup returns the Int64 ids of the values of x (a String, Int32, Int64 or Int
// tensor of shape (B, ...)) in table: integers are looked up by their decimal text.
// The result has x's shape. It is not differentiable.
func Lookup(x *G.Node, table *LookupTable) (n *G.Node, err error) {
	defer recoverOp(&err, "lookup")
	if table == nil {
		return nil, errors.New("lookup: nil table")
	}
	dt := x.Dtype()
	if dt != tensor.String && checkInt("lookup", dt) != nil {
		return nil, errors.Errorf("lookup %q: input dtype %v is not supported (want string, int32, int64 or int)", table.name, dt)
	}
	s := x.Shape()
	if s.Dims() < 1 {
		return nil, errors.Errorf("lookup %q: input shape %v must have a batch axis", table.name, s)
	}
	// The table's address makes the op unique: Gorgonia merges nodes of equal hashes.
	op := lookupOp{opBase{name: fmt.Sprintf("lookup(%q,%p,%d)", table.name, table, s.Dims()), arity: 1}, noDiff{}, table, s.Dims(), dt}
	n, err = G.ApplyOp(op, x)
	return n, errors.Wrap(err, "lookup")
}

func (o lookupOp) Type() hm.Type                                     { return idsType(o.dims, o.in) }
func (o lookupOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return o.firstShape(in...) }
func (o lookupOp) Do(in ...G.Value) (G.Value, error)                 { return o.UsePreallocDo(nil, in...) }

func (o lookupOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	x, out, size, per, err := idsArgs(o.name, prealloc, in)
	if err != nil {
		return nil, err
	}
	ids := out.Data().([]int64)
	key, err := valueText(o.name, x)
	if err != nil {
		return nil, err
	}
	for i := 0; i < size; i++ {
		id, err := o.table.id(key(i), i/per, i%per)
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	return out, nil
}
