package bench

import (
	"context"
	"io"
	"math/rand"
	"runtime"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// LeNet benchmark: one epoch of Fit on synthetic 28x28x1 images, batch 64,
// float32, Adam, sparse_categorical_crossentropy. bench/lenet_torch.py runs the
// same net on the same data shape in PyTorch:
//
//	go test ./bench -run '^$' -bench FitLeNet -benchtime 5x
//	MALLOC_MMAP_THRESHOLD_=67108864 MALLOC_TRIM_THRESHOLD_=268435456 OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/lenet_torch.py
const (
	lenetRows    = 64 * 16
	lenetBatch   = 64
	lenetSide    = 28
	lenetClasses = 10
)

// lenetData is synthetic MNIST-shaped data: pixels in [0,1) (NHWC, one channel)
// and class ids (N, 1).
func lenetData() (x, y *tensor.Dense) {
	rng := rand.New(rand.NewSource(1))
	xs := make([]float32, lenetRows*lenetSide*lenetSide)
	for i := range xs {
		xs[i] = rng.Float32()
	}
	ys := make([]float32, lenetRows)
	for i := range ys {
		ys[i] = float32(rng.Intn(lenetClasses))
	}
	return tensor.New(tensor.WithShape(lenetRows, lenetSide, lenetSide, 1), tensor.WithBacking(xs)),
		tensor.New(tensor.WithShape(lenetRows, 1), tensor.WithBacking(ys))
}

// leNet is a LeNet-5-like net as in the Keras examples.
func leNet() *layers.Sequential {
	relu := layers.WithActivation("relu")
	return layers.NewSequential(layers.Input(lenetSide, lenetSide, 1),
		layers.Conv2D(6, 5, relu, layers.WithPadding("same")),
		layers.MaxPooling2D(2),
		layers.Conv2D(16, 5, relu),
		layers.MaxPooling2D(2),
		layers.Flatten(),
		layers.Dense(120, relu),
		layers.Dense(84, relu),
		layers.Dense(lenetClasses, layers.WithActivation("softmax")))
}

// BenchmarkFitLeNet reports samples/s of one epoch of Fit, allocations, and the
// Go runtime's memory obtained from the OS (MB-sys) at the end.
func BenchmarkFitLeNet(b *testing.B) {
	x, y := lenetData()
	tr, err := trainers.New(leNet(), trainers.WithLoss("sparse_categorical_crossentropy"),
		trainers.WithOptimizer(trainers.Adam(0.001)), trainers.WithOutput(io.Discard))
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	fit := func() {
		if _, err := tr.Fit(context.Background(), x, y, trainers.BatchSize(lenetBatch), trainers.Verbose(0)); err != nil {
			b.Fatal(err)
		}
	}
	fit() // compile and grow the buffers
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fit()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*lenetRows)/b.Elapsed().Seconds(), "samples/s")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.Sys)/(1<<20), "MB-sys")
}
