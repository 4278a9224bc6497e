package trainers_test

import (
	"bytes"
	"context"
	"math"
	"math/rand"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// twoByTwo builds a model of an int64 id input and a float input, and two outputs:
// "click" (sigmoid) and "kind" (softmax over 3).
func twoByTwo(t *testing.T) *layers.Functional {
	t.Helper()
	ids := layers.NewInput("user_id", layers.Shape(1), layers.Int64)
	feats := layers.NewInput("features", layers.Shape(3))
	e := layers.Flatten().Apply(layers.Embedding(10, 4).Apply(ids))
	h := layers.Dense(16, layers.WithActivation("relu")).Apply(layers.Concatenate(-1).Apply(e, feats))
	click := layers.Dense(1, layers.WithActivation("sigmoid"), layers.WithName("click")).Apply(h)
	kind := layers.Dense(3, layers.WithActivation("softmax"), layers.WithName("kind")).Apply(h)
	m, err := layers.NewModel([]*layers.Tensor{ids, feats}, []*layers.Tensor{click, kind})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// twoByTwoData makes n examples: click = (id is even), kind = argmax of features.
func twoByTwoData(n int, seed int64) (x, y map[string]*tensor.Dense) {
	rng := rand.New(rand.NewSource(seed))
	ids := make([]int64, n)
	feats := make([]float32, 3*n)
	click := make([]float32, n)
	kind := make([]float32, n)
	for i := 0; i < n; i++ {
		ids[i] = int64(rng.Intn(10))
		if ids[i]%2 == 0 {
			click[i] = 1
		}
		best := 0
		for j := 0; j < 3; j++ {
			feats[3*i+j] = float32(rng.NormFloat64())
			if feats[3*i+j] > feats[3*i+best] {
				best = j
			}
		}
		kind[i] = float32(best)
	}
	x = map[string]*tensor.Dense{
		"user_id":  tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(ids)),
		"features": tensor.New(tensor.WithShape(n, 3), tensor.WithBacking(feats)),
	}
	y = map[string]*tensor.Dense{
		"click": tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(click)),
		"kind":  tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(kind)),
	}
	return x, y
}

func twoByTwoTrainer(t *testing.T, m layers.Model, opts ...trainers.Option) *trainers.Trainer {
	base := []trainers.Option{
		trainers.WithLossMap(map[string]string{"click": "binary_crossentropy", "kind": "sparse_categorical_crossentropy"}),
		trainers.WithLossWeights(map[string]float64{"kind": 0.5}),
		trainers.WithMetrics("accuracy"),
		trainers.WithOptimizer(trainers.Adam(0.02)),
		trainers.WithSeed(3),
	}
	return newTrainer(t, m, append(base, opts...)...)
}

// TestFunctionalTwoInputsTwoOutputs trains a model of an id input and a float input
// with two heads on named data: both heads learn their task, the logs are named as
// Keras names them, the total loss is the weighted sum of the heads' losses, and
// PredictNamed / PredictTensors agree.
func TestFunctionalTwoInputsTwoOutputs(t *testing.T) {
	m := twoByTwo(t)
	tr := twoByTwoTrainer(t, m)
	x, y := twoByTwoData(600, 1)
	hist, err := tr.FitNamed(context.Background(), x, y, trainers.Epochs(30), trainers.BatchSize(32), trainers.Verbose(0), trainers.ValidationSplit(0.2))
	if err != nil {
		t.Fatalf("%+v", err)
	}
	last := len(hist.Epoch) - 1
	for _, k := range []string{"loss", "click_loss", "kind_loss", "click_accuracy", "kind_accuracy", "val_loss", "val_click_accuracy", "val_kind_accuracy"} {
		if _, ok := hist.Metrics[k]; !ok {
			t.Fatalf("history lacks %q: %v", k, hist.Metrics)
		}
	}
	if a := hist.Metrics["val_click_accuracy"][last]; a < 0.95 {
		t.Errorf("click accuracy %.3f < 0.95 (even ids)", a)
	}
	if a := hist.Metrics["val_kind_accuracy"][last]; a < 0.85 {
		t.Errorf("kind accuracy %.3f < 0.85 (argmax of the features)", a)
	}
	logs, err := tr.EvaluateNamed(context.Background(), x, y, trainers.BatchSize(600))
	if err != nil {
		t.Fatal(err)
	}
	if want := logs["click_loss"] + 0.5*logs["kind_loss"]; math.Abs(logs["loss"]-want) > 1e-5 {
		t.Errorf("loss %v, want click_loss + 0.5 kind_loss = %v", logs["loss"], want)
	}
	pred, err := tr.PredictNamed(x)
	if err != nil {
		t.Fatal(err)
	}
	if s := pred["click"].Shape(); s[0] != 600 || s[1] != 1 {
		t.Errorf("click prediction shape %v", s)
	}
	if s := pred["kind"].Shape(); s[0] != 600 || s[1] != 3 {
		t.Errorf("kind prediction shape %v", s)
	}
	outs, err := tr.PredictTensors([]*tensor.Dense{x["user_id"], x["features"]}, trainers.BatchSize(7))
	if err != nil {
		t.Fatal(err)
	}
	a, b := pred["kind"].Data().([]float32), outs[1].Data().([]float32)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("PredictNamed and PredictTensors differ at %d: %v %v", i, a[i], b[i])
		}
	}
	if _, err := tr.Predict(x["features"]); err == nil || !strings.Contains(err.Error(), "PredictNamed") {
		t.Errorf("Predict on a two-input model: %v", err)
	}
}

