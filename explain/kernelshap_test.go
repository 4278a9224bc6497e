package explain_test

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/explain"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// randTable is an (n, m) float64 table of standard normal values.
func randTable(n, m int, seed int64) *tensor.Dense {
	rng := rand.New(rand.NewSource(seed))
	v := make([]float64, n*m)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return tensor.New(tensor.WithShape(n, m), tensor.WithBacking(v))
}

// TestKernelSHAPLinear checks, on linear models (weights set, float64), that the
// SHAP values are w_i·(x_i − mean of the background's x_i) within 1e-6: with every
// coalition enumerated (5 features), and with sampled ones (14 features, 600
// coalitions: a linear model's coalition values fit exactly whatever the sample).
// The model has a softmax output: the class score is the logit w·x + b.
func TestKernelSHAPLinear(t *testing.T) {
	cases := []struct {
		name  string
		m     int
		opts  []explain.Option
		exact bool
	}{
		{"exact", 5, nil, true},
		{"sampled", 14, []explain.Option{explain.WithCoalitions(600)}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			model := layers.NewSequential(layers.Input(c.m), layers.Dense(2, layers.WithActivation("softmax")))
			tr, err := trainers.New(model, trainers.WithDType(tensor.Float64))
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewSource(4))
			kernel := make([]float64, c.m*2)
			w := make([]float64, c.m) // the class-1 column
			for i := range kernel {
				kernel[i] = rng.NormFloat64()
			}
			for i := range w {
				w[i] = kernel[i*2+1]
			}
			if err := model.Params()[0].SetFloat64s(kernel); err != nil {
				t.Fatal(err)
			}
			if err := model.Params()[1].SetFloat64s([]float64{0.3, -0.7}); err != nil {
				t.Fatal(err)
			}
			x, bg := randTable(3, c.m, 5), randTable(8, c.m, 6)
			res, err := explain.KernelSHAP(tr, x, bg, append(c.opts, explain.WithClass(1))...)
			if err != nil {
				t.Fatal(err)
			}
			if res.Exact != c.exact || !res.Values.Shape().Eq(x.Shape()) {
				t.Fatalf("exact %v, values %v", res.Exact, res.Values.Shape())
			}
			xs, bs, vs := x.Data().([]float64), bg.Data().([]float64), res.Values.Data().([]float64)
			worst := 0.0
			for r := 0; r < 3; r++ {
				for i := 0; i < c.m; i++ {
					mu := 0.0
					for k := 0; k < 8; k++ {
						mu += bs[k*c.m+i] / 8
					}
					want := w[i] * (xs[r*c.m+i] - mu)
					worst = math.Max(worst, math.Abs(vs[r*c.m+i]-want))
					if math.Abs(vs[r*c.m+i]-want) > 1e-6 {
						t.Errorf("row %d feature %d: SHAP %.9g, want %.9g", r, i, vs[r*c.m+i], want)
					}
				}
			}
			t.Logf("%s: %d coalitions, max |SHAP − w·(x − mean bg)| %.3g, max additivity error %.3g", c.name, res.Coalitions, worst, res.MaxAdditivityError())
		})
	}
}

