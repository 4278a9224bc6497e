//go:build mpi

package distributed_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/gokeras/gokeras/distributed"
)

// TestMain finalizes MPI after the tests (mpirun reports a rank that exits
// without MPI_Finalize as failed).
func TestMain(m *testing.M) {
	code := m.Run()
	if err := distributed.Finalize(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

func world(t *testing.T) distributed.Comm {
	t.Helper()
	c, err := distributed.Init()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestMPICollectives runs every collective on MPI_COMM_WORLD (one process, or
// every rank under mpirun).
func TestMPICollectives(t *testing.T) {
	if !distributed.Enabled {
		t.Fatal("-tags mpi but not Enabled")
	}
	c := world(t)
	if again, err := distributed.Init(); err != nil || again != c {
		t.Errorf("a second Init: %v, %v", again, err)
	}
	n, r := c.Size(), c.Rank()
	if n < 1 || r < 0 || r >= n {
		t.Fatalf("rank %d of %d", r, n)
	}
	a := []float64{float64(r), 1}
	if err := c.AllreduceSumFloat64(a); err != nil {
		t.Fatal(err)
	}
	if a[0] != float64(n*(n-1)/2) || a[1] != float64(n) {
		t.Errorf("allreduce float64: %v", a)
	}
	b := []float32{float32(r) + 0.5}
	if err := c.AllreduceSumFloat32(b); err != nil {
		t.Fatal(err)
	}
	if b[0] != float32(n*(n-1))/2+0.5*float32(n) {
		t.Errorf("allreduce float32: %v", b)
	}
	root := n - 1
	bc := []float64{float64(r) * 3, 7}
	if err := c.BroadcastFloat64(bc, root); err != nil {
		t.Fatal(err)
	}
	if bc[0] != float64(root)*3 || bc[1] != 7 {
		t.Errorf("broadcast float64 from %d: %v", root, bc)
	}
	bc32 := []float32{float32(r)}
	if err := c.BroadcastFloat32(bc32, 0); err != nil || bc32[0] != 0 {
		t.Errorf("broadcast float32: %v %v", bc32, err)
	}
	if err := c.BroadcastFloat64(bc, n); err == nil {
		t.Errorf("broadcast from root %d of %d ranks: no error", n, n)
	}
	if err := c.AllreduceSumFloat64(nil); err != nil {
		t.Errorf("allreduce of nothing: %v", err)
	}
	if err := c.Barrier(); err != nil {
		t.Fatal(err)
	}
}
