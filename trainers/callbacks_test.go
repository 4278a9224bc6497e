package trainers_test

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
)

func linearTrainer(t *testing.T, opt trainers.Optimizer, out *bytes.Buffer) (*trainers.Trainer, datasets.Dataset) {
	t.Helper()
	ds, err := datasets.Linear(200, 1)
	if err != nil {
		t.Fatal(err)
	}
	model := layers.NewSequential(layers.Input(1), layers.Dense(1))
	opts := []trainers.Option{trainers.WithLoss("mse"), trainers.WithMetrics("mae"), trainers.WithOptimizer(opt)}
	if out != nil {
		opts = append(opts, trainers.WithOutput(out))
	}
	return newTrainer(t, model, opts...), ds
}

// TestHistory: one entry per epoch for the loss, each metric and their val_ forms.
func TestHistory(t *testing.T) {
	tr, ds := linearTrainer(t, trainers.Adam(0.05), nil)
	h, err := tr.FitDataset(context.Background(), ds, trainers.Epochs(4), trainers.ValidationSplit(0.25), trainers.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"loss", "mae", "val_loss", "val_mae"} {
		if len(h.Get(k)) != 4 {
			t.Errorf("%s: %v, want 4 values", k, h.Get(k))
		}
	}
	if l := h.Get("loss"); !(l[3] < l[0]) {
		t.Errorf("loss did not fall: %v", l)
	}
}

// TestEarlyStoppingRestoresBest: with a rate so large that the loss climbs, training
// stops after Patience epochs and the weights of the best (first) epoch come back.
func TestEarlyStoppingRestoresBest(t *testing.T) {
	tr, ds := linearTrainer(t, trainers.SGD(1.5), nil)
	var best [][]float64
	rec := &epochWeights{}
	es := &trainers.EarlyStopping{Monitor: "loss", Patience: 1, RestoreBestWeights: true}
	h, err := tr.FitDataset(context.Background(), ds, trainers.Epochs(20), trainers.BatchSize(200), trainers.Verbose(0), trainers.Callbacks(rec, es))
	if err != nil {
		t.Fatal(err)
	}
	if es.StoppedEpoch < 0 || len(h.Epoch) == 20 {
		t.Fatalf("did not stop early: %v", h.Get("loss"))
	}
	losses := h.Get("loss")
	bi := 0
	for i, l := range losses {
		if l < losses[bi] {
			bi = i
		}
	}
	best = rec.w[bi]
	if got := weights(tr.Model()); !equalWeights(got, best) {
		t.Errorf("weights %v, want those of epoch %d %v", got, bi, best)
	}
}

type epochWeights struct {
	trainers.BaseCallback
	w [][][]float64
}

func (e *epochWeights) OnEpochEnd(t *trainers.Trainer, _ int, _ trainers.Logs) error {
	e.w = append(e.w, weights(t.Model()))
	return nil
}

func TestReduceLROnPlateau(t *testing.T) {
	tr, ds := linearTrainer(t, trainers.SGD(1.5), nil)
	r := &trainers.ReduceLROnPlateau{Monitor: "loss", Patience: 1, Factor: 0.5}
	if _, err := tr.FitDataset(context.Background(), ds, trainers.Epochs(4), trainers.BatchSize(200), trainers.Verbose(0), trainers.Callbacks(r)); err != nil {
		t.Fatal(err)
	}
	if lr := tr.Optimizer().LearningRate(); lr >= 1.5 {
		t.Errorf("learning rate %v was not reduced on a rising loss", lr)
	}
}

func TestLearningRateScheduler(t *testing.T) {
	tr, ds := linearTrainer(t, trainers.SGD(0.1), nil)
	var seen []float64
	s := &trainers.LearningRateScheduler{Schedule: func(epoch int, lr float64) float64 { return 0.1 / float64(epoch+1) }}
	rec := &rateRecorder{rates: &seen}
	if _, err := tr.FitDataset(context.Background(), ds, trainers.Epochs(3), trainers.Verbose(0), trainers.Callbacks(s, rec)); err != nil {
		t.Fatal(err)
	}
	want := []float64{0.1, 0.05, 0.1 / 3}
	for i, w := range want {
		if math.Abs(seen[i]-w) > 1e-12 {
			t.Errorf("epoch %d rate %v, want %v", i, seen[i], w)
		}
	}
}

type rateRecorder struct {
	trainers.BaseCallback
	rates *[]float64
}

func (r *rateRecorder) OnEpochBegin(t *trainers.Trainer, _ int) error {
	*r.rates = append(*r.rates, t.Optimizer().LearningRate())
	return nil
}

func TestTerminateOnNaN(t *testing.T) {
	tr, ds := linearTrainer(t, trainers.SGD(1e30), nil)
	n := &trainers.TerminateOnNaN{}
	h, err := tr.FitDataset(context.Background(), ds, trainers.Epochs(50), trainers.BatchSize(10), trainers.Verbose(0), trainers.Callbacks(n))
	if err != nil {
		t.Fatal(err)
	}
	if !n.Stopped || len(h.Epoch) > 1 {
		t.Errorf("stopped %v after %d epochs, want a stop in the first", n.Stopped, len(h.Epoch))
	}
}

func TestCSVLogger(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.csv")
	tr, ds := linearTrainer(t, trainers.Adam(0.01), nil)
	c := &trainers.CSVLogger{Path: path}
	if _, err := tr.FitDataset(context.Background(), ds, trainers.Epochs(3), trainers.Verbose(0), trainers.Callbacks(c)); err != nil {
		t.Fatal(err)
	}
	c.Append = true
	if _, err := tr.FitDataset(context.Background(), ds, trainers.Epochs(5), trainers.InitialEpoch(3), trainers.Verbose(0), trainers.Callbacks(c)); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 6 || lines[0] != "epoch,loss,mae" || !strings.HasPrefix(lines[5], "4,") {
		t.Errorf("csv:\n%s", b)
	}
	if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
		t.Error("temporary file left behind")
	}
}

// TestProgressOutput: one line per epoch when the output is not a terminal, nothing
// at verbosity 0.
func TestProgressOutput(t *testing.T) {
	for _, tc := range []struct {
		verbose, lines int
	}{{0, 0}, {1, 3}, {2, 3}} {
		var out bytes.Buffer
		tr, ds := linearTrainer(t, trainers.Adam(0.01), &out)
		if _, err := tr.FitDataset(context.Background(), ds, trainers.Epochs(3), trainers.Verbose(tc.verbose)); err != nil {
			t.Fatal(err)
		}
		got := strings.Count(out.String(), "\n")
		if got != tc.lines || (tc.lines > 0 && !strings.Contains(out.String(), "Epoch 3/3 - 7/7")) {
			t.Errorf("verbose %d: %d lines, want %d:\n%s", tc.verbose, got, tc.lines, out.String())
		}
	}
}
