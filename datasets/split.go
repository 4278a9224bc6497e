package datasets

import (
	"math"
	"math/rand"

	"github.com/pkg/errors"
)

// SplitTail splits ds as Keras' validation_split does: the last fraction of
// the examples, in order and not shuffled, become val and the rest train.
// As in Keras, train holds int(n*(1-fraction)) examples (so 100 examples at
// 0.2 give 80 and 20). fraction must lie in the open interval (0, 1) and
// both parts must be non-empty; otherwise the error names the value. Both
// parts are views of ds (see Subset).
func SplitTail(ds Dataset, fraction float64) (train, val Dataset, err error) {
	if ds == nil {
		return nil, nil, errors.New("datasets.SplitTail: nil data set")
	}
	if !(fraction > 0 && fraction < 1) {
		return nil, nil, errors.Errorf("datasets.SplitTail: fraction %v is not in (0, 1)", fraction)
	}
	n := ds.Len()
	at := int(float64(n) * (1 - fraction))
	if at <= 0 || at >= n {
		return nil, nil, errors.Errorf("datasets.SplitTail: fraction %v of %d examples leaves %d for training and %d for validation",
			fraction, n, at, n-at)
	}
	return splitAt(ds, identity(n), at)
}

// TrainTestSplit shuffles the positions of ds with
// rand.New(rand.NewSource(seed)) and splits them as scikit-learn's
// train_test_split does: test holds ceil(testFraction*n) examples and train
// the rest, both in shuffled order. testFraction must lie in (0, 1) and both
// parts must be non-empty; otherwise the error names the value. Both parts
// are views of ds (see Subset).
func TrainTestSplit(ds Dataset, testFraction float64, seed int64) (train, test Dataset, err error) {
	if ds == nil {
		return nil, nil, errors.New("datasets.TrainTestSplit: nil data set")
	}
	if !(testFraction > 0 && testFraction < 1) {
		return nil, nil, errors.Errorf("datasets.TrainTestSplit: test fraction %v is not in (0, 1)", testFraction)
	}
	n := ds.Len()
	nTest := int(math.Ceil(testFraction * float64(n)))
	at := n - nTest
	if at <= 0 || at >= n {
		return nil, nil, errors.Errorf("datasets.TrainTestSplit: test fraction %v of %d examples leaves %d for training and %d for test",
			testFraction, n, at, nTest)
	}
	perm := rand.New(rand.NewSource(seed)).Perm(n)
	return splitAt(ds, perm, at)
}

// splitAt returns the views of ds at order[:at] and order[at:].
func splitAt(ds Dataset, order []int, at int) (Dataset, Dataset, error) {
	a, err := Subset(ds, order[:at])
	if err != nil {
		return nil, nil, err
	}
	b, err := Subset(ds, order[at:])
	if err != nil {
		return nil, nil, err
	}
	return a, b, nil
}

// identity returns the positions 0, 1, ..., n-1.
func identity(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}
