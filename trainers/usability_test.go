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
	"gorgonia.org/tensor"
)

func irisModel() *layers.Sequential {
	return layers.NewSequential(layers.Input(4), layers.Dense(8, layers.WithActivation("relu")),
		layers.Dense(3, layers.WithActivation("softmax")))
}

// TestSummaryBeforeNewKeepsSeedAndDType: model.Summary() before trainers.New does
// not fix the model's seed and dtype: New builds it with WithSeed and WithDType.
func TestSummaryBeforeNewKeepsSeedAndDType(t *testing.T) {
	m := irisModel()
	_ = m.Summary()
	tr := newTrainer(t, m, trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithSeed(7), trainers.WithDType(tensor.Float64))
	if got := tr.Model().DType(); got != tensor.Float64 {
		t.Errorf("model dtype %v after Summary and New(WithDType(Float64))", got)
	}
	fresh := newTrainer(t, irisModel(), trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithSeed(7), trainers.WithDType(tensor.Float64))
	if !equalWeights(weights(m), weights(fresh.Model())) {
		t.Error("Summary before New changed the initial weights of seed 7")
	}
}

// TestNewRefusesDTypeConflict: a model built as float32 given WithDType(Float64) is
// an error naming both, not a silent float32 trainer.
func TestNewRefusesDTypeConflict(t *testing.T) {
	m := irisModel()
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	_, err := trainers.New(m, trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithDType(tensor.Float64))
	if err == nil || !strings.Contains(err.Error(), "float64") || !strings.Contains(err.Error(), "float32") {
		t.Errorf("error %v, want one naming float32 and float64", err)
	}
	if _, err := trainers.New(m, trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithDType(tensor.Float32)); err != nil {
		t.Errorf("the same dtype: %v", err)
	}
}

// TestEarlyStoppingSaysSo: a verbose Fit stopped early prints Keras' line; a
// silent one prints nothing.
func TestEarlyStoppingSaysSo(t *testing.T) {
	for _, verbose := range []int{0, 2} {
		var out bytes.Buffer
		tr, ds := linearTrainer(t, trainers.SGD(1.5), &out)
		es := &trainers.EarlyStopping{Monitor: "loss", Patience: 1, RestoreBestWeights: true}
		if _, err := tr.FitDataset(context.Background(), ds, trainers.Epochs(20), trainers.BatchSize(200), trainers.Verbose(verbose), trainers.Callbacks(es)); err != nil {
			t.Fatal(err)
		}
		if es.StoppedEpoch < 0 {
			t.Fatal("did not stop early")
		}
		line := fmt.Sprintf("Epoch %d: early stopping\n", es.StoppedEpoch+1)
		has := strings.Contains(out.String(), line)
		if has != (verbose > 0) || strings.Contains(out.String(), "Restoring model weights") != (verbose > 0) {
			t.Errorf("verbose %d: output %q, want the line %q only when verbose", verbose, out.String(), line)
		}
	}
}

// TestClassNames: names set on a model are saved with it, name the classes of a
// confusion matrix and of ClassLabels; a wrong count is an error.
func TestClassNames(t *testing.T) {
	iris, err := datasets.Iris()
	if err != nil {
		t.Fatal(err)
	}
	m := irisModel()
	if err := layers.SetClassNames(m, "a", "b"); err == nil {
		t.Error("two names for three classes accepted")
	}
	if err := layers.SetClassNames(m, iris.Classes...); err != nil {
		t.Fatal(err)
	}
	tr := newTrainer(t, m, trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithOptimizerName("adam"))
	if _, err := tr.FitDataset(context.Background(), iris.Train, trainers.Epochs(2), trainers.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "iris.safetensors")
	if err := tr.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := trainers.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := loaded.ConfusionMatrixDataset(iris.Test)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cm.Classes, ","); got != "setosa,versicolor,virginica" {
		t.Errorf("confusion matrix classes %q", got)
	}
	if !strings.Contains(cm.String(), "virginica") || cm.Total != iris.Test.Len() {
		t.Errorf("confusion matrix:\n%s", cm)
	}
	pred, err := trainers.Predict(loaded.Model(), iris.Test.X())
	if err != nil {
		t.Fatal(err)
	}
	labels, err := trainers.ClassLabels(loaded.Model(), pred)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range labels {
		if l != "setosa" && l != "versicolor" && l != "virginica" {
			t.Fatalf("label %q", l)
		}
	}
	// Without names: ids as text.
	plain := newTrainer(t, irisModel(), trainers.WithLoss("sparse_categorical_crossentropy"))
	cm, err = plain.ConfusionMatrix(iris.Test.X(), iris.Test.Y())
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cm.Classes, ","); got != "0,1,2" {
		t.Errorf("classes without names %q", got)
	}
}

// TestWithOptimizerName: Keras names with Keras' default rates; an unknown name
// lists the valid ones.
func TestWithOptimizerName(t *testing.T) {
	for name, lr := range map[string]float64{"sgd": 0.01, "adam": 0.001, "AdamW": 0.001, "rmsprop": 0.001, "adagrad": 0.001} {
		tr := newTrainer(t, irisModel(), trainers.WithLoss("mse"), trainers.WithOptimizerName(name))
		if got := tr.Optimizer().Name(); got != strings.ToLower(name) || tr.Optimizer().LearningRate() != lr {
			t.Errorf("%s: optimizer %s at %g, want rate %g", name, got, tr.Optimizer().LearningRate(), lr)
		}
	}
	_, err := trainers.New(irisModel(), trainers.WithLoss("mse"), trainers.WithOptimizerName("adamm"))
	if err == nil || !strings.Contains(err.Error(), `"adamm"`) || !strings.Contains(err.Error(), "adam, adamw, rmsprop, sgd") {
		t.Errorf("unknown optimizer: %v", err)
	}
	// The last optimizer option wins.
	tr := newTrainer(t, irisModel(), trainers.WithLoss("mse"), trainers.WithOptimizerName("adamm"), trainers.WithOptimizer(trainers.SGD(0.1)))
	if tr.Optimizer().Name() != "sgd" {
		t.Errorf("optimizer %s", tr.Optimizer().Name())
	}
}

