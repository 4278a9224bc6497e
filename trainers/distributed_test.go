package trainers_test

import (
	"context"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/gokeras/gokeras/internal/disttest"

	"github.com/gokeras/gokeras/distributed"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// distRun is one rank's (or the single process's) training.
type distRun struct {
	weights [][]float64
	hist    *trainers.History
	err     error
}

func weightsOf(m layers.Model) [][]float64 {
	var out [][]float64
	for _, p := range m.Params() {
		switch d := p.Value.Data().(type) {
		case []float64:
			out = append(out, append([]float64(nil), d...))
		case []float32:
			w := make([]float64, len(d))
			for i, v := range d {
				w[i] = float64(v)
			}
			out = append(out, w)
		}
	}
	return out
}

// fitRanks trains build's model on (x, y) with n ranks of a local group (n = 0:
// without WithDistributed). Rank r > 0 builds its model with another seed, so
// that only the broadcast of rank 0's weights makes the ranks agree.
func fitRanks(t *testing.T, n int, build func() layers.Model, opt func() trainers.Optimizer, x, y *tensor.Dense, fitOpts ...trainers.FitOption) []distRun {
	t.Helper()
	return fitRanksAs(t, tensor.Float64, n, build, opt, x, y, fitOpts...)
}

// fitRanksAs is fitRanks with a model of dtype dt.
func fitRanksAs(t *testing.T, dt tensor.Dtype, n int, build func() layers.Model, opt func() trainers.Optimizer, x, y *tensor.Dense, fitOpts ...trainers.FitOption) []distRun {
	t.Helper()
	comms := []distributed.Comm{nil}
	if n > 0 {
		var err error
		if comms, err = distributed.NewLocalGroup(n); err != nil {
			t.Fatal(err)
		}
	}
	trs := make([]*trainers.Trainer, len(comms))
	for r, c := range comms {
		m := build()
		if err := m.Build(layers.WithSeed(int64(7+r*92)), layers.WithDType(dt)); err != nil {
			t.Fatal(err)
		}
		opts := []trainers.Option{trainers.WithSeed(7), trainers.WithOptimizer(opt()),
			trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithMetrics("accuracy")}
		if c != nil {
			opts = append(opts, trainers.WithDistributed(c))
		}
		tr, err := trainers.New(m, opts...)
		if err != nil {
			t.Fatal(err)
		}
		trs[r] = tr
	}
	out := make([]distRun, len(comms))
	var wg sync.WaitGroup
	for r := range trs {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			h, err := trs[r].Fit(context.Background(), x, y, fitOpts...)
			out[r] = distRun{weightsOf(trs[r].Model()), h, err}
		}(r)
	}
	wg.Wait()
	return out
}

func maxDiff(a, b [][]float64) float64 {
	d := 0.0
	for i := range a {
		for j := range a[i] {
			d = math.Max(d, math.Abs(a[i][j]-b[i][j]))
		}
	}
	return d
}

// TestDistributedEquivalence: 2 ranks at global batch 128 end with the weights
// of one process at batch 128 (601 rows: an uneven last batch of 89, split 45 +
// 44), and every rank logs what one process logs.
func TestDistributedEquivalence(t *testing.T) {
	opts := map[string]func() trainers.Optimizer{
		"sgd":  func() trainers.Optimizer { return trainers.SGD(0.1, trainers.Momentum(0.9)) },
		"adam": func() trainers.Optimizer { return trainers.Adam(0.01) },
	}
	models := map[string]struct {
		build func() layers.Model
		shape []int
	}{"mlp": {disttest.MLP, []int{6}}, "conv": {disttest.Conv, []int{6, 6, 1}}}
	for mname, md := range models {
		for oname, opt := range opts {
			t.Run(mname+"/"+oname, func(t *testing.T) {
				x, y := disttest.Data(601, md.shape...)
				vx, vy := disttest.Data(77, md.shape...)
				fo := []trainers.FitOption{trainers.Epochs(3), trainers.BatchSize(128), trainers.Verbose(0), trainers.ValidationData(vx, vy)}
				ref := fitRanks(t, 0, md.build, opt, x, y, fo...)[0]
				if ref.err != nil {
					t.Fatal(ref.err)
				}
				runs := fitRanks(t, 2, md.build, opt, x, y, fo...)
				for r, run := range runs {
					if run.err != nil {
						t.Fatalf("rank %d: %v", r, run.err)
					}
					d := maxDiff(ref.weights, run.weights)
					t.Logf("rank %d: max |weight difference| %.3g", r, d)
					if d > 1e-6 {
						t.Errorf("rank %d: weights differ from one process by %g", r, d)
					}
					if d := maxDiff(run.weights, runs[0].weights); d != 0 {
						t.Errorf("rank %d: weights differ from rank 0's by %g", r, d)
					}
					for _, k := range []string{"loss", "accuracy", "val_loss", "val_accuracy"} {
						got, want := run.hist.Metrics[k], ref.hist.Metrics[k]
						if len(got) != 3 || len(want) != 3 {
							t.Fatalf("rank %d: %s: %d epochs logged, one process %d", r, k, len(got), len(want))
						}
						for e := range got {
							if math.Abs(got[e]-want[e]) > 1e-9 || got[e] != runs[0].hist.Metrics[k][e] {
								t.Errorf("rank %d epoch %d: %s %v, one process %v, rank 0 %v", r, e, k, got[e], want[e], runs[0].hist.Metrics[k][e])
							}
						}
					}
				}
			})
		}
	}
}

