package trainers_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

func colorTrainer(t *testing.T, m layers.Model) *trainers.Trainer {
	t.Helper()
	return newTrainer(t, m, trainers.WithLoss("binary_crossentropy"), trainers.WithMetrics("accuracy"),
		trainers.WithOptimizer(trainers.Adam(0.02)), trainers.WithSeed(7))
}

// TestStringInputFit trains a model of a String input through every Fit entry
// point on a task that only the string solves: without the color the best
// accuracy is 2/3, so an accuracy of 0.9 shows the strings reach the model.
func TestStringInputFit(t *testing.T) {
	x, y := colorData(300, 1)
	tests := []struct {
		name string
		fit  func(tr *trainers.Trainer, opts ...trainers.FitOption) (*trainers.History, error)
	}{
		{"FitTensors", func(tr *trainers.Trainer, opts ...trainers.FitOption) (*trainers.History, error) {
			return tr.FitTensors(context.Background(), []*tensor.Dense{x["color"], x["features"]}, []*tensor.Dense{y["hit"]}, opts...)
		}},
		{"FitNamed", func(tr *trainers.Trainer, opts ...trainers.FitOption) (*trainers.History, error) {
			return tr.FitNamed(context.Background(), x, y, opts...)
		}},
		{"FitMulti with a validation split", func(tr *trainers.Trainer, opts ...trainers.FitOption) (*trainers.History, error) {
			ds, err := datasets.NewNamedTensors(x, y)
			if err != nil {
				return nil, err
			}
			return tr.FitMulti(context.Background(), ds, append(opts, trainers.ValidationSplit(0.2))...)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := colorTrainer(t, colorModel(t, 1, false))
			hist, err := tc.fit(tr, trainers.Epochs(25), trainers.BatchSize(32), trainers.Verbose(0))
			if err != nil {
				t.Fatal(err)
			}
			loss := hist.Get("loss")
			if len(loss) != 25 || !(loss[len(loss)-1] < 0.5*loss[0]) {
				t.Errorf("loss did not drop by half: %v", loss)
			}
			if acc, _ := hist.Last("accuracy"); acc < 0.9 {
				t.Errorf("training accuracy %.3f, want >= 0.9", acc)
			}
			xt, yt := colorData(200, 2)
			logs, err := tr.EvaluateNamed(context.Background(), xt, yt)
			if err != nil {
				t.Fatal(err)
			}
			if logs["accuracy"] < 0.85 {
				t.Errorf("test accuracy %.3f, want >= 0.85", logs["accuracy"])
			}
		})
	}
}

