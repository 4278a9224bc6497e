package graph

import (
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ctcCase is a small batch for CTCLoss: labels (B, S) padded with -1.
type ctcCase struct {
	b, t, k, s    int
	labels        []float64
	inLens, lLens []float64
}

// mixedCTC has repeated labels, an empty labelling, an impossible row (3
// labels with two repeats in 4 frames) and different input lengths.
var mixedCTC = ctcCase{4, 6, 4, 3,
	[]float64{1, 1, 2, 3, -1, -1, -1, -1, -1, 2, 2, 2},
	[]float64{6, 3, 5, 4}, []float64{3, 1, 0, 3}}

// mixedCTCBlank3 is mixedCTC for blank 3 (Keras' K-1): class 0 is a label.
var mixedCTCBlank3 = ctcCase{4, 6, 4, 3,
	[]float64{1, 1, 2, 0, -1, -1, -1, -1, -1, 2, 2, 2},
	[]float64{6, 3, 5, 4}, []float64{3, 1, 0, 3}}

// build binds the case's labels and lengths (nil lengths when noLens) and
// applies CTCLoss to pred.
func (c ctcCase) build(g *Graph, pred *G.Node, opts CTCOptions, noLens bool) (*G.Node, error) {
	dt := pred.Dtype()
	labels, err := g.bind("ctc_labels", denseOf(dt, c.labels, c.b, c.s))
	if err != nil {
		return nil, err
	}
	if noLens {
		return CTCLoss(g, pred, labels, nil, nil, opts)
	}
	in, err := g.bind("ctc_in", denseOf(dt, c.inLens, c.b))
	if err != nil {
		return nil, err
	}
	ll, err := g.bind("ctc_lab", denseOf(dt, c.lLens, c.b))
	if err != nil {
		return nil, err
	}
	return CTCLoss(g, pred, labels, in, ll, opts)
}

func TestCTCLossGradients(t *testing.T) {
	c := mixedCTC
	noLens := ctcCase{3, 5, 3, 2, []float64{1, 2, 2, -1, -1, -1}, nil, nil}
	tests := []struct {
		name   string
		c      ctcCase
		opts   CTCOptions
		noLens bool
		lo, hi float64
	}{
		{"log-probs mean", c, CTCOptions{}, false, -3, 0},
		{"log-probs sum blank 3", mixedCTCBlank3, CTCOptions{Reduction: "sum", Blank: 3}, false, -3, 0},
		{"log-probs none", c, CTCOptions{Reduction: "none"}, false, -3, 0},
		{"logits mean", c, CTCOptions{Input: CTCLogits}, false, -3, 3},
		{"logits none keep infinity", ctcCase{2, 4, 3, 2, []float64{1, 2, 2, -1}, []float64{4, 3}, []float64{2, 1}}, CTCOptions{Input: CTCLogits, Reduction: "none", KeepInfinity: true}, false, -3, 3},
		{"probs sum", c, CTCOptions{Input: CTCProbs, Reduction: "sum"}, false, 0.05, 0.95},
		{"labels end at -1, full input", noLens, CTCOptions{Input: CTCLogits}, true, -3, 3},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkGrad(t, tc.name, func(g *Graph, in []*G.Node) (*G.Node, error) {
				return tc.c.build(g, in[0], tc.opts, tc.noLens)
			}, randTensor(int64(60+i), tc.lo, tc.hi, tc.c.b, tc.c.t, tc.c.k))
		})
	}
}

// ctcEval runs CTCLoss on x (float64 or float32 values) and returns the loss
// values and the gradient of their sum with respect to x.
func ctcEval(t *testing.T, c ctcCase, dt tensor.Dtype, x []float64, opts CTCOptions) ([]float64, []float64) {
	t.Helper()
	g, err := New(Train, dt, c.b)
	if err != nil {
		t.Fatal(err)
	}
	xn, err := g.bind("x", denseOf(dt, x, c.b, c.t, c.k))
	if err != nil {
		t.Fatal(err)
	}
	loss, err := c.build(g, xn, opts, c.inLens == nil)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := SumAll(loss)
	if err != nil {
		t.Fatal(err)
	}
	grads, err := G.Grad(cost, xn)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := NewExecutor(g.ExprGraph())
	if err != nil {
		t.Fatal(err)
	}
	if err := ex.Run(); err != nil {
		t.Fatal(err)
	}
	l := float64s(ex.Dense(loss))
	return append([]float64(nil), l...), append([]float64(nil), float64s(ex.Dense(grads[0]))...)
}

