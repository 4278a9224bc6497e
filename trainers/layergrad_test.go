package trainers_test

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// layerGradCase is a model split at a layer: the whole model, and models made of
// the same layer objects (so sharing the weights) from the input to the layer
// (head) and from the layer's output to the model's output (tail).
type layerGradCase struct {
	model, head, tail layers.Model
	last              string // the last layer of rank-4 output
}

func layerGradCases(t *testing.T) map[string]func() layerGradCase {
	t.Helper()
	return map[string]func() layerGradCase{
		"sequential": func() layerGradCase {
			a := layers.Conv2D(3, 3, layers.WithName("target"), layers.WithActivation("tanh"))
			b := layers.Conv2D(4, 2, layers.WithName("conv_b"), layers.WithActivation("tanh"))
			f, d := layers.Flatten(), layers.Dense(3, layers.WithActivation("softmax"))
			m := layers.NewSequential(layers.Input(6, 6, 2), a, b, f, d)
			return layerGradCase{
				model: m, last: "conv_b",
				head: layers.NewSequential(layers.Input(6, 6, 2), a),
				tail: layers.NewSequential(layers.Input(4, 4, 3), b, f, d),
			}
		},
		"functional": func() layerGradCase {
			a := layers.Conv2D(3, 3, layers.WithName("target"), layers.WithActivation("tanh"))
			b := layers.Conv2D(4, 2, layers.WithName("conv_b"), layers.WithActivation("tanh"))
			p1, p2 := layers.GlobalAveragePooling2D(), layers.GlobalAveragePooling2D()
			cat, d := layers.Concatenate(-1), layers.Dense(3, layers.WithActivation("softmax"))
			// two branches from the target layer: conv_b then pooling, and pooling
			wire := func(in *layers.Tensor) *layers.Tensor {
				return d.Apply(cat.Apply(p1.Apply(b.Apply(in)), p2.Apply(in)))
			}
			mk := func(in, out *layers.Tensor) layers.Model {
				m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{out})
				if err != nil {
					t.Fatal(err)
				}
				return m
			}
			in := layers.NewInput("image", layers.Shape(6, 6, 2))
			c := layerGradCase{model: mk(in, wire(a.Apply(in))), last: "conv_b"}
			hin := layers.NewInput("image", layers.Shape(6, 6, 2))
			c.head = mk(hin, a.Apply(hin))
			tin := layers.NewInput("features", layers.Shape(4, 4, 3))
			c.tail = mk(tin, wire(tin))
			return c
		},
	}
}

// TestLayerGradientsFiniteDifference checks, in float64, that the activations are
// those of the model cut after the layer (head) and that the gradients are central
// differences of the class logit of the rest of the model (tail) at those
// activations; and that the default layer is the last one of rank-4 output.
func TestLayerGradientsFiniteDifference(t *testing.T) {
	for name, mk := range layerGradCases(t) {
		t.Run(name, func(t *testing.T) {
			c := mk()
			newTr := func(m layers.Model) *trainers.Trainer {
				tr, err := trainers.New(m, trainers.WithDType(tensor.Float64), trainers.WithSeed(5))
				if err != nil {
					t.Fatal(err)
				}
				return tr
			}
			tr := newTr(c.model)
			head, tail := newTr(c.head), newTr(c.tail)
			const n = 3
			rng := rand.New(rand.NewSource(11))
			xs := make([]float64, n*6*6*2)
			for i := range xs {
				xs[i] = rng.NormFloat64()
			}
			x := tensor.New(tensor.WithShape(n, 6, 6, 2), tensor.WithBacking(xs))
			classes := []int{2, 0, 1}
			res, err := tr.LayerGradients(x, "target", trainers.ClassLogit(classes...), trainers.BatchSize(2))
			if err != nil {
				t.Fatal(err)
			}
			if res.Layer != "target" || !res.Activations.Shape().Eq(tensor.Shape{n, 4, 4, 3}) || !res.Gradients.Shape().Eq(res.Activations.Shape()) {
				t.Fatalf("layer %q, activations %v, gradients %v; want target, (3, 4, 4, 3)", res.Layer, res.Activations.Shape(), res.Gradients.Shape())
			}
			want, err := head.Predict(x)
			if err != nil {
				t.Fatal(err)
			}
			as, ws := res.Activations.Data().([]float64), want.Data().([]float64)
			for i := range as {
				if math.Abs(as[i]-ws[i]) > 1e-12 {
					t.Fatalf("activation %d: %g, the head model gives %g", i, as[i], ws[i])
				}
			}
			// The scores are the whole model's logits.
			_, full, err := tr.InputGradientsScores(x, trainers.ClassLogit(classes...))
			if err != nil {
				t.Fatal(err)
			}
			for r := range full {
				if math.Abs(full[r]-res.Scores[r]) > 1e-12 {
					t.Errorf("row %d: score %g, InputGradientsScores %g", r, res.Scores[r], full[r])
				}
			}
			gs := res.Gradients.Data().([]float64)
			per := len(as) / n
			a := tensor.New(tensor.WithShape(n, 4, 4, 3), tensor.WithBacking(append([]float64(nil), as...)))
			ad := a.Data().([]float64)
			score := func() []float64 {
				_, s, err := tail.InputGradientsScores(a, trainers.ClassLogit(classes...))
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			const h = 1e-5
			worst := 0.0
			for j := 0; j < per; j++ { // element j of every row at once: rows are independent
				for r := 0; r < n; r++ {
					ad[r*per+j] += h
				}
				up := score()
				for r := 0; r < n; r++ {
					ad[r*per+j] -= 2 * h
				}
				down := score()
				for r := 0; r < n; r++ {
					ad[r*per+j] += h
					fd := (up[r] - down[r]) / (2 * h)
					g := gs[r*per+j]
					worst = math.Max(worst, math.Abs(fd-g))
					if math.Abs(fd-g) > 1e-7+1e-5*math.Abs(fd) {
						t.Errorf("row %d activation %d: gradient %.9g, finite difference %.9g", r, j, g, fd)
					}
				}
			}
			t.Logf("%s: max |gradient − finite difference| %.3g over %d activations", name, worst, len(gs))
			def, err := tr.LayerGradients(x, "", trainers.ClassLogit(0))
			if err != nil {
				t.Fatal(err)
			}
			if def.Layer != c.last {
				t.Errorf("default layer %q, want %q (the last of rank-4 output)", def.Layer, c.last)
			}
		})
	}
}

// TestLayerGradientsFloat32 checks that a float32 model's layer gradients agree
// with its float64 twin (same seed, same weights up to rounding), for the logit,
// probability and loss targets.
func TestLayerGradientsFloat32(t *testing.T) {
	x := tensor.New(tensor.WithShape(2, 6, 6, 2), tensor.WithBacking(make([]float64, 2*6*6*2)))
	rng := rand.New(rand.NewSource(2))
	for i, d := 0, x.Data().([]float64); i < len(d); i++ {
		d[i] = rng.NormFloat64()
	}
	y := tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float64{1, 2}))
	targets := map[string]trainers.InputGradTarget{
		"logit": trainers.ClassLogit(1), "probability": trainers.ClassProbability(0, 2), "loss": trainers.LossTarget(y),
	}
	for name, target := range targets {
		t.Run(name, func(t *testing.T) {
			var got [2][]float64
			for i, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
				tr, err := trainers.New(layerGradCases(t)["sequential"]().model, trainers.WithDType(dt), trainers.WithSeed(5),
					trainers.WithLoss("sparse_categorical_crossentropy"))
				if err != nil {
					t.Fatal(err)
				}
				res, err := tr.LayerGradients(x, "target", target)
				if err != nil {
					t.Fatal(err)
				}
				if res.Gradients.Dtype() != dt || res.Activations.Dtype() != dt {
					t.Errorf("%v model: dtypes %v and %v", dt, res.Activations.Dtype(), res.Gradients.Dtype())
				}
				if (name == "loss") != (res.Scores == nil) {
					t.Errorf("%v model: scores %v", dt, res.Scores)
				}
				got[i] = asFloat64s(res.Gradients)
			}
			for j := range got[1] {
				if math.Abs(got[0][j]-got[1][j]) > 1e-5 {
					t.Errorf("value %d: float32 %g, float64 %g", j, got[0][j], got[1][j])
				}
			}
		})
	}
}

