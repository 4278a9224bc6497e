package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"time"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// sweepLine is one JSON line of the scaling sweep; the keys match
// torch_sweep.py. Fields that a sweep kind does not measure are null.
type sweepLine struct {
	Impl        string   `json:"impl"`
	Sweep       string   `json:"sweep"`
	Batch       int      `json:"batch"`
	Width       int      `json:"width"`
	Threads     int      `json:"threads"`
	BLASThreads int      `json:"blas_threads"`
	TrainPerS   float64  `json:"train_samples_per_s"`
	InferPerS   *float64 `json:"infer_samples_per_s"`
	StepUS      float64  `json:"step_us"`
	GFLOPs      *float64 `json:"gflops"`
}

// widthWarmup is the number of untimed training steps of the width sweep (the
// first compiles the training program).
const widthWarmup = 3

// sweepPlan returns the batch sizes, the widths, the rows of the batch sweep
// and the timed steps of the width sweep: 1..1024, 256..4096, 4096 rows and 20
// steps, or with SWEEP_QUICK=1 batches 8 and 128, widths 256 and 512, 512 rows
// and 5 steps.
func sweepPlan() (batches, widths []int, rows, steps int) {
	if os.Getenv("SWEEP_QUICK") == "1" {
		return []int{8, 128}, []int{256, 512}, 512, 5
	}
	return []int{1, 8, 32, 128, 512, 1024}, []int{256, 512, 1024, 2048, 4096}, 4096, 20
}

// runSweep prints the scaling sweep kind ("batch" or "width") as JSON lines,
// one per batch size or width (see sweepPlan and bench/compare/README.md).
func runSweep(w io.Writer, kind string, seed int64) error {
	batches, widths, rows, steps := sweepPlan()
	var sizes []int
	var one func(int) (*sweepLine, error)
	switch kind {
	case "batch":
		x, labels := syntheticData(rows, seed)
		sizes = batches
		one = func(b int) (*sweepLine, error) { return sweepBatch(x, labels, b, seed) }
	case "width":
		sizes = widths
		one = func(wd int) (*sweepLine, error) { return sweepWidth(wd, steps, seed) }
	default:
		return errors.Errorf("unknown -sweep %q (want batch or width)", kind)
	}
	for _, n := range sizes {
		l, err := one(n)
		if err != nil {
			return errors.Wrapf(err, "sweep %s at %d", kind, n)
		}
		l.Impl, l.Sweep = implName(), kind
		l.Threads, l.BLASThreads = runtime.GOMAXPROCS(0), graph.BLASThreads()
		line, err := json.Marshal(l)
		if err != nil {
			return errors.Wrap(err, "encode the result")
		}
		if _, err := fmt.Fprintln(w, string(line)); err != nil {
			return errors.Wrap(err, "write the result")
		}
	}
	return nil
}

// newSweepTrainer builds Input(784) → Dense(h, relu) for each h of hidden →
// Dense(10, softmax) with sparse categorical cross-entropy and Adam(0.001), as
// runGokeras does. The caller closes the trainer.
func newSweepTrainer(hidden ...int) (*trainers.Trainer, error) {
	ls := []layers.Layer{layers.Input(nIn)}
	for _, h := range hidden {
		ls = append(ls, layers.Dense(h, layers.WithActivation("relu")))
	}
	ls = append(ls, layers.Dense(nOut, layers.WithActivation("softmax")))
	tr, err := trainers.New(layers.NewSequential(ls...), trainers.WithLoss("sparse_categorical_crossentropy"),
		trainers.WithOptimizer(trainers.Adam(0.001)), trainers.WithOutput(io.Discard))
	return tr, errors.Wrap(err, "build the trainer")
}

