package distributed

import "github.com/pkg/errors"

// Comm is one rank of a group of processes (or goroutines, NewLocalGroup)
// that run collectives together. Every rank of the group must call the same
// collectives in the same order with buffers of the same length; a collective
// returns only when every rank has called it. A Comm is safe for use by one
// goroutine at a time.
type Comm interface {
	// Rank is this process's index in the group, 0 <= Rank < Size.
	Rank() int
	// Size is the number of ranks of the group (1 for a single process).
	Size() int
	// BroadcastFloat32 copies root's buf into every other rank's buf.
	BroadcastFloat32(buf []float32, root int) error
	// BroadcastFloat64 copies root's buf into every other rank's buf.
	BroadcastFloat64(buf []float64, root int) error
	// AllreduceSumFloat32 replaces buf, on every rank, with the element-wise
	// sum of all the ranks' bufs.
	AllreduceSumFloat32(buf []float32) error
	// AllreduceSumFloat64 replaces buf, on every rank, with the element-wise
	// sum of all the ranks' bufs.
	AllreduceSumFloat64(buf []float64) error
	// Barrier returns when every rank has called it.
	Barrier() error
}

// Single returns the Comm of a group of one process: Rank 0, Size 1. Its
// collectives leave the buffers as they are (the sum over one rank is the
// buffer itself) and only check the root (which must be 0).
func Single() Comm { return single{} }

type single struct{}

func (single) Rank() int { return 0 }
func (single) Size() int { return 1 }
func (single) BroadcastFloat32(buf []float32, root int) error {
	return checkRoot("broadcast", root, 1)
}
func (single) BroadcastFloat64(buf []float64, root int) error {
	return checkRoot("broadcast", root, 1)
}
func (single) AllreduceSumFloat32([]float32) error { return nil }
func (single) AllreduceSumFloat64([]float64) error { return nil }
func (single) Barrier() error                      { return nil }

// checkRoot reports a root outside [0, size).
func checkRoot(what string, root, size int) error {
	if root < 0 || root >= size {
		return errors.Errorf("distributed: %s: root %d is not a rank of a group of %d", what, root, size)
	}
	return nil
}

// Shard returns the rows [lo, hi) of a batch of n rows that rank trains on in
// a group of size ranks: contiguous, in rank order, the first n%size ranks one
// row more than the others. A rank may get no rows (n < size).
func Shard(n, rank, size int) (lo, hi int) {
	if size < 1 || rank < 0 || rank >= size || n <= 0 {
		return 0, 0
	}
	q, r := n/size, n%size
	lo = rank*q + min(rank, r)
	hi = lo + q
	if rank < r {
		hi++
	}
	return lo, hi
}