// bruteCTC is -log of the total probability of the paths of lp (t, k) that
// collapse to labels, by enumerating all k^t paths.
func bruteCTC(lp []float64, t, k, blank int, labels []int) float64 {
	total := 0.0
	path := make([]int, t)
	for {
		var out []int
		logp := 0.0
		for i, c := range path {
			logp += lp[i*k+c]
			if c != blank && (i == 0 || path[i-1] != c) {
				out = append(out, c)
			}
		}
		if len(out) == len(labels) {
			same := true
			for i := range out {
				same = same && out[i] == labels[i]
			}
			if same {
				total += math.Exp(logp)
			}
		}
		i := 0
		for ; i < t; i++ {
			if path[i]++; path[i] < k {
				break
			}
			path[i] = 0
		}
		if i == t {
			return -math.Log(total)
		}
	}
}

func TestCTCLossBruteForce(t *testing.T) {
	c := mixedCTC
	x := randTensor(70, -3, 3, c.b, c.t, c.k).Data().([]float64)
	lp := logSoftmax64(x, c.k)
	for _, blank := range []int{0, 3} {
		cc := c
		if blank == 3 {
			cc = mixedCTCBlank3
		}
		loss, _ := ctcEval(t, cc, tensor.Float64, lp, CTCOptions{Reduction: "none", Blank: blank, KeepInfinity: true})
		for b := 0; b < c.b; b++ {
			var labels []int
			for _, v := range cc.labels[b*c.s : b*c.s+int(c.lLens[b])] {
				labels = append(labels, int(v))
			}
			steps := int(c.inLens[b])
			want := bruteCTC(lp[b*c.t*c.k:], steps, c.k, blank, labels)
			if !(math.Abs(loss[b]-want) < 1e-12*math.Max(1, want)) && !(math.IsInf(want, 1) && math.IsInf(loss[b], 1)) {
				t.Errorf("blank %d row %d: loss %.15g, enumeration %.15g", blank, b, loss[b], want)
			}
		}
	}
}

func TestCTCLossImpossibleAlignments(t *testing.T) {
	c := ctcCase{2, 3, 3, 3, []float64{1, 1, 1, 1, 2, -1}, []float64{3, 1}, []float64{3, 2}}
	x := randTensor(71, -2, 2, c.b, c.t, c.k).Data().([]float64)
	tests := []struct {
		name    string
		opts    CTCOptions
		wantInf bool
	}{
		{"default gives zero", CTCOptions{Input: CTCLogits, Reduction: "none"}, false},
		{"keep infinity", CTCOptions{Input: CTCLogits, Reduction: "none", KeepInfinity: true}, true},
	}
	for _, tc := range tests {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(tc.name+" "+dt.String(), func(t *testing.T) {
				loss, grad := ctcEval(t, c, dt, x, tc.opts)
				for b, l := range loss {
					if tc.wantInf != math.IsInf(l, 1) || (!tc.wantInf && l != 0) {
						t.Errorf("row %d (impossible) loss %g, want +Inf %v", b, l, tc.wantInf)
					}
				}
				for i, v := range grad {
					if v != 0 {
						t.Fatalf("gradient[%d] = %g, want 0 for impossible rows", i, v)
					}
				}
			})
		}
	}
}

func TestCTCLossExtremeLogitsFloat32(t *testing.T) {
	c := ctcCase{1, 4, 3, 2, []float64{1, 2}, []float64{4}, []float64{2}}
	x := []float64{0, 1000, -1000, 0, 0, 0, 1000, 0, 2000, -500, 0, 0}
	loss, grad := ctcEval(t, c, tensor.Float32, x, CTCOptions{Input: CTCLogits, Reduction: "none"})
	for _, v := range append(loss, grad...) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("loss %v gradient %v: want finite values", loss, grad)
		}
	}
}

