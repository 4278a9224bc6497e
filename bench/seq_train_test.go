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

// The sequence workloads of bench/compare/seq (see bench/compare/README.md), as
// benchmarks of one training step (batch 32, 64 steps, vocabulary 1000,
// sparse categorical cross-entropy over every position, Adam) and of one
// inference batch, for profiling:
//
//	go test ./bench -run '^$' -bench 'Seq/lstm/train' -benchtime 10x -cpuprofile /tmp/lstm.prof
const (
	seqVocab = 1000
	seqSteps = 64
	seqBatch = 32
)

// seqModel builds the LSTM language model or the two-block pre-norm GPT.
func seqModel(b *testing.B, kind string) layers.Model {
	ids := layers.NewInput("tokens", layers.Shape(seqSteps), layers.Int64)
	var h *layers.Tensor
	switch kind {
	case "lstm":
		h = layers.Embedding(seqVocab, 64).Apply(ids)
		h = layers.LSTM(128, layers.WithReturnSequences(true)).Apply(h)[0]
	case "transformer":
		h = layers.Embedding(seqVocab, 128).Apply(ids)
		h = layers.PositionalEmbedding(seqSteps, 128).Apply(h)
		for i := 0; i < 2; i++ {
			h = layers.TransformerDecoder(4, 512, layers.WithActivation("gelu"),
				layers.WithNormalizeFirst(true)).Apply(h)
		}
		h = layers.LayerNormalization(layers.WithEpsilon(1e-5)).Apply(h)
	}
	out := layers.Dense(seqVocab, layers.WithActivation("softmax")).Apply(h)
	m, err := layers.NewModel([]*layers.Tensor{ids}, []*layers.Tensor{out})
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// seqData is one batch of token ids and next-token targets, uniform over the vocabulary.
func seqData() (x, y *tensor.Dense) {
	rng := rand.New(rand.NewSource(1))
	xs := make([]int64, seqBatch*seqSteps)
	ys := make([]float32, seqBatch*seqSteps)
	for i := range xs {
		xs[i] = int64(rng.Intn(seqVocab))
		ys[i] = float32(rng.Intn(seqVocab))
	}
	return tensor.New(tensor.WithShape(seqBatch, seqSteps), tensor.WithBacking(xs)),
		tensor.New(tensor.WithShape(seqBatch, seqSteps), tensor.WithBacking(ys))
}

// BenchmarkSeq times one training step (a Fit of one batch, the program
// compiled beforehand) and one Predict of one batch, reporting tokens/s.
func BenchmarkSeq(b *testing.B) {
	for _, kind := range []string{"lstm", "transformer"} {
		b.Run(kind, func(b *testing.B) {
			tr, err := trainers.New(seqModel(b, kind), trainers.WithLoss("sparse_categorical_crossentropy"),
				trainers.WithOptimizer(trainers.Adam(0.001)), trainers.WithOutput(io.Discard), trainers.WithSeed(1))
			if err != nil {
				b.Fatal(err)
			}
			defer func() { _ = tr.Close() }()
			x, y := seqData()
			ctx := context.Background()
			fit := func() {
				if _, err := tr.Fit(ctx, x, y, trainers.BatchSize(seqBatch), trainers.Epochs(1), trainers.Verbose(0)); err != nil {
					b.Fatal(err)
				}
			}
			b.Run("train", func(b *testing.B) {
				fit() // compile
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					fit()
				}
				b.ReportMetric(float64(b.N*seqBatch*seqSteps)/b.Elapsed().Seconds(), "tokens/s")
			})
			b.Run("infer", func(b *testing.B) {
				if _, err := tr.Predict(x, trainers.BatchSize(seqBatch)); err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := tr.Predict(x, trainers.BatchSize(seqBatch)); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*seqBatch*seqSteps)/b.Elapsed().Seconds(), "tokens/s")
			})
		})
	}
}
