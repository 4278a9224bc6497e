package datasets

import (
	"math/rand"

	"github.com/pkg/errors"
)

// Fold is one split of cross-validation: Train and Test hold example
// positions, each in increasing order. Together they hold every position of
// the data set exactly once.
type Fold struct {
	Train []int `json:"train"`
	Test  []int `json:"test"`
}

// KFold splits the positions 0..n-1 into k folds as scikit-learn's KFold
// does: the positions, shuffled with rand.New(rand.NewSource(seed)) when
// shuffle is true and in order otherwise (seed is then unused), are cut into
// k consecutive blocks, the first n%k of size n/k+1 and the rest of size
// n/k. Fold i has block i as Test and all other positions as Train, so
// every position is a test position in exactly one fold. k must satisfy
// 2 <= k <= n; otherwise the error names k and n.
func KFold(n, k int, shuffle bool, seed int64) ([]Fold, error) {
	if err := checkFolds(n, k); err != nil {
		return nil, errors.Wrap(err, "datasets.KFold")
	}
	order := identity(n)
	if shuffle {
		order = rand.New(rand.NewSource(seed)).Perm(n)
	}
	foldOf := make([]int, n)
	start := 0
	for f := 0; f < k; f++ {
		size := n / k
		if f < n%k {
			size++
		}
		for _, i := range order[start : start+size] {
			foldOf[i] = f
		}
		start += size
	}
	return foldsFrom(foldOf, k), nil
}

// StratifiedKFold splits ds into k folds that keep the class proportions,
// like scikit-learn's StratifiedKFold(shuffle=True). The class of an example
// is its target, which must be a single integer value per example (see
// StratifiedSplit). The examples of each class are shuffled with
// rand.New(rand.NewSource(seed)); the classes, in increasing id order, are
// then laid end to end and dealt to the folds in turn, so each fold's test
// set holds floor(c/k) or ceil(c/k) examples of a class of c examples (within
// one example of its share) and n/k or n/k+1 examples in all. Every position
// is a test position in exactly one fold. k must satisfy 2 <= k <= n;
// otherwise the error names k and n. A nil data set or unsuitable targets
// are errors too.
func StratifiedKFold(ds Dataset, k int, seed int64) ([]Fold, error) {
	if ds == nil {
		return nil, errors.New("datasets.StratifiedKFold: nil data set")
	}
	if err := checkFolds(ds.Len(), k); err != nil {
		return nil, errors.Wrap(err, "datasets.StratifiedKFold")
	}
	labels, err := classIDs(ds)
	if err != nil {
		return nil, errors.Wrap(err, "datasets.StratifiedKFold")
	}
	groups := groupByClass(labels, rand.New(rand.NewSource(seed)))
	foldOf := make([]int, len(labels))
	p := 0
	for _, g := range groups {
		for _, i := range g {
			foldOf[i] = p % k
			p++
		}
	}
	return foldsFrom(foldOf, k), nil
}

// checkFolds returns an error unless 2 <= k <= n.
func checkFolds(n, k int) error {
	if k < 2 {
		return errors.Errorf("k = %d folds, want at least 2", k)
	}
	if k > n {
		return errors.Errorf("k = %d folds is more than the %d examples", k, n)
	}
	return nil
}

// foldsFrom builds k folds from the fold number of every position: fold f
// tests the positions assigned to f and trains on the others, both in
// increasing order (positions are visited in order).
func foldsFrom(foldOf []int, k int) []Fold {
	folds := make([]Fold, k)
	for f := range folds {
		for i, g := range foldOf {
			if g == f {
				folds[f].Test = append(folds[f].Test, i)
			} else {
				folds[f].Train = append(folds[f].Train, i)
			}
		}
	}
	return folds
}
