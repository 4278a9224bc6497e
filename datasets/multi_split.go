package datasets

import (
	"math"
	"math/rand"

	"github.com/pkg/errors"
)

// SplitTailMulti is SplitTail for a Multi: the last fraction of the
// examples, in order and not shuffled, become val and the rest train, for
// every input and target alike. train holds int(n*(1-fraction)) examples
// (100 examples at 0.2 give 80 and 20), exactly as SplitTail. fraction must
// lie in the open interval (0, 1) and both parts must be non-empty;
// otherwise the error names the value. Both parts are views of m (see
// SubsetMulti).
func SplitTailMulti(m Multi, fraction float64) (train, val Multi, err error) {
	if m == nil {
		return nil, nil, errors.New("datasets.SplitTailMulti: nil data set")
	}
	if !(fraction > 0 && fraction < 1) {
		return nil, nil, errors.Errorf("datasets.SplitTailMulti: fraction %v is not in (0, 1)", fraction)
	}
	n := m.Len()
	at := int(float64(n) * (1 - fraction))
	if at <= 0 || at >= n {
		return nil, nil, errors.Errorf("datasets.SplitTailMulti: fraction %v of %d examples leaves %d for training and %d for validation",
			fraction, n, at, n-at)
	}
	return splitMultiAt(m, identity(n), at)
}

// TrainTestSplitMulti is TrainTestSplit for a Multi: the positions of m are
// shuffled with rand.New(rand.NewSource(seed)), test holds
// ceil(testFraction*n) examples and train the rest, both in shuffled order.
// The same seed and number of examples give the same positions as
// TrainTestSplit. testFraction must lie in (0, 1) and both parts must be
// non-empty; otherwise the error names the value. Both parts are views of m
// (see SubsetMulti).
func TrainTestSplitMulti(m Multi, testFraction float64, seed int64) (train, test Multi, err error) {
	if m == nil {
		return nil, nil, errors.New("datasets.TrainTestSplitMulti: nil data set")
	}
	if !(testFraction > 0 && testFraction < 1) {
		return nil, nil, errors.Errorf("datasets.TrainTestSplitMulti: test fraction %v is not in (0, 1)", testFraction)
	}
	n := m.Len()
	nTest := int(math.Ceil(testFraction * float64(n)))
	at := n - nTest
	if at <= 0 || at >= n {
		return nil, nil, errors.Errorf("datasets.TrainTestSplitMulti: test fraction %v of %d examples leaves %d for training and %d for test",
			testFraction, n, at, nTest)
	}
	perm := rand.New(rand.NewSource(seed)).Perm(n)
	return splitMultiAt(m, perm, at)
}

// splitMultiAt returns the views of m at order[:at] and order[at:].
func splitMultiAt(m Multi, order []int, at int) (Multi, Multi, error) {
	a, err := SubsetMulti(m, order[:at])
	if err != nil {
		return nil, nil, err
	}
	b, err := SubsetMulti(m, order[at:])
	if err != nil {
		return nil, nil, err
	}
	return a, b, nil
}
