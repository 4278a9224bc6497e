package datasets

import (
	"math"
	"math/rand"

	"github.com/pkg/errors"
)

// newRand returns the generator every synthetic data set draws from.
func newRand(seed int64) *rand.Rand {
	return rand.New(rand.NewSource(seed))
}

// checkCount returns an error unless n, the number of examples asked of a
// generator, is positive.
func checkCount(n int) error {
	if n <= 0 {
		return errors.Errorf("n = %d, want > 0", n)
	}
	return nil
}

// checkNoise returns an error unless noise is a finite non-negative standard
// deviation.
func checkNoise(noise float64) error {
	if !(noise >= 0) || math.IsInf(noise, 0) {
		return errors.Errorf("noise = %v, want a finite value >= 0", noise)
	}
	return nil
}

// label returns 1 when cond holds and 0 otherwise.
func label(cond bool) float64 {
	if cond {
		return 1
	}
	return 0
}