func asFloat64s(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case []float64:
		return d
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	}
	return nil
}

// TestLayerGradientsErrors checks the errors naming a wrong layer or a model
// without a feature map.
func TestLayerGradientsErrors(t *testing.T) {
	conv, err := trainers.New(layerGradCases(t)["sequential"]().model)
	if err != nil {
		t.Fatal(err)
	}
	dense, err := trainers.New(layers.NewSequential(layers.Input(4), layers.Dense(2)))
	if err != nil {
		t.Fatal(err)
	}
	img := tensor.New(tensor.WithShape(1, 6, 6, 2), tensor.WithBacking(make([]float32, 72)))
	flat := tensor.New(tensor.WithShape(1, 4), tensor.WithBacking(make([]float32, 4)))
	cases := []struct {
		name  string
		tr    *trainers.Trainer
		x     *tensor.Dense
		layer string
		want  string
	}{
		{"unknown layer", conv, img, "nope", `no layer "nope"`},
		{"input layer", conv, img, conv.Model().Layers()[0].Name(), "use InputGradients"},
		{"no feature map", dense, flat, "", "no layer has an output of rank 4"},
		{"class out of range", conv, img, "target", "out of range"},
		{"wrong shape", conv, flat, "target", "shape"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			target := trainers.ClassLogit(0)
			if c.name == "class out of range" {
				target = trainers.ClassLogit(7)
			}
			_, err := c.tr.LayerGradients(c.x, c.layer, target)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestLayerGradientsCached checks that a layer-gradient program is compiled once
// per layer and batch size and reused, apart from the input-gradient programs.
func TestLayerGradientsCached(t *testing.T) {
	tr, err := trainers.New(layerGradCases(t)["functional"]().model, trainers.WithDType(tensor.Float64))
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(2, 6, 6, 2), tensor.WithBacking(make([]float64, 144)))
	steps := []struct {
		call  func() error
		added int
	}{
		{func() error { _, err := tr.LayerGradients(x, "target", trainers.ClassLogit(0)); return err }, 1},
		{func() error { _, err := tr.LayerGradients(x, "target", trainers.ClassLogit(1, 2)); return err }, 0},
		{func() error { _, err := tr.LayerGradients(x, "conv_b", trainers.ClassLogit(0)); return err }, 1},
		{func() error { _, err := tr.LayerGradients(x, "", trainers.ClassLogit(0)); return err }, 0}, // conv_b again
		{func() error { _, err := tr.InputGradients(x, trainers.ClassLogit(0)); return err }, 1},
		{func() error { _, err := tr.LayerGradients(x, "target", trainers.ClassProbability(0)); return err }, 1},
	}
	for i, s := range steps {
		before := tr.CompiledPrograms()
		if err := s.call(); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if got := tr.CompiledPrograms() - before; got != s.added {
			t.Errorf("call %d compiled %d programs, want %d", i, got, s.added)
		}
	}
}
