package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

const (
	scalingHidden    = 128
	scalingFixedRows = 4000
	scalingMaxRows   = 60000
)

// scalingData returns synthetic MNIST-shaped data for BenchmarkScaling: inputs in
// [0,1) and class ids 0..9 as float32 (rows, 1), generated once at the largest size;
// smaller data sets are prefixes of it.
func scalingData(rows int) (x, y *tensor.Dense) {
	if scalingXs == nil {
		rng := rand.New(rand.NewSource(1))
		scalingXs = make([]float32, scalingMaxRows*mlpIn)
		for i := range scalingXs {
			scalingXs[i] = rng.Float32()
		}
		scalingYs = make([]float32, scalingMaxRows)
		for i := range scalingYs {
			scalingYs[i] = float32(rng.Intn(mlpOut))
		}
	}
	return tensor.New(tensor.WithShape(rows, mlpIn), tensor.WithBacking(scalingXs[:rows*mlpIn])),
		tensor.New(tensor.WithShape(rows, 1), tensor.WithBacking(scalingYs[:rows]))
}

var scalingXs, scalingYs []float32

// BenchmarkScaling times one epoch of Fit for a 784-128-10 MLP (ReLU, softmax,
// sparse categorical cross-entropy, Adam, float32) against the data set size at
// batch 128 (rows=N) and against the batch size on 4,000 rows (batch=B), and reports
// samples/s and µs per step. The programs are compiled before the timer starts.
//
//	go test ./bench -run '^$' -bench Scaling -benchtime 1x
func BenchmarkScaling(b *testing.B) {
	for _, rows := range []int{1000, 4000, 15000, 60000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) { benchScalingEpoch(b, rows, 128) })
	}
	for _, batch := range []int{1, 8, 32, 128, 512, 1024} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) { benchScalingEpoch(b, scalingFixedRows, batch) })
	}
}

func benchScalingEpoch(b *testing.B, rows, batch int) {
	model := layers.NewSequential(layers.Input(mlpIn),
		layers.Dense(scalingHidden, layers.WithActivation("relu")),
		layers.Dense(mlpOut, layers.WithActivation("softmax")))
	tr, err := trainers.New(model, trainers.WithLoss("sparse_categorical_crossentropy"),
		trainers.WithOptimizer(trainers.Adam(0.001)), trainers.WithOutput(io.Discard))
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := tr.Close(); err != nil {
			b.Error(err)
		}
	}()
	// Compile the programs for the full batch and for the remainder on a few rows.
	warm := min(rows, batch+rows%batch)
	wx, wy := scalingData(warm)
	if _, err := tr.Fit(context.Background(), wx, wy, trainers.BatchSize(batch), trainers.Verbose(0)); err != nil {
		b.Fatal(err)
	}
	x, y := scalingData(rows)
	steps := (rows + batch - 1) / batch
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tr.Fit(context.Background(), x, y, trainers.BatchSize(batch), trainers.Verbose(0)); err != nil {
			b.Fatal(err)
		}
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N*rows)/sec, "samples/s")
	b.ReportMetric(sec*1e6/float64(b.N*steps), "us/step")
}
