package graph

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// inBatchPred returns a float64 (b, 2d+1) prediction [u, v, log q]: u and v
// uniform in [-scale, scale), log q the log of a random probability.
func inBatchPred(seed int64, b, d int, scale float64) *tensor.Dense {
	rng := rand.New(rand.NewSource(seed))
	w := 2*d + 1
	x := make([]float64, b*w)
	for i := 0; i < b; i++ {
		for j := 0; j < 2*d; j++ {
			x[i*w+j] = scale * (2*rng.Float64() - 1)
		}
		x[i*w+2*d] = math.Log(0.001 + 0.2*rng.Float64())
	}
	return tensor.New(tensor.WithShape(b, w), tensor.WithBacking(x))
}

// directInBatch is the loss computed the plain way: scores, log-softmax of
// each row by its own maximum, minus the diagonal, averaged; and the rows.
func directInBatch(x []float64, b, d int, tau float64, logQ bool) (float64, []float64) {
	w := 2*d + 1
	rows := make([]float64, b)
	var total float64
	for i := 0; i < b; i++ {
		s := make([]float64, b)
		m := math.Inf(-1)
		for j := 0; j < b; j++ {
			var dot float64
			for k := 0; k < d; k++ {
				dot += x[i*w+k] * x[j*w+d+k]
			}
			s[j] = dot / tau
			if logQ {
				s[j] -= x[j*w+2*d]
			}
			m = math.Max(m, s[j])
		}
		var sum float64
		for _, z := range s {
			sum += math.Exp(z - m)
		}
		rows[i] = m + math.Log(sum) - s[i]
		total += rows[i]
	}
	return total / float64(b), rows
}

// runScalar is runBuild for an expression that may be a scalar (Gorgonia
// gives scalars as *F32 / *F64 values).
func runScalar(t *testing.T, build BuildFunc, inputs ...*tensor.Dense) ([]float64, tensor.Shape) {
	t.Helper()
	g, nodes := bindInputs(t, Train, inputs)
	out, err := build(g, nodes)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	e, err := NewExecutor(g.ExprGraph())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatalf("run: %v", err)
	}
	v := e.Value(out)
	if d, ok := v.(*tensor.Dense); ok && d.Dims() > 0 {
		return toF64(d), d.Shape().Clone()
	}
	s, err := ScalarValue(v)
	if err != nil {
		t.Fatal(err)
	}
	return []float64{s}, nil
}

func TestInBatchSoftmaxValue(t *testing.T) {
	const b, d, tau = 7, 4, 0.1
	for _, logQ := range []bool{true, false} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			x := inBatchPred(3, b, d, 1)
			want, wantRows := directInBatch(x.Data().([]float64), b, d, tau, logQ)
			in := x
			tol := 1e-12
			if dt == tensor.Float32 {
				in, tol = asF32(x), 1e-5
			}
			got, shape := runScalar(t, func(g *Graph, n []*G.Node) (*G.Node, error) {
				return InBatchSoftmax(d, tau, logQ)(g, n[0], n[0])
			}, in)
			if len(shape) != 0 {
				t.Fatalf("loss shape %v, want a scalar", shape)
			}
			assertClose(t, "loss", got, []float64{want}, tol)
			rows, shape := runScalar(t, func(g *Graph, n []*G.Node) (*G.Node, error) {
				return InBatchSoftmaxRows(n[0], d, tau, logQ)
			}, in)
			if !shape.Eq(tensor.Shape{b}) {
				t.Fatalf("rows shape %v, want (%d)", shape, b)
			}
			assertClose(t, "rows", rows, wantRows, tol)
		}
	}
}

// The log q correction subtracts log q_j from column j: with equal
// embeddings everywhere the scores of a row differ by log q only, so the
// loss is -log(softmax(-log q)_i) averaged, i.e. mean_i log(q_i·Σ_j 1/q_j).
func TestInBatchSoftmaxCorrection(t *testing.T) {
	q := []float64{0.5, 0.25, 0.125, 0.125}
	b, d := len(q), 2
	w := 2*d + 1
	x := make([]float64, b*w)
	var inv float64
	for i, qi := range q {
		x[i*w], x[i*w+d], x[i*w+2*d] = 1, 1, math.Log(qi)
		inv += 1 / qi
	}
	var want float64
	for _, qi := range q {
		want += math.Log(qi * inv)
	}
	want /= float64(b)
	in := tensor.New(tensor.WithShape(b, w), tensor.WithBacking(x))
	got, _ := runScalar(t, func(g *Graph, n []*G.Node) (*G.Node, error) {
		return InBatchSoftmaxLoss(n[0], d, 0.5, true)
	}, in)
	assertClose(t, "corrected loss", got, []float64{want}, 1e-12)
	got, _ = runScalar(t, func(g *Graph, n []*G.Node) (*G.Node, error) {
		return InBatchSoftmaxLoss(n[0], d, 0.5, false)
	}, in)
	assertClose(t, "uncorrected loss", got, []float64{math.Log(float64(b))}, 1e-12)
}

