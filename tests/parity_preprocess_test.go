package tests

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// parityStatsTol is the relative tolerance of the adapted statistics:
// |got-want| <= parityStatsTol*|want| (a population variance that divided by n-1
// instead of n is 5% off with 20 examples).
const parityStatsTol = 1e-6

// parityNormCase is one Normalization case of torch_preprocess/preprocess.json (see
// the README there): the adapt data, torch's float64 mean and population variance,
// and the float32 forward and backward on x.
type parityNormCase struct {
	Name     string      `json:"name"`
	Invert   bool        `json:"invert"`
	Adapt    parityArray `json:"adapt"`
	Mean     []float64   `json:"mean"`
	Variance []float64   `json:"variance"`
	X        parityArray `json:"x"`
	Upstream parityArray `json:"upstream"`
	Y        parityArray `json:"y"`
	DX       parityArray `json:"dx"`
}

// parityCategoryCase is one CategoryEncoding case: Int64 ids and the float32 rows.
type parityCategoryCase struct {
	Name      string      `json:"name"`
	Mode      string      `json:"mode"`
	NumTokens int         `json:"num_tokens"`
	IDs       parityArray `json:"ids"`
	Y         parityArray `json:"y"`
}

// parityLookupCase is one StringLookup case: a given vocabulary or adapt data, the
// vocabulary expected, and the ids expected for the strings x (a batch of (1)).
type parityLookupCase struct {
	Name           string   `json:"name"`
	NumOOV         int      `json:"num_oov"`
	Vocabulary     []string `json:"vocabulary"`
	Adapt          []string `json:"adapt"`
	WantVocabulary []string `json:"want_vocabulary"`
	X              []string `json:"x"`
	IDs            []int64  `json:"ids"`
}

type parityPreprocessFixture struct {
	Normalization []parityNormCase     `json:"normalization"`
	Category      []parityCategoryCase `json:"category"`
	Lookup        []parityLookupCase   `json:"lookup"`
}

// parityPreprocessLoad reads tests/testdata/torch_preprocess/preprocess.json.
func parityPreprocessLoad(t *testing.T) parityPreprocessFixture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "torch_preprocess", "preprocess.json"))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	var fix parityPreprocessFixture
	if err := json.Unmarshal(b, &fix); err != nil {
		t.Fatalf("decode fixture: %v", err)
	}
	return fix
}

// parityStats checks statistics against the fixture's float64 values, relative
// tolerance parityStatsTol.
func parityStats(t *testing.T, caseName, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("case %s: %s has %d values, want %d", caseName, what, len(got), len(want))
		return
	}
	for j := range want {
		if d := math.Abs(got[j] - want[j]); !(d <= parityStatsTol*math.Abs(want[j])) {
			t.Errorf("case %s: %s[%d] = %.17g, want %.17g (relative diff %.3g > %g)",
				caseName, what, j, got[j], want[j], d/math.Abs(want[j]), parityStatsTol)
		}
	}
}

// parityModelOf wraps a single-input layer in a functional model with an input of
// the given per-example shape and dtype, built in float32.
func parityModelOf(l layers.Layer, name string, shape []int, dt layers.DType) (*layers.Functional, error) {
	in := layers.NewInput(name, layers.Shape(shape...), dt)
	y := layers.Apply(l, in)[0]
	m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{y})
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if err := m.Build(layers.WithDType(tensor.Float32)); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	return m, nil
}

// parityPredict runs the trainer's inference program on one input tensor.
func parityPredict(m *layers.Functional, x *tensor.Dense) (y []float64, ids []int64, err error) {
	tr, err := trainers.New(m, trainers.WithLoss("mse"), trainers.WithOutput(io.Discard))
	if err != nil {
		return nil, nil, fmt.Errorf("trainer: %w", err)
	}
	defer tr.Close()
	pred, err := tr.PredictTensors([]*tensor.Dense{x})
	if err != nil {
		return nil, nil, fmt.Errorf("predict: %w", err)
	}
	if d, ok := pred[0].Data().([]int64); ok {
		return nil, append([]int64(nil), d...), nil
	}
	y, err = parityFloats(pred[0])
	return y, nil, err
}