// TestFunctionalOrderedData trains on tensors in the model's order (FitTensors) and
// on a datasets.Multi, with losses in order, and gets the same weights as named data.
func TestFunctionalOrderedData(t *testing.T) {
	x, y := twoByTwoData(100, 2)
	run := func(fit func(tr *trainers.Trainer) error) [][]float64 {
		m := twoByTwo(t)
		tr := twoByTwoTrainer(t, m)
		if err := fit(tr); err != nil {
			t.Fatalf("%+v", err)
		}
		return weights(m)
	}
	opts := []trainers.FitOption{trainers.Epochs(2), trainers.BatchSize(16), trainers.Verbose(0)}
	named := run(func(tr *trainers.Trainer) error {
		_, err := tr.FitNamed(context.Background(), x, y, opts...)
		return err
	})
	ordered := run(func(tr *trainers.Trainer) error {
		_, err := tr.FitTensors(context.Background(), []*tensor.Dense{x["user_id"], x["features"]}, []*tensor.Dense{y["click"], y["kind"]}, opts...)
		return err
	})
	multi := run(func(tr *trainers.Trainer) error {
		ds, err := datasets.NewNamedTensors(x, y)
		if err != nil {
			return err
		}
		_, err = tr.FitMulti(context.Background(), ds, opts...)
		return err
	})
	if !equalWeights(named, ordered) || !equalWeights(named, multi) {
		t.Fatal("named, ordered and Multi data trained different weights")
	}
	m := twoByTwo(t)
	listed := newTrainer(t, m, trainers.WithLossList("binary_crossentropy", "sparse_categorical_crossentropy"),
		trainers.WithLossWeightList(1, 0.5), trainers.WithMetrics("accuracy"), trainers.WithOptimizer(trainers.Adam(0.02)), trainers.WithSeed(3))
	if _, err := listed.FitNamed(context.Background(), x, y, opts...); err != nil {
		t.Fatal(err)
	}
	if !equalWeights(named, weights(m)) {
		t.Fatal("losses in a map and in a list trained different weights")
	}
}

