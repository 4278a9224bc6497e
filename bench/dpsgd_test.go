package bench

import (
	"context"
	"io"
	"math/rand"
	"testing"
	"time"

	"github.com/gokeras/gokeras/trainers"
	"github.com/gokeras/gokeras/zoo"
	"gorgonia.org/tensor"
)

// DP-SGD benchmark: an epoch of the mnist-dp recipe's network (zoo.MNISTDPModel,
// float32, SGD with momentum, batch 256) on dpRows synthetic MNIST-shaped
// images, trained normally and with DP-SGD (per-example clipping, noise,
// Poisson sampling: the same expected number of examples per step). Reports
// both speeds and their ratio (the target is at most 4x):
//
//	go test ./bench -run '^$' -bench DPSGD -benchtime 3x
const (
	dpRows  = 256 * 12
	dpBatch = 256
)

// dpData is synthetic MNIST: bytes 0..255 (the model scales them) and labels.
func dpData() (x, y *tensor.Dense) {
	rng := rand.New(rand.NewSource(2))
	xs := make([]float32, dpRows*28*28)
	for i := range xs {
		xs[i] = float32(rng.Intn(256))
	}
	ys := make([]float32, dpRows)
	for i := range ys {
		ys[i] = float32(rng.Intn(10))
	}
	return tensor.New(tensor.WithShape(dpRows, 28, 28, 1), tensor.WithBacking(xs)),
		tensor.New(tensor.WithShape(dpRows, 1), tensor.WithBacking(ys))
}

// BenchmarkDPSGDEpoch times an epoch without and with DP-SGD in turn, and
// reports samples/s of each and "x-normal", the DP-SGD epoch's time over the
// normal one's.
func BenchmarkDPSGDEpoch(b *testing.B) {
	x, y := dpData()
	newTrainer := func() *trainers.Trainer {
		tr, err := trainers.New(zoo.MNISTDPModel(), trainers.WithLoss("sparse_categorical_crossentropy"),
			trainers.WithOptimizer(trainers.SGD(0.1, trainers.Momentum(0.9))), trainers.WithOutput(io.Discard))
		if err != nil {
			b.Fatal(err)
		}
		return tr
	}
	normal, private := newTrainer(), newTrainer()
	defer normal.Close()
	defer private.Close()
	dp := trainers.DPSGD(1, 1.1)
	fit := func(tr *trainers.Trainer, opts ...trainers.FitOption) time.Duration {
		start := time.Now()
		opts = append(opts, trainers.BatchSize(dpBatch), trainers.Verbose(0))
		if _, err := tr.Fit(context.Background(), x, y, opts...); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	fit(normal) // compile and grow the buffers
	fit(private, dp)
	b.ResetTimer()
	var tn, td time.Duration
	for i := 0; i < b.N; i++ {
		tn += fit(normal)
		td += fit(private, dp)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*dpRows)/tn.Seconds(), "normal-samples/s")
	b.ReportMetric(float64(b.N*dpRows)/td.Seconds(), "dp-samples/s")
	b.ReportMetric(td.Seconds()/tn.Seconds(), "x-normal")
}
