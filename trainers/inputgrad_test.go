package trainers_test

import (
	"context"
	"io"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// inputGradModels are small float64 models for the finite-difference checks.
func inputGradModels(t *testing.T) map[string]func() layers.Model {
	return map[string]func() layers.Model{
		"dense": func() layers.Model {
			return layers.NewSequential(layers.Input(5),
				layers.Dense(7, layers.WithActivation("tanh")),
				layers.Dense(3, layers.WithActivation("softmax")))
		},
		"conv2d": func() layers.Model {
			return layers.NewSequential(layers.Input(6, 6, 2),
				layers.Conv2D(3, 3, layers.WithActivation("tanh")),
				layers.Flatten(),
				layers.Dense(4, layers.WithActivation("softmax")))
		},
		"functional": func() layers.Model {
			in := layers.NewInput("features", layers.Shape(4))
			h := layers.Dense(6, layers.WithActivation("tanh")).Apply(in)
			out := layers.Dense(3, layers.WithActivation("softmax")).Apply(h)
			m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{out})
			if err != nil {
				t.Fatal(err)
			}
			return m
		},
	}
}

// TestInputGradientsFiniteDifference compares InputGradients with central
// differences of the same scores (logit, probability, loss) in float64.
func TestInputGradientsFiniteDifference(t *testing.T) {
	for name, build := range inputGradModels(t) {
		for _, kind := range []string{"logit", "probability", "loss"} {
			t.Run(name+"/"+kind, func(t *testing.T) {
				m := build()
				tr, err := trainers.New(m, trainers.WithDType(tensor.Float64), trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithSeed(3))
				if err != nil {
					t.Fatal(err)
				}
				in := m.Inputs()[0].Shape
				per := 1
				for _, d := range in {
					per *= d
				}
				const n = 3
				rng := rand.New(rand.NewSource(7))
				xs := make([]float64, n*per)
				for i := range xs {
					xs[i] = rng.NormFloat64()
				}
				shape := append([]int{n}, in...)
				x := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(xs))
				classes := []int{0, 2, 1}
				y := tensor.New(tensor.WithShape(n, 1), tensor.WithBacking([]float64{0, 2, 1}))
				var target trainers.InputGradTarget
				switch kind {
				case "logit":
					target = trainers.ClassLogit(classes...)
				case "probability":
					target = trainers.ClassProbability(classes...)
				default:
					target = trainers.LossTarget(y)
				}
				// score returns row r's target at x (the score the gradient is of).
				score := func(x *tensor.Dense, r int) float64 {
					if kind == "loss" {
						rows := append([]int{1}, in...)
						xr := tensor.New(tensor.WithShape(rows...), tensor.WithBacking(append([]float64(nil), x.Data().([]float64)[r*per:(r+1)*per]...)))
						yr := tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float64{float64(classes[r])}))
						g, _, err := tr.InputGradientsScores(xr, trainers.LossTarget(yr))
						if err != nil || g == nil {
							t.Fatal(err)
						}
						l, err := tr.Evaluate(context.Background(), xr, yr, trainers.Verbose(0))
						if err != nil {
							t.Fatal(err)
						}
						return l["loss"]
					}
					_, s, err := tr.InputGradientsScores(x, target)
					if err != nil {
						t.Fatal(err)
					}
					return s[r]
				}
				grads, err := tr.InputGradients(x, target, trainers.BatchSize(2))
				if err != nil {
					t.Fatal(err)
				}
				if !grads.Shape().Eq(x.Shape()) || grads.Dtype() != tensor.Float64 {
					t.Fatalf("gradient %v %v, want %v float64", grads.Shape(), grads.Dtype(), x.Shape())
				}
				gs := grads.Data().([]float64)
				const h = 1e-5
				for r := 0; r < n; r++ {
					for j := 0; j < per; j++ {
						i := r*per + j
						old := xs[i]
						xs[i] = old + h
						up := score(x, r)
						xs[i] = old - h
						down := score(x, r)
						xs[i] = old
						fd := (up - down) / (2 * h)
						if math.Abs(fd-gs[i]) > 1e-6+1e-4*math.Abs(fd) {
							t.Errorf("row %d value %d: gradient %.9g, finite difference %.9g", r, j, gs[i], fd)
						}
					}
				}
			})
		}
	}
}

