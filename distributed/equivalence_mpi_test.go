//go:build mpi

package distributed_test

import (
	"context"
	"math"
	"testing"

	"github.com/gokeras/gokeras/internal/disttest"

	"github.com/gokeras/gokeras/distributed"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// eqFit trains a model of build on (x, y) for 4 epochs at batch 128, across
// comm's ranks (nil: this process alone), and returns its weights. The model
// is built with seed (rank 0's weights win under comm).
func eqFit(t *testing.T, comm distributed.Comm, build func() layers.Model, opt trainers.Optimizer, seed int64, x, y *tensor.Dense) []float64 {
	t.Helper()
	m := build()
	if err := m.Build(layers.WithSeed(seed), layers.WithDType(tensor.Float64)); err != nil {
		t.Fatal(err)
	}
	opts := []trainers.Option{trainers.WithSeed(7), trainers.WithOptimizer(opt),
		trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithMetrics("accuracy")}
	if comm != nil {
		opts = append(opts, trainers.WithDistributed(comm))
	}
	tr, err := trainers.New(m, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Fit(context.Background(), x, y, trainers.Epochs(4), trainers.BatchSize(128), trainers.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	var w []float64
	for _, p := range m.Params() {
		w = append(w, p.Value.Data().([]float64)...)
	}
	return w
}

// TestMPIEquivalence (under mpirun -np 2; see run_mpi_test.sh): the ranks at
// global batch 128 end with the weights one process gets at batch 128, within
// 1e-6, for SGD and Adam on an MLP and a conv net (601 rows: an uneven last
// batch). Rank 0 trains the one-process reference too.
func TestMPIEquivalence(t *testing.T) {
	c := world(t)
	if c.Size() < 2 {
		t.Skip("one process: run under mpirun -np 2 (distributed/run_mpi_test.sh)")
	}
	models := []struct {
		name  string
		build func() layers.Model
		shape []int
	}{
		{"mlp", disttest.MLP, []int{6}},
		{"conv", disttest.Conv, []int{6, 6, 1}},
	}
	opts := []struct {
		name string
		make func() trainers.Optimizer
	}{
		{"sgd", func() trainers.Optimizer { return trainers.SGD(0.1, trainers.Momentum(0.9)) }},
		{"adam", func() trainers.Optimizer { return trainers.Adam(0.01) }},
	}
	for _, md := range models {
		for _, o := range opts {
			name := md.name + "/" + o.name
			x, y := disttest.Data(601, md.shape...)
			got := eqFit(t, c, md.build, o.make(), int64(7+c.Rank()*92), x, y)
			diff := []float64{0}
			if c.Rank() == 0 {
				ref := eqFit(t, nil, md.build, o.make(), 7, x, y)
				for i := range ref {
					diff[0] = math.Max(diff[0], math.Abs(ref[i]-got[i]))
				}
			}
			if err := c.BroadcastFloat64(diff, 0); err != nil {
				t.Fatal(err)
			}
			rank0 := append([]float64(nil), got...)
			if err := c.BroadcastFloat64(rank0, 0); err != nil {
				t.Fatal(err)
			}
			same := 0.0
			for i := range got {
				same = math.Max(same, math.Abs(rank0[i]-got[i]))
			}
			t.Logf("%s: rank %d of %d: max |weight difference| from one process %.3g, from rank 0 %.3g", name, c.Rank(), c.Size(), diff[0], same)
			if diff[0] > 1e-6 || same != 0 {
				t.Errorf("%s: %d ranks differ from one process by %g, rank %d from rank 0 by %g", name, c.Size(), diff[0], c.Rank(), same)
			}
		}
	}
}
