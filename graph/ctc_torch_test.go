package graph

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ctcFixture is one case of testdata/torch_ctc/fixtures.json (make_fixtures.py).
type ctcFixture struct {
	Name         string    `json:"name"`
	B            int       `json:"b"`
	T            int       `json:"t"`
	K            int       `json:"k"`
	S            int       `json:"s"`
	Blank        int       `json:"blank"`
	Reduction    string    `json:"reduction"`
	ZeroInfinity bool      `json:"zero_infinity"`
	Logits       []float64 `json:"logits"`
	Labels       []float64 `json:"labels"`
	InputLengths []float64 `json:"input_lengths"`
	LabelLengths []float64 `json:"label_lengths"`
	Weights      []float64 `json:"weights"`
	Loss         []float64 `json:"loss"`
	LossInf      []bool    `json:"loss_inf"`
	GradLogits   []float64 `json:"grad_logits"`
	GradLogProbs []float64 `json:"grad_log_probs"`
}

func loadCTCFixtures(t *testing.T) []ctcFixture {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "torch_ctc", "fixtures.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		Cases []ctcFixture `json:"cases"`
	}
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	if len(fx.Cases) == 0 {
		t.Fatal("no fixtures")
	}
	return fx.Cases
}

// ctcPath says how a parity run feeds the fixture to CTCLoss.
type ctcPath int

const (
	pathLogits     ctcPath = iota // CTCLogits on the logits
	pathLogSoftmax                // LogSoftmax node, then CTCLogProbs
	pathSoftmax                   // recorded Softmax output, CTCProbs (uses the logits)
	pathLogProbs                  // log-probabilities bound as the input (a leaf)
	pathPadding                   // CTCLogits, no label lengths: labels end at -1
)

// logSoftmax64 is the log-softmax over the last axis of k of xs, in float64.
func logSoftmax64(xs []float64, k int) []float64 {
	out := make([]float64, len(xs))
	for i := 0; i < len(xs); i += k {
		row := xs[i : i+k]
		m := rowMax(row)
		var s float64
		for _, v := range row {
			s += math.Exp(v - m)
		}
		for j, v := range row {
			out[i+j] = v - m - math.Log(s)
		}
	}
	return out
}

