package datasets

import (
	"math/rand"

	"github.com/pkg/errors"
)

// Batches returns the index batches of one epoch over n examples: the
// positions 0..n-1 in order, or permuted by rng.Perm(n) when shuffle is set,
// cut into consecutive batches of batchSize. The last partial batch is kept,
// so 100 examples at batch size 32 give batches of 32, 32, 32 and 4; every
// position appears exactly once. rng is only used (and must be non-nil) when
// shuffle is set. n <= 0 or batchSize <= 0 is an error.
func Batches(n, batchSize int, shuffle bool, rng *rand.Rand) ([][]int, error) {
	if n <= 0 {
		return nil, errors.Errorf("datasets.Batches: n = %d, want > 0", n)
	}
	if batchSize <= 0 {
		return nil, errors.Errorf("datasets.Batches: batch size %d, want > 0", batchSize)
	}
	var order []int
	if shuffle {
		if rng == nil {
			return nil, errors.New("datasets.Batches: shuffle needs a non-nil rng")
		}
		order = rng.Perm(n)
	} else {
		order = identity(n)
	}
	batches := make([][]int, 0, (n+batchSize-1)/batchSize)
	for start := 0; start < n; start += batchSize {
		end := min(start+batchSize, n)
		batches = append(batches, order[start:end:end])
	}
	return batches, nil
}