func TestCTCLossFuncMaskedInputLengths(t *testing.T) {
	c := ctcCase{2, 5, 4, 2, []float64{1, 2, 3, -1}, []float64{5, 3}, []float64{2, 1}}
	x := randTensor(72, -2, 2, c.b, c.t, c.k)
	want, _ := ctcEval(t, c, tensor.Float64, x.Data().([]float64), CTCOptions{Input: CTCLogits, Reduction: "none"})
	g, err := New(Train, tensor.Float64, c.b)
	if err != nil {
		t.Fatal(err)
	}
	xn, err := g.bind("x", x)
	if err != nil {
		t.Fatal(err)
	}
	mask, err := g.bind("mask", denseOf(tensor.Float64, []float64{1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, c.b, c.t))
	if err != nil {
		t.Fatal(err)
	}
	g.SetMask(xn, mask)
	y, err := g.bind("y", denseOf(tensor.Float64, c.labels, c.b, c.s))
	if err != nil {
		t.Fatal(err)
	}
	loss, err := CTCLossFunc(CTCOptions{Input: CTCLogits, Reduction: "none"})(g, xn, y)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := NewExecutor(g.ExprGraph())
	if err != nil {
		t.Fatal(err)
	}
	if err := ex.Run(); err != nil {
		t.Fatal(err)
	}
	for i, v := range float64s(ex.Dense(loss)) {
		if math.Abs(v-want[i]) > 1e-12 {
			t.Errorf("row %d: loss %g with the mask, %g with explicit lengths", i, v, want[i])
		}
	}
}

func TestCTCLossErrors(t *testing.T) {
	base := ctcCase{2, 4, 3, 2, []float64{1, 2, 2, -1}, []float64{4, 3}, []float64{2, 1}}
	tests := []struct {
		name   string
		mutate func(*ctcCase, *CTCOptions)
		want   string
	}{
		{"label is the blank", func(c *ctcCase, _ *CTCOptions) { c.labels[1] = 0 }, "label 0 at row 0 position 1"},
		{"label out of range", func(c *ctcCase, _ *CTCOptions) { c.labels[2] = 3 }, "label 3 at row 1 position 0"},
		{"input length too long", func(c *ctcCase, _ *CTCOptions) { c.inLens[1] = 5 }, "input length 5 of row 1 is not an integer in [0, 4]"},
		{"fractional label length", func(c *ctcCase, _ *CTCOptions) { c.lLens[0] = 1.5 }, "label length 1.5 of row 0"},
		{"blank out of range", func(_ *ctcCase, o *CTCOptions) { o.Blank = 3 }, "blank index 3 is not a class in [0, 3)"},
		{"unknown reduction", func(_ *ctcCase, o *CTCOptions) { o.Reduction = "avg" }, "unknown reduction \"avg\""},
		{"unknown input kind", func(_ *ctcCase, o *CTCOptions) { o.Input = 7 }, "unknown input kind 7"},
		{"labels shape", func(c *ctcCase, _ *CTCOptions) { c.b, c.s = 1, 4 }, "labels shape (1, 4), want (2, max label length)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			c.labels = append([]float64(nil), base.labels...)
			c.inLens = append([]float64(nil), base.inLens...)
			c.lLens = append([]float64(nil), base.lLens...)
			var opts CTCOptions
			tc.mutate(&c, &opts)
			g, err := New(Train, tensor.Float64, 2)
			if err != nil {
				t.Fatal(err)
			}
			x, err := g.bind("x", randTensor(73, -1, 1, 2, 4, 3))
			if err != nil {
				t.Fatal(err)
			}
			var lbl *G.Node
			if lbl, err = g.bind("labels", denseOf(tensor.Float64, c.labels, c.b, c.s)); err != nil {
				t.Fatal(err)
			}
			in, _ := g.bind("in", denseOf(tensor.Float64, c.inLens, 2))
			ll, _ := g.bind("ll", denseOf(tensor.Float64, c.lLens, 2))
			_, err = CTCLoss(g, x, lbl, in, ll, opts)
			if err == nil {
				var ex *Executor
				if ex, err = NewExecutor(g.ExprGraph()); err == nil {
					err = ex.Run()
				}
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestCTCLossParallelBatch runs a batch large enough to be split across cores
// (64 copies of one row, 64·40·16 values) and checks every row against the same
// row computed alone.
func TestCTCLossParallelBatch(t *testing.T) {
	const b, steps, k = 64, 40, 16
	one := ctcCase{1, steps, k, 4, []float64{3, 3, 7, 1}, []float64{33}, []float64{4}}
	x1 := randTensor(74, -3, 3, 1, steps, k).Data().([]float64)
	want, wantGrad := ctcEval(t, one, tensor.Float64, x1, CTCOptions{Input: CTCLogits, Reduction: "none"})
	big := ctcCase{b, steps, k, 4, nil, nil, nil}
	var x []float64
	for i := 0; i < b; i++ {
		big.labels = append(big.labels, one.labels...)
		big.inLens = append(big.inLens, one.inLens...)
		big.lLens = append(big.lLens, one.lLens...)
		x = append(x, x1...)
	}
	loss, grad := ctcEval(t, big, tensor.Float64, x, CTCOptions{Input: CTCLogits, Reduction: "none"})
	for i, l := range loss {
		if l != want[0] {
			t.Fatalf("row %d: loss %.17g, alone %.17g", i, l, want[0])
		}
	}
	for i, g := range grad {
		if g != wantGrad[i%len(wantGrad)] {
			t.Fatalf("gradient[%d] = %g, alone %g", i, g, wantGrad[i%len(wantGrad)])
		}
	}
}