// runCTCFixture evaluates the fixture's loss in dtype dt along path and returns
// the loss values and the gradient of the (weighted, for "none") total with
// respect to the bound input (logits, or log-probs for pathLogProbs).
func runCTCFixture(t *testing.T, fx ctcFixture, dt tensor.Dtype, path ctcPath) ([]float64, []float64) {
	t.Helper()
	g, err := New(Train, dt, fx.B)
	if err != nil {
		t.Fatal(err)
	}
	bind := func(name string, vals []float64, shape ...int) *G.Node {
		n, err := g.bind(name, denseOf(dt, vals, shape...))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	in := fx.Logits
	if path == pathLogProbs {
		in = logSoftmax64(fx.Logits, fx.K)
	}
	x := bind("x", in, fx.B, fx.T, fx.K)
	labels := bind("labels", fx.Labels, fx.B, fx.S)
	inLens := bind("in_lens", fx.InputLengths, fx.B)
	var labLens *G.Node
	if path != pathPadding {
		labLens = bind("lab_lens", fx.LabelLengths, fx.B)
	}
	opts := CTCOptions{Blank: fx.Blank, Reduction: fx.Reduction, KeepInfinity: !fx.ZeroInfinity}
	pred := x
	switch path {
	case pathLogits, pathPadding:
		opts.Input = CTCLogits
	case pathLogSoftmax:
		if pred, err = LogSoftmax(x); err != nil {
			t.Fatal(err)
		}
	case pathSoftmax:
		if pred, err = Softmax(x); err != nil {
			t.Fatal(err)
		}
		g.SetLogits(pred, x, "softmax")
		opts.Input = CTCProbs
	}
	loss, err := CTCLoss(g, pred, labels, inLens, labLens, opts)
	if err != nil {
		t.Fatal(err)
	}
	cost := loss
	if fx.Reduction == "none" {
		prod, err := G.HadamardProd(loss, bind("weights", fx.Weights, fx.B))
		if err != nil {
			t.Fatal(err)
		}
		if cost, err = SumAll(prod); err != nil {
			t.Fatal(err)
		}
	}
	var grads G.Nodes
	if fx.GradLogits != nil {
		if grads, err = G.Grad(cost, x); err != nil {
			t.Fatal(err)
		}
	}
	ex, err := NewExecutor(g.ExprGraph())
	if err != nil {
		t.Fatal(err)
	}
	if err := ex.Run(); err != nil {
		t.Fatal(err)
	}
	var vals []float64
	if loss.IsScalar() {
		l, err := ScalarValue(ex.Value(loss))
		if err != nil {
			t.Fatal(err)
		}
		vals = []float64{l}
	} else {
		vals = append(vals, float64s(ex.Dense(loss))...)
	}
	if grads == nil {
		return vals, nil
	}
	return vals, float64s(ex.Dense(grads[0]))
}

// denseOf is a tensor of dtype dt and the given shape holding vals.
func denseOf(dt tensor.Dtype, vals []float64, shape ...int) *tensor.Dense {
	v := tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
	for i, x := range vals {
		if dt == tensor.Float32 {
			v.Data().([]float32)[i] = float32(x)
		} else {
			v.Data().([]float64)[i] = x
		}
	}
	return v
}

// torchLogProbGrad turns the exact gradient with respect to leaf log-probs into
// what PyTorch reports: it adds exp(lp)·w_b on the counted frames of the rows
// with a finite loss (PyTorch's kernel returns the logits' gradient).
func torchLogProbGrad(fx ctcFixture, grad []float64) []float64 {
	lp := logSoftmax64(fx.Logits, fx.K)
	out := append([]float64(nil), grad...)
	for b := 0; b < fx.B; b++ {
		w := 1.0
		switch fx.Reduction {
		case "mean":
			w = 1 / (math.Max(1, fx.LabelLengths[b]) * float64(fx.B))
		case "none":
			w = fx.Weights[b]
		}
		if fx.Reduction == "none" && fx.ZeroInfinity && fx.Loss[b] == 0 {
			continue // an impossible row: PyTorch zeroes its gradient
		}
		for t := 0; t < int(fx.InputLengths[b]); t++ {
			for k := 0; k < fx.K; k++ {
				i := (b*fx.T+t)*fx.K + k
				out[i] += math.Exp(lp[i]) * w
			}
		}
	}
	return out
}

func TestCTCLossMatchesPyTorch(t *testing.T) {
	paths := []struct {
		name string
		path ctcPath
	}{{"logits", pathLogits}, {"log_softmax", pathLogSoftmax}, {"softmax", pathSoftmax}, {"log_probs leaf", pathLogProbs}, {"padding", pathPadding}}
	dtypes := []struct {
		dt  tensor.Dtype
		tol float64
	}{{tensor.Float64, 1e-10}, {tensor.Float32, 1e-5}}
	for _, fx := range loadCTCFixtures(t) {
		for _, d := range dtypes {
			var maxLoss, maxGrad float64
			for _, p := range paths {
				if p.path == pathLogProbs && fx.ZeroInfinity && fx.Reduction != "none" {
					continue // which rows were zeroed is not in the fixture
				}
				t.Run(fx.Name+"/"+d.dt.String()+"/"+p.name, func(t *testing.T) {
					loss, grad := runCTCFixture(t, fx, d.dt, p.path)
					if len(loss) != len(fx.Loss) {
						t.Fatalf("%d loss values, PyTorch %d", len(loss), len(fx.Loss))
					}
					for i, l := range loss {
						if fx.LossInf[i] {
							if !math.IsInf(l, 1) {
								t.Errorf("loss[%d] = %g, PyTorch +Inf", i, l)
							}
							continue
						}
						diff := math.Abs(l - fx.Loss[i])
						maxLoss = math.Max(maxLoss, diff)
						if diff > d.tol*math.Max(1, math.Abs(fx.Loss[i])) {
							t.Errorf("loss[%d] = %.10g, PyTorch %.10g (diff %.3g)", i, l, fx.Loss[i], diff)
						}
					}
					want := fx.GradLogits
					if p.path == pathLogProbs && grad != nil {
						grad, want = torchLogProbGrad(fx, grad), fx.GradLogProbs
					}
					if (grad == nil) != (want == nil) {
						t.Fatalf("gradient present %v, PyTorch %v", grad != nil, want != nil)
					}
					for i := range grad {
						diff := math.Abs(grad[i] - want[i])
						maxGrad = math.Max(maxGrad, diff)
						if diff > d.tol {
							t.Fatalf("gradient[%d] = %.10g, PyTorch %.10g (diff %.3g)", i, grad[i], want[i], diff)
						}
					}
				})
			}
			t.Logf("%s %v: max |loss diff| %.3g, max |gradient diff| %.3g", fx.Name, d.dt, maxLoss, maxGrad)
		}
	}
}
