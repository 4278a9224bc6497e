package tests

// Every zoo recipe's model goes through the ONNX export (package onnx) and the
// real ONNX tooling (internal/onnxcheck): the ONNX checker with strict shape
// inference, then ONNX Runtime, whose outputs must match gokeras' Predict within
// 1e-5 (+1e-5·|want|, float32) on fixed seeded inputs. A model the exporter
// cannot convert must be refused with an error naming a layer. The table
// onnxZooCases says which recipe is expected to do which, so that a
// regression either way fails. Every name here starts with "onnxZoo".

import (
	"context"
	"math"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gokeras/gokeras/internal/onnxcheck"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/onnx"
	"github.com/gokeras/gokeras/trainers"
	"github.com/gokeras/gokeras/zoo"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// onnxZooBatch is the number of rows of every test input: odd and > 1, so that
// the dynamic batch dimension is exercised.
const onnxZooBatch = 3

// onnxZooCase says how the test gets a recipe's model and what its export must do.
type onnxZooCase struct {
	// build makes the model, built, without training it; nil captures the
	// recipe's own model from its Run (onnxZooCapture).
	build func() (layers.Model, error)
	// refuse is "" for a model that must export and match ONNX Runtime; else a
	// part of the error Export must give (which must also name a layer).
	refuse string
	// ids is the exclusive bound of the values of integer inputs (token and
	// category ids; default 2, valid for every embedding of the zoo).
	ids int
	// scale is the exclusive bound of the values of float inputs (default 1;
	// 255 for models that take raw pixels, so that their outputs differ
	// between rows).
	scale float32
}

// onnxZooText is the refusal of the text recipes: their models take raw
// strings, which ONNX has no operator to tokenize.
const onnxZooText = `layer "vectorize" (TextVectorization) cannot be exported`

// onnxZooCases lists every zoo recipe. Models come from the recipe's Run,
// captured when training begins (untrained, seeded weights, preprocessing
// layers adapted to the recipe's data), except where building them that way
// would take minutes; those are made by the same exported builders the recipes
// use (see each comment).
var onnxZooCases = map[string]onnxZooCase{
	// backdoor trains LeNet-5 exactly as "lenet" (zoo's lenetSpec) on poisoned
	// MNIST; its Run trains a first (backdoored) model for ~150 s before the one
	// that takes the run's Fit options, and the builder is not exported: the
	// network is covered by "lenet".
	"backdoor": {build: onnxZooSkip("same network as lenet (zoo's unexported lenetSpec); its Run trains ~150 s before the model can be captured")},
	// bert-fortunes pretrains for minutes before fine-tuning: its classifier is
	// built with the same builders and shapes (BPE vocabulary 1000, length 64,
	// width 64, 2 pre-norm blocks, 4 heads, 4 classes).
	"bert-fortunes":        {build: onnxZooBERT, ids: 1001},
	"ctr-logistic":         {},
	"ctr-mlp":              {},
	"dcn":                  {},
	"deepfm":               {},
	"dense":                {},
	"digits":               {},
	"digits-ctc":           {build: onnxZooSequential(zoo.DigitsCTCModel)}, // speech data takes minutes to make
	"fortunes-cnn":         {refuse: onnxZooText},
	"fortunes-lstm":        {refuse: onnxZooText},
	"fortunes-transformer": {refuse: onnxZooText},
	// gpt-opticks: the recipe's own model (context 128, 4 blocks, width 128,
	// vocabulary 93), captured from its Run.
	"gpt-opticks":      {ids: 93},
	"inception":        {scale: 255},
	"iris":             {},
	"kws":              {build: onnxZooSequential(zoo.KWSModel)}, // speech data takes minutes to make
	"lenet":            {scale: 255},
	"lenet-robust":     {scale: 255},
	"linear":           {},
	"logistic":         {},
	"mlp":              {},
	"mnist":            {scale: 255},
	"mnist-dp":         {scale: 255},
	"multitask-digits": {scale: 16},
	"resnet-fashion":   {scale: 255},
	"siamese-digits":   {scale: 16},
	// two-tower's towers end in the zoo's own UnitNormalization layer.
	"two-tower":  {refuse: `layer "unit_normalization" (UnitNormalization) cannot be exported`},
	"vgg-digits": {scale: 16},
	// widedeep crosses ids by hashing (HashedCrossing), which ONNX cannot do.
	"widedeep": {refuse: `layer "cross_item_id_user_id" (HashedCrossing) cannot be exported`},
}

// onnxZooItem is one recipe's model on its way through the test.
type onnxZooItem struct {
	name    string
	c       onnxZooCase
	model   layers.Model
	path    string                   // the exported file
	inputs  map[string]*tensor.Dense // seeded test inputs
	want    map[string]*tensor.Dense // gokeras' outputs
	err     error                    // a failure before the ONNX tools ran
	skip    error                    // why the model is not built
	export  error                    // Export's error
	seconds float64                  // making, exporting and predicting
}

func TestONNXZooExport(t *testing.T) {
	tools := onnxcheck.Require(t)
	t.Logf("onnx %s, onnxruntime-node %s", tools.ONNXVersion, tools.ORTVersion)
	names := zoo.Names()
	for _, n := range names {
		if _, ok := onnxZooCases[n]; !ok {
			t.Errorf("recipe %q is not in onnxZooCases: say whether it must export", n)
		}
	}
	for n := range onnxZooCases {
		if _, err := zoo.Find(n); err != nil {
			t.Errorf("onnxZooCases lists %q, which is no recipe", n)
		}
	}
	// Make, export and predict every model in Go, then check and run all the
	// exported files in one Python and one Node.js process (each loads its
	// library once), then judge each recipe in its own subtest.
	dir := t.TempDir()
	var items []*onnxZooItem
	var paths []string
	var jobs []onnxcheck.Job
	for _, name := range names {
		c, ok := onnxZooCases[name]
		if !ok {
			continue
		}
		it := onnxZooPrepare(name, c, dir)
		items = append(items, it)
		if it.err == nil && it.skip == nil && it.export == nil && c.refuse == "" {
			paths = append(paths, it.path)
			jobs = append(jobs, onnxcheck.Job{Path: it.path, Inputs: it.inputs})
		}
	}
	infos, checkErrs := tools.CheckAll(paths)
	outs, runErrs := tools.RunAll(jobs)
	k := 0
	for _, it := range items {
		it := it
		ran := it.err == nil && it.skip == nil && it.export == nil && it.c.refuse == ""
		var info *onnxcheck.Info
		var out []onnxcheck.Output
		var checkErr, runErr error
		if ran {
			info, out, checkErr, runErr = infos[k], outs[k], checkErrs[k], runErrs[k]
			k++
		}
		t.Run(it.name, func(t *testing.T) {
			switch {
			case it.skip != nil:
				t.Skip(it.skip)
			case it.err != nil:
				t.Fatal(it.err)
			case it.c.refuse != "":
				onnxZooRefused(t, it.model, it.export, it.c.refuse)
				return
			case it.export != nil:
				t.Fatalf("export: %v", it.export)
			}
			if checkErr != nil {
				t.Fatal(checkErr)
			}
			onnxZooCheckInfo(t, it.model, info)
			if runErr != nil {
				t.Fatal(runErr)
			}
			onnxZooCompare(t, it, info, out)
		})
	}
}

// onnxZooPrepare makes the recipe's model, exports it into dir and predicts
// seeded inputs with gokeras.
func onnxZooPrepare(name string, c onnxZooCase, dir string) *onnxZooItem {
	start := time.Now()
	it := &onnxZooItem{name: name, c: c, path: filepath.Join(dir, name+".onnx")}
	defer func() { it.seconds = time.Since(start).Seconds() }()
	m, err := onnxZooModel(name, c)
	if errors.Is(err, errOnnxZooSkip) {
		it.skip = err
		return it
	}
	if err != nil {
		it.err = errors.Wrap(err, "make the model")
		return it
	}
	it.model = m
	if it.export = onnx.Save(m, it.path); it.export != nil || c.refuse != "" {
		return it
	}
	if it.inputs, err = onnxZooInputs(m, c.ids, c.scale, 7); err != nil {
		it.err = err
		return it
	}
	if it.want, err = trainers.PredictNamed(m, it.inputs, trainers.BatchSize(onnxZooBatch)); err != nil {
		it.err = errors.Wrap(err, "gokeras predict")
	}
	return it
}

// onnxZooRefused checks that err refuses the export naming a layer of m.
func onnxZooRefused(t *testing.T, m layers.Model, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("export succeeded; onnxZooCases expects a refusal containing %q: update the table if the exporter learned this model", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("export error %q does not contain %q", err, want)
	}
	for _, l := range m.Layers() {
		if strings.Contains(err.Error(), l.Name()) {
			t.Logf("refused as expected: %v", err)
			return
		}
	}
	t.Fatalf("export error %q names no layer of the model", err)
}

// onnxZooCheckInfo checks the checker's summary against the model: opset 17,
// inputs and outputs named as the model's, a leading "batch" dimension.
func onnxZooCheckInfo(t *testing.T, m layers.Model, info *onnxcheck.Info) {
	t.Helper()
	if info.Opsets[""] != 17 {
		t.Errorf("default opset %d, want 17", info.Opsets[""])
	}
	if len(info.Inputs) != len(m.Inputs()) || len(info.Outputs) != len(m.Outputs()) {
		t.Fatalf("graph inputs %v outputs %v; the model has %v and %v", info.Inputs, info.Outputs, m.Inputs(), m.Outputs())
	}
	for i, in := range m.Inputs() {
		got := info.Inputs[i]
		if got.Name != in.Name || len(got.Shape) != len(in.Shape)+1 || got.Shape[0].Param != "batch" {
			t.Errorf("graph input %d is %v, want %q with a leading batch dimension and shape %v", i, got, in.Name, in.Shape)
		}
	}
	for i, out := range m.Outputs() {
		if got := info.Outputs[i]; got.Name != out.Name || len(got.Shape) == 0 || got.Shape[0].Param != "batch" {
			t.Errorf("graph output %d is %v, want %q with a leading batch dimension", i, got, out.Name)
		}
	}
}

// onnxZooCompare compares ONNX Runtime's outputs with gokeras'.
func onnxZooCompare(t *testing.T, it *onnxZooItem, info *onnxcheck.Info, outs []onnxcheck.Output) {
	t.Helper()
	maxAbs, err := onnxcheck.Compare(outs, it.want, 1e-5, 1e-5)
	if err != nil {
		t.Fatalf("ONNX Runtime differs from gokeras: %v", err)
	}
	spread, err := onnxZooSpread(it.want)
	if err != nil {
		t.Fatal(err)
	}
	if spread < onnxZooMinSpread {
		t.Errorf("gokeras' outputs differ between rows by %.3g at most (< %g): the inputs do not exercise the model (set the case's scale)", spread, onnxZooMinSpread)
	}
	t.Logf("inputs %v outputs %v; max |ORT - gokeras| = %.3g, largest difference between rows %.3g; made, exported and predicted in %.1fs",
		info.Inputs, outs, maxAbs, spread, it.seconds)
}

// onnxZooInputs returns seeded inputs of onnxZooBatch rows for every input of
// m: floats uniform in [0, scale) (scale 1 when 0), integers uniform in [0,
// ids) (ids 2 when 0).
func onnxZooInputs(m layers.Model, ids int, scale float32, seed int64) (map[string]*tensor.Dense, error) {
	if ids <= 0 {
		ids = 2
	}
	if scale <= 0 {
		scale = 1
	}
	rng := rand.New(rand.NewSource(seed))
	x := make(map[string]*tensor.Dense)
	for _, in := range m.Inputs() {
		shape := append([]int{onnxZooBatch}, in.Shape...)
		n := tensor.Shape(shape).TotalSize()
		dt := in.DType
		if dt.Type == nil {
			dt = m.DType()
		}
		var backing interface{}
		switch dt {
		case tensor.Float32:
			v := make([]float32, n)
			for i := range v {
				v[i] = scale * rng.Float32()
			}
			backing = v
		case tensor.Float64:
			v := make([]float64, n)
			for i := range v {
				v[i] = float64(scale) * rng.Float64()
			}
			backing = v
		case tensor.Int64:
			v := make([]int64, n)
			for i := range v {
				v[i] = rng.Int63n(int64(ids))
			}
			backing = v
		case tensor.Int32:
			v := make([]int32, n)
			for i := range v {
				v[i] = rng.Int31n(int32(ids))
			}
			backing = v
		default:
			return nil, errors.Errorf("input %q: no test values for dtype %v", in.Name, dt)
		}
		x[in.Name] = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(backing))
	}
	return x, nil
}

