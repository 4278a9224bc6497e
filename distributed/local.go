package distributed

import (
	"sync"

	"github.com/pkg/errors"
)

// NewLocalGroup returns the n ranks (n >= 1) of a group that lives inside one
// process: give each to its own goroutine. Collectives sum in rank order, so
// results are the same on every rank and from run to run. It is meant for tests
// and for trying data-parallel code without MPI.
func NewLocalGroup(n int) ([]Comm, error) {
	if n < 1 {
		return nil, errors.Errorf("distributed: a local group needs at least 1 rank, got %d", n)
	}
	g := &localGroup{n: n, slots: make([]deposit, n)}
	g.cond = sync.NewCond(&g.mu)
	out := make([]Comm, n)
	for r := range out {
		out[r] = &localComm{g: g, rank: r}
	}
	return out, nil
}

// localGroup is the shared state of a local group: a cyclic barrier and the
// buffers each rank deposits for the collective in progress.
type localGroup struct {
	mu      sync.Mutex
	cond    *sync.Cond
	n       int
	arrived int
	gen     uint64
	slots   []deposit
}

// deposit is what one rank brings to a collective.
type deposit struct {
	op   string
	root int
	f32  []float32
	f64  []float64
}

func (g *localGroup) barrier() {
	g.mu.Lock()
	gen := g.gen
	g.arrived++
	if g.arrived == g.n {
		g.arrived = 0
		g.gen++
		g.cond.Broadcast()
	} else {
		for gen == g.gen {
			g.cond.Wait()
		}
	}
	g.mu.Unlock()
}

type localComm struct {
	g    *localGroup
	rank int
}

func (c *localComm) Rank() int { return c.rank }
func (c *localComm) Size() int { return c.g.n }

// exchange deposits d, waits for every rank, checks that all ranks called the
// same collective with the same length and root, runs f (which may read every
// deposit), waits again so that no rank changes its buffer while another reads
// it, then runs after (which writes this rank's buffer).
func (c *localComm) exchange(d deposit, f func(all []deposit) error, after func()) error {
	g := c.g
	g.slots[c.rank] = d
	g.barrier()
	err := checkDeposits(g.slots)
	if err == nil {
		err = f(g.slots)
	}
	g.barrier()
	if err == nil && after != nil {
		after()
	}
	return err
}

func checkDeposits(all []deposit) error {
	a := all[0]
	for r, d := range all[1:] {
		if d.op != a.op || d.root != a.root || len(d.f32) != len(a.f32) || len(d.f64) != len(a.f64) {
			return errors.Errorf("distributed: rank 0 called %s (root %d, %d values), rank %d %s (root %d, %d values)",
				a.op, a.root, len(a.f32)+len(a.f64), r+1, d.op, d.root, len(d.f32)+len(d.f64))
		}
	}
	return checkRoot(a.op, a.root, len(all))
}

func (c *localComm) BroadcastFloat32(buf []float32, root int) error {
	return c.exchange(deposit{op: "broadcast float32", root: root, f32: buf},
		func(all []deposit) error {
			if c.rank != root { // only root's buffer is read meanwhile
				copy(buf, all[root].f32)
			}
			return nil
		}, nil)
}

func (c *localComm) BroadcastFloat64(buf []float64, root int) error {
	return c.exchange(deposit{op: "broadcast float64", root: root, f64: buf},
		func(all []deposit) error {
			if c.rank != root {
				copy(buf, all[root].f64)
			}
			return nil
		}, nil)
}

func (c *localComm) AllreduceSumFloat32(buf []float32) error {
	sum := make([]float32, len(buf))
	return c.exchange(deposit{op: "allreduce float32", f32: buf},
		func(all []deposit) error {
			for _, d := range all {
				for i, v := range d.f32 {
					sum[i] += v
				}
			}
			return nil
		},
		func() { copy(buf, sum) })
}

func (c *localComm) AllreduceSumFloat64(buf []float64) error {
	sum := make([]float64, len(buf))
	return c.exchange(deposit{op: "allreduce float64", f64: buf},
		func(all []deposit) error {
			for _, d := range all {
				for i, v := range d.f64 {
					sum[i] += v
				}
			}
			return nil
		},
		func() { copy(buf, sum) })
}

func (c *localComm) Barrier() error {
	return c.exchange(deposit{op: "barrier"}, func([]deposit) error { return nil }, nil)
}