// TestKernelSHAPMLP checks, on a tanh MLP of 4 features with a linear output, that
// the values add up to f(x) − E[f(background)] (additivity within 1e-9) and equal
// the Shapley values computed by their definition, Σ_S |S|!(M−|S|−1)!/M!
// (v(S ∪ i) − v(S)), within 1e-9, with v(S) the mean output over the background
// rows with the features of S taken from x; then, on 12 features, that additivity
// holds with sampled coalitions and that the default budget's values are within
// 5% (of the largest value) of the exact ones from all 4094 coalitions.
func TestKernelSHAPMLP(t *testing.T) {
	mlp := func(m int) *trainers.Trainer {
		tr, err := trainers.New(layers.NewSequential(layers.Input(m), layers.Dense(6, layers.WithActivation("tanh")), layers.Dense(1)),
			trainers.WithDType(tensor.Float64), trainers.WithSeed(9))
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	const m, kb = 4, 6
	tr := mlp(m)
	x, bg := randTable(2, m, 7), randTable(kb, m, 8)
	res, err := explain.KernelSHAP(tr, x, bg)
	if err != nil {
		t.Fatal(err)
	}
	if e := res.MaxAdditivityError(); e > 1e-9 {
		t.Errorf("additivity error %g", e)
	}
	xs, bs, vs := x.Data().([]float64), bg.Data().([]float64), res.Values.Data().([]float64)
	// v(S) for row r: the mean prediction over the background with S from x.
	v := func(r, set int) float64 {
		rowsV := make([]float64, kb*m)
		for k := 0; k < kb; k++ {
			for i := 0; i < m; i++ {
				if set&(1<<i) != 0 {
					rowsV[k*m+i] = xs[r*m+i]
				} else {
					rowsV[k*m+i] = bs[k*m+i]
				}
			}
		}
		p, err := tr.Predict(tensor.New(tensor.WithShape(kb, m), tensor.WithBacking(rowsV)))
		if err != nil {
			t.Fatal(err)
		}
		s := 0.0
		for _, y := range p.Data().([]float64) {
			s += y / kb
		}
		return s
	}
	fact := func(n int) float64 { return math.Gamma(float64(n + 1)) }
	worst := 0.0
	for r := 0; r < 2; r++ {
		if math.Abs(res.BaseValue[r]-v(r, 0)) > 1e-12 || math.Abs(res.Output[r]-v(r, 1<<m-1)) > 1e-12 {
			t.Errorf("row %d: base %g output %g, want %g and %g", r, res.BaseValue[r], res.Output[r], v(r, 0), v(r, 1<<m-1))
		}
		for i := 0; i < m; i++ {
			want := 0.0
			for set := 0; set < 1<<m; set++ {
				if set&(1<<i) != 0 {
					continue
				}
				size := 0
				for j := 0; j < m; j++ {
					size += set >> j & 1
				}
				want += fact(size) * fact(m-size-1) / fact(m) * (v(r, set|1<<i) - v(r, set))
			}
			got := vs[r*m+i]
			worst = math.Max(worst, math.Abs(got-want))
			if math.Abs(got-want) > 1e-9 {
				t.Errorf("row %d feature %d: SHAP %.12g, Shapley value %.12g", r, i, got, want)
			}
		}
	}
	t.Logf("4 features: max |KernelSHAP − Shapley| %.3g; additivity error %.3g", worst, res.MaxAdditivityError())
	big := mlp(12)
	bx, bbg := randTable(2, 12, 10), randTable(5, 12, 11)
	bres, err := explain.KernelSHAP(big, bx, bbg, explain.WithCoalitions(300))
	if err != nil {
		t.Fatal(err)
	}
	if bres.Exact || bres.Coalitions != 300 {
		t.Errorf("12 features: exact %v, %d coalitions; want 300 sampled", bres.Exact, bres.Coalitions)
	}
	t.Logf("12 features, 300 sampled coalitions: additivity error %.3g", bres.MaxAdditivityError())
	if e := bres.MaxAdditivityError(); e > 1e-9 {
		t.Errorf("12 features: additivity error %g", e)
	}
	// The default budget's sample against every one of the 4094 coalitions.
	exact, err := explain.KernelSHAP(big, bx, bbg, explain.WithCoalitions(4094))
	if err != nil {
		t.Fatal(err)
	}
	sampled, err := explain.KernelSHAP(big, bx, bbg)
	if err != nil {
		t.Fatal(err)
	}
	if !exact.Exact || sampled.Exact || sampled.Coalitions != explain.DefaultCoalitions {
		t.Fatalf("exact %v (want true), sampled %v with %d coalitions", exact.Exact, sampled.Exact, sampled.Coalitions)
	}
	es, ss := exact.Values.Data().([]float64), sampled.Values.Data().([]float64)
	scale, diff := 0.0, 0.0
	for i := range es {
		scale = math.Max(scale, math.Abs(es[i]))
		diff = math.Max(diff, math.Abs(es[i]-ss[i]))
	}
	t.Logf("12 features: max |sampled − exact| %.3g, max |exact| %.3g", diff, scale)
	if diff > 0.05*scale {
		t.Errorf("12 features: the default sample is %.3g from the exact values (of size %.3g)", diff, scale)
	}
}

// TestKernelSHAPErrors checks the errors of bad arguments.
func TestKernelSHAPErrors(t *testing.T) {
	tr := linearModel()
	x := randTable(2, 3, 1)
	cases := []struct {
		name string
		bg   *tensor.Dense
		opts []explain.Option
		want string
	}{
		{"no background", nil, nil, "no background"},
		{"background of other rows", randTable(4, 2, 1), nil, "rows of 3 values"},
		{"integer background", tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]int{1, 2, 3})), nil, "dtype int"},
		{"tiny budget", randTable(4, 3, 1), []explain.Option{explain.WithCoalitions(1)}, "1 coalitions"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := explain.KernelSHAP(tr, x, c.bg, c.opts...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}