// TestFunctionalDataErrors: wrong names, shapes, dtypes and values are errors that
// name the tensor.
func TestFunctionalDataErrors(t *testing.T) {
	x, y := twoByTwoData(20, 3)
	floatIDs := tensor.New(tensor.WithShape(20, 1), tensor.WithBacking(make([]float32, 20)))
	badKind := y["kind"].Clone().(*tensor.Dense)
	badKind.Data().([]float32)[4] = 3
	nanFeat := x["features"].Clone().(*tensor.Dense)
	nanFeat.Data().([]float32)[7] = float32(math.NaN())
	bigID := x["user_id"].Clone().(*tensor.Dense)
	bigID.Data().([]int64)[5] = 12
	with := func(m map[string]*tensor.Dense, k string, v *tensor.Dense) map[string]*tensor.Dense {
		out := map[string]*tensor.Dense{}
		for kk, vv := range m {
			out[kk] = vv
		}
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name string
		x, y map[string]*tensor.Dense
		want []string
	}{
		{"missing input", with(x, "user_id", nil), y, []string{`no input "user_id"`}},
		{"unknown input", with(x, "age", x["features"]), y, []string{`"age"`, "user_id"}},
		{"missing target", x, with(y, "kind", nil), []string{`no target "kind"`}},
		{"float ids", with(x, "user_id", floatIDs), y, []string{`input "user_id"`, "integer ids"}},
		{"class id out of range", x, with(y, "kind", badKind), []string{`output "kind"`, "target 3 of example 4", "[0, 3)"}},
		{"NaN feature", with(x, "features", nanFeat), y, []string{`input "features"`, "example 2"}},
		{"id beyond the vocabulary", with(x, "user_id", bigID), y, []string{"example 5", "id 12", "[0, 10)"}},
		{"wrong width", with(x, "features", tensor.New(tensor.WithShape(20, 2), tensor.Of(tensor.Float32))), y, []string{`input "features"`, "(3)", "(2)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := twoByTwoTrainer(t, twoByTwo(t))
			_, err := tr.FitNamed(context.Background(), tc.x, tc.y, trainers.Epochs(1), trainers.Verbose(0), trainers.Shuffle(false))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestFunctionalOptionErrors: losses, weights and metrics for outputs the model does
// not have, and outputs left without a loss when others have one, are errors naming
// them.
func TestFunctionalOptionErrors(t *testing.T) {
	tests := []struct {
		name string
		opts []trainers.Option
		want string
	}{
		// No loss at all makes a trainer that only predicts (TestPredictWithoutLoss);
		// a loss for some outputs only is an error naming the others.
		{"no loss", []trainers.Option{trainers.WithOutputLoss("kind", "mse")}, `no loss for output "click"`},
		{"unknown output", []trainers.Option{trainers.WithLoss("mse"), trainers.WithOutputLoss("clik", "mse")}, `output "clik"`},
		{"list too short", []trainers.Option{trainers.WithLossList("mse")}, "1 losses given in order for 2 outputs"},
		{"negative weight", []trainers.Option{trainers.WithLoss("mse"), trainers.WithLossWeights(map[string]float64{"kind": -1})}, "must not be negative"},
		{"metric for unknown output", []trainers.Option{trainers.WithLoss("mse"), trainers.WithOutputMetrics("knd", "mae")}, `output "knd"`},
		{"unknown loss name", []trainers.Option{trainers.WithLoss("mse"), trainers.WithOutputLoss("kind", "crossentropy")}, `output "kind"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := trainers.New(twoByTwo(t), append(tc.opts, trainers.WithOutput(&bytes.Buffer{}))...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestFunctionalResumeIsExact: a two-output trainer saved after one epoch and
// loaded resumes to bit-identical weights, with its per-output losses, weights and
// metrics restored.
func TestFunctionalResumeIsExact(t *testing.T) {
	x, y := twoByTwoData(64, 4)
	fit := func(tr *trainers.Trainer, from, to int) {
		t.Helper()
		if _, err := tr.FitNamed(context.Background(), x, y, trainers.Epochs(to), trainers.InitialEpoch(from), trainers.BatchSize(16), trainers.Verbose(0)); err != nil {
			t.Fatalf("%+v", err)
		}
	}
	full := twoByTwo(t)
	fit(twoByTwoTrainer(t, full), 0, 3)

	part := twoByTwo(t)
	tr := twoByTwoTrainer(t, part)
	fit(tr, 0, 1)
	path := filepath.Join(t.TempDir(), "ckpt.safetensors")
	if err := tr.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := trainers.Load(path, trainers.WithOutput(&bytes.Buffer{}))
	if err != nil {
		t.Fatalf("%+v", err)
	}
	fit(back, back.Epoch(), 3)
	if !equalWeights(weights(full), weights(back.Model())) {
		t.Fatal("resumed weights differ from uninterrupted training")
	}
	logs, err := back.EvaluateNamed(context.Background(), x, y)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := logs["kind_accuracy"]; !ok {
		t.Fatalf("resumed trainer lost its metrics: %v", logs)
	}
}

// TestFunctionalPredictor serves a two-input two-output model from many goroutines
// and matches the trainer's predictions.
func TestFunctionalPredictor(t *testing.T) {
	m := twoByTwo(t)
	tr := twoByTwoTrainer(t, m)
	x, _ := twoByTwoData(50, 5)
	want, err := tr.PredictNamed(x)
	if err != nil {
		t.Fatal(err)
	}
	p, err := trainers.NewPredictor(m, trainers.WithMaxBatch(8))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	got, err := p.PredictNamed(context.Background(), x)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"click", "kind"} {
		a, b := want[k].Data().([]float32), got[k].Data().([]float32)
		for i := range a {
			if math.Abs(float64(a[i]-b[i])) > 1e-6 {
				t.Fatalf("%s[%d]: predictor %v, trainer %v", k, i, b[i], a[i])
			}
		}
	}
	bad := map[string]*tensor.Dense{"user_id": tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]int64{99})), "features": tensor.New(tensor.WithShape(1, 3), tensor.Of(tensor.Float32))}
	if _, err := p.PredictNamed(context.Background(), bad); err == nil || !strings.Contains(err.Error(), "99") {
		t.Fatalf("id out of range: %v", err)
	}
}

// TestPredictorBadIDFailsOnlyItsRequest: requests batched together, one of them
// holding an id beyond the embedding, get their own answers; only that one fails,
// naming its own row. An id read by an Embedding of the model is refused before it
// is queued; one read by an Embedding inside a nested model fails its batch, which is
// then run request by request.
func TestPredictorBadIDFailsOnlyItsRequest(t *testing.T) {
	nested := func(t *testing.T) *layers.Functional {
		ids := layers.NewInput("ids", layers.Shape(1), layers.Int64)
		inner, err := layers.NewModel([]*layers.Tensor{ids}, []*layers.Tensor{layers.Flatten().Apply(layers.Embedding(10, 4).Apply(ids))}, layers.ModelName("inner"))
		if err != nil {
			t.Fatal(err)
		}
		uid := layers.NewInput("user_id", layers.Shape(1), layers.Int64)
		feats := layers.NewInput("features", layers.Shape(3))
		h := layers.Concatenate(-1).Apply(inner.Apply(uid), feats)
		out := layers.Dense(1, layers.WithName("click")).Apply(h)
		m, err := layers.NewModel([]*layers.Tensor{uid, feats}, []*layers.Tensor{out})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	tests := []struct {
		name  string
		model func(t *testing.T) *layers.Functional
		want  string
	}{
		{"direct", twoByTwo, `input "user_id" row 1 position 0 holds id 42, out of range [0, 10) of embedding "embedding"`},
		{"nested", nested, "example 1: id 42"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.model(t)
			if err := m.Build(); err != nil {
				t.Fatal(err)
			}
			p, err := trainers.NewPredictor(m, trainers.WithWorkers(1), trainers.WithMaxBatch(64), trainers.WithLinger(50*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			row := func(ids ...int64) map[string]*tensor.Dense {
				return map[string]*tensor.Dense{
					"user_id":  tensor.New(tensor.WithShape(len(ids), 1), tensor.WithBacking(ids)),
					"features": tensor.New(tensor.WithShape(len(ids), 3), tensor.Of(tensor.Float32)),
				}
			}
			reqs := []map[string]*tensor.Dense{row(1, 2), row(3, 42, 4), row(5)}
			errs := make([]error, len(reqs))
			var wg sync.WaitGroup
			for i, r := range reqs {
				wg.Add(1)
				go func(i int, r map[string]*tensor.Dense) {
					defer wg.Done()
					_, errs[i] = p.PredictNamed(context.Background(), r)
				}(i, r)
			}
			wg.Wait()
			if errs[0] != nil || errs[2] != nil {
				t.Fatalf("good requests failed: %v, %v", errs[0], errs[2])
			}
			if errs[1] == nil || !strings.Contains(errs[1].Error(), tc.want) {
				t.Fatalf("bad request: %v, want %q", errs[1], tc.want)
			}
		})
	}
}
