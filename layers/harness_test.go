package layers_test

// One layer-test harness for every layer class of the package, in the spirit of
// Keras' run_layer_test (keras/src/testing/test_case.py). Each case gives a layer
// constructor, its inputs, the expected output shape and weight counts; the harness
// builds a functional model around the layer and checks, in subtests:
//
//	shape:    the model's output shape, dtype and weight counts (trainable and not);
//	config:   Save, Load: same class and config, same weights, same predictions,
//	          and the loaded model saves to the same bytes;
//	train:    a few steps of Adam on a mean-squared error to a random target lower the
//	          loss and move every trainable weight (a Dense follows a layer without
//	          weights); a weight regularizer's penalty is in the training loss;
//	gradient: the gradient with respect to every float input and every trainable
//	          weight matches central finite differences in float64.
//
// A new layer class gets a case here (TestHarnessCoversEveryClass fails otherwise).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// TestHarnessCoversEveryClass: every class Load knows (except the InputLayer every
// model has) has a harness case.
func TestHarnessCoversEveryClass(t *testing.T) {
	have := map[string]bool{}
	for _, c := range harnessCases() {
		have[c.class] = true
		if got := c.make().Type(); got != c.class {
			t.Errorf("case %s: layer type %q, the case says %q", c.name, got, c.class)
		}
	}
	for _, class := range layers.BuiltinLayerClasses() {
		if class != "InputLayer" && !have[class] {
			t.Errorf("layer class %s has no harness case", class)
		}
	}
	t.Logf("classes covered: %s", strings.Join(harnessClasses(harnessCases()), ", "))
}

// TestLayerHarness runs every case through the harness.
func TestLayerHarness(t *testing.T) {
	for i, c := range harnessCases() {
		c, seed := c, int64(1000+i)
		t.Run(c.name, func(t *testing.T) {
			t.Run("shape", func(t *testing.T) { harnessShape(t, c, seed) })
			t.Run("config", func(t *testing.T) { harnessConfig(t, c, seed) })
			t.Run("train", func(t *testing.T) { harnessTrain(t, c, seed) })
			t.Run("gradient", func(t *testing.T) { harnessGradient(t, c, seed) })
		})
	}
}

// harnessModel makes inputs in0, in1, ... for the case, applies a new layer to them
// with layers.Apply, optionally follows it with a Dense, and returns the unbuilt
// model and the layer.
func harnessModel(t *testing.T, c harnessCase, denseAfter bool) (*layers.Functional, layers.Layer) {
	t.Helper()
	ins := make([]*layers.Tensor, len(c.inputs))
	for i, in := range c.inputs {
		opts := []layers.InputOption{layers.Shape(in.shape...)}
		if in.ids > 0 {
			opts = append(opts, layers.Int64)
		}
		if in.strs != nil {
			opts = append(opts, layers.String)
		}
		ins[i] = layers.NewInput(fmt.Sprintf("in%d", i), opts...)
	}
	l := c.make()
	y := layers.Apply(l, ins...)[0]
	if denseAfter {
		if c.outInt { // ids: embed them first (every case's ids are below 64)
			y = layers.Embedding(64, 2, layers.WithName("head_embedding")).Apply(y)
		}
		y = layers.Dense(2, layers.WithName("head")).Apply(y)
	}
	m, err := layers.NewModel(ins, []*layers.Tensor{y})
	if err != nil {
		t.Fatalf("NewModel: %v", err)
	}
	return m, l
}

func harnessBuilt(t *testing.T, c harnessCase, seed int64, dt tensor.Dtype, denseAfter bool) (*layers.Functional, layers.Layer) {
	t.Helper()
	m, l := harnessModel(t, c, denseAfter)
	if err := m.Build(layers.WithSeed(seed), layers.WithDType(dt)); err != nil {
		t.Fatalf("build: %v", err)
	}
	return m, l
}

