package distributed_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/gokeras/gokeras/distributed"
)

func TestShard(t *testing.T) {
	cases := []struct{ n, size int }{{128, 2}, {89, 2}, {10, 3}, {1, 2}, {0, 2}, {7, 1}}
	for _, c := range cases {
		next := 0
		for r := 0; r < c.size; r++ {
			lo, hi := distributed.Shard(c.n, r, c.size)
			if lo != next || hi < lo || hi-lo > (c.n+c.size-1)/c.size || hi-lo < c.n/c.size {
				t.Errorf("Shard(%d, %d, %d) = [%d, %d), after %d", c.n, r, c.size, lo, hi, next)
			}
			next = hi
		}
		if next != c.n {
			t.Errorf("Shard(%d, _, %d) covers %d rows", c.n, c.size, next)
		}
	}
	if lo, hi := distributed.Shard(10, 2, 2); lo != 0 || hi != 0 {
		t.Errorf("a rank outside the group gets [%d, %d)", lo, hi)
	}
}

func TestSingle(t *testing.T) {
	c := distributed.Single()
	if c.Rank() != 0 || c.Size() != 1 {
		t.Fatalf("Single: rank %d size %d", c.Rank(), c.Size())
	}
	f32, f64 := []float32{1, 2}, []float64{3, 4}
	if err := c.AllreduceSumFloat32(f32); err != nil || f32[1] != 2 {
		t.Errorf("allreduce float32: %v %v", f32, err)
	}
	if err := c.AllreduceSumFloat64(f64); err != nil || f64[1] != 4 {
		t.Errorf("allreduce float64: %v %v", f64, err)
	}
	if err := c.BroadcastFloat64(f64, 0); err != nil || f64[0] != 3 {
		t.Errorf("broadcast: %v %v", f64, err)
	}
	if err := c.BroadcastFloat32(f32, 1); err == nil || !strings.Contains(err.Error(), "root 1") {
		t.Errorf("broadcast from root 1 of a group of one: error %v", err)
	}
	if err := c.Barrier(); err != nil {
		t.Error(err)
	}
}

// onRanks runs f on every rank of a local group of n, concurrently.
func onRanks(t *testing.T, n int, f func(c distributed.Comm) error) []error {
	t.Helper()
	comms, err := distributed.NewLocalGroup(n)
	if err != nil {
		t.Fatal(err)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for r, c := range comms {
		wg.Add(1)
		go func() { defer wg.Done(); errs[r] = f(c) }()
	}
	wg.Wait()
	return errs
}

func TestLocalGroupCollectives(t *testing.T) {
	const n = 3
	var mu sync.Mutex
	got := map[int][]float64{}
	errs := onRanks(t, n, func(c distributed.Comm) error {
		r := float64(c.Rank())
		a := []float64{r, 10 * r, 1}
		if err := c.AllreduceSumFloat64(a); err != nil {
			return err
		}
		b := []float32{float32(r), -float32(r)}
		if err := c.AllreduceSumFloat32(b); err != nil {
			return err
		}
		bc := []float64{r + 100, r}
		if err := c.BroadcastFloat64(bc, 2); err != nil {
			return err
		}
		bc32 := []float32{float32(r) + 1}
		if err := c.BroadcastFloat32(bc32, 1); err != nil {
			return err
		}
		if err := c.Barrier(); err != nil {
			return err
		}
		mu.Lock()
		got[c.Rank()] = append(a, float64(b[0]), float64(b[1]), bc[0], bc[1], float64(bc32[0]))
		mu.Unlock()
		return nil
	})
	want := []float64{3, 30, 3, 3, -3, 102, 2, 2}
	for r := 0; r < n; r++ {
		if errs[r] != nil {
			t.Fatalf("rank %d: %v", r, errs[r])
		}
		for i := range want {
			if got[r][i] != want[i] {
				t.Errorf("rank %d: got %v, want %v", r, got[r], want)
				break
			}
		}
	}
}

func TestLocalGroupMismatch(t *testing.T) {
	errs := onRanks(t, 2, func(c distributed.Comm) error {
		return c.AllreduceSumFloat64(make([]float64, 2+c.Rank()))
	})
	for r, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "values") {
			t.Errorf("rank %d: allreduce of different lengths: error %v", r, err)
		}
	}
	errs = onRanks(t, 2, func(c distributed.Comm) error { return c.BroadcastFloat64(nil, 5) })
	for r, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "root 5") {
			t.Errorf("rank %d: broadcast from root 5: error %v", r, err)
		}
	}
	if _, err := distributed.NewLocalGroup(0); err == nil {
		t.Error("a local group of 0 ranks: no error")
	}
}
