package trainers_test

import (
	"context"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// varRows returns n rows of ids in [1, vocab) of lengths 1..maxLen, and class
// targets (N, 1) int64: the class of a row is its first id mod 3.
func varRows(n, maxLen, vocab int, seed int64) ([][]int64, *tensor.Dense) {
	rng := rand.New(rand.NewSource(seed))
	rows := make([][]int64, n)
	ys := make([]int64, n)
	for i := range rows {
		rows[i] = make([]int64, 1+rng.Intn(maxLen))
		for j := range rows[i] {
			rows[i][j] = int64(1 + rng.Intn(vocab-1))
		}
		ys[i] = rows[i][0] % 3
	}
	return rows, tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(ys))
}

// padTo returns rows padded with 0 to steps as an (N, steps) int64 tensor.
func padTo(rows [][]int64, steps int) *tensor.Dense {
	ids := make([]int64, len(rows)*steps)
	for i, r := range rows {
		copy(ids[i*steps:], r)
	}
	return tensor.New(tensor.WithShape(len(rows), steps), tensor.WithBacking(ids))
}

// bucketTrainer builds ids (32, variable) -> Embedding(mask_zero) -> body ->
// Dense(3 softmax), sparse categorical cross-entropy.
func bucketTrainer(t *testing.T, lstm bool, opts ...trainers.Option) *trainers.Trainer {
	t.Helper()
	ids := layers.NewInput("ids", layers.Shape(32), layers.Int64).WithVariableSteps()
	x := ap(layers.Embedding(30, 8, layers.WithMaskZero(true)), ids)
	if lstm {
		x = ap(layers.LSTM(8), x)
	} else {
		x = ap(layers.GlobalAveragePooling1D(), x)
	}
	out := ap(layers.Dense(3, layers.WithActivation("softmax")), x)
	m, err := layers.NewModel([]*layers.Tensor{ids}, []*layers.Tensor{out})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	tr, err := trainers.New(m, append([]trainers.Option{trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithSeed(3)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestBucketLossMatchesPadded: masking makes padding irrelevant, so the loss of a
// bucket's examples at its length equals their loss padded to the maximum, before
// and after training on buckets; and the whole evaluation agrees too.
func TestBucketLossMatchesPadded(t *testing.T) {
	ctx := context.Background()
	for _, lstm := range []bool{false, true} {
		rows, ys := varRows(40, 30, 30, 1)
		bk, err := datasets.Bucket(rows, ys, datasets.BucketBoundaries(8, 16, 32))
		if err != nil {
			t.Fatal(err)
		}
		tr := bucketTrainer(t, lstm)
		check := func(stage string) {
			for k, part := range bk.Buckets() {
				if part.Len() == 0 {
					continue
				}
				got, err := tr.EvaluateMulti(ctx, part, trainers.BatchSize(64))
				if err != nil {
					t.Fatalf("%s: bucket %d: %v", stage, k, err)
				}
				var sub [][]int64
				var sy []int64
				for _, i := range bk.BucketExamples(k) {
					sub = append(sub, rows[i])
					sy = append(sy, ys.Data().([]int64)[i])
				}
				want, err := tr.Evaluate(ctx, padTo(sub, 32), tensor.New(tensor.WithShape(len(sy), 1), tensor.WithBacking(sy)), trainers.BatchSize(64))
				if err != nil {
					t.Fatal(err)
				}
				if d := math.Abs(got["loss"] - want["loss"]); d > 1e-5 {
					t.Errorf("lstm=%v %s: bucket %d (length %d): loss %g, padded to 32: %g", lstm, stage, k, bk.Boundaries()[k], got["loss"], want["loss"])
				}
			}
			got, err := tr.EvaluateMulti(ctx, bk)
			if err != nil {
				t.Fatal(err)
			}
			want, err := tr.Evaluate(ctx, padTo(rows, 32), ys)
			if err != nil {
				t.Fatal(err)
			}
			if d := math.Abs(got["loss"] - want["loss"]); d > 1e-5 {
				t.Errorf("lstm=%v %s: bucketed loss %g, padded %g", lstm, stage, got["loss"], want["loss"])
			}
		}
		check("before training")
		if _, err := tr.FitMulti(ctx, bk, trainers.Epochs(2), trainers.BatchSize(8), trainers.Verbose(0)); err != nil {
			t.Fatal(err)
		}
		check("after training")
	}
}

// TestBucketCompilesPerShape: Fit compiles one program per distinct (batch,
// length) met, and the same seed gives the same History.
func TestBucketCompilesPerShape(t *testing.T) {
	ctx := context.Background()
	rows, ys := varRows(50, 30, 30, 2)
	bk, err := datasets.Bucket(rows, ys) // default boundaries 8, 16, 32
	if err != nil {
		t.Fatal(err)
	}
	if got := bk.Boundaries(); len(got) != 3 || got[2] != 32 {
		t.Fatalf("boundaries %v, want [8 16 32]", got)
	}
	shapes := map[[2]int]bool{}
	for k, part := range bk.Buckets() {
		n := part.Len()
		if n == 0 {
			continue
		}
		if n >= 8 {
			shapes[[2]int{8, bk.Boundaries()[k]}] = true
		}
		if n%8 != 0 {
			shapes[[2]int{n % 8, bk.Boundaries()[k]}] = true
		}
	}
	var losses []float64
	for run := 0; run < 2; run++ {
		tr := bucketTrainer(t, false)
		h, err := tr.FitMulti(ctx, bk, trainers.Epochs(3), trainers.BatchSize(8), trainers.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		if got := tr.CompiledPrograms(); got != len(shapes) {
			t.Errorf("compiled %d programs, want %d (the distinct (batch, length) %v)", got, len(shapes), shapes)
		}
		if want := 0; tr.StepsPerEpoch() <= want {
			t.Errorf("steps per epoch %d", tr.StepsPerEpoch())
		}
		l := h.Metrics["loss"]
		losses = append(losses, l[len(l)-1])
	}
	if losses[0] != losses[1] {
		t.Errorf("same seed, losses %v", losses)
	}
	if losses[0] >= math.Log(3) {
		t.Errorf("loss %g did not fall below log(3)", losses[0])
	}
}

// TestBucketErrors: a length above the declared maximum, in Fit and Predict.
func TestBucketErrors(t *testing.T) {
	ctx := context.Background()
	rows, ys := varRows(20, 40, 30, 3)
	bk, err := datasets.Bucket(rows, ys, datasets.BucketBoundaries(16, 32, 64))
	if err != nil {
		t.Fatal(err)
	}
	tr := bucketTrainer(t, false)
	_, err = tr.FitMulti(ctx, bk, trainers.Verbose(0))
	if err == nil || !strings.Contains(err.Error(), "64 steps, more than the declared maximum 32") {
		t.Fatalf("fit: want a length error, got %v", err)
	}
	_, err = tr.Predict(padTo(rows, 40))
	if err == nil || !strings.Contains(err.Error(), "more than the declared maximum 32") {
		t.Fatalf("predict: want a length error, got %v", err)
	}
	if _, err := datasets.Bucket(rows, ys, datasets.BucketBoundaries(8, 16)); err == nil || !strings.Contains(err.Error(), "more than the longest bucket (16)") {
		t.Fatalf("bucket: want a row-length error, got %v", err)
	}
	if _, err := trainers.New(tr.Model(), trainers.WithProgramCacheSize(0)); err == nil {
		t.Fatal("WithProgramCacheSize(0): want an error")
	}
}

// TestProgramCacheEvicts: a cache of 2 programs drops the least recently used.
func TestProgramCacheEvicts(t *testing.T) {
	tr := bucketTrainer(t, false, trainers.WithProgramCacheSize(2))
	for i, steps := range []int{4, 8, 4, 12, 4, 8} {
		if _, err := tr.Predict(idRows(3, steps, steps, 30)); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	// 4, 8 compiled; 4 hit; 12 evicts 8; 4 hit; 8 evicts 12 and compiles again.
	if got := tr.CompiledPrograms(); got != 4 {
		t.Errorf("compiled %d programs, want 4", got)
	}
}

// TestBucketValidation: a Bucketed validates by buckets (ValidationMulti) and
// splits as its padded view (ValidationSplit); a layer that cannot vary fails Fit
// with a message naming it.
func TestBucketValidation(t *testing.T) {
	ctx := context.Background()
	rows, ys := varRows(40, 30, 30, 4)
	bk, err := datasets.Bucket(rows, ys)
	if err != nil {
		t.Fatal(err)
	}
	tr := bucketTrainer(t, false)
	h, err := tr.FitMulti(ctx, bk, trainers.Epochs(1), trainers.BatchSize(8), trainers.Verbose(0), trainers.ValidationMulti(bk))
	if err != nil {
		t.Fatal(err)
	}
	want, err := tr.EvaluateMulti(ctx, bk)
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Metrics["val_loss"][0]; math.Abs(got-want["loss"]) > 1e-5 {
		t.Errorf("val_loss %g, EvaluateMulti %g", got, want["loss"])
	}
	if _, err := tr.FitMulti(ctx, bk, trainers.Epochs(1), trainers.Verbose(0), trainers.ValidationSplit(0.25)); err != nil {
		t.Fatalf("validation split: %v", err)
	}
	flat := seqModel(t, func(x *layers.Tensor) *layers.Tensor { return ap(layers.Flatten(), x) })
	short, sy := varRows(10, 16, 20, 5)
	fb, err := datasets.Bucket(short, sy, datasets.BucketBoundaries(8, 16))
	if err != nil {
		t.Fatal(err)
	}
	_, err = flat.FitMulti(ctx, fb, trainers.Verbose(0))
	if err == nil || !strings.Contains(err.Error(), "flatten (Flatten) cannot take a variable sequence length") {
		t.Fatalf("want an error naming flatten, got %v", err)
	}
}
