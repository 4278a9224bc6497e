//go:build !mpi

package distributed_test

import (
	"testing"

	"github.com/gokeras/gokeras/distributed"
)

// Without -tags mpi, Init gives a group of one and Finalize does nothing.
func TestInitWithoutMPI(t *testing.T) {
	if distributed.Enabled {
		t.Fatal("Enabled without -tags mpi")
	}
	for i := 0; i < 2; i++ {
		c, err := distributed.Init()
		if err != nil {
			t.Fatal(err)
		}
		if c.Rank() != 0 || c.Size() != 1 {
			t.Errorf("Init: rank %d size %d, want 0 and 1", c.Rank(), c.Size())
		}
		buf := []float64{1.5}
		if err := c.AllreduceSumFloat64(buf); err != nil || buf[0] != 1.5 {
			t.Errorf("allreduce on one process: %v, %v", buf, err)
		}
		if err := distributed.Finalize(); err != nil {
			t.Error(err)
		}
	}
}
