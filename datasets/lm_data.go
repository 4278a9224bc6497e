package datasets

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// LMSet holds next-token prediction windows for a language model, made by
// LMWindows from a sequence of token ids: input X of shape (N, context) and
// target Y of the same shape, both int32, where Y is X shifted by one token
// (Y[i][t] is the token that follows X[i][t] in the sequence).
//
// An LMSet is both a Multi (one unnamed Int32 input of per-example shape
// [context], one unnamed Int32 target of the same shape; it also implements
// TensorGatherer) and a Dataset (Gather converts the ids to the Float32 or
// Float64 destinations a Dataset takes). For an Embedding layer and a
// sparse cross-entropy loss, gather the Multi form into integer
// destinations. An LMSet is read-only after it is made and safe for
// concurrent gathers.
type LMSet struct {
	t       *Tensors
	ds      Dataset
	context int
	stride  int
}

// LMWindows cuts the token ids into windows of context tokens, the first
// starting at 0 and each next one stride tokens later, and pairs each
// window with the window one token later as its target:
//
//	X[i] = ids[i*stride : i*stride+context]
//	Y[i] = ids[i*stride+1 : i*stride+context+1]
//
// There are N = (len(ids)-context-1)/stride + 1 windows (the tail that does
// not fill a whole window is left out); stride == context gives
// non-overlapping windows, stride 1 every window. The ids are copied into
// int32 tensors. context and stride must be at least 1, ids must hold at
// least context+1 tokens and every id must lie in [0, 2^31-1]; otherwise
// the error names the values.
func LMWindows(ids []int, context, stride int) (*LMSet, error) {
	if context <= 0 {
		return nil, errors.Errorf("datasets.LMWindows: context %d is not at least 1", context)
	}
	if stride <= 0 {
		return nil, errors.Errorf("datasets.LMWindows: stride %d is not at least 1", stride)
	}
	if len(ids) < context+1 {
		return nil, errors.Errorf("datasets.LMWindows: %d tokens are too few for one window of context %d (need at least %d: the inputs and the next token)",
			len(ids), context, context+1)
	}
	for i, id := range ids {
		if id < 0 || id > math.MaxInt32 {
			return nil, errors.Errorf("datasets.LMWindows: token %d has id %d, outside [0, %d]", i, id, math.MaxInt32)
		}
	}
	n := (len(ids)-context-1)/stride + 1
	xs := make([]int32, n*context)
	ys := make([]int32, n*context)
	for i := 0; i < n; i++ {
		start := i * stride
		for t := 0; t < context; t++ {
			xs[i*context+t] = int32(ids[start+t])
			ys[i*context+t] = int32(ids[start+t+1])
		}
	}
	x := tensor.New(tensor.WithShape(n, context), tensor.WithBacking(xs))
	y := tensor.New(tensor.WithShape(n, context), tensor.WithBacking(ys))
	t, err := NewTensors(nil, []*tensor.Dense{x}, nil, []*tensor.Dense{y})
	if err != nil {
		return nil, errors.Wrap(err, "datasets.LMWindows")
	}
	ds, err := AsDataset(t)
	if err != nil {
		return nil, errors.Wrap(err, "datasets.LMWindows")
	}
	return &LMSet{t: t, ds: ds, context: context, stride: stride}, nil
}

// X returns the input windows, an int32 tensor of shape (N, context),
// shared with the set, not copied.
func (s *LMSet) X() *tensor.Dense { return s.t.Input(0) }

// Y returns the next-token targets, an int32 tensor of shape (N, context)
// (X shifted by one token), shared with the set, not copied.
func (s *LMSet) Y() *tensor.Dense { return s.t.Target(0) }

// Context returns the window length (the per-example shape is [Context]).
func (s *LMSet) Context() int { return s.context }

// Stride returns the distance in tokens between the starts of two
// consecutive windows.
func (s *LMSet) Stride() int { return s.stride }

// Tensors returns the set as the in-memory Multi it is built on (the same
// tensors, not copies).
func (s *LMSet) Tensors() *Tensors { return s.t }

// Len returns the number of windows N.
func (s *LMSet) Len() int { return s.t.Len() }

// Inputs returns the spec of the one input: unnamed, shape [context], Int32.
func (s *LMSet) Inputs() []Spec { return s.t.Inputs() }

// Targets returns the spec of the one target: unnamed, shape [context],
// Int32.
func (s *LMSet) Targets() []Spec { return s.t.Targets() }

// GatherMulti implements Multi: it copies windows idx of X into xs[0] and
// of Y into ys[0] (integer or float destinations of total size
// len(idx)*context).
func (s *LMSet) GatherMulti(idx []int, xs, ys []*tensor.Dense) error {
	return errors.Wrap(s.t.GatherMulti(idx, xs, ys), "datasets.LMSet")
}

// GatherInput implements TensorGatherer: windows idx of X (i must be 0).
func (s *LMSet) GatherInput(idx []int, i int, dst *tensor.Dense) error {
	return errors.Wrap(s.t.GatherInput(idx, i, dst), "datasets.LMSet")
}

// GatherTarget implements TensorGatherer: windows idx of Y (j must be 0).
func (s *LMSet) GatherTarget(idx []int, j int, dst *tensor.Dense) error {
	return errors.Wrap(s.t.GatherTarget(idx, j, dst), "datasets.LMSet")
}

// XShape implements Dataset: [context].
func (s *LMSet) XShape() []int { return []int{s.context} }

// YShape implements Dataset: [context].
func (s *LMSet) YShape() []int { return []int{s.context} }

// Gather implements Dataset: it copies windows idx of X and Y into x and y,
// Float32 or Float64 destinations of total size len(idx)*context each (ids
// converted to floats).
func (s *LMSet) Gather(idx []int, x, y *tensor.Dense) error {
	return errors.Wrap(s.ds.Gather(idx, x, y), "datasets.LMSet")
}

// SplitTokens splits a token sequence in order, without shuffling (windows
// of a text overlap, so a shuffled split would leak): train holds the first
// int(trainFraction*len(ids)) tokens and test the rest, both copies. A
// 90/10 split is SplitTokens(ids, 0.9). trainFraction must lie in (0, 1)
// and both parts must be non-empty; otherwise the error names the values.
// Check that each part is long enough for LMWindows (context+1 tokens).
func SplitTokens(ids []int, trainFraction float64) (train, test []int, err error) {
	if !(trainFraction > 0 && trainFraction < 1) {
		return nil, nil, errors.Errorf("datasets.SplitTokens: train fraction %v is not in (0, 1)", trainFraction)
	}
	at := int(trainFraction * float64(len(ids)))
	if at <= 0 || at >= len(ids) {
		return nil, nil, errors.Errorf("datasets.SplitTokens: train fraction %v of %d tokens leaves %d for training and %d for test",
			trainFraction, len(ids), at, len(ids)-at)
	}
	train = append([]int(nil), ids[:at]...)
	test = append([]int(nil), ids[at:]...)
	return train, test, nil
}
