package explain_test

import (
	"context"
	"io"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/explain"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// signalNoise is a table of 3 features where the label is whether feature 0 is
// positive; features 1 and 2 are noise.
func signalNoise(n int, seed int64) (x, y *tensor.Dense) {
	rng := rand.New(rand.NewSource(seed))
	xs, ys := make([]float64, n*3), make([]float64, n)
	for i := 0; i < n; i++ {
		for j := 0; j < 3; j++ {
			xs[i*3+j] = rng.NormFloat64()
		}
		if xs[i*3] > 0 {
			ys[i] = 1
		}
	}
	return tensor.New(tensor.WithShape(n, 3), tensor.WithBacking(xs)), tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(ys))
}

// TestPermutationImportanceClassifier trains an MLP on signalNoise and checks that
// shuffling the deciding feature costs much accuracy (mean drop above 0.3, more
// than 10 standard deviations above each noise feature's) and shuffling a noise
// feature almost none (below 0.05); the same seed repeats the result exactly and
// another seed changes it.
func TestPermutationImportanceClassifier(t *testing.T) {
	trainX, trainY := signalNoise(400, 1)
	testX, testY := signalNoise(200, 2)
	m := layers.NewSequential(layers.Input(3), layers.Dense(8, layers.WithActivation("tanh")), layers.Dense(2, layers.WithActivation("softmax")))
	tr, err := trainers.New(m, trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithSeed(1), trainers.WithOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Fit(context.Background(), trainX, trainY, trainers.Epochs(30), trainers.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	res, err := explain.PermutationImportance(tr, testX, testY)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s %.3f; importance mean %.4f std %.4f", res.Metric, res.Baseline, res.Mean, res.Std)
	if res.Metric != explain.MetricAccuracy || res.Baseline < 0.9 {
		t.Fatalf("metric %s, baseline %.3f: want accuracy above 0.9", res.Metric, res.Baseline)
	}
	if len(res.Importances) != 3 || len(res.Importances[0]) != explain.DefaultRepeats {
		t.Fatalf("importances %v: want 3 features × %d repeats", res.Importances, explain.DefaultRepeats)
	}
	if res.Mean[0] < 0.3 {
		t.Errorf("the deciding feature's importance %.3f is below 0.3", res.Mean[0])
	}
	for _, j := range []int{1, 2} {
		if math.Abs(res.Mean[j]) > 0.05 {
			t.Errorf("noise feature %d: importance %.3f", j, res.Mean[j])
		}
		if res.Mean[0]-res.Mean[j] < 10*math.Max(res.Std[0], res.Std[j]) {
			t.Errorf("feature 0 (%.3f ± %.3f) does not stand out from feature %d (%.3f ± %.3f)", res.Mean[0], res.Std[0], j, res.Mean[j], res.Std[j])
		}
	}
	again, err := explain.PermutationImportance(tr, testX, testY)
	if err != nil {
		t.Fatal(err)
	}
	other, err := explain.PermutationImportance(tr, testX, testY, explain.WithSeed(2))
	if err != nil {
		t.Fatal(err)
	}
	same, differ := true, false
	for j := range res.Importances {
		for r := range res.Importances[j] {
			same = same && again.Importances[j][r] == res.Importances[j][r]
			differ = differ || other.Importances[j][r] != res.Importances[j][r]
		}
	}
	if !same || !differ {
		t.Errorf("same seed gives the same result: %v; another seed a different one: %v", same, differ)
	}
}

// TestPermutationImportanceRegression checks the MSE of a linear model y = 3·x0
// (weights set): shuffling x0 adds 9·2·var(x0) to the MSE in expectation over the
// permutations (the mean of 20 repeats within 10%), shuffling x1 or x2, which the
// model ignores, exactly 0.
func TestPermutationImportanceRegression(t *testing.T) {
	m := layers.NewSequential(layers.Input(3), layers.Dense(1))
	tr, err := trainers.New(m, trainers.WithDType(tensor.Float64))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Params()[0].SetFloat64s([]float64{3, 0, 0}); err != nil {
		t.Fatal(err)
	}
	if err := m.Params()[1].SetFloat64s([]float64{0}); err != nil {
		t.Fatal(err)
	}
	x, _ := signalNoise(300, 3)
	xs := x.Data().([]float64)
	ys := make([]float64, 300)
	for i := range ys {
		ys[i] = 3 * xs[i*3]
	}
	y := tensor.New(tensor.WithShape(300), tensor.WithBacking(ys))
	res, err := explain.PermutationImportance(tr, x, y, explain.WithRepeats(20))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s %.3g; importance mean %.4f std %.4f", res.Metric, res.Baseline, res.Mean, res.Std)
	if res.Metric != explain.MetricMSE || res.Baseline > 1e-20 {
		t.Errorf("metric %s baseline %g: want mse 0", res.Metric, res.Baseline)
	}
	mu, m2 := 0.0, 0.0
	for i := range ys {
		mu += xs[i*3] / 300
		m2 += xs[i*3] * xs[i*3] / 300
	}
	if want := 18 * (m2 - mu*mu); math.Abs(res.Mean[0]-want) > 0.1*want {
		t.Errorf("feature 0: importance %.3f, want about %.3f", res.Mean[0], want)
	}
	for _, j := range []int{1, 2} {
		if res.Mean[j] != 0 || res.Std[j] != 0 {
			t.Errorf("feature %d: importance %g ± %g, want exactly 0", j, res.Mean[j], res.Std[j])
		}
	}
}

// TestPermutationImportanceErrors checks the errors of bad arguments.
func TestPermutationImportanceErrors(t *testing.T) {
	tr := linearModel()
	x, y := signalNoise(10, 1)
	cases := []struct {
		name string
		x, y *tensor.Dense
		opts []explain.Option
		want string
	}{
		{"no targets", x, nil, nil, "no targets"},
		{"short targets", x, tensor.New(tensor.WithShape(4), tensor.WithBacking(make([]float64, 4))), nil, "for 10 rows"},
		{"one row", tensor.New(tensor.WithShape(1, 3), tensor.WithBacking(make([]float64, 3))), tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{0})), nil, "at least 2"},
		{"not a table", tensor.New(tensor.WithShape(10, 3, 1), tensor.WithBacking(make([]float64, 30))), y, nil, "want a table"},
		{"mse of 2 outputs", x, y, []explain.Option{explain.WithMetric(explain.MetricMSE)}, "1 target values per row for 2 outputs"},
		{"unknown metric", x, y, []explain.Option{explain.WithMetric("auc")}, `unknown metric "auc"`},
		{"no repeats", x, y, []explain.Option{explain.WithRepeats(0)}, "0 repeats"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := explain.PermutationImportance(tr, c.x, c.y, c.opts...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}
