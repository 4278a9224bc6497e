package trainers_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
)

// TestResumeIsExact: 2 epochs, save, load, 2 more epochs gives bit-identical weights
// to 4 epochs straight, for every optimizer (with dropout, momentum, a schedule).
func TestResumeIsExact(t *testing.T) {
	ds, err := datasets.Moons(150, 0.1, 2)
	if err != nil {
		t.Fatal(err)
	}
	opts := map[string]func() trainers.Optimizer{
		"sgd":     func() trainers.Optimizer { return trainers.SGD(0.05, trainers.Momentum(0.9), trainers.Nesterov()) },
		"adam":    func() trainers.Optimizer { return trainers.Adam(0.01, trainers.AMSGrad()) },
		"adamw":   func() trainers.Optimizer { return trainers.AdamW(0.01, trainers.GlobalClipNorm(1)) },
		"rmsprop": func() trainers.Optimizer { return trainers.RMSProp(0.01, trainers.Momentum(0.5)) },
		"adagrad": func() trainers.Optimizer { return trainers.AdaGrad(0.05) },
		"schedule": func() trainers.Optimizer {
			return trainers.Adam(0, trainers.WithSchedule(trainers.CosineDecay{Initial: 0.01, DecaySteps: 20}))
		},
	}
	for name, mk := range opts {
		t.Run(name, func(t *testing.T) {
			newModel := func() *layers.Sequential {
				return layers.NewSequential(layers.Input(2), layers.Dense(12, layers.WithActivation("tanh")), layers.Dropout(0.2),
					layers.Dense(1, layers.WithActivation("sigmoid")))
			}
			fit := func(tr *trainers.Trainer, from, to int) {
				if _, err := tr.FitDataset(context.Background(), ds, trainers.Epochs(to), trainers.InitialEpoch(from), trainers.BatchSize(16), trainers.Verbose(0)); err != nil {
					t.Fatal(err)
				}
			}
			straight := newTrainer(t, newModel(), trainers.WithLoss("binary_crossentropy"), trainers.WithOptimizer(mk()), trainers.WithSeed(3))
			fit(straight, 0, 4)

			first := newTrainer(t, newModel(), trainers.WithLoss("binary_crossentropy"), trainers.WithOptimizer(mk()), trainers.WithSeed(3), trainers.WithMetrics("accuracy"))
			fit(first, 0, 2)
			path := filepath.Join(t.TempDir(), "ckpt.safetensors")
			if err := first.Save(path); err != nil {
				t.Fatal(err)
			}
			resumed, err := trainers.Load(path, trainers.WithOutput(&bytes.Buffer{}))
			if err != nil {
				t.Fatal(err)
			}
			if resumed.Epoch() != 2 || resumed.Optimizer().Iterations() != first.Optimizer().Iterations() {
				t.Fatalf("resumed at epoch %d after %d steps, want 2 and %d", resumed.Epoch(), resumed.Optimizer().Iterations(), first.Optimizer().Iterations())
			}
			fit(resumed, resumed.Epoch(), 4)
			if !equalWeights(weights(straight.Model()), weights(resumed.Model())) {
				t.Error("resumed training differs from training straight through")
			}
		})
	}
}

func TestModelCheckpointKeepsLast(t *testing.T) {
	dir := t.TempDir()
	tr, ds := linearTrainer(t, trainers.Adam(0.01), nil)
	c := &trainers.ModelCheckpoint{Path: filepath.Join(dir, "m-{epoch}.safetensors"), KeepLast: 2, Monitor: "loss"}
	best := &trainers.ModelCheckpoint{Path: filepath.Join(dir, "best.safetensors"), SaveBestOnly: true, Monitor: "loss", WeightsOnly: true}
	if _, err := tr.FitDataset(context.Background(), ds, trainers.Epochs(5), trainers.Verbose(0), trainers.Callbacks(c, best)); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != "best.safetensors m-4.safetensors m-5.safetensors" {
		t.Errorf("files %q", got)
	}
	if _, err := layers.Load(filepath.Join(dir, "best.safetensors")); err != nil {
		t.Error(err)
	}
	if _, err := trainers.Load(filepath.Join(dir, "best.safetensors")); err == nil || !strings.Contains(err.Error(), "no training state") {
		t.Errorf("weights-only file loaded as a trainer: %v", err)
	}
	tr2, err := trainers.Load(filepath.Join(dir, "m-5.safetensors"))
	if err != nil || tr2.Epoch() != 5 {
		t.Errorf("checkpoint of epoch 5: %v, epoch %d", err, tr2.Epoch())
	}
}