// TestPredictWithoutLoss: a loaded model predicts in one call (trainers.Predict) or
// through a trainer made without a loss, whose Fit and Evaluate ask for one.
func TestPredictWithoutLoss(t *testing.T) {
	iris, err := datasets.Iris()
	if err != nil {
		t.Fatal(err)
	}
	tr := newTrainer(t, irisModel(), trainers.WithLoss("sparse_categorical_crossentropy"))
	want, err := tr.Predict(iris.Test.X())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := tr.Model().Save(path); err != nil {
		t.Fatal(err)
	}
	m, err := layers.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := trainers.Predict(m, iris.Test.X())
	if err != nil {
		t.Fatal(err)
	}
	if !equalWeights([][]float64{toF64(want)}, [][]float64{toF64(got)}) {
		t.Error("trainers.Predict on the loaded model differs from the trainer's Predict")
	}
	if _, err := trainers.Predict(irisModel(), iris.Test.X()); err == nil || !strings.Contains(err.Error(), "not built") {
		t.Errorf("unbuilt model: %v", err)
	}
	p := newTrainer(t, m)
	if _, err := p.Predict(iris.Test.X()); err != nil {
		t.Errorf("trainer without a loss: %v", err)
	}
	if _, err := p.FitDataset(context.Background(), iris.Train, trainers.Verbose(0)); err == nil || !strings.Contains(err.Error(), "WithLoss") {
		t.Errorf("Fit without a loss: %v", err)
	}
	if _, err := p.EvaluateDataset(context.Background(), iris.Test); err == nil || !strings.Contains(err.Error(), "no loss") {
		t.Errorf("Evaluate without a loss: %v", err)
	}
	if _, err := trainers.New(m, trainers.WithMetrics("accuracy")); err == nil {
		t.Error("metrics without a loss accepted")
	}
	// A trainer without a loss saves and loads; Load can add the loss.
	tp := filepath.Join(t.TempDir(), "t.safetensors")
	if err := p.Save(tp); err != nil {
		t.Fatal(err)
	}
	if _, err := trainers.Load(tp); err != nil {
		t.Errorf("load a trainer saved without a loss: %v", err)
	}
	withLoss, err := trainers.Load(tp, trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithOutput(&bytes.Buffer{}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := withLoss.FitDataset(context.Background(), iris.Train, trainers.Verbose(0)); err != nil {
		t.Error(err)
	}
}

func toF64(d *tensor.Dense) []float64 {
	switch v := d.Data().(type) {
	case []float32:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return v
	}
	return nil
}

// TestPredictDType: the output is in the model's dtype whatever the input's.
func TestPredictDType(t *testing.T) {
	x64 := tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6, 7, 8}))
	x32 := tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]float32{1, 2, 3, 4, 5, 6, 7, 8}))
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		tr := newTrainer(t, irisModel(), trainers.WithDType(dt))
		for _, x := range []*tensor.Dense{x32, x64} {
			out, err := tr.Predict(x)
			if err != nil {
				t.Fatal(err)
			}
			if out.Dtype() != dt {
				t.Errorf("%v model, %v input: output %v", dt, x.Dtype(), out.Dtype())
			}
		}
	}
}

// TestModelCheckpointCreatesFolder: the folder of the path is created; an error
// names the path, not a temporary file.
func TestModelCheckpointCreatesFolder(t *testing.T) {
	dir := t.TempDir()
	tr, ds := linearTrainer(t, trainers.Adam(0.01), nil)
	c := &trainers.ModelCheckpoint{Path: filepath.Join(dir, "runs", "a", "m-{epoch}.safetensors"), Monitor: "loss"}
	if _, err := tr.FitDataset(context.Background(), ds, trainers.Epochs(2), trainers.Verbose(0), trainers.Callbacks(c)); err != nil {
		t.Fatal(err)
	}
	if got := dirNames(t, filepath.Join(dir, "runs", "a")); got != "m-1.safetensors m-2.safetensors" {
		t.Errorf("files %q", got)
	}
	// A folder that cannot be made: a file is in the way.
	if err := os.WriteFile(filepath.Join(dir, "file"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "file", "m.safetensors")
	bad := &trainers.ModelCheckpoint{Path: target, Monitor: "loss"}
	_, err := tr.FitDataset(context.Background(), ds, trainers.Epochs(1), trainers.Verbose(0), trainers.Callbacks(bad))
	if err == nil || !strings.Contains(err.Error(), target) || strings.Contains(err.Error(), ".tmp") {
		t.Errorf("error %v, want one naming %s and no temporary file", err, target)
	}
}

// TestFitNilPointsToFitDataset: Fit without tensors names FitDataset.
func TestFitNilPointsToFitDataset(t *testing.T) {
	tr, _ := linearTrainer(t, trainers.Adam(0.01), nil)
	if _, err := tr.Fit(context.Background(), nil, nil); err == nil || !strings.Contains(err.Error(), "FitDataset") {
		t.Errorf("error %v", err)
	}
}