// TestDistributedSingleRankIsPlainFit: a group of one trains bit for bit as
// without WithDistributed.
func TestDistributedSingleRankIsPlainFit(t *testing.T) {
	x, y := disttest.Data(150, 6)
	adam := func() trainers.Optimizer { return trainers.Adam(0.01) }
	fo := []trainers.FitOption{trainers.Epochs(2), trainers.BatchSize(32), trainers.Verbose(0)}
	ref := fitRanks(t, 0, disttest.MLP, adam, x, y, fo...)[0]
	one := fitRanks(t, 1, disttest.MLP, adam, x, y, fo...)[0]
	if ref.err != nil || one.err != nil {
		t.Fatal(ref.err, one.err)
	}
	if d := maxDiff(ref.weights, one.weights); d != 0 {
		t.Errorf("a group of one differs from a plain Fit by %g", d)
	}
}

// TestDistributedErrorsReachEveryRank: ranks that disagree, or one rank that
// fails, end with an error on every rank instead of a hang.
func TestDistributedErrorsReachEveryRank(t *testing.T) {
	comms, err := distributed.NewLocalGroup(2)
	if err != nil {
		t.Fatal(err)
	}
	x, y := disttest.Data(100, 6)
	x2, y2 := disttest.Data(90, 6)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := map[string]func(r int) (*tensor.Dense, *tensor.Dense, context.Context){
		"different data": func(r int) (*tensor.Dense, *tensor.Dense, context.Context) {
			if r == 1 {
				return x2, y2, context.Background()
			}
			return x, y, context.Background()
		},
		"one rank cancelled": func(r int) (*tensor.Dense, *tensor.Dense, context.Context) {
			if r == 1 {
				return x, y, cancelled
			}
			return x, y, context.Background()
		},
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for r := range comms {
				m := disttest.MLP()
				tr, err := trainers.New(m, trainers.WithDType(tensor.Float64), trainers.WithDistributed(comms[r]),
					trainers.WithLoss("sparse_categorical_crossentropy"))
				if err != nil {
					t.Fatal(err)
				}
				wg.Add(1)
				go func(r int) {
					defer wg.Done()
					x, y, ctx := data(r)
					_, errs[r] = tr.Fit(ctx, x, y, trainers.Verbose(0), trainers.BatchSize(32))
				}(r)
			}
			wg.Wait()
			for r, err := range errs {
				if err == nil {
					t.Errorf("rank %d: no error", r)
				} else {
					t.Logf("rank %d: %v", r, err)
				}
			}
		})
	}
}

func TestWithDistributedNil(t *testing.T) {
	_, err := trainers.New(disttest.MLP(), trainers.WithDistributed(nil), trainers.WithLoss("mse"))
	if err == nil || !strings.Contains(err.Error(), "WithDistributed") {
		t.Errorf("WithDistributed(nil): error %v", err)
	}
}

func TestTrainerRanks(t *testing.T) {
	comms, err := distributed.NewLocalGroup(3)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := trainers.New(disttest.MLP(), trainers.WithDistributed(comms[2]), trainers.WithLoss("mse"))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := trainers.New(disttest.MLP(), trainers.WithLoss("mse"))
	if err != nil {
		t.Fatal(err)
	}
	if tr.Rank() != 2 || tr.Ranks() != 3 || plain.Rank() != 0 || plain.Ranks() != 1 {
		t.Errorf("Rank/Ranks: %d/%d and %d/%d, want 2/3 and 0/1", tr.Rank(), tr.Ranks(), plain.Rank(), plain.Ranks())
	}
}

// toF32 converts a float64 tensor to float32.
func toF32(t *tensor.Dense) *tensor.Dense {
	d := t.Data().([]float64)
	out := make([]float32, len(d))
	for i, v := range d {
		out[i] = float32(v)
	}
	return tensor.New(tensor.WithShape(t.Shape().Clone()...), tensor.WithBacking(out))
}