// harnessData returns n random examples for every input (float inputs in dt, ids
// as Int64 in range).
func harnessData(c harnessCase, n int, seed int64, dt tensor.Dtype) []*tensor.Dense {
	rng := rand.New(rand.NewSource(seed))
	xs := make([]*tensor.Dense, len(c.inputs))
	for i, in := range c.inputs {
		shape := append([]int{n}, in.shape...)
		size := n * harnessSize(in.shape)
		if in.ids > 0 {
			d := make([]int64, size)
			for j := range d {
				d[j] = int64(rng.Intn(in.ids))
			}
			xs[i] = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(d))
			continue
		}
		if in.strs != nil {
			d := make([]string, size)
			for j := range d {
				d[j] = in.strs[rng.Intn(len(in.strs))]
			}
			xs[i] = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(d))
			continue
		}
		xs[i] = harnessFloats(rng, dt, shape)
	}
	return xs
}

// harnessFloats is a random tensor with values in ±[0.1, 2) (off the kinks at 0).
func harnessFloats(rng *rand.Rand, dt tensor.Dtype, shape []int) *tensor.Dense {
	v := make([]float64, harnessSize(shape))
	for j := range v {
		v[j] = (0.1 + 1.9*rng.Float64())
		if rng.Intn(2) == 0 {
			v[j] = -v[j]
		}
	}
	if dt == tensor.Float32 {
		d := make([]float32, len(v))
		for j, x := range v {
			d[j] = float32(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(d))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

func harnessSize(s []int) int {
	p := 1
	for _, d := range s {
		p *= d
	}
	return p
}

func harnessSameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func harnessCountWeights(ps []*graph.Param) (trainable, frozen int) {
	for _, p := range ps {
		if p.Trainable {
			trainable++
		} else {
			frozen++
		}
	}
	return trainable, frozen
}

// harnessShape: the model's output spec and the weight counts.
func harnessShape(t *testing.T, c harnessCase, seed int64) {
	m, l := harnessBuilt(t, c, seed, tensor.Float32, false)
	outs := m.Outputs()
	if len(outs) != 1 {
		t.Fatalf("%d outputs, want 1", len(outs))
	}
	if got := outs[0].Shape; !harnessSameShape(got, c.out) {
		t.Errorf("output shape %v, want %v", got, c.out)
	}
	if got := m.OutputTensors()[0].Shape(); !harnessSameShape(got, c.out) {
		t.Errorf("output tensor shape %v, want %v", got, c.out)
	}
	if want := harnessOutDType(c); outs[0].DType != want {
		t.Errorf("output dtype %v, want %v", outs[0].DType, want)
	}
	for i, in := range m.Inputs() {
		want := tensor.Float32
		if c.inputs[i].ids > 0 {
			want = tensor.Int64
		}
		if c.inputs[i].strs != nil {
			want = tensor.String
		}
		if in.DType != want || !harnessSameShape(in.Shape, c.inputs[i].shape) {
			t.Errorf("input %d is %s, want %v %v", i, in, c.inputs[i].shape, want)
		}
	}
	tr, fr := harnessCountWeights(m.Params())
	if tr != c.trainable || fr != c.nonTrainable {
		t.Errorf("weights: %d trainable and %d non-trainable, want %d and %d", tr, fr, c.trainable, c.nonTrainable)
	}
	// The model's weights are the layer's, once each, named after it, of the model's dtype.
	lp := l.Params()
	if len(lp) != len(m.Params()) {
		t.Errorf("the layer has %d weights, the model %d", len(lp), len(m.Params()))
	}
	seen := map[string]bool{}
	for i, p := range m.Params() {
		if seen[p.Name] {
			t.Errorf("weight %q listed twice", p.Name)
		}
		seen[p.Name] = true
		if i < len(lp) && lp[i] != p {
			t.Errorf("weight %d: the model lists %q, the layer %q", i, p.Name, lp[i].Name)
		}
		if !strings.HasPrefix(p.Name, l.Name()+"/") {
			t.Errorf("weight %q is not named after its layer %q", p.Name, l.Name())
		}
		if p.Value.Dtype() != tensor.Float32 {
			t.Errorf("weight %q is %v", p.Name, p.Value.Dtype())
		}
	}
	if !strings.Contains(m.Summary(), l.Name()+" ("+c.class+")") {
		t.Errorf("summary does not list %s (%s):\n%s", l.Name(), c.class, m.Summary())
	}
	// Building again changes nothing.
	before := m.Params()
	if err := m.Build(layers.WithSeed(seed + 1)); err != nil {
		t.Fatal(err)
	}
	if after := m.Params(); len(after) != len(before) || (len(after) > 0 && after[0] != before[0]) {
		t.Error("a second Build made new weights")
	}
}

// harnessOutDType is the dtype of the case's output: Int64 ids or float32.
func harnessOutDType(c harnessCase) tensor.Dtype {
	if c.outInt {
		return tensor.Int64
	}
	return tensor.Float32
}

// harnessConfig: Save, Load, and compare class, config, weights and predictions.
func harnessConfig(t *testing.T, c harnessCase, seed int64) {
	m, l := harnessBuilt(t, c, seed, tensor.Float32, false)
	harnessPerturb(m.Params(), seed) // so that loading default-initialized weights would show
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatalf("save: %v", err)
	}
	loaded, err := layers.Load(path)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	lf, ok := loaded.(*layers.Functional)
	if !ok {
		t.Fatalf("loaded %T, want *layers.Functional", loaded)
	}
	// The same layer, class and config.
	var ll layers.Layer
	for _, x := range lf.Layers() {
		if x.Name() == l.Name() {
			ll = x
		}
	}
	if ll == nil {
		t.Fatalf("the loaded model has no layer %q", l.Name())
	}
	if ll.Type() != l.Type() {
		t.Errorf("loaded layer type %s, want %s", ll.Type(), l.Type())
	}
	if a, b := harnessConfigJSON(t, l), harnessConfigJSON(t, ll); a != b {
		t.Errorf("layer config changed by Save/Load:\nsaved  %s\nloaded %s", a, b)
	}
	if a, b := harnessConfigJSON(t, m), harnessConfigJSON(t, lf); a != b {
		t.Errorf("model config changed by Save/Load:\nsaved  %s\nloaded %s", a, b)
	}
	// The same weights, by name and value.
	ps, qs := m.Params(), lf.Params()
	if len(ps) != len(qs) {
		t.Fatalf("%d weights saved, %d loaded", len(ps), len(qs))
	}
	for i := range ps {
		if ps[i].Name != qs[i].Name || ps[i].Trainable != qs[i].Trainable || ps[i].Regularizer != qs[i].Regularizer ||
			!ps[i].Value.Shape().Eq(qs[i].Value.Shape()) {
			t.Errorf("weight %d: saved %s %v trainable %v %+v, loaded %s %v trainable %v %+v", i,
				ps[i].Name, ps[i].Value.Shape(), ps[i].Trainable, ps[i].Regularizer,
				qs[i].Name, qs[i].Value.Shape(), qs[i].Trainable, qs[i].Regularizer)
			continue
		}
		if a, b := ps[i].Float64s(), qs[i].Float64s(); !harnessEqual(a, b) {
			t.Errorf("weight %s: values differ after Load", ps[i].Name)
		}
	}
	// The same predictions on random inputs.
	xs := harnessData(c, 5, seed+7, tensor.Float32)
	want := harnessPredict(t, m, xs)
	got := harnessPredict(t, lf, xs)
	if !harnessEqual(want, got) {
		t.Errorf("predictions differ after Load:\nsaved  %v\nloaded %v", want, got)
	}
	// Saving the loaded model writes the same file.
	var a, b bytes.Buffer
	if err := m.SaveTo(&a); err != nil {
		t.Fatal(err)
	}
	if err := lf.SaveTo(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("the loaded model saves to different bytes (%d vs %d)", a.Len(), b.Len())
	}
}

// harnessPerturb moves every weight off its initial value, deterministically.
func harnessPerturb(ps []*graph.Param, seed int64) {
	rng := rand.New(rand.NewSource(seed))
	for _, p := range ps {
		v := p.Float64s()
		for j := range v {
			v[j] += 0.1 * (rng.Float64() - 0.5)
			if strings.HasSuffix(p.Name, "moving_variance") {
				v[j] = math.Abs(v[j]) + 0.5
			}
		}
		_ = p.SetFloat64s(v)
	}
}

func harnessConfigJSON(t *testing.T, l layers.Layer) string {
	t.Helper()
	c, ok := l.(layers.Configurable)
	if !ok {
		t.Fatalf("layer %s (%s) is not Configurable", l.Name(), l.Type())
	}
	b, err := json.Marshal(c.Config())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func harnessEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}

// harnessPredict runs the model's predict program and returns its first output.
func harnessPredict(t *testing.T, m layers.Model, xs []*tensor.Dense) []float64 {
	t.Helper()
	tr, err := trainers.New(m, trainers.WithLoss("mse"), trainers.WithOutput(io.Discard))
	if err != nil {
		t.Fatalf("trainer: %v", err)
	}
	defer tr.Close()
	outs, err := tr.PredictTensors(xs, trainers.BatchSize(3)) // two batches: 3 and the remainder 2
	if err != nil {
		t.Fatalf("predict: %v", err)
	}
	return harnessValues(outs[0])
}

func harnessValues(d *tensor.Dense) []float64 {
	switch v := d.Data().(type) {
	case []float32:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return append([]float64(nil), v...)
	case []int64:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	}
	return nil
}

// harnessTrain: a few Adam steps on a mean-squared error to a random target lower
// the training loss and move every trainable weight of the layer.
func harnessTrain(t *testing.T, c harnessCase, seed int64) {
	denseAfter := c.trainable == 0
	m, l := harnessBuilt(t, c, seed, tensor.Float32, denseAfter)
	const n = 16
	xs := harnessData(c, n, seed+11, tensor.Float32)
	out := m.Outputs()[0].Shape
	y := harnessFloats(rand.New(rand.NewSource(seed+13)), tensor.Float32, append([]int{n}, out...))
	tr, err := trainers.New(m, trainers.WithLoss("mse"), trainers.WithOptimizer(trainers.Adam(0.02)),
		trainers.WithSeed(seed), trainers.WithOutput(io.Discard))
	if err != nil {
		t.Fatalf("trainer: %v", err)
	}
	defer tr.Close()
	ctx := context.Background()
	// The infer-mode loss before training, and the penalties of the initial weights.
	logs, err := tr.EvaluateTensors(ctx, xs, []*tensor.Dense{y}, trainers.Verbose(0))
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	penalty := 0.0
	for _, p := range m.Params() {
		for _, v := range p.Float64s() {
			penalty += p.Regularizer.L1*math.Abs(v) + p.Regularizer.L2*v*v
		}
	}
	before := map[string][]float64{}
	for _, p := range l.Params() {
		before[p.Name] = p.Float64s()
	}
	hist, err := tr.FitTensors(ctx, xs, []*tensor.Dense{y}, trainers.Epochs(15), trainers.BatchSize(n),
		trainers.Shuffle(false), trainers.Verbose(0))
	if err != nil {
		t.Fatalf("fit: %v", err)
	}
	loss := hist.Get("loss")
	if len(loss) != 15 {
		t.Fatalf("history has %d losses, want 15", len(loss))
	}
	first, last := loss[0], loss[len(loss)-1]
	if !(last < first) {
		t.Errorf("training loss went from %.6g to %.6g: %v", first, last, loss)
	}
	// The first step's loss is computed on the initial weights: in train mode it
	// adds the regularization penalties to the mean squared error.
	if penalty > 0 {
		if got, want := first, logs["loss"]+penalty; math.Abs(got-want) > 1e-4*math.Max(1, want) {
			t.Errorf("first training loss %.7g, want the evaluation loss %.7g plus the penalty %.7g = %.7g",
				got, logs["loss"], penalty, want)
		}
	}
	for _, p := range l.Params() {
		moved := !harnessEqual(before[p.Name], p.Float64s())
		switch {
		case p.Trainable && !moved:
			t.Errorf("trainable weight %s did not change in training", p.Name)
		case !p.Trainable && !moved && strings.Contains(p.Name, "moving_"):
			t.Errorf("statistic %s was not updated in training", p.Name)
		}
	}
	t.Logf("loss %.4g -> %.4g", first, last)
}

// harnessClasses is for messages: the classes of the cases, sorted.
func harnessClasses(cs []harnessCase) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range cs {
		if !seen[c.class] {
			seen[c.class] = true
			out = append(out, c.class)
		}
	}
	sort.Strings(out)
	return out
}