// parityNormResult is what one run of a Normalization case computed.
type parityNormResult struct {
	y, dx, predicted []float64
}

// parityRunNorm runs the layer in a functional model: y and the gradient of
// sum(y*upstream) with respect to x on a training graph (float32), then the
// trainer's Predict on x.
func parityRunNorm(c parityNormCase, l *layers.NormalizationLayer) (res parityNormResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	m, err := parityModelOf(l, "x", c.X.Shape[1:], layers.Float32)
	if err != nil {
		return res, err
	}
	g, err := graph.New(graph.Train, tensor.Float32, c.X.Shape[0])
	if err != nil {
		return res, err
	}
	xn, xt, err := g.InputOf("x", tensor.Float32, c.X.Shape[1:]...)
	if err != nil {
		return res, err
	}
	parityCopyF32(xt, c.X.Data)
	outs, err := m.ForwardMulti(g, []*G.Node{xn})
	if err != nil {
		return res, fmt.Errorf("forward: %w", err)
	}
	y, grads, err := parityBackward(g, xn, outs[0], c.Upstream.Data, nil)
	if err != nil {
		return res, err
	}
	res.y, res.dx = y, grads[0]
	if res.predicted, _, err = parityPredict(m, parityTensor(tensor.Float32, c.X)); err != nil {
		return res, err
	}
	return res, nil
}

// TestParityPreprocessNormalization: Normalization adapted on the fixture's data
// (float64 and float32 tensors) learns torch's mean and population variance, and
// the adapted layer (and one given the fixture's statistics with WithMeanVariance)
// gives torch's y and dx in float32 (tests/testdata/torch_preprocess).
func TestParityPreprocessNormalization(t *testing.T) {
	fix := parityPreprocessLoad(t)
	if len(fix.Normalization) != 4 {
		t.Fatalf("preprocess.json has %d normalization cases, want 4", len(fix.Normalization))
	}
	var worst parityMax
	inverted := false
	for _, c := range fix.Normalization {
		c := c
		inverted = inverted || c.Invert
		t.Run(c.Name, func(t *testing.T) {
			for name, a := range map[string]parityArray{"adapt": c.Adapt, "x": c.X, "upstream": c.Upstream, "y": c.Y, "dx": c.DX} {
				parityCheckArray(t, c.Name, name, a)
			}
			f := c.X.Shape[len(c.X.Shape)-1]
			if len(c.Mean) != f || len(c.Variance) != f || c.Adapt.Shape[len(c.Adapt.Shape)-1] != f {
				t.Fatalf("case %s: %d means, %d variances, adapt shape %v for %d features", c.Name, len(c.Mean), len(c.Variance), c.Adapt.Shape, f)
			}
			for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
				l := layers.Normalization(layers.WithName("norm"), layers.WithInvert(c.Invert))
				if err := l.Adapt(parityTensor(dt, c.Adapt)); err != nil {
					t.Fatalf("case %s: adapt %v: %v", c.Name, dt, err)
				}
				parityStats(t, c.Name, fmt.Sprintf("mean (adapt %v)", dt), l.Mean(), c.Mean)
				parityStats(t, c.Name, fmt.Sprintf("variance (adapt %v)", dt), l.Variance(), c.Variance)
				if dt == tensor.Float32 {
					continue // the forward pass is the same; run it once per way of setting the statistics
				}
				for _, way := range []struct {
					name string
					l    *layers.NormalizationLayer
				}{
					{"adapted", l},
					{"given", layers.Normalization(layers.WithName("norm"), layers.WithInvert(c.Invert), layers.WithMeanVariance(c.Mean, c.Variance))},
				} {
					where := c.Name + "/" + way.name
					res, err := parityRunNorm(c, way.l)
					if err != nil {
						t.Fatalf("case %s: %v", where, err)
					}
					// Built in float32: the weights hold the statistics rounded to float32.
					parityStats(t, where, "built mean", way.l.Mean(), c.Mean)
					parityStats(t, where, "built variance", way.l.Variance(), c.Variance)
					worst.add(parityCompare(t, where, "y", res.y, c.Y.Data), where+"/y")
					worst.add(parityCompare(t, where, "dx", res.dx, c.DX.Data), where+"/dx")
					worst.add(parityCompare(t, where, "predicted y", res.predicted, c.Y.Data), where+"/predict")
				}
			}
		})
	}
	if !inverted {
		t.Errorf("the fixture has no inverted case")
	}
	worst.report(t, "torch_preprocess/preprocess.json normalization")
}