// TestStringInputPredict predicts on strings with the trainer, the function
// PredictNamed and a Predictor (requests batched together): the same outputs, and
// the lookup's ids (a second, Int64 output) give unknown strings the
// out-of-vocabulary id 0 and the vocabulary ids 1, 2, 3.
func TestStringInputPredict(t *testing.T) {
	m := colorModel(t, 1, true)
	tr := newTrainer(t, m) // predicts only
	reqs := []map[string]*tensor.Dense{
		colorRows("red", "mauve", "blue", "teal", "green"),
		colorRows("teal"),
		colorRows("green", "red", ""),
	}
	wantIDs := [][]int64{{1, 0, 3, 0, 2}, {0}, {2, 1, 0}}
	want := make([]map[string]*tensor.Dense, len(reqs))
	for i, r := range reqs {
		var err error
		if want[i], err = tr.PredictNamed(r, trainers.BatchSize(2)); err != nil {
			t.Fatal(err)
		}
		got, ok := want[i]["color_lookup"].Data().([]int64)
		if !ok || len(got) != len(wantIDs[i]) {
			t.Fatalf("request %d: ids %v (%v), want %v", i, want[i]["color_lookup"].Data(), want[i]["color_lookup"].Dtype(), wantIDs[i])
		}
		for k := range got {
			if got[k] != wantIDs[i][k] {
				t.Fatalf("request %d: ids %v, want %v", i, got, wantIDs[i])
			}
		}
	}
	if a, b := want[0]["hit"].Data().([]float32), want[1]["hit"].Data().([]float32); a[1] != a[3] || a[1] != b[0] {
		t.Errorf("unknown strings with the same features predict differently: %v, %v", a, b)
	}
	if a := want[0]["hit"].Data().([]float32); a[0] == a[2] {
		t.Errorf("red and blue predict the same %v: the strings do not reach the model", a[0])
	}

	once, err := trainers.PredictNamed(m, reqs[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"hit", "color_lookup"} {
		if !sameFloats(once[k], want[0][k], 0) {
			t.Errorf("trainers.PredictNamed %s = %v, trainer %v", k, once[k].Data(), want[0][k].Data())
		}
	}

	p, err := trainers.NewPredictor(m, trainers.WithWorkers(1), trainers.WithMaxBatch(16), trainers.WithLinger(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	got := make([]map[string]*tensor.Dense, len(reqs))
	errs := make([]error, len(reqs))
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Add(1)
		go func(i int, r map[string]*tensor.Dense) {
			defer wg.Done()
			got[i], errs[i] = p.PredictNamed(context.Background(), r)
		}(i, r)
	}
	wg.Wait()
	for i := range reqs {
		if errs[i] != nil {
			t.Fatalf("predictor request %d: %v", i, errs[i])
		}
		for _, k := range []string{"hit", "color_lookup"} {
			if !sameFloats(got[i][k], want[i][k], 1e-6) {
				t.Errorf("predictor request %d %s = %v, trainer %v", i, k, got[i][k].Data(), want[i][k].Data())
			}
		}
	}
}

// TestStringLookupNoOOV: a lookup without out-of-vocabulary ids makes an unknown
// string an error (a *graph.LookupError naming the example) of the Trainer's
// Predict, Fit and Evaluate, and of the one Predictor request that holds it, while
// requests batched with it succeed.
func TestStringLookupNoOOV(t *testing.T) {
	m := colorModel(t, 0, false)
	tr := colorTrainer(t, m)
	x, y := colorData(20, 3)
	bad := func(row int) map[string]*tensor.Dense {
		c := append([]string(nil), x["color"].Data().([]string)...)
		c[row] = "mauve"
		return map[string]*tensor.Dense{"color": strs(c...), "features": x["features"]}
	}
	isMauve := func(err error, row int) error {
		var le *graph.LookupError
		switch {
		case err == nil:
			return errors.New("no error")
		case !errors.As(err, &le):
			return errors.Errorf("not a *graph.LookupError: %v", err)
		case le.Value != "mauve" || le.Row != row || le.Pos != 0:
			return errors.Errorf("%q at row %d position %d, want \"mauve\" at row %d: %v", le.Value, le.Row, le.Pos, row, err)
		}
		return nil
	}
	tests := []struct {
		name string
		run  func() error
		row  int
	}{
		{"predict", func() error { _, err := tr.PredictNamed(bad(7), trainers.BatchSize(3)); return err }, 7},
		{"fit", func() error {
			_, err := tr.FitNamed(context.Background(), bad(13), y, trainers.BatchSize(4), trainers.Verbose(0))
			return err
		}, 13},
		{"evaluate", func() error {
			_, err := tr.EvaluateNamed(context.Background(), bad(2), y, trainers.BatchSize(8))
			return err
		}, 2},
		{"function predict", func() error { _, err := trainers.PredictNamed(m, bad(19)); return err }, 19},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := isMauve(tc.run(), tc.row); err != nil {
				t.Error(err)
			}
		})
	}

	t.Run("predictor", func(t *testing.T) {
		// 2+3+1 rows run as one padded batch of 8 when gathered.
		reqs := []map[string]*tensor.Dense{colorRows("red", "green"), colorRows("blue", "mauve", "red"), colorRows("green")}
		for round := 0; round < 2; round++ { // the second round runs on programs the failure ran
			p, err := trainers.NewPredictor(m, trainers.WithWorkers(1), trainers.WithMaxBatch(64), trainers.WithLinger(50*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			got := make([]map[string]*tensor.Dense, len(reqs))
			errs := make([]error, len(reqs))
			var wg sync.WaitGroup
			for i, r := range reqs {
				wg.Add(1)
				go func(i int, r map[string]*tensor.Dense) {
					defer wg.Done()
					got[i], errs[i] = p.PredictNamed(context.Background(), r)
				}(i, r)
			}
			wg.Wait()
			if err := isMauve(errs[1], 1); err != nil {
				t.Errorf("the bad request: %v", err)
			}
			for _, i := range []int{0, 2} {
				if errs[i] != nil {
					t.Fatalf("good request %d failed: %v", i, errs[i])
				}
				want, err := tr.PredictNamed(reqs[i])
				if err != nil {
					t.Fatal(err)
				}
				if !sameFloats(got[i]["hit"], want["hit"], 1e-6) {
					t.Errorf("request %d: predictor %v, trainer %v", i, got[i]["hit"].Data(), want["hit"].Data())
				}
			}
			// A request alone, padded (3 rows run at batch 4), after the failure.
			if _, err := p.PredictNamed(context.Background(), colorRows("red", "blue", "green")); err != nil {
				t.Errorf("a good request after the failure: %v", err)
			}
			p.Close()
		}
	})
}

// TestStringModelSaveLoad saves a trained model of a String input with
// Trainer.Save and loads it back three ways: the vocabulary travels with the
// model, so predictions on strings (an unknown one included) are unchanged.
func TestStringModelSaveLoad(t *testing.T) {
	m := colorModel(t, 1, false)
	tr := colorTrainer(t, m)
	x, y := colorData(100, 4)
	if _, err := tr.FitNamed(context.Background(), x, y, trainers.Epochs(3), trainers.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "color.safetensors")
	if err := tr.Save(path); err != nil {
		t.Fatal(err)
	}
	rows := colorRows("red", "green", "blue", "mauve", "")
	want, err := tr.PredictNamed(rows)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		predict func() (*tensor.Dense, error)
	}{
		{"trainers.Load", func() (*tensor.Dense, error) {
			lt, err := trainers.Load(path)
			if err != nil {
				return nil, err
			}
			out, err := lt.PredictNamed(rows)
			if err != nil {
				return nil, err
			}
			return out["hit"], nil
		}},
		{"layers.Load and trainers.New", func() (*tensor.Dense, error) {
			lm, err := layers.Load(path)
			if err != nil {
				return nil, err
			}
			lt, err := trainers.New(lm)
			if err != nil {
				return nil, err
			}
			outs, err := lt.PredictTensors([]*tensor.Dense{rows["color"], rows["features"]})
			if err != nil {
				return nil, err
			}
			return outs[0], nil
		}},
		{"LoadPredictor", func() (*tensor.Dense, error) {
			p, err := trainers.LoadPredictor(path)
			if err != nil {
				return nil, err
			}
			defer p.Close()
			out, err := p.PredictNamed(context.Background(), rows)
			if err != nil {
				return nil, err
			}
			return out["hit"], nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.predict()
			if err != nil {
				t.Fatal(err)
			}
			if !sameFloats(got, want["hit"], 0) {
				t.Errorf("loaded model predicts %v, saved %v", got.Data(), want["hit"].Data())
			}
		})
	}
}