// fitEpoch runs one epoch of Fit on x (N, 784) and labels (N, 1) at batch b
// with the given callbacks and returns its wall time in seconds.
func fitEpoch(tr *trainers.Trainer, x, labels *tensor.Dense, b int, cbs ...trainers.Callback) (float64, error) {
	start := time.Now()
	_, err := tr.Fit(context.Background(), x, labels, trainers.BatchSize(b), trainers.Epochs(1),
		trainers.Verbose(0), trainers.Callbacks(cbs...))
	return time.Since(start).Seconds(), errors.Wrap(err, "fit")
}

// sweepBatch trains the 784-256-128-10 MLP at batch b: one untimed epoch on
// max(512, b) fresh rows (capped at the rows of x) so that the programs compile,
// then one timed epoch on x (N, 784) and two Predicts of x at batch b, the
// second timed.
func sweepBatch(x, labels *tensor.Dense, b int, seed int64) (*sweepLine, error) {
	rows := x.Shape()[0]
	tr, err := newSweepTrainer(256, 128)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tr.Close() }()
	warm := min(max(512, b), rows)
	wx, wl := syntheticData(warm, seed+1)
	if _, err := fitEpoch(tr, wx, wl, b); err != nil {
		return nil, errors.Wrap(err, "warm-up")
	}
	trainS, err := fitEpoch(tr, x, labels, b)
	if err != nil {
		return nil, err
	}
	if _, err := tr.Predict(x, trainers.BatchSize(b)); err != nil {
		return nil, errors.Wrap(err, "predict")
	}
	start := time.Now()
	if _, err := tr.Predict(x, trainers.BatchSize(b)); err != nil {
		return nil, errors.Wrap(err, "predict")
	}
	infer := float64(rows) / time.Since(start).Seconds()
	stepsPerEpoch := (rows + b - 1) / b
	return &sweepLine{Batch: b, TrainPerS: float64(rows) / trainS, InferPerS: &infer,
		StepUS: trainS / float64(stepsPerEpoch) * 1e6}, nil
}

// stepTimer records the wall time of each training step (from the previous
// batch end, or the epoch start, to this batch end).
type stepTimer struct {
	trainers.BaseCallback
	last  time.Time
	steps []float64 // seconds
}

// OnEpochBegin starts the clock of the first step.
func (s *stepTimer) OnEpochBegin(*trainers.Trainer, int) error {
	s.last = time.Now()
	return nil
}

// OnBatchEnd records the time since the previous batch end (or epoch start).
func (s *stepTimer) OnBatchEnd(*trainers.Trainer, int, int, trainers.Logs) error {
	now := time.Now()
	s.steps = append(s.steps, now.Sub(s.last).Seconds())
	s.last = now
	return nil
}

// sweepWidth trains 784-wd-10 at batch 128 for 3+steps steps in one epoch and
// returns the median of the last steps step times, with the samples/s and
// GFLOP/s it implies: 128·(4·784·wd + 6·wd·10) flops per step (forward and
// weight gradients of both layers, the input gradient of the second only: the
// first layer's input gradient is computed by neither side).
func sweepWidth(wd, steps int, seed int64) (*sweepLine, error) {
	tr, err := newSweepTrainer(wd)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tr.Close() }()
	x, labels := syntheticData(batch*(widthWarmup+steps), seed)
	rec := &stepTimer{}
	if _, err := fitEpoch(tr, x, labels, batch, rec); err != nil {
		return nil, err
	}
	if len(rec.steps) != widthWarmup+steps {
		return nil, errors.Errorf("timed %d steps, want %d", len(rec.steps), widthWarmup+steps)
	}
	timed := append([]float64(nil), rec.steps[widthWarmup:]...)
	sort.Float64s(timed)
	stepS := timed[len(timed)/2]
	if len(timed)%2 == 0 {
		stepS = (timed[len(timed)/2-1] + stepS) / 2
	}
	gflops := float64(batch) * float64(4*nIn*wd+6*wd*nOut) / stepS / 1e9
	return &sweepLine{Width: wd, Batch: batch, TrainPerS: float64(batch) / stepS,
		StepUS: stepS * 1e6, GFLOPs: &gflops}, nil
}
