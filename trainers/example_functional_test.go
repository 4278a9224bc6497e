package trainers_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// A model of two inputs and two outputs trained on named data. Each output has its
// own loss (WithLossMap) and weight in the total (WithLossWeights); the logs name
// each output's loss and metrics after it: "click_loss", "kind_accuracy", and
// "loss" is the weighted sum. README.md shows this code, without the data, the
// error checks and the printing.
func ExampleTrainer_FitNamed() {
	// Synthetic data: a user id in [0, 10) and three features per example; a click
	// when the id is even, and the kind is the index of the largest feature.
	const n = 400
	rng := rand.New(rand.NewSource(1))
	ids, feats := make([]int64, n), make([]float32, 3*n)
	clicks, kinds := make([]float32, n), make([]int64, n)
	for i := 0; i < n; i++ {
		ids[i] = int64(rng.Intn(10))
		clicks[i] = float32(1 - ids[i]%2)
		for j := 0; j < 3; j++ {
			feats[3*i+j] = float32(rng.NormFloat64())
			if feats[3*i+j] > feats[3*i+int(kinds[i])] {
				kinds[i] = int64(j)
			}
		}
	}
	x := map[string]*tensor.Dense{
		"user_id":  tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(ids)),
		"features": tensor.New(tensor.WithShape(n, 3), tensor.WithBacking(feats)),
	}
	y := map[string]*tensor.Dense{
		"click": tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(clicks)),
		"kind":  tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(kinds)), // class ids
	}

	userID := layers.NewInput("user_id", layers.Shape(1), layers.Int64)
	features := layers.NewInput("features", layers.Shape(3))
	user := layers.Flatten().Apply(layers.Embedding(10, 4).Apply(userID))
	h := layers.Concatenate(-1).Apply(user, features)
	h = layers.Dense(16, layers.WithActivation("relu")).Apply(h)
	click := layers.Dense(1, layers.WithActivation("sigmoid"), layers.WithName("click")).Apply(h)
	kind := layers.Dense(3, layers.WithActivation("softmax"), layers.WithName("kind")).Apply(h)
	model, err := layers.NewModel([]*layers.Tensor{userID, features}, []*layers.Tensor{click, kind})
	if err != nil {
		fmt.Println(err)
		return
	}

	tr, err := trainers.New(model,
		trainers.WithOutput(io.Discard), // no progress lines in an example
		trainers.WithOptimizer(trainers.Adam(0.02)),
		trainers.WithLossMap(map[string]string{
			"click": "binary_crossentropy",
			"kind":  "sparse_categorical_crossentropy",
		}),
		trainers.WithLossWeights(map[string]float64{"kind": 0.5}),
		trainers.WithMetrics("accuracy"))
	if err != nil {
		fmt.Println(err)
		return
	}
	hist, err := tr.FitNamed(context.Background(), x, y,
		trainers.Epochs(20), trainers.BatchSize(32), trainers.ValidationSplit(0.25))
	if err != nil {
		fmt.Println(err)
		return
	}
	pred, err := tr.PredictNamed(map[string]*tensor.Dense{
		"user_id":  x["user_id"],
		"features": x["features"],
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	var names []string
	for name := range hist.Metrics {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Println(strings.Join(names, " "))
	last := func(name string) float64 { v, _ := hist.Last(name); return v }
	fmt.Println("val_click_accuracy >= 0.95:", last("val_click_accuracy") >= 0.95)
	fmt.Println("val_kind_accuracy >= 0.85:", last("val_kind_accuracy") >= 0.85)
	sum := last("click_loss") + 0.5*last("kind_loss")
	fmt.Println("loss = click_loss + 0.5 kind_loss:", math.Abs(last("loss")-sum) < 1e-5)
	fmt.Println("click:", pred["click"].Shape(), "kind:", pred["kind"].Shape())
	// Output:
	// click_accuracy click_loss kind_accuracy kind_loss loss val_click_accuracy val_click_loss val_kind_accuracy val_kind_loss val_loss
	// val_click_accuracy >= 0.95: true
	// val_kind_accuracy >= 0.85: true
	// loss = click_loss + 0.5 kind_loss: true
	// click: (400, 1) kind: (400, 3)
}

// Losses and loss weights may also be given in the order of the model's outputs
// (WithLossList, WithLossWeightList), and metrics for one output only
// (WithOutputMetrics). Data may be given in order too (FitTensors, PredictTensors).
func ExampleWithOutputMetrics() {
	userID := layers.NewInput("user_id", layers.Shape(1), layers.Int64)
	features := layers.NewInput("features", layers.Shape(3))
	user := layers.Flatten().Apply(layers.Embedding(10, 4).Apply(userID))
	h := layers.Dense(8, layers.WithActivation("relu")).Apply(layers.Concatenate(-1).Apply(user, features))
	click := layers.Dense(1, layers.WithActivation("sigmoid"), layers.WithName("click")).Apply(h)
	kind := layers.Dense(3, layers.WithActivation("softmax"), layers.WithName("kind")).Apply(h)
	model, err := layers.NewModel([]*layers.Tensor{userID, features}, []*layers.Tensor{click, kind})
	if err != nil {
		fmt.Println(err)
		return
	}
	tr, err := trainers.New(model,
		trainers.WithLossList("binary_crossentropy", "sparse_categorical_crossentropy"),
		trainers.WithLossWeightList(1, 0.5),
		trainers.WithOutputMetrics("click", "auc", "precision"),
		trainers.WithOutputMetrics("kind", "accuracy"),
		trainers.WithOutput(io.Discard))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("inputs:", tr.InputNames(), "outputs:", tr.OutputNames())

	// Eight examples in the model's order: ids, features; clicks, kinds.
	ids := tensor.New(tensor.WithShape(8, 1), tensor.WithBacking([]int64{0, 1, 2, 3, 4, 5, 6, 7}))
	feats := tensor.New(tensor.WithShape(8, 3), tensor.Of(tensor.Float32))
	clicks := tensor.New(tensor.WithShape(8, 1), tensor.WithBacking([]float32{1, 0, 1, 0, 1, 0, 1, 0}))
	kinds := tensor.New(tensor.WithShape(8, 1), tensor.WithBacking([]float32{0, 1, 2, 0, 1, 2, 0, 1}))
	hist, err := tr.FitTensors(context.Background(), []*tensor.Dense{ids, feats}, []*tensor.Dense{clicks, kinds}, trainers.Epochs(2))
	if err != nil {
		fmt.Println(err)
		return
	}
	var names []string
	for name := range hist.Metrics {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Println(strings.Join(names, " "))

	// A class id out of range is an error before any step, naming the output.
	kinds.Float32s()[5] = 3
	_, err = tr.FitTensors(context.Background(), []*tensor.Dense{ids, feats}, []*tensor.Dense{clicks, kinds})
	fmt.Println(err)
	// Output:
	// inputs: [user_id features] outputs: [click kind]
	// click_auc click_loss click_precision kind_accuracy kind_loss loss
	// fit: output "kind": target 3 of example 5 is not a class id in [0, 3)
}

// TestREADMEFunctionalSnippet keeps the "Functional models" snippet of README.md
// the same code as ExampleTrainer_FitNamed (the snippet leaves out the error checks
// and the data).
func TestREADMEFunctionalSnippet(t *testing.T) {
	checkSnippet(t, "## Functional models", "example_functional_test.go", "ExampleTrainer_FitNamed")
}

// checkSnippet fails unless every line of the first Go block after heading in
// README.md appears, in order, in function fn of file (this package's folder).
func checkSnippet(t *testing.T, heading, file, fn string) {
	t.Helper()
	snippet, err := readmeSnippet("../README.md", heading)
	if err != nil {
		t.Fatal(err)
	}
	if len(snippet) < 10 {
		t.Fatalf("README.md: the snippet under %q has %d lines", heading, len(snippet))
	}
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	in := false
	for _, l := range strings.Split(string(src), "\n") {
		if strings.HasPrefix(l, "func "+fn+"(") {
			in = true
		} else if in && l == "}" {
			break
		}
		if in {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	k := 0
	for _, want := range snippet {
		for k < len(lines) && lines[k] != want {
			k++
		}
		if k == len(lines) {
			t.Fatalf("README.md's snippet under %q: line %q is not (in order) in %s", heading, want, fn)
		}
		k++
	}
}

// readmeSnippet returns the trimmed, non-empty lines of the first ```go block after
// the heading, without comment-only lines.
func readmeSnippet(path, heading string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	state := 0 // 0 before the heading, 1 before the block, 2 in it
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		switch {
		case state == 0 && strings.TrimSpace(l) == heading:
			state = 1
		case state == 1 && strings.HasPrefix(l, "```go"):
			state = 2
		case state == 2 && strings.HasPrefix(l, "```"):
			return out, nil
		case state == 2:
			if s := strings.TrimSpace(l); s != "" && !strings.HasPrefix(s, "//") {
				out = append(out, s)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("%s: no ```go block after %q", path, heading)
}
