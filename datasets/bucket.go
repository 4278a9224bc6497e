package datasets

import (
	"sort"
	"sync"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Bucketed is a Multi whose examples are also grouped into buckets, each of one
// sequence length: a trainer (trainers.FitMulti, EvaluateMulti) that sees one runs
// every batch from a single bucket, so it compiles one program per (batch size,
// bucket length) instead of padding everything to the longest length. As a plain
// Multi it holds every example padded to the longest bucket's length, in the
// original order (what splits, Predict and other readers see).
type Bucketed interface {
	Multi
	// Buckets returns the buckets, shortest first; each is a Multi whose first
	// input holds its examples padded to the bucket's length (an empty bucket
	// has Len 0 and is skipped).
	Buckets() []Multi
	// BucketExamples returns the positions, in the whole Multi, of bucket b's
	// examples, in the bucket's order.
	BucketExamples(b int) []int
}

// Buckets is the Bucketed data set made by Bucket.
type Buckets struct {
	ids     [][]int64 // the rows, unpadded (shared with the caller)
	bounds  []int     // the bucket lengths, ascending
	members [][]int   // members[b]: positions of bucket b's examples
	parts   []Multi
	names   [2]string
	tspecs  []Spec
	once    sync.Once
	all     *Tensors // every example padded to the longest used length (lazily)
	allErr  error
	longest int // the longest used bucket length
	target  *tensor.Dense
}

// BucketOption configures Bucket.
type BucketOption func(*bucketConfig)

type bucketConfig struct {
	bounds      []int
	input, targ string
}

// BucketBoundaries sets the bucket lengths (ascending, >= 1): a row of n ids goes
// to the first bucket of length >= n and is padded with 0 to it. The default is
// the powers of two from 8 up to the first >= the longest row. A row longer than
// the last boundary is an error.
func BucketBoundaries(lengths ...int) BucketOption {
	return func(c *bucketConfig) { c.bounds = append([]int(nil), lengths...) }
}

// BucketNames names the input (the ids) and the target, to match a model's input
// and output by name; unnamed (matched by position) by default.
func BucketNames(input, target string) BucketOption {
	return func(c *bucketConfig) { c.input, c.targ = input, target }
}

// Bucket groups sequences of ids of different lengths into buckets by length, for
// training a model whose input is declared layers.Input(T).WithVariableSteps()
// with T the longest boundary: rows[i] (1 or more ids; 0 is the padding id, which
// Embedding(WithMaskZero(true)) masks, so real ids should be >= 1) goes with
// example i of targets, shape (N, target...) of any numeric dtype, to the first
// bucket whose length holds it, padded at the end with 0. Each bucket is a Multi
// of one input (n_b, length) Int64 and one target (n_b, target...); a trainer
// draws every batch from one bucket and shuffles the batches of all buckets by its
// seed each epoch. The rows are copied into the buckets. Errors: no rows, a
// mismatch of N, an empty row, a row longer than the last boundary, bad
// boundaries.
func Bucket(rows [][]int64, targets *tensor.Dense, opts ...BucketOption) (*Buckets, error) {
	var c bucketConfig
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if len(rows) == 0 {
		return nil, errors.New("datasets.Bucket: no rows")
	}
	if targets == nil || targets.Dims() < 1 || targets.Shape()[0] != len(rows) {
		return nil, errors.Errorf("datasets.Bucket: targets must have %d examples (one per row)", len(rows))
	}
	longest := 0
	for i, r := range rows {
		if len(r) == 0 {
			return nil, errors.Errorf("datasets.Bucket: row %d is empty", i)
		}
		longest = max(longest, len(r))
	}
	bounds, err := bucketBounds(c.bounds, longest)
	if err != nil {
		return nil, errors.Wrap(err, "datasets.Bucket")
	}
	b := &Buckets{ids: rows, bounds: bounds, members: make([][]int, len(bounds)), names: [2]string{c.input, c.targ}, target: targets}
	for i, r := range rows {
		k := sort.SearchInts(bounds, len(r))
		if k == len(bounds) {
			return nil, errors.Errorf("datasets.Bucket: row %d has %d ids, more than the longest bucket (%d)", i, len(r), bounds[len(bounds)-1])
		}
		b.members[k] = append(b.members[k], i)
		b.longest = max(b.longest, bounds[k])
	}
	whole, err := NewTensors(nil, []*tensor.Dense{tensor.New(tensor.WithShape(len(rows), 1), tensor.Of(tensor.Int64))}, nil, []*tensor.Dense{targets})
	if err != nil {
		return nil, errors.Wrap(err, "datasets.Bucket")
	}
	b.tspecs = whole.Targets()
	if c.targ != "" {
		b.tspecs[0].Name = c.targ
	}
	for k, m := range b.members {
		part, err := b.padded(whole, m, bounds[k])
		if err != nil {
			return nil, errors.Wrapf(err, "datasets.Bucket: bucket %d (length %d)", k, bounds[k])
		}
		b.parts = append(b.parts, part)
	}
	return b, nil
}

// bucketBounds checks the given boundaries, or makes the default powers of two.
func bucketBounds(given []int, longest int) ([]int, error) {
	if len(given) == 0 {
		out := []int{8}
		for out[len(out)-1] < longest {
			out = append(out, out[len(out)-1]*2)
		}
		return out, nil
	}
	for i, v := range given {
		if v < 1 || (i > 0 && v <= given[i-1]) {
			return nil, errors.Errorf("bucket boundaries %v must be ascending and >= 1", given)
		}
	}
	return given, nil
}

// padded returns the examples m as a Multi: their ids padded with 0 to length,
// and their targets gathered from whole (nil for an empty bucket).
func (b *Buckets) padded(whole *Tensors, m []int, length int) (Multi, error) {
	if len(m) == 0 {
		return emptyMulti{b}, nil
	}
	ids := make([]int64, len(m)*length)
	for r, i := range m {
		copy(ids[r*length:], b.ids[i])
	}
	x := tensor.New(tensor.WithShape(len(m), length), tensor.WithBacking(ids))
	tshape := append([]int{len(m)}, b.target.Shape()[1:]...)
	y := tensor.New(tensor.WithShape(tshape...), tensor.Of(b.target.Dtype()))
	if err := whole.GatherTarget(m, 0, y); err != nil {
		return nil, err
	}
	return NewTensors(b.inNames(), []*tensor.Dense{x}, b.targNames(), []*tensor.Dense{y})
}

func (b *Buckets) inNames() []string {
	if b.names[0] == "" {
		return nil
	}
	return []string{b.names[0]}
}

func (b *Buckets) targNames() []string {
	if b.names[1] == "" {
		return nil
	}
	return []string{b.names[1]}
}

// Boundaries returns the bucket lengths, ascending.
func (b *Buckets) Boundaries() []int { return append([]int(nil), b.bounds...) }

// Buckets returns one Multi per boundary (see Bucketed).
func (b *Buckets) Buckets() []Multi { return append([]Multi(nil), b.parts...) }

// BucketExamples returns the positions of bucket k's examples (see Bucketed).
func (b *Buckets) BucketExamples(k int) []int {
	if k < 0 || k >= len(b.members) {
		return nil
	}
	return append([]int(nil), b.members[k]...)
}

// Len is the number of rows.
func (b *Buckets) Len() int { return len(b.ids) }

// Inputs is the one input: ids of the longest used bucket's length, Int64.
func (b *Buckets) Inputs() []Spec {
	return []Spec{{Name: b.names[0], Shape: []int{b.longest}, DType: tensor.Int64}}
}

// Targets is the one target, of the targets' per-example shape and dtype.
func (b *Buckets) Targets() []Spec {
	out := append([]Spec(nil), b.tspecs...)
	out[0].Shape = cloneInts(out[0].Shape)
	return out
}

// whole pads every row to the longest used length, once.
func (b *Buckets) whole() (*Tensors, error) {
	b.once.Do(func() {
		ids := make([]int64, len(b.ids)*b.longest)
		for i, r := range b.ids {
			copy(ids[i*b.longest:], r)
		}
		x := tensor.New(tensor.WithShape(len(b.ids), b.longest), tensor.WithBacking(ids))
		b.all, b.allErr = NewTensors(b.inNames(), []*tensor.Dense{x}, b.targNames(), []*tensor.Dense{b.target})
	})
	return b.all, b.allErr
}

// GatherMulti gathers examples padded to the longest used length (see Multi).
func (b *Buckets) GatherMulti(idx []int, xs, ys []*tensor.Dense) error {
	w, err := b.whole()
	if err != nil {
		return err
	}
	return w.GatherMulti(idx, xs, ys)
}

// GatherInput gathers the padded ids of the examples idx (see TensorGatherer).
func (b *Buckets) GatherInput(idx []int, i int, dst *tensor.Dense) error {
	w, err := b.whole()
	if err != nil {
		return err
	}
	return w.GatherInput(idx, i, dst)
}

// GatherTarget gathers the targets of the examples idx (see TensorGatherer).
func (b *Buckets) GatherTarget(idx []int, j int, dst *tensor.Dense) error {
	w, err := b.whole()
	if err != nil {
		return err
	}
	return w.GatherTarget(idx, j, dst)
}

// emptyMulti is an empty bucket: Len 0, the specs of the whole set.
type emptyMulti struct{ b *Buckets }

func (e emptyMulti) Len() int        { return 0 }
func (e emptyMulti) Inputs() []Spec  { return e.b.Inputs() }
func (e emptyMulti) Targets() []Spec { return e.b.Targets() }
func (e emptyMulti) GatherMulti(idx []int, _, _ []*tensor.Dense) error {
	return errors.New("empty bucket")
}
