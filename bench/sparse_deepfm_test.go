package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"testing"
	"time"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// The DeepFM-shaped model of the sparse-update benchmarks: deepFMFields categorical
// fields, each an Embedding of dimension deepFMDim over its own table, flattened
// and concatenated, through a small MLP (64-32-1), binary cross-entropy, Adam,
// batch 256. (The FM part is left out: only the tables' cost matters here.)
const (
	deepFMFields = 8
	deepFMDim    = 16
	deepFMBatch  = 256
)

// deepFM is a trainer of the DeepFM-shaped model with tables of rows rows and the
// data of steps batches (ids uniform over the rows, so that a big table is read at
// random places).
type deepFM struct {
	tr    *trainers.Trainer
	x, y  map[string]*tensor.Dense
	steps int
}

func newDeepFM(b *testing.B, rows, steps int, dense bool) *deepFM {
	b.Helper()
	var ins, vecs []*layers.Tensor
	for f := 0; f < deepFMFields; f++ {
		in := layers.NewInput(fmt.Sprintf("c%d", f), layers.Shape(1), layers.Int64)
		ins = append(ins, in)
		vecs = append(vecs, layers.Flatten().Apply(layers.Embedding(rows, deepFMDim, layers.WithName(fmt.Sprintf("emb%d", f))).Apply(in)))
	}
	h := layers.Concatenate(-1).Apply(vecs...)
	h = layers.Dense(64, layers.WithActivation("relu")).Apply(h)
	h = layers.Dense(32, layers.WithActivation("relu")).Apply(h)
	out := layers.Dense(1, layers.WithActivation("sigmoid"), layers.WithName("click")).Apply(h)
	m, err := layers.NewModel(ins, []*layers.Tensor{out})
	if err != nil {
		b.Fatal(err)
	}
	opts := []trainers.Option{trainers.WithLoss("binary_crossentropy"), trainers.WithOptimizer(trainers.Adam(0.001)), trainers.WithOutput(io.Discard)}
	if dense {
		opts = append(opts, trainers.WithDenseEmbeddingUpdates())
	}
	tr, err := trainers.New(m, opts...)
	if err != nil {
		b.Fatal(err)
	}
	n := steps * deepFMBatch
	rng := rand.New(rand.NewSource(1))
	x := map[string]*tensor.Dense{}
	for f := 0; f < deepFMFields; f++ {
		ids := make([]int64, n)
		for i := range ids {
			ids[i] = int64(rng.Intn(rows))
		}
		x[fmt.Sprintf("c%d", f)] = tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(ids))
	}
	lab := make([]float32, n)
	for i := range lab {
		lab[i] = float32(rng.Intn(2))
	}
	d := &deepFM{tr: tr, x: x, y: map[string]*tensor.Dense{"click": tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(lab))}, steps: steps}
	d.fit(b) // compile, and the optimizer's first step
	return d
}

// fit runs one epoch (d.steps steps) and returns its time.
func (d *deepFM) fit(b *testing.B) time.Duration {
	start := time.Now()
	if _, err := d.tr.FitNamed(context.Background(), d.x, d.y, trainers.BatchSize(deepFMBatch), trainers.Verbose(0)); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// BenchmarkSparseDeepFMStep measures the train step of the DeepFM-shaped model
// (8 fields, Embedding dim 16, MLP 64-32-1, Adam, batch 256) with 1,000-row and
// 1,000,000-row tables, alternating the two in each round so that the ratio is
// measured in one run; "sparse" updates the tables by rows (the default), "dense"
// with WithDenseEmbeddingUpdates. Metrics: ms/step of each and their ratio
// (1M/1k). Run:
//
//	go test ./bench -run '^$' -bench SparseDeepFM -benchtime 5x
func BenchmarkSparseDeepFMStep(b *testing.B) {
	for _, mode := range []string{"sparse", "dense"} {
		b.Run(mode, func(b *testing.B) {
			const steps = 8 // per Fit, for both sizes (Fit's own cost is spread alike)
			small := newDeepFM(b, 1000, steps, mode == "dense")
			big := newDeepFM(b, 1000000, steps, mode == "dense")
			b.ResetTimer()
			var ts, tb time.Duration
			for i := 0; i < b.N; i++ {
				ts += small.fit(b)
				tb += big.fit(b)
			}
			b.StopTimer()
			n := float64(b.N * steps)
			ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / n }
			b.ReportMetric(ms(ts), "ms/step-1k")
			b.ReportMetric(ms(tb), "ms/step-1M")
			b.ReportMetric(float64(tb)/float64(ts), "ratio-1M/1k")
			b.ReportMetric(0, "ns/op")
		})
	}
}