func TestInBatchSoftmaxGradient(t *testing.T) {
	for _, logQ := range []bool{true, false} {
		x := inBatchPred(5, 6, 3, 1)
		checkGradLog(t, func(g *Graph, n []*G.Node) (*G.Node, error) {
			return InBatchSoftmaxLoss(n[0], 3, 0.2, logQ)
		}, nil, x)
		// Rows weighted differently (CheckGradient's random reduction of a
		// non-scalar output) check the upstream gradient of every row.
		checkGradLog(t, func(g *Graph, n []*G.Node) (*G.Node, error) {
			return InBatchSoftmaxRows(n[0], 3, 0.2, logQ)
		}, nil, x)
	}
}

// The path of a two-tower model: L2-normalized towers and the log q column
// joined by Concat, then the loss; gradients reach both towers' outputs.
func TestInBatchSoftmaxGradientThroughTowers(t *testing.T) {
	const b, d = 5, 4
	a, v, lq := randTensor(7, -1, 1, b, d), randTensor(8, -1, 1, b, d), randTensor(9, -4, -1, b, 1)
	checkGradLog(t, func(g *Graph, n []*G.Node) (*G.Node, error) {
		u, err := L2Normalize(n[0], 1)
		if err != nil {
			return nil, err
		}
		w, err := L2Normalize(n[1], 1)
		if err != nil {
			return nil, err
		}
		p, err := Concat(-1, u, w, n[2])
		if err != nil {
			return nil, err
		}
		return InBatchSoftmaxLoss(p, d, 0.1, true)
	}, nil, a, v, lq)
}

// Scores far apart across rows (row 0 near +400, the others near -400) stay
// finite in float32: each row is shifted by its own maximum (Gorgonia's
// LogSoftmax takes one maximum for the whole tensor and gives Inf/NaN here).
func TestInBatchSoftmaxLargeScores(t *testing.T) {
	const b, d, tau = 4, 2, 0.05
	w := 2*d + 1
	x := make([]float64, b*w)
	for i := 0; i < b; i++ {
		s := -1.0
		if i == 0 {
			s = 1
		}
		x[i*w], x[i*w+1] = 10*s, 0.5*float64(i) // u
		x[i*w+d], x[i*w+d+1] = 2, float64(i)    // v
		x[i*w+2*d] = -3
	}
	in64 := tensor.New(tensor.WithShape(b, w), tensor.WithBacking(x))
	want, _ := directInBatch(x, b, d, tau, true)
	got, _ := runScalar(t, func(g *Graph, n []*G.Node) (*G.Node, error) {
		return InBatchSoftmaxLoss(n[0], d, tau, true)
	}, asF32(in64))
	if math.IsNaN(got[0]) || math.IsInf(got[0], 0) {
		t.Fatalf("float32 loss %v is not finite", got[0])
	}
	assertClose(t, "float32 loss", got, []float64{want}, 1e-5)
	// and its gradient is finite too.
	g, nodes := bindInputs(t, Train, []*tensor.Dense{asF32(in64)})
	loss, err := InBatchSoftmaxLoss(nodes[0], d, tau, true)
	if err != nil {
		t.Fatal(err)
	}
	grads, err := G.Grad(loss, nodes[0])
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewExecutor(g.ExprGraph())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	for i, v := range e.Dense(grads[0]).Data().([]float32) {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("gradient[%d] = %v", i, v)
		}
	}
}

func TestInBatchSoftmaxOneRow(t *testing.T) {
	got, _ := runScalar(t, func(g *Graph, n []*G.Node) (*G.Node, error) {
		return InBatchSoftmaxLoss(n[0], 2, 0.1, true)
	}, inBatchPred(1, 1, 2, 1))
	assertClose(t, "loss of one row", got, []float64{0}, 0)
}

func TestInBatchSoftmaxErrors(t *testing.T) {
	cases := []struct {
		name  string
		shape []int
		dim   int
		tau   float64
		want  string
	}{
		{"width", []int{4, 8}, 4, 0.1, "want (batch, 9)"},
		{"rank", []int{4, 3, 3}, 1, 0.1, "want (batch, 3)"},
		{"dim", []int{4, 1}, 0, 0.1, "dim = 0"},
		{"tau zero", []int{4, 5}, 2, 0, "temperature = 0"},
		{"tau nan", []int{4, 5}, 2, math.NaN(), "temperature = NaN"},
		{"tau inf", []int{4, 5}, 2, math.Inf(1), "temperature = +Inf"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g, err := New(Train, tensor.Float64, tc.shape[0])
			if err != nil {
				t.Fatal(err)
			}
			x, _, err := g.Input("x", tc.shape[1:]...)
			if err != nil {
				t.Fatal(err)
			}
			_, err = InBatchSoftmax(tc.dim, tc.tau, true)(g, x, x)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := InBatchSoftmaxLoss(nil, 2, 0.1, true); err == nil {
		t.Fatal("nil prediction: no error")
	}
}
