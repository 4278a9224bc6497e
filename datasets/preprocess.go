package datasets

import (
	"math"
	"math/rand"
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// classChunk is the number of examples classIDs gathers at a time.
const classChunk = 1024

// maxClassID bounds the magnitude of a target value read as a class id, so
// that it converts exactly to an int (2^53).
const maxClassID = 1 << 53

// StratifiedSplit shuffles ds with rand.New(rand.NewSource(seed)) and splits
// it into train and test keeping the class proportions, as scikit-learn's
// train_test_split(stratify=y) does. The class of an example is its target,
// which must be a single integer value per example (YShape with one
// element, e.g. [1]); anything else is an error naming the shape or the
// example.
//
// test holds ceil(testFraction*n) examples, as with TrainTestSplit, shared
// among the classes in proportion to their sizes (largest remainders get the
// leftover examples), so each class's test count is within one example of
// testFraction times its size. testFraction must lie in (0, 1) and both parts
// must be non-empty. Both parts are views of ds (see Subset), each in
// shuffled order; the same seed gives the same split.
func StratifiedSplit(ds Dataset, testFraction float64, seed int64) (train, test Dataset, err error) {
	if ds == nil {
		return nil, nil, errors.New("datasets.StratifiedSplit: nil data set")
	}
	if !(testFraction > 0 && testFraction < 1) {
		return nil, nil, errors.Errorf("datasets.StratifiedSplit: test fraction %v is not in (0, 1)", testFraction)
	}
	labels, err := classIDs(ds)
	if err != nil {
		return nil, nil, errors.Wrap(err, "datasets.StratifiedSplit")
	}
	n := len(labels)
	nTest := int(math.Ceil(testFraction * float64(n)))
	if nTest <= 0 || nTest >= n {
		return nil, nil, errors.Errorf("datasets.StratifiedSplit: test fraction %v of %d examples leaves %d for training and %d for test",
			testFraction, n, n-nTest, nTest)
	}
	rng := rand.New(rand.NewSource(seed))
	groups := groupByClass(labels, rng)
	quota := largestRemainder(groups, nTest, n)
	trainIdx := make([]int, 0, n-nTest)
	testIdx := make([]int, 0, nTest)
	for c, g := range groups {
		testIdx = append(testIdx, g[:quota[c]]...)
		trainIdx = append(trainIdx, g[quota[c]:]...)
	}
	rng.Shuffle(len(trainIdx), func(i, j int) { trainIdx[i], trainIdx[j] = trainIdx[j], trainIdx[i] })
	rng.Shuffle(len(testIdx), func(i, j int) { testIdx[i], testIdx[j] = testIdx[j], testIdx[i] })
	if train, err = Subset(ds, trainIdx); err != nil {
		return nil, nil, errors.Wrap(err, "datasets.StratifiedSplit")
	}
	if test, err = Subset(ds, testIdx); err != nil {
		return nil, nil, errors.Wrap(err, "datasets.StratifiedSplit")
	}
	return train, test, nil
}

// groupByClass returns the positions of each class, classes in increasing id
// order, each group shuffled with rng (groups in that order).
func groupByClass(labels []int, rng *rand.Rand) [][]int {
	byClass := make(map[int][]int)
	for i, l := range labels {
		byClass[l] = append(byClass[l], i)
	}
	ids := make([]int, 0, len(byClass))
	for id := range byClass {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	groups := make([][]int, len(ids))
	for c, id := range ids {
		g := byClass[id]
		rng.Shuffle(len(g), func(i, j int) { g[i], g[j] = g[j], g[i] })
		groups[c] = g
	}
	return groups
}

// largestRemainder shares total among the groups in proportion to their
// sizes (which sum to n): each gets floor(size*total/n) and the leftover
// units go to the largest remainders, ties to the larger group and then to
// the earlier one.
func largestRemainder(groups [][]int, total, n int) []int {
	quota := make([]int, len(groups))
	rem := make([]int, len(groups))
	order := make([]int, len(groups))
	left := total
	for c, g := range groups {
		quota[c] = len(g) * total / n
		rem[c] = len(g) * total % n
		left -= quota[c]
		order[c] = c
	}
	sort.SliceStable(order, func(a, b int) bool {
		ca, cb := order[a], order[b]
		if rem[ca] != rem[cb] {
			return rem[ca] > rem[cb]
		}
		return len(groups[ca]) > len(groups[cb])
	})
	for _, c := range order[:left] {
		quota[c]++
	}
	return quota
}

// classIDs reads the targets of ds, gathering classChunk (1024) examples at
// a time, and returns them as integer class ids. The target must hold one
// value per example and every value must be a finite integer of magnitude at
// most 2^53; otherwise the error names the shape or the example.
func classIDs(ds Dataset) ([]int, error) {
	n := ds.Len()
	yShape := ds.YShape()
	if prod(yShape) != 1 || len(yShape) == 0 {
		return nil, errors.Errorf("target has shape %v, want one class id per example (e.g. [1])", yShape)
	}
	xSize := prod(ds.XShape())
	if n <= 0 || xSize <= 0 {
		return nil, errors.Errorf("empty data set (%d examples, x shape %v)", n, ds.XShape())
	}
	chunk := min(n, classChunk)
	xBuf := make([]float64, chunk*xSize)
	yBuf := make([]float64, chunk)
	idx := make([]int, 0, chunk)
	labels := make([]int, n)
	for start := 0; start < n; start += chunk {
		m := min(chunk, n-start)
		idx = idx[:0]
		for i := start; i < start+m; i++ {
			idx = append(idx, i)
		}
		x := tensor.New(tensor.WithShape(m, xSize), tensor.WithBacking(xBuf[:m*xSize]))
		y := tensor.New(tensor.WithShape(m), tensor.WithBacking(yBuf[:m]))
		if err := ds.Gather(idx, x, y); err != nil {
			return nil, errors.Wrapf(err, "reading targets %d to %d", start, start+m-1)
		}
		for k, v := range yBuf[:m] {
			if v != math.Trunc(v) || math.Abs(v) > maxClassID {
				return nil, errors.Errorf("target %v of example %d is not an integer class id", v, start+k)
			}
			labels[start+k] = int(v)
		}
	}
	return labels, nil
}

// ScaleImages returns x divided by maxValue, so that pixel values in
// [0, maxValue] (e.g. 255 for 8-bit images, 16 for Digits) land in [0, 1].
// x may have any shape. A Float32 or Float64 x gives a new tensor of the same
// dtype and shape; an integer x (Uint8, Int, Int32 or Int64) gives a Float64
// one. x is not modified. maxValue must be positive and finite, and every
// value of x must lie in [0, maxValue]: a NaN or a value outside is an error
// naming its flat position, as is a nil, empty or unsupported x.
func ScaleImages(x *tensor.Dense, maxValue float64) (*tensor.Dense, error) {
	if !(maxValue > 0) || math.IsInf(maxValue, 0) {
		return nil, errors.Errorf("datasets.ScaleImages: max %v is not positive and finite", maxValue)
	}
	vals, err := denseValues(x)
	if err != nil {
		return nil, errors.Wrap(err, "datasets.ScaleImages")
	}
	for i, v := range vals {
		if !(v >= 0 && v <= maxValue) {
			return nil, errors.Errorf("datasets.ScaleImages: value %v at flat position %d is outside [0, %v]", v, i, maxValue)
		}
		vals[i] = v / maxValue
	}
	dt := x.Dtype()
	if dt != tensor.Float32 {
		dt = tensor.Float64
	}
	return newDenseLike(dt, x.Shape(), vals), nil
}

// denseValues returns a fresh float64 copy of the values of x in row-major
// order (materializing views). x must be non-nil, non-empty and of dtype
// Float32, Float64, Uint8, Int, Int32 or Int64.
func denseValues(x *tensor.Dense) ([]float64, error) {
	if x == nil {
		return nil, errors.New("x is nil")
	}
	if x.Shape().IsScalar() || x.Shape().TotalSize() < 1 {
		return nil, errors.Errorf("x has shape %v, want a non-empty tensor of rank >= 1", x.Shape())
	}
	if x.RequiresIterator() || x.IsMaterializable() {
		m, ok := x.Materialize().(*tensor.Dense)
		if !ok {
			return nil, errors.New("x could not be materialized")
		}
		x = m
	}
	size := x.Shape().TotalSize()
	out := make([]float64, size)
	switch x.Dtype() {
	case tensor.Float64:
		copy(out, x.Float64s()[:size])
	case tensor.Float32:
		for i, v := range x.Float32s()[:size] {
			out[i] = float64(v)
		}
	case tensor.Uint8:
		for i, v := range x.Uint8s()[:size] {
			out[i] = float64(v)
		}
	case tensor.Int:
		for i, v := range x.Ints()[:size] {
			out[i] = float64(v)
		}
	case tensor.Int32:
		for i, v := range x.Int32s()[:size] {
			out[i] = float64(v)
		}
	case tensor.Int64:
		for i, v := range x.Int64s()[:size] {
			out[i] = float64(v)
		}
	default:
		return nil, errors.Errorf("x has dtype %v, want float32, float64, uint8, int, int32 or int64", x.Dtype())
	}
	return out, nil
}

// newDenseLike returns a new dense tensor of dtype dt (Float32 or Float64)
// and the given shape holding vals (converted to float32 for Float32).
func newDenseLike(dt tensor.Dtype, shape tensor.Shape, vals []float64) *tensor.Dense {
	s := cloneInts(shape)
	if dt == tensor.Float32 {
		f := make([]float32, len(vals))
		for i, v := range vals {
			f[i] = float32(v)
		}
		return tensor.New(tensor.WithShape(s...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(s...), tensor.WithBacking(vals))
}
