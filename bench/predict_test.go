package bench

import (
	"context"
	"math/rand"
	"sort"
	"testing"
	"time"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// predictModels are the models of the prediction benchmarks: an iris-sized
// classifier and the MNIST-sized MLP of BenchmarkFitMLP, both float32, softmax.
var predictModels = []struct {
	name  string
	sizes []int // input, hidden..., output
}{
	{"iris-4-16-3", []int{4, 16, 3}},
	{"mlp-784-256-128-10", []int{784, 256, 128, 10}},
}

// predictMLP builds a dense softmax classifier of the given layer sizes (relu
// between), seeded.
func predictMLP(tb testing.TB, sizes []int) *layers.Sequential {
	tb.Helper()
	ls := []layers.Layer{layers.Input(sizes[0])}
	for _, h := range sizes[1 : len(sizes)-1] {
		ls = append(ls, layers.Dense(h, layers.WithActivation("relu")))
	}
	ls = append(ls, layers.Dense(sizes[len(sizes)-1], layers.WithActivation("softmax")))
	m := layers.NewSequential(ls...)
	if err := m.Build(layers.WithSeed(1)); err != nil {
		tb.Fatal(err)
	}
	return m
}

// predictRow returns one random float32 row of width features.
func predictRow(width int, seed int64) *tensor.Dense {
	rng := rand.New(rand.NewSource(seed))
	v := make([]float32, width)
	for i := range v {
		v[i] = rng.Float32()
	}
	return tensor.New(tensor.WithShape(1, width), tensor.WithBacking(v))
}

// reportLatency reports the median and 99th percentile of the per-call times.
func reportLatency(b *testing.B, times []time.Duration) {
	if len(times) == 0 {
		return
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	at := func(q float64) float64 {
		return float64(times[int(q*float64(len(times)-1))].Nanoseconds()) / 1e3
	}
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
}

// BenchmarkPredictOneRow measures the latency of one-row predictions, one call at
// a time: through a Predictor (queue, worker, padded batch of 1) and through a
// Trainer's Predict for comparison. It reports p50 and p99 in microseconds.
//
//	go test ./bench -run '^$' -bench PredictOneRow -benchtime 2000x
func BenchmarkPredictOneRow(b *testing.B) {
	for _, pm := range predictModels {
		b.Run(pm.name+"/predictor", func(b *testing.B) {
			p, err := trainers.NewPredictor(predictMLP(b, pm.sizes), trainers.WithWorkers(1))
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			x := predictRow(pm.sizes[0], 1)
			ctx := context.Background()
			if _, err := p.Predict(ctx, x); err != nil { // compile
				b.Fatal(err)
			}
			times := make([]time.Duration, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				if _, err := p.Predict(ctx, x); err != nil {
					b.Fatal(err)
				}
				times[i] = time.Since(start)
			}
			b.StopTimer()
			reportLatency(b, times)
		})
		b.Run(pm.name+"/trainer", func(b *testing.B) {
			tr, err := trainers.New(predictMLP(b, pm.sizes), trainers.WithLoss("categorical_crossentropy"))
			if err != nil {
				b.Fatal(err)
			}
			defer tr.Close()
			x := predictRow(pm.sizes[0], 1)
			if _, err := tr.Predict(x); err != nil {
				b.Fatal(err)
			}
			times := make([]time.Duration, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				if _, err := tr.Predict(x); err != nil {
					b.Fatal(err)
				}
				times[i] = time.Since(start)
			}
			b.StopTimer()
			reportLatency(b, times)
		})
	}
}

// BenchmarkPredictParallel measures one-row predictions from GOMAXPROCS*4
// goroutines at once through one Predictor (default workers, max batch 64,
// linger 0), reporting rows/s and rows per batch (how much the queue gathered).
func BenchmarkPredictParallel(b *testing.B) {
	for _, pm := range predictModels {
		b.Run(pm.name, func(b *testing.B) {
			p, err := trainers.NewPredictor(predictMLP(b, pm.sizes))
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			x := predictRow(pm.sizes[0], 2)
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := p.Predict(context.Background(), x); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			st := p.Stats()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			if st.Batches > 0 {
				b.ReportMetric(float64(st.Rows)/float64(st.Batches), "rows/batch")
			}
		})
	}
}