// TestInputGradientsScoresLogit checks that the logit target's scores are the
// pre-softmax values: their softmax is the prediction.
func TestInputGradientsScoresLogit(t *testing.T) {
	m := inputGradModels(t)["dense"]()
	tr, err := trainers.New(m, trainers.WithDType(tensor.Float64))
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(1, 5), tensor.WithBacking([]float64{0.5, -1, 2, 0.1, -0.3}))
	var z [3]float64
	for k := range z {
		_, s, err := tr.InputGradientsScores(x, trainers.ClassLogit(k))
		if err != nil {
			t.Fatal(err)
		}
		z[k] = s[0]
	}
	p, err := tr.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	sum := math.Exp(z[0]) + math.Exp(z[1]) + math.Exp(z[2])
	for k := range z {
		want := p.Data().([]float64)[k]
		if got := math.Exp(z[k]) / sum; math.Abs(got-want) > 1e-12 {
			t.Errorf("softmax of the logits: class %d %g, prediction %g", k, got, want)
		}
	}
}

// TestInputGradientsFloat32 checks the float32 path agrees with float64.
func TestInputGradientsFloat32(t *testing.T) {
	x64 := tensor.New(tensor.WithShape(2, 5), tensor.WithBacking([]float64{0.5, -1, 2, 0.1, -0.3, 1, 1, -1, 0, 0.2}))
	var got [2][]float64
	for i, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		tr, err := trainers.New(inputGradModels(t)["dense"](), trainers.WithDType(dt))
		if err != nil {
			t.Fatal(err)
		}
		g, err := tr.InputGradients(x64, trainers.ClassLogit(1))
		if err != nil {
			t.Fatal(err)
		}
		if g.Dtype() != dt {
			t.Errorf("%v model: gradient dtype %v", dt, g.Dtype())
		}
		for j := 0; j < g.Shape().TotalSize(); j++ {
			v, _ := g.At(j/5, j%5)
			switch v := v.(type) {
			case float32:
				got[i] = append(got[i], float64(v))
			case float64:
				got[i] = append(got[i], v)
			}
		}
	}
	for j := range got[1] {
		if math.Abs(got[0][j]-got[1][j]) > 1e-5 {
			t.Errorf("value %d: float32 %g, float64 %g", j, got[0][j], got[1][j])
		}
	}
}

// TestInputGradientsErrors checks the errors of unsupported inputs and targets.
func TestInputGradientsErrors(t *testing.T) {
	ids := layers.NewInput("ids", layers.Shape(2), layers.Int64)
	out := layers.Dense(2).Apply(layers.Flatten().Apply(layers.Embedding(5, 3).Apply(ids)))
	im, err := layers.NewModel([]*layers.Tensor{ids}, []*layers.Tensor{out})
	if err != nil {
		t.Fatal(err)
	}
	itr, err := trainers.New(im)
	if err != nil {
		t.Fatal(err)
	}
	xi := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]int64{1, 2}))
	if _, err := itr.InputGradients(xi, trainers.ClassLogit(0)); err == nil || !strings.Contains(err.Error(), "no gradient") {
		t.Errorf("integer input: %v", err)
	}
	tr, err := trainers.New(inputGradModels(t)["dense"]())
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(2, 5), tensor.WithBacking(make([]float32, 10)))
	for _, tc := range []struct {
		target trainers.InputGradTarget
		want   string
	}{
		{trainers.ClassLogit(3), "out of range"},
		{trainers.ClassLogit(0, 1, 2), "3 classes given for 2 rows"},
		{trainers.LossTarget(nil), "needs a trainer made with a loss"},
		{trainers.ClassLogit(0).ForOutput("nope"), "no output"},
	} {
		if _, err := tr.InputGradients(x, tc.target); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.target, err, tc.want)
		}
	}
}

// TestInputGradientsKeepTraining checks that input-gradient programs share the
// cache without disturbing training: Fit after InputGradients still learns, and
// the gradient program is compiled once per batch size.
func TestInputGradientsKeepTraining(t *testing.T) {
	tr, err := trainers.New(inputGradModels(t)["dense"](), trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(4, 5), tensor.WithBacking(make([]float32, 20)))
	y := tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float32{0, 1, 2, 0}))
	if _, err := tr.InputGradients(x, trainers.ClassLogit(0)); err != nil {
		t.Fatal(err)
	}
	before := tr.CompiledPrograms()
	if _, err := tr.InputGradients(x, trainers.ClassLogit(2)); err != nil {
		t.Fatal(err)
	}
	if got := tr.CompiledPrograms(); got != before {
		t.Errorf("another class compiled %d more programs", got-before)
	}
	if _, err := tr.Fit(context.Background(), x, y, trainers.Epochs(2), trainers.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.InputGradients(x, trainers.LossTarget(y)); err != nil {
		t.Fatal(err)
	}
}