// onnxZooMinSpread is the least difference between two rows of some output
// that the comparison needs to mean something: 100 times its tolerance.
const onnxZooMinSpread = 1e-3

// onnxZooSpread returns the largest difference between rows 0 and i > 0 of any
// output value.
func onnxZooSpread(outs map[string]*tensor.Dense) (float64, error) {
	spread := 0.0
	for name, o := range outs {
		v, err := onnxcheck.Float64s(o)
		if err != nil {
			return 0, errors.Wrapf(err, "output %q", name)
		}
		row := len(v) / onnxZooBatch
		for i := row; i < len(v); i++ {
			if d := math.Abs(v[i] - v[i%row]); d > spread {
				spread = d
			}
		}
	}
	return spread, nil
}

// errOnnxZooSkip marks a recipe whose model the test cannot get.
var errOnnxZooSkip = errors.New("not built by this test")

// onnxZooModel returns the case's model, built.
func onnxZooModel(name string, c onnxZooCase) (layers.Model, error) {
	if c.build != nil {
		return c.build()
	}
	r, err := zoo.Find(name)
	if err != nil {
		return nil, err
	}
	return onnxZooCapture(r)
}

// onnxZooCapture runs the recipe until its Fit begins and returns the model
// then: built with the recipe's seed, preprocessing adapted, not trained.
func onnxZooCapture(r zoo.Recipe) (layers.Model, error) {
	cb := &onnxZooCatch{}
	s := zoo.Settings{Epochs: 1, Options: &zoo.RunOptions{FitOptions: []trainers.FitOption{trainers.Callbacks(cb)}}}
	_, err := r.Run(context.Background(), s)
	if cb.model == nil {
		return nil, errors.Wrapf(err, "recipe %q ended before its Fit began", r.Name)
	}
	if !errors.Is(err, errOnnxZooCaught) {
		return nil, errors.Wrapf(err, "recipe %q", r.Name)
	}
	return cb.model, nil
}

