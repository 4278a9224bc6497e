package bench

import (
	"context"
	"io"
	"math/rand"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

const (
	mlpRows  = 128 * 16
	mlpBatch = 128
	mlpIn    = 784
	mlpOut   = 10
)

// mlpData is synthetic MNIST-shaped data: inputs in [0,1), one-hot labels.
func mlpData() (x, y *tensor.Dense) {
	rng := rand.New(rand.NewSource(1))
	xs := make([]float32, mlpRows*mlpIn)
	for i := range xs {
		xs[i] = rng.Float32()
	}
	ys := make([]float32, mlpRows*mlpOut)
	for r := 0; r < mlpRows; r++ {
		ys[r*mlpOut+rng.Intn(mlpOut)] = 1
	}
	return tensor.New(tensor.WithShape(mlpRows, mlpIn), tensor.WithBacking(xs)),
		tensor.New(tensor.WithShape(mlpRows, mlpOut), tensor.WithBacking(ys))
}

// BenchmarkFitMLP compares one epoch of gokeras' Fit with the same epoch in a raw
// Gorgonia loop (Gorgonia's Adam solver, BroadcastAdd biases, its softmax).
func BenchmarkFitMLP(b *testing.B) {
	x, y := mlpData()
	b.Run("gokeras", func(b *testing.B) {
		model := layers.NewSequential(layers.Input(mlpIn),
			layers.Dense(256, layers.WithActivation("relu")),
			layers.Dense(128, layers.WithActivation("relu")),
			layers.Dense(mlpOut, layers.WithActivation("softmax")))
		tr, err := trainers.New(model, trainers.WithLoss("categorical_crossentropy"),
			trainers.WithOptimizer(trainers.Adam(0.001)), trainers.WithOutput(io.Discard))
		if err != nil {
			b.Fatal(err)
		}
		fit := func() {
			if _, err := tr.Fit(context.Background(), x, y, trainers.BatchSize(mlpBatch), trainers.Verbose(0)); err != nil {
				b.Fatal(err)
			}
		}
		fit() // compile
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			fit()
		}
		b.ReportMetric(float64(b.N*mlpRows)/b.Elapsed().Seconds(), "samples/s")
	})
	b.Run("raw-gorgonia", func(b *testing.B) {
		r, err := NewRawMLP(mlpBatch)
		if err != nil {
			b.Fatal(err)
		}
		epoch := func() {
			if _, err := r.Epoch(x, y); err != nil {
				b.Fatal(err)
			}
		}
		epoch()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			epoch()
		}
		b.ReportMetric(float64(b.N*mlpRows)/b.Elapsed().Seconds(), "samples/s")
	})
}