// TestResumeIsExactWithCallbacks: a run stopped after a few epochs, saved (by
// Trainer.Save after Fit, or by a ModelCheckpoint listed before the other
// callbacks), loaded and resumed with new callbacks of the same settings ends with
// the same weights, learning rates, stopping epoch and checkpoint files as the run
// without a stop.
func TestResumeIsExactWithCallbacks(t *testing.T) {
	ds, err := datasets.Moons(150, 0.1, 2)
	if err != nil {
		t.Fatal(err)
	}
	type setup struct {
		cbs  []trainers.Callback
		stop *trainers.EarlyStopping
	}
	cases := []struct {
		name     string
		epochs   int
		resumeAt int
		viaCkpt  bool // resume from a ModelCheckpoint file instead of Save
		make     func(dir string) setup
	}{
		{"reduce_lr", 8, 3, false, func(string) setup {
			// MinDelta 10: only the first epoch improves, so the rate halves every
			// other epoch (patience 1, cooldown 1).
			return setup{cbs: []trainers.Callback{&trainers.ReduceLROnPlateau{Monitor: "loss", Factor: 0.5, Patience: 1, Cooldown: 1, MinDelta: 10}}}
		}},
		{"early_stopping", 9, 3, false, func(string) setup {
			es := &trainers.EarlyStopping{Monitor: "loss", MinDelta: 10, Patience: 4, RestoreBestWeights: true}
			return setup{cbs: []trainers.Callback{es}, stop: es}
		}},
		{"checkpoints", 7, 3, true, func(dir string) setup {
			return setup{cbs: []trainers.Callback{
				&trainers.ModelCheckpoint{Path: filepath.Join(dir, "m-{epoch}.safetensors"), KeepLast: 2},
				// Mode max on a falling loss: only the first epoch is "best".
				&trainers.ModelCheckpoint{Path: filepath.Join(dir, "best.safetensors"), SaveBestOnly: true, Monitor: "loss", Mode: "max"},
				&trainers.ReduceLROnPlateau{Monitor: "loss", Factor: 0.5, Patience: 1, MinDelta: 10},
			}}
		}},
	}
	newModel := func() *layers.Sequential {
		return layers.NewSequential(layers.Input(2), layers.Dense(12, layers.WithActivation("tanh")), layers.Dropout(0.2),
			layers.Dense(1, layers.WithActivation("sigmoid")))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fit := func(tr *trainers.Trainer, from int, s setup, rates *lrRecorder) *trainers.History {
				t.Helper()
				h, err := tr.FitDataset(context.Background(), ds, trainers.Epochs(tc.epochs), trainers.InitialEpoch(from), trainers.BatchSize(16),
					trainers.Verbose(0), trainers.Callbacks(append(s.cbs, rates)...))
				if err != nil {
					t.Fatal(err)
				}
				return h
			}
			mk := func() *trainers.Trainer {
				return newTrainer(t, newModel(), trainers.WithLoss("binary_crossentropy"), trainers.WithOptimizer(trainers.SGD(0.5)), trainers.WithSeed(3))
			}
			dirA, dirB := t.TempDir(), t.TempDir()
			straight := mk()
			sa := tc.make(dirA)
			ra := &lrRecorder{}
			ha := fit(straight, 0, sa, ra)

			first := mk()
			sb := tc.make(dirB)
			stopAt := tc.resumeAt
			// Stop after resumeAt epochs: Epochs(resumeAt).
			if _, err := first.FitDataset(context.Background(), ds, trainers.Epochs(stopAt), trainers.BatchSize(16), trainers.Verbose(0), trainers.Callbacks(sb.cbs...)); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "resume.safetensors")
			if tc.viaCkpt {
				path = filepath.Join(dirB, "m-3.safetensors")
			} else if err := first.Save(path); err != nil {
				t.Fatal(err)
			}
			resumed, err := trainers.Load(path, trainers.WithOutput(&bytes.Buffer{}))
			if err != nil {
				t.Fatal(err)
			}
			if resumed.Epoch() != stopAt {
				t.Fatalf("resumed at epoch %d, want %d", resumed.Epoch(), stopAt)
			}
			sr := tc.make(dirB)
			rr := &lrRecorder{}
			hr := fit(resumed, resumed.Epoch(), sr, rr)

			if !equalWeights(weights(straight.Model()), weights(resumed.Model())) {
				t.Error("resumed training differs from training straight through")
			}
			if got, want := fmt.Sprint(hr.Epoch), fmt.Sprint(ha.Epoch[stopAt:]); got != want {
				t.Errorf("resumed run ran epochs %s, the straight run %s", got, want)
			}
			if got, want := fmt.Sprint(rr.lr), fmt.Sprint(ra.lr[stopAt:]); got != want {
				t.Errorf("learning rates of the epochs after the resume %s, straight %s", got, want)
			}
			if a, b := straight.Optimizer().LearningRate(), resumed.Optimizer().LearningRate(); a != b {
				t.Errorf("final learning rate %g, straight %g", b, a)
			}
			if sa.stop != nil && sa.stop.StoppedEpoch != sr.stop.StoppedEpoch {
				t.Errorf("resumed run stopped at epoch %d, straight at %d", sr.stop.StoppedEpoch, sa.stop.StoppedEpoch)
			}
			if a, b := dirNames(t, dirA), dirNames(t, dirB); a != b {
				t.Errorf("checkpoint files %q, straight %q", b, a)
			}
			if tc.viaCkpt {
				for _, dir := range []string{dirA, dirB} {
					best, err := trainers.Load(filepath.Join(dir, "best.safetensors"))
					if err != nil {
						t.Fatal(err)
					}
					if best.Epoch() != 1 {
						t.Errorf("%s: best.safetensors is of epoch %d, want 1", dir, best.Epoch())
					}
				}
			}
		})
	}
}