// TestDistributedFloat32: a float32 model trains across 2 ranks as one process
// does, within float32 rounding.
func TestDistributedFloat32(t *testing.T) {
	x, y := disttest.Data(301, 6)
	x, y = toF32(x), toF32(y)
	adam := func() trainers.Optimizer { return trainers.Adam(0.01) }
	fo := []trainers.FitOption{trainers.Epochs(2), trainers.BatchSize(64), trainers.Verbose(0)}
	ref := fitRanksAs(t, tensor.Float32, 0, disttest.MLP, adam, x, y, fo...)[0]
	runs := fitRanksAs(t, tensor.Float32, 2, disttest.MLP, adam, x, y, fo...)
	for r, run := range runs {
		if ref.err != nil || run.err != nil {
			t.Fatal(ref.err, run.err)
		}
		d := maxDiff(ref.weights, run.weights)
		t.Logf("rank %d: max |weight difference| %.3g", r, d)
		if d > 1e-4 || maxDiff(run.weights, runs[0].weights) != 0 {
			t.Errorf("rank %d: float32 weights differ from one process by %g", r, d)
		}
	}
}

// TestDistributedBatchNormState: with BatchNormalization (statistics per
// rank's share, not synchronized), the running statistics are averaged at each
// epoch's end, so every rank ends with the same model.
func TestDistributedBatchNormState(t *testing.T) {
	bn := func() layers.Model {
		return layers.NewSequential(layers.Input(6), layers.Dense(8), layers.BatchNormalization(), layers.Dense(3))
	}
	x, y := disttest.Data(200, 6)
	runs := fitRanks(t, 2, bn, func() trainers.Optimizer { return trainers.SGD(0.05) }, x, y,
		trainers.Epochs(2), trainers.BatchSize(50), trainers.Verbose(0))
	for r, run := range runs {
		if run.err != nil {
			t.Fatalf("rank %d: %v", r, run.err)
		}
	}
	if d := maxDiff(runs[0].weights, runs[1].weights); d != 0 {
		t.Errorf("with batch normalization the ranks end %g apart", d)
	}
}

// TestDistributedProgressAndEvaluate: only rank 0 prints progress, and
// Evaluate across 2 ranks gives every rank the logs of one process.
func TestDistributedProgressAndEvaluate(t *testing.T) {
	comms, err := distributed.NewLocalGroup(2)
	if err != nil {
		t.Fatal(err)
	}
	x, y := disttest.Data(123, 6)
	var outs [3]strings.Builder
	logs := make([]trainers.Logs, 3)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for r := 0; r < 3; r++ { // ranks 0 and 1, then one process
		opts := []trainers.Option{trainers.WithDType(tensor.Float64), trainers.WithOutput(&outs[r]),
			trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithMetrics("accuracy")}
		if r < 2 {
			opts = append(opts, trainers.WithDistributed(comms[r]))
		}
		tr, err := trainers.New(disttest.MLP(), opts...)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, errs[r] = tr.Fit(context.Background(), x, y, trainers.Verbose(2), trainers.BatchSize(40)); errs[r] == nil {
				logs[r], errs[r] = tr.Evaluate(context.Background(), x, y, trainers.BatchSize(50))
			}
		}()
	}
	wg.Wait()
	for r, err := range errs {
		if err != nil {
			t.Fatalf("run %d: %v", r, err)
		}
	}
	if outs[0].Len() == 0 || outs[1].Len() != 0 {
		t.Errorf("progress: rank 0 printed %q, rank 1 %q", outs[0].String(), outs[1].String())
	}
	for _, k := range []string{"loss", "accuracy"} {
		if logs[0][k] != logs[1][k] || math.Abs(logs[0][k]-logs[2][k]) > 1e-9 {
			t.Errorf("evaluate %s: ranks %v and %v, one process %v", k, logs[0][k], logs[1][k], logs[2][k])
		}
	}
}

// TestDistributedEmbeddingRows: embedding tables updated by rows are refused on
// every rank with a clear error; WithDenseEmbeddingUpdates trains them.
func TestDistributedEmbeddingRows(t *testing.T) {
	x, y := embData(64, 20, 3, 1)
	for _, dense := range []bool{false, true} {
		comms, err := distributed.NewLocalGroup(2)
		if err != nil {
			t.Fatal(err)
		}
		errs := make([]error, 2)
		models := make([]layers.Model, 2)
		var wg sync.WaitGroup
		for r := range comms {
			m := embModel(t, 20, 3)
			models[r] = m
			opts := []trainers.Option{trainers.WithDistributed(comms[r]), trainers.WithLoss("binary_crossentropy")}
			if dense {
				opts = append(opts, trainers.WithDenseEmbeddingUpdates())
			}
			tr, err := trainers.New(m, opts...)
			if err != nil {
				t.Fatal(err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[r] = tr.FitNamed(context.Background(), x, y, trainers.Verbose(0), trainers.BatchSize(16))
			}()
		}
		wg.Wait()
		for r, err := range errs {
			switch {
			case dense && err != nil:
				t.Errorf("dense updates, rank %d: %v", r, err)
			case !dense && (err == nil || !strings.Contains(err.Error(), "WithDenseEmbeddingUpdates")):
				t.Errorf("updates by rows, rank %d: error %v", r, err)
			}
		}
		if dense && maxDiff([][]float64{tableOf(t, models[0])}, [][]float64{tableOf(t, models[1])}) != 0 {
			t.Error("dense updates: the ranks' tables differ")
		}
	}
}