// parityIDs is a fixture array of ids as an Int64 tensor.
func parityIDs(a parityArray) *tensor.Dense {
	d := make([]int64, len(a.Data))
	for i, v := range a.Data {
		d[i] = int64(v)
	}
	return tensor.New(tensor.WithShape(a.Shape...), tensor.WithBacking(d))
}

// parityRunCategory encodes the case's ids (float32): with the layer built alone
// (BuildMulti) and run by ForwardMulti on an inference graph, which also takes ids
// of per-example shape () (a model input cannot have that shape); then, for ids of
// shape (B, k), in a functional model with the trainer's Predict (predicted is nil
// for ids of shape (B)).
func parityRunCategory(c parityCategoryCase) (y, predicted []float64, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	newLayer := func() *layers.CategoryEncodingLayer {
		return layers.CategoryEncoding(c.NumTokens, layers.WithName("enc"), layers.WithOutputMode(c.Mode))
	}
	per := c.IDs.Shape[1:]
	l := newLayer()
	specs, err := l.BuildMulti(layers.BuildContext{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1))},
		[]layers.Spec{{Shape: per, DType: tensor.Int64}})
	if err != nil {
		return nil, nil, fmt.Errorf("build: %w", err)
	}
	if got, want := specs[0], (layers.Spec{Shape: c.Y.Shape[1:], DType: tensor.Float32}); fmt.Sprint(got) != fmt.Sprint(want) {
		return nil, nil, fmt.Errorf("the layer's output %v, the fixture's y %v", got, want)
	}
	g, err := graph.New(graph.Infer, tensor.Float32, c.IDs.Shape[0])
	if err != nil {
		return nil, nil, err
	}
	ids := parityIDs(c.IDs)
	xn, xt, err := g.InputOf("ids", tensor.Int64, per...)
	if err != nil {
		return nil, nil, err
	}
	copy(xt.Data().([]int64), ids.Data().([]int64))
	outs, err := l.ForwardMulti(g, []*G.Node{xn})
	if err != nil {
		return nil, nil, fmt.Errorf("forward: %w", err)
	}
	var yv G.Value
	G.Read(outs[0], &yv)
	vm := G.NewTapeMachine(g.ExprGraph())
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		return nil, nil, fmt.Errorf("run: %w", err)
	}
	if y, err = parityFloats(yv); err != nil {
		return nil, nil, err
	}
	if len(per) == 0 {
		return y, nil, nil
	}
	m, err := parityModelOf(newLayer(), "ids", per, layers.Int64)
	if err != nil {
		return nil, nil, err
	}
	if predicted, _, err = parityPredict(m, ids); err != nil {
		return nil, nil, err
	}
	return y, predicted, nil
}

// TestParityPreprocessCategoryEncoding: CategoryEncoding of Int64 ids gives torch's
// F.one_hot rows (summed for count, clamped for multi_hot).
func TestParityPreprocessCategoryEncoding(t *testing.T) {
	fix := parityPreprocessLoad(t)
	if len(fix.Category) != 5 {
		t.Fatalf("preprocess.json has %d category cases, want 5", len(fix.Category))
	}
	var worst parityMax
	seen := map[string]bool{}
	for _, c := range fix.Category {
		c := c
		seen[c.Mode] = true
		t.Run(c.Name, func(t *testing.T) {
			parityCheckArray(t, c.Name, "ids", c.IDs)
			parityCheckArray(t, c.Name, "y", c.Y)
			y, predicted, err := parityRunCategory(c)
			if err != nil {
				t.Fatalf("case %s: %v", c.Name, err)
			}
			worst.add(parityCompare(t, c.Name, "y", y, c.Y.Data), c.Name+"/y")
			if len(c.IDs.Shape) > 1 {
				worst.add(parityCompare(t, c.Name, "predicted y", predicted, c.Y.Data), c.Name+"/predict")
			}
		})
	}
	for _, mode := range []string{"one_hot", "multi_hot", "count"} {
		if !seen[mode] {
			t.Errorf("the fixture has no %s case", mode)
		}
	}
	worst.report(t, "torch_preprocess/preprocess.json category")
}

