package trainers_test

import (
	"bytes"
	"context"
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
