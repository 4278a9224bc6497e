package layers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/internal/safetensors"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

func fnInput(name string, shape ...int) *layers.Tensor {
	return layers.NewInput(name, layers.Shape(shape...))
}

func fnTensors(ts ...*layers.Tensor) []*layers.Tensor { return ts }

// TestFunctionalNestedModel: a model applied inside another is built with it, its
// weights named "<model>/<layer>/<weight>"; the outer model computes head(inner(x)).
func TestFunctionalNestedModel(t *testing.T) {
	x := fnInput("x", 4)
	inner, err := layers.NewModel(fnTensors(x), fnTensors(layers.Dense(3, layers.WithActivation("tanh")).Apply(x)), layers.ModelName("inner"))
	if err != nil {
		t.Fatal(err)
	}
	a := fnInput("a", 4)
	y := layers.Dense(2).Apply(inner.Apply(a))
	outer, err := layers.NewModel(fnTensors(a), fnTensors(y))
	if err != nil {
		t.Fatal(err)
	}
	if err := outer.Build(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range outer.Params() {
		names = append(names, p.Name)
	}
	if got := strings.Join(names, " "); got != "inner/dense/kernel inner/dense/bias dense/kernel dense/bias" {
		t.Errorf("weights %q, want inner/dense/kernel inner/dense/bias dense/kernel dense/bias", got)
	}
	if !inner.Built() || inner.Outputs()[0].Shape[0] != 3 {
		t.Errorf("the inner model is not built with the outer one: built %v outputs %v", inner.Built(), inner.Outputs())
	}
	s := outer.Summary()
	for _, w := range []string{"inner (Functional)", "(None, 3)", "a[0][0]", "dense (Dense)", "inner[0][0]", "Total params: 23"} {
		if !strings.Contains(s, w) {
			t.Errorf("summary lacks %q:\n%s", w, s)
		}
	}
	// The outer model's prediction is the composition of the two.
	xs := sharedRandomF32(1, 5, 4)
	got := fnPredict(t, outer, xs)
	mid := fnPredict(t, inner, xs)
	head := outer.Layers()[2].(*layers.DenseLayer)
	k, b := head.Kernel().Float64s(), head.Bias().Float64s()
	for r := 0; r < 5; r++ {
		for j := 0; j < 2; j++ {
			want := b[j]
			for i := 0; i < 3; i++ {
				want += mid[r*3+i] * k[i*2+j]
			}
			if math.Abs(got[r*2+j]-want) > 1e-5 {
				t.Fatalf("outer[%d][%d] = %g, head(inner(x)) = %g", r, j, got[r*2+j], want)
			}
		}
	}
}

// TestFunctionalBuiltModelAppliedAgain: a model built on its own and then applied
// inside other models keeps its weights (the same tensors, values and names), so
// both outer models and the model itself share them.
func TestFunctionalBuiltModelAppliedAgain(t *testing.T) {
	x := fnInput("x", 4)
	inner, err := layers.NewModel(fnTensors(x), fnTensors(layers.Dense(3).Apply(x)), layers.ModelName("inner"))
	if err != nil {
		t.Fatal(err)
	}
	if err := inner.Build(layers.WithSeed(9)); err != nil {
		t.Fatal(err)
	}
	before := inner.Params()
	values := before[0].Float64s()
	xs := sharedRandomF32(2, 3, 4)
	alone := fnPredict(t, inner, xs)

	var outers []*layers.Functional
	for i := 0; i < 2; i++ {
		a := fnInput("a", 4)
		y := layers.Activation("linear", layers.WithName("id")).Apply(inner.Apply(a))
		outer, err := layers.NewModel(fnTensors(a), fnTensors(y))
		if err != nil {
			t.Fatal(err)
		}
		if err := outer.Build(layers.WithSeed(int64(100 + i))); err != nil {
			t.Fatal(err)
		}
		outers = append(outers, outer)
	}
	for i, outer := range outers {
		ps := outer.Params()
		if len(ps) != len(before) {
			t.Fatalf("outer %d has %d weights, want %d", i, len(ps), len(before))
		}
		for j := range ps {
			if ps[j] != before[j] {
				t.Errorf("outer %d weight %d (%s) is a new tensor", i, j, ps[j].Name)
			}
		}
		if !harnessEqual(ps[0].Float64s(), values) {
			t.Errorf("outer %d: building re-initialized the inner kernel", i)
		}
		if got := fnPredict(t, outer, xs); !harnessEqual(got, alone) {
			t.Errorf("outer %d predicts %v, the inner model alone %v", i, got, alone)
		}
	}
	// A change to the shared weights is seen by every model.
	k := before[0].Float64s()
	for i := range k {
		k[i] *= -1
	}
	if err := before[0].SetFloat64s(k); err != nil {
		t.Fatal(err)
	}
	if a, b := fnPredict(t, outers[0], xs), fnPredict(t, inner, xs); !harnessEqual(a, b) {
		t.Errorf("after a weight change the outer model predicts %v, the inner %v", a, b)
	}
}

// TestFunctionalSummaryConnectedTo: a functional model's summary has the Keras
// columns, one row per layer with every inbound tensor as layer[call][output].
func TestFunctionalSummaryConnectedTo(t *testing.T) {
	m := fnTwoHeads(t)
	s := m.Summary()
	lines := strings.Split(s, "\n")
	if !strings.Contains(lines[2], "Layer (type)") || !strings.Contains(lines[2], "Output Shape") ||
		!strings.Contains(lines[2], "Param #") || !strings.HasSuffix(lines[2], "Connected to") {
		t.Errorf("header %q lacks the Keras columns", lines[2])
	}
	rows := map[string]string{}
	var last string
	for _, l := range lines {
		f := strings.Fields(l)
		switch {
		case len(f) >= 2 && strings.HasPrefix(f[1], "(") && strings.HasSuffix(f[1], ")") && !strings.HasPrefix(f[1], "(None"):
			last = f[0]
			rows[last] = strings.Join(f[len(f)-1:], "")
		case len(f) == 1 && strings.Contains(f[0], "][") && last != "":
			rows[last] += " " + f[0]
		}
	}
	want := map[string]string{
		"title": "-", "body": "-", "flat": "body[0][0]", "join": "title[0][0] flat[0][0]",
		"hidden": "join[0][0]", "score": "hidden[0][0]", "topic": "hidden[0][0]",
	}
	for k, w := range want {
		if rows[k] != w {
			t.Errorf("layer %s connected to %q, want %q\n%s", k, rows[k], w, s)
		}
	}
	for _, w := range []string{"join (Concatenate)          (None, 7)", "body (InputLayer)           (None, 2, 2)", "Total params: 47"} {
		if !strings.Contains(s, w) {
			t.Errorf("summary lacks %q:\n%s", w, s)
		}
	}
}

// TestFunctionalToDotEdges: ToDot draws one edge per inbound tensor of every call.
func TestFunctionalToDotEdges(t *testing.T) {
	m := fnTwoHeads(t)
	dot := m.ToDot()
	checkDot(t, dot)
	runDot(t, dot)
	got := strings.Join(sharedDotEdges(t, dot), " ")
	want := "body->flat title->join flat->join join->hidden hidden->score hidden->topic"
	if got != want {
		t.Errorf("edges %q, want %q\n%s", got, want, dot)
	}
	for _, w := range []string{`title (InputLayer)\noutput: (None, 3)`, `hidden (Dense)\noutput: (None, 4)\nparams: 32`} {
		if !strings.Contains(dot, w) {
			t.Errorf("DOT lacks %q:\n%s", w, dot)
		}
	}
}

// fnTwoHeads is a small model of two inputs and two outputs:
// title (3), body (2, 2) -> flat -> join -> hidden -> score (1), topic (2).
func fnTwoHeads(t *testing.T) *layers.Functional {
	t.Helper()
	a := fnInput("title", 3)
	b := fnInput("body", 2, 2)
	f := layers.Flatten(layers.WithName("flat")).Apply(b)
	c := layers.Concatenate(-1, layers.WithName("join")).Apply(a, f)
	h := layers.Dense(4, layers.WithName("hidden"), layers.WithActivation("relu")).Apply(c)
	o1 := layers.Dense(1, layers.WithName("score")).Apply(h)
	o2 := layers.Dense(2, layers.WithName("topic"), layers.WithActivation("softmax")).Apply(h)
	m, err := layers.NewModel(fnTensors(a, b), fnTensors(o1, o2), layers.ModelName("two_heads"))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestFunctionalConfigJSON: the file's architecture is Keras' functional config:
// layers with class, name, config and inbound_nodes ([layer, call, output]), then
// input_layers and output_layers.
func TestFunctionalConfigJSON(t *testing.T) {
	m := fnTwoHeads(t)
	var buf bytes.Buffer
	if err := m.SaveTo(&buf); err != nil {
		t.Fatal(err)
	}
	_, meta, err := safetensors.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	dense := func(units int, act string) string {
		return `{"activation":"` + act + `","bias_initializer":"zeros","kernel_initializer":"glorot_uniform","kernel_regularizer":{"l1":0,"l2":0},"units":` +
			string(rune('0'+units)) + `,"use_bias":true}`
	}
	want := `{"class_name":"Functional","name":"two_heads","dtype":"float32","layers":[` +
		`{"class_name":"InputLayer","name":"title","config":{"shape":[3]},"inbound_nodes":[]},` +
		`{"class_name":"InputLayer","name":"body","config":{"shape":[2,2]},"inbound_nodes":[]},` +
		`{"class_name":"Flatten","name":"flat","config":{},"inbound_nodes":[[["body",0,0]]]},` +
		`{"class_name":"Concatenate","name":"join","config":{"axis":-1},"inbound_nodes":[[["title",0,0],["flat",0,0]]]},` +
		`{"class_name":"Dense","name":"hidden","config":` + dense(4, "relu") + `,"inbound_nodes":[[["join",0,0]]]},` +
		`{"class_name":"Dense","name":"score","config":` + dense(1, "linear") + `,"inbound_nodes":[[["hidden",0,0]]]},` +
		`{"class_name":"Dense","name":"topic","config":` + dense(2, "softmax") + `,"inbound_nodes":[[["hidden",0,0]]]}],` +
		`"input_layers":[["title",0,0],["body",0,0]],"output_layers":[["score",0,0],["topic",0,0]]}`
	if got := meta["model_config"]; got != want {
		t.Errorf("model_config\n got %s\nwant %s", got, want)
	}
	// The model's own Config (as a layer of another model) holds the same graph.
	var fromFile, fromConfig map[string]interface{}
	if err := json.Unmarshal([]byte(meta["model_config"]), &fromFile); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(m.Config().Config)
	if err := json.Unmarshal(b, &fromConfig); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"layers", "input_layers", "output_layers"} {
		x, _ := json.Marshal(fromFile[k])
		y, _ := json.Marshal(fromConfig[k])
		if string(x) != string(y) {
			t.Errorf("Config()[%q] = %s, the file has %s", k, y, x)
		}
	}
	// Output names are the output layers' names.
	var outs []string
	for _, o := range m.Outputs() {
		outs = append(outs, o.Name)
	}
	if got := strings.Join(outs, " "); got != "score topic" {
		t.Errorf("output names %q", got)
	}
}

// TestFunctionalIDsAndFloatsTrainSaveLoad: an int64 input through Embedding and
// Flatten, concatenated with a float input, trains with FitNamed, and after Save
// and Load predicts exactly what it predicted before.
func TestFunctionalIDsAndFloatsTrainSaveLoad(t *testing.T) {
	ids := layers.NewInput("ids", layers.Shape(3), layers.Int64)
	x := layers.NewInput("x", layers.Shape(2))
	e := layers.Flatten().Apply(layers.Embedding(10, 2).Apply(ids))
	h := layers.Dense(8, layers.WithActivation("tanh")).Apply(layers.Concatenate(-1).Apply(e, x))
	y := layers.Dense(1, layers.WithName("y")).Apply(h)
	m, err := layers.NewModel(fnTensors(ids, x), fnTensors(y))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := trainers.New(m, trainers.WithLoss("mse"), trainers.WithOptimizer(trainers.Adam(0.02)), trainers.WithOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	// Target: x0 - x1 plus 1 for every id 3 in the row.
	const n = 64
	rng := rand.New(rand.NewSource(5))
	idv := make([]int64, n*3)
	xv := make([]float32, n*2)
	yv := make([]float32, n)
	for r := 0; r < n; r++ {
		xv[2*r], xv[2*r+1] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
		yv[r] = xv[2*r] - xv[2*r+1]
		for j := 0; j < 3; j++ {
			idv[3*r+j] = int64(rng.Intn(10))
			if idv[3*r+j] == 3 {
				yv[r]++
			}
		}
	}
	xs := map[string]*tensor.Dense{
		"ids": tensor.New(tensor.WithShape(n, 3), tensor.WithBacking(idv)),
		"x":   tensor.New(tensor.WithShape(n, 2), tensor.WithBacking(xv)),
	}
	ys := map[string]*tensor.Dense{"y": tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(yv))}
	hist, err := tr.FitNamed(context.Background(), xs, ys, trainers.Epochs(20), trainers.BatchSize(16), trainers.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	loss := hist.Get("loss")
	if len(loss) != 20 || !(loss[len(loss)-1] < 0.5*loss[0]) {
		t.Errorf("loss did not halve in 20 epochs: %v", loss)
	}
	before, err := tr.PredictNamed(xs)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ids.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := layers.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	specs := loaded.Inputs()
	if len(specs) != 2 || specs[0].Name != "ids" || specs[0].DType != tensor.Int64 || specs[1].Name != "x" || specs[1].DType != tensor.Float32 {
		t.Errorf("loaded inputs %v, want ids int64 and x float32", specs)
	}
	tl, err := trainers.New(loaded, trainers.WithLoss("mse"), trainers.WithOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer tl.Close()
	after, err := tl.PredictNamed(xs)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := harnessValues(before["y"]), harnessValues(after["y"]); !harnessEqual(a, b) {
		t.Errorf("predictions differ after Load:\nbefore %v\nafter  %v", a, b)
	}
	// An id out of range is an error naming the example and the value.
	bad := map[string]*tensor.Dense{
		"ids": tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]int64{1, 2, 3, 4, 10, 5})),
		"x":   tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{0, 0, 0, 0})),
	}
	if _, err := tl.PredictNamed(bad); err == nil || !strings.Contains(err.Error(), "10") {
		t.Errorf("an id of 10 for a vocabulary of 10: error %v", err)
	}
}

// fnPredict returns the first output of a one-input model for float32 xs.
func fnPredict(t *testing.T, m layers.Model, x *tensor.Dense) []float64 {
	t.Helper()
	tr, err := trainers.New(m, trainers.WithLoss("mse"), trainers.WithOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	y, err := tr.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	return harnessValues(y)
}

func sharedRandomF32(seed int64, shape ...int) *tensor.Dense {
	return harnessFloats(rand.New(rand.NewSource(seed)), tensor.Float32, shape)
}