// parityRunLookup looks the case's strings up, as a batch of shape (1) examples, on
// an inference graph and with the trainer's Predict.
func parityRunLookup(l *layers.LookupLayer, x []string) (ids, predicted []int64, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	m, err := parityModelOf(l, "s", []int{1}, layers.String)
	if err != nil {
		return nil, nil, err
	}
	g, err := graph.New(graph.Infer, tensor.Float32, len(x))
	if err != nil {
		return nil, nil, err
	}
	xn, xt, err := g.InputOf("s", tensor.String, 1)
	if err != nil {
		return nil, nil, err
	}
	copy(xt.Data().([]string), x)
	outs, err := m.ForwardMulti(g, []*G.Node{xn})
	if err != nil {
		return nil, nil, fmt.Errorf("forward: %w", err)
	}
	var yv G.Value
	G.Read(outs[0], &yv)
	vm := G.NewTapeMachine(g.ExprGraph())
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		return nil, nil, fmt.Errorf("run: %w", err)
	}
	d, ok := yv.Data().([]int64)
	if !ok {
		return nil, nil, fmt.Errorf("ids of type %T", yv.Data())
	}
	ids = append([]int64(nil), d...)
	xs := tensor.New(tensor.WithShape(len(x), 1), tensor.WithBacking(append([]string(nil), x...)))
	if _, predicted, err = parityPredict(m, xs); err != nil {
		return nil, nil, err
	}
	return ids, predicted, nil
}

// TestParityPreprocessStringLookup: StringLookup's vocabulary (given, or adapted:
// most frequent first, ties by text) and ids (NumOOV + position; unknown strings
// FNV-1a-64 mod NumOOV) are those computed in Python. PyTorch has no counterpart.
func TestParityPreprocessStringLookup(t *testing.T) {
	fix := parityPreprocessLoad(t)
	if len(fix.Lookup) != 3 {
		t.Fatalf("preprocess.json has %d lookup cases, want 3", len(fix.Lookup))
	}
	for _, c := range fix.Lookup {
		c := c
		t.Run(c.Name, func(t *testing.T) {
			if (c.Vocabulary == nil) == (c.Adapt == nil) || len(c.X) != len(c.IDs) {
				t.Fatalf("case %s: want either a vocabulary or adapt data, and one id per string", c.Name)
			}
			opts := []layers.Option{layers.WithName("lookup"), layers.WithNumOOVIndices(c.NumOOV)}
			if c.Vocabulary != nil {
				opts = append(opts, layers.WithVocabulary(c.Vocabulary))
			}
			l := layers.StringLookup(opts...)
			if c.Adapt != nil {
				a := tensor.New(tensor.WithShape(len(c.Adapt), 1), tensor.WithBacking(append([]string(nil), c.Adapt...)))
				if err := l.Adapt(a); err != nil {
					t.Fatalf("case %s: adapt: %v", c.Name, err)
				}
			}
			if got, want := strings.Join(l.Vocabulary(), "|"), strings.Join(c.WantVocabulary, "|"); got != want {
				t.Errorf("case %s: vocabulary %q, want %q", c.Name, l.Vocabulary(), c.WantVocabulary)
			}
			if got, want := l.VocabularySize(), c.NumOOV+len(c.WantVocabulary); got != want {
				t.Errorf("case %s: vocabulary size %d, want %d", c.Name, got, want)
			}
			ids, predicted, err := parityRunLookup(l, c.X)
			if err != nil {
				t.Fatalf("case %s: %v", c.Name, err)
			}
			for what, got := range map[string][]int64{"ids": ids, "predicted ids": predicted} {
				if fmt.Sprint(got) != fmt.Sprint(c.IDs) {
					t.Errorf("case %s: %s %v for %q, want %v", c.Name, what, got, c.X, c.IDs)
				}
			}
		})
	}
}
