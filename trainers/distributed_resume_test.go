package trainers_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/internal/disttest"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// TestDistributedResumeFromCheckpoint: 2 ranks write a checkpoint every 2
// epochs (rank 0 only; Period), and 2 fresh ranks resumed from the epoch-2 file
// with ResumeFrom end with the weights of the uninterrupted 5-epoch run, bit for
// bit; so does one process resumed from a one-process checkpoint.
func TestDistributedResumeFromCheckpoint(t *testing.T) {
	x, y := disttest.Data(301, 6)
	adam := func() trainers.Optimizer { return trainers.Adam(0.01) }
	for _, ranks := range []int{2, 0} {
		dir := t.TempDir()
		ck := &trainers.ModelCheckpoint{Path: filepath.Join(dir, "ck-{epoch}"), Period: 2}
		full := fitRanks(t, ranks, disttest.MLP, adam, x, y, trainers.Epochs(5), trainers.BatchSize(64), trainers.Verbose(0), trainers.Callbacks(ck))
		for _, r := range full {
			if r.err != nil {
				t.Fatal(r.err)
			}
		}
		for e, want := range map[int]bool{1: false, 2: true, 3: false, 4: true, 5: false} {
			if _, err := os.Stat(filepath.Join(dir, "ck-"+strconv.Itoa(e))); (err == nil) != want {
				t.Errorf("%d ranks: checkpoint of epoch %d written %v, want %v (Period 2)", ranks, e, err == nil, want)
			}
		}
		resumed := fitRanks(t, ranks, disttest.MLP, adam, x, y, trainers.Epochs(5), trainers.BatchSize(64), trainers.Verbose(0),
			trainers.ResumeFrom(filepath.Join(dir, "ck-2")))
		for r := range resumed {
			if resumed[r].err != nil {
				t.Fatal(resumed[r].err)
			}
			if got := len(resumed[r].hist.Epoch); got != 3 {
				t.Errorf("%d ranks: rank %d resumed for %d epochs, want 3", ranks, r, got)
			}
			if d := maxDiff(full[r].weights, resumed[r].weights); d != 0 {
				t.Errorf("%d ranks: rank %d resumed from epoch 2 differs from the uninterrupted run by %g", ranks, r, d)
			}
		}
	}
}

// TestResumeFromErrors: a missing file, another seed and another model are
// errors of Fit, and Evaluate refuses the option.
func TestResumeFromErrors(t *testing.T) {
	ctx := context.Background()
	x, y := disttest.Data(64, 6)
	dir := t.TempDir()
	path := filepath.Join(dir, "ck")
	tr := newDistTrainer(t, disttest.MLP(), 7)
	if _, err := tr.Fit(ctx, x, y, trainers.Epochs(1), trainers.Verbose(0), trainers.Callbacks(&trainers.ModelCheckpoint{Path: path})); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		tr   *trainers.Trainer
		file string
		want string
	}{
		{"missing file", newDistTrainer(t, disttest.MLP(), 7), filepath.Join(dir, "none"), "resume"},
		{"other seed", newDistTrainer(t, disttest.MLP(), 8), path, "seed"},
		{"other model", newDistTrainer(t, disttest.Conv(), 7), path, "weight 0"},
	}
	for _, c := range cases {
		xs := x
		if c.name == "other model" {
			xs, _ = disttest.Data(64, 6, 6, 1)
		}
		_, err := c.tr.Fit(ctx, xs, y, trainers.Epochs(2), trainers.Verbose(0), trainers.ResumeFrom(c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error about %q", c.name, err, c.want)
		}
	}
	if _, err := tr.Evaluate(ctx, x, y, trainers.ResumeFrom(path)); err == nil {
		t.Error("Evaluate took ResumeFrom")
	}
	if _, err := tr.Fit(ctx, x, y, trainers.Verbose(0), trainers.Callbacks(&trainers.ModelCheckpoint{Path: path, Period: -1})); err == nil {
		t.Error("ModelCheckpoint took Period -1")
	}
}

// newDistTrainer returns a trainer of m (float64) with the given seed.
func newDistTrainer(t *testing.T, m layers.Model, seed int64) *trainers.Trainer {
	t.Helper()
	tr, err := trainers.New(m, trainers.WithSeed(seed), trainers.WithDType(tensor.Float64),
		trainers.WithLoss("sparse_categorical_crossentropy"))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}