// lrRecorder records the learning rate each epoch starts with.
type lrRecorder struct {
	trainers.BaseCallback
	lr []float64
}

func (r *lrRecorder) OnEpochBegin(t *trainers.Trainer, _ int) error {
	r.lr = append(r.lr, t.Optimizer().LearningRate())
	return nil
}

func dirNames(t *testing.T, dir string) string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return strings.Join(names, " ")
}

// TestResumeFromZeroForgetsCallbackStates: a Fit from epoch 0 on a loaded trainer
// starts its callbacks afresh, and a second Fit with InitialEpoch continues the
// first's callback states in the same process.
func TestResumeFromZeroForgetsCallbackStates(t *testing.T) {
	tr, ds := linearTrainer(t, trainers.SGD(0.01), nil)
	r1 := &trainers.ReduceLROnPlateau{Monitor: "loss", Factor: 0.5, Patience: 1, MinDelta: 100}
	if _, err := tr.FitDataset(context.Background(), ds, trainers.Epochs(2), trainers.Verbose(0), trainers.Callbacks(r1)); err != nil {
		t.Fatal(err)
	}
	// Epoch 0 improved (from +Inf), epoch 1 waited 1 = patience: halved once.
	if lr := tr.Optimizer().LearningRate(); lr != 0.005 {
		t.Fatalf("rate %g after 2 epochs, want 0.005", lr)
	}
	r2 := &trainers.ReduceLROnPlateau{Monitor: "loss", Factor: 0.5, Patience: 1, MinDelta: 100}
	if _, err := tr.FitDataset(context.Background(), ds, trainers.Epochs(3), trainers.InitialEpoch(2), trainers.Verbose(0), trainers.Callbacks(r2)); err != nil {
		t.Fatal(err)
	}
	// Continued: epoch 2 does not improve on epoch 0's best, waits 1: halved again.
	if lr := tr.Optimizer().LearningRate(); lr != 0.0025 {
		t.Errorf("rate %g after a continued epoch, want 0.0025", lr)
	}
	r3 := &trainers.ReduceLROnPlateau{Monitor: "loss", Factor: 0.5, Patience: 1, MinDelta: 100}
	if _, err := tr.FitDataset(context.Background(), ds, trainers.Epochs(1), trainers.Verbose(0), trainers.Callbacks(r3)); err != nil {
		t.Fatal(err)
	}
	// From epoch 0: a fresh monitor, the first epoch improves: no reduction.
	if lr := tr.Optimizer().LearningRate(); lr != 0.0025 {
		t.Errorf("rate %g after a fresh epoch, want 0.0025", lr)
	}
}