// errOnnxZooCaught stops a recipe's Fit once its model is caught.
var errOnnxZooCaught = errors.New("model caught: training stopped by the ONNX test")

// onnxZooCatch is a callback that keeps the trainer's model and stops the Fit.
type onnxZooCatch struct {
	trainers.BaseCallback
	model layers.Model
}

// OnTrainBegin keeps the model and stops.
func (c *onnxZooCatch) OnTrainBegin(t *trainers.Trainer) error {
	c.model = t.Model()
	return errOnnxZooCaught
}

// onnxZooSequential builds a model of an exported zoo builder (seed 1); its
// Normalization layers are adapted to seeded data of mean ~3 and spread ~2, so
// that they do something.
func onnxZooSequential(build func() *layers.Sequential) func() (layers.Model, error) {
	return func() (layers.Model, error) {
		m := build()
		if err := m.Build(layers.WithSeed(1)); err != nil {
			return nil, err
		}
		rng := rand.New(rand.NewSource(3))
		for _, l := range m.Layers() {
			norm, ok := l.(*layers.NormalizationLayer)
			if !ok {
				continue
			}
			shape := append([]int{16}, m.InputShape()...)
			v := make([]float32, tensor.Shape(shape).TotalSize())
			for i := range v {
				v[i] = 3 + 4*(rng.Float32()-0.5)
			}
			if err := norm.Adapt(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))); err != nil {
				return nil, err
			}
		}
		return m, nil
	}
}

// onnxZooBERT builds the bert-fortunes classifier's network with the recipe's
// shapes (seed 1).
func onnxZooBERT() (layers.Model, error) {
	cfg := zoo.BERTConfig{Vocab: 1000}
	enc, err := zoo.NewBERTEncoder(cfg)
	if err != nil {
		return nil, err
	}
	m, err := zoo.NewBERTClassifier(enc, cfg, 4)
	if err != nil {
		return nil, err
	}
	return m, m.Build(layers.WithSeed(1))
}

// onnxZooSkip returns a builder that says why the test does not build a model.
func onnxZooSkip(why string) func() (layers.Model, error) {
	return func() (layers.Model, error) { return nil, errors.Wrap(errOnnxZooSkip, why) }
}
