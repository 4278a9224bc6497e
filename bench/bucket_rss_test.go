package bench

import (
	"context"
	"math/rand"
	"os"
	"runtime"
	"testing"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// rssRecorder records at each epoch's end VmRSS, then the live Go heap (MiB,
// HeapAlloc right after a collection).
type rssRecorder struct {
	trainers.BaseCallback
	rss, heap []float64
}

func (r *rssRecorder) OnEpochEnd(_ *trainers.Trainer, _ int, _ trainers.Logs) error {
	r.rss = append(r.rss, procStatus("VmRSS"))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	r.heap = append(r.heap, float64(ms.HeapAlloc)/(1<<20))
	return nil
}

// TestBucketRSS trains a bucketed text classifier (ids of 4 to 250 tokens, vocab
// 5000, buckets 16..256 → Embedding(32, mask_zero) → GlobalAveragePooling1D →
// Dense(32 relu) → Dense(4 softmax)) for 50 epochs of 3000 examples and logs the
// resident memory and the live heap after each epoch; it fails when the live heap
// of the last epoch exceeds the tenth's by more than 5% + 2 MiB, or the RSS of the
// last epoch the 25th's by more than 5% + 4 MiB (memory must stay flat: programs are
// compiled once per (batch, length) and reused; RSS first rises to the collector's
// heap goal). It runs only with GOKERAS_LONG=1:
//
//	GOKERAS_LONG=1 go test ./bench -run TestBucketRSS -v -count=1
func TestBucketRSS(t *testing.T) {
	if os.Getenv("GOKERAS_LONG") != "1" {
		t.Skip("set GOKERAS_LONG=1 to run (about a minute)")
	}
	const n, vocab, classes, epochs = 3000, 5000, 4, 50
	rng := rand.New(rand.NewSource(1))
	rows := make([][]int64, n)
	ys := make([]int64, n)
	for i := range rows {
		ln := 4 + int(rng.ExpFloat64()*40)
		rows[i] = make([]int64, min(ln, 250))
		c := rng.Intn(classes)
		for j := range rows[i] {
			id := 1 + rng.Intn(vocab-1)
			if rng.Intn(4) == 0 { // a class keyword now and then
				id = 1 + c
			}
			rows[i][j] = int64(id)
		}
		ys[i] = int64(c)
	}
	bk, err := datasets.Bucket(rows, tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(ys)), datasets.BucketBoundaries(16, 32, 64, 128, 256))
	if err != nil {
		t.Fatal(err)
	}
	ids := layers.NewInput("ids", layers.Shape(256), layers.Int64).WithVariableSteps()
	x := layers.Apply(layers.Embedding(vocab, 32, layers.WithMaskZero(true)), ids)[0]
	x = layers.Apply(layers.GlobalAveragePooling1D(), x)[0]
	x = layers.Apply(layers.Dense(32, layers.WithActivation("relu")), x)[0]
	out := layers.Apply(layers.Dense(classes, layers.WithActivation("softmax")), x)[0]
	m, err := layers.NewModel([]*layers.Tensor{ids}, []*layers.Tensor{out})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	tr, err := trainers.New(m, trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithMetrics("accuracy"))
	if err != nil {
		t.Fatal(err)
	}
	rec := &rssRecorder{}
	h, err := tr.FitMulti(context.Background(), bk, trainers.Epochs(epochs), trainers.BatchSize(64), trainers.Verbose(0), trainers.Callbacks(rec))
	if err != nil {
		t.Fatal(err)
	}
	for e := range rec.rss {
		if e < 3 || e%5 == 4 {
			t.Logf("epoch %2d  VmRSS %7.1f MiB  live heap %6.1f MiB  loss %.4f", e+1, rec.rss[e], rec.heap[e], h.Metrics["loss"][e])
		}
	}
	peak := 0.0
	for _, v := range rec.rss {
		peak = max(peak, v)
	}
	first, tenth, last := rec.rss[0], rec.rss[9], rec.rss[epochs-1]
	t.Logf("VmRSS first %.1f MiB, 10th %.1f, last %.1f, max %.1f; programs compiled %d; accuracy %.3f", first, tenth, last, peak, tr.CompiledPrograms(), h.Metrics["accuracy"][epochs-1])
	t.Logf("live heap first %.1f MiB, 10th %.1f, last %.1f", rec.heap[0], rec.heap[9], rec.heap[epochs-1])
	if h10, hl := rec.heap[9], rec.heap[epochs-1]; hl > h10*1.05+2 {
		t.Errorf("live heap grew from %.1f MiB (epoch 10) to %.1f MiB (epoch %d)", h10, hl, epochs)
	}
	if r25 := rec.rss[24]; last > r25*1.05+4 {
		t.Errorf("RSS grew from %.1f MiB (epoch 25) to %.1f MiB (epoch %d)", r25, last, epochs)
	}
}
