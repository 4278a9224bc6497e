package layers_test

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Numeric checks of MultiHeadAttention's masks, returned scores and attention
// dropout, on graphs built by hand so that masks can be set on the inputs.

// mhaMaskRun is one run's input: the query (B, Tq, d) and value (B, Tv, d) data,
// and optional query (B, Tq) and value (B, Tv) keep masks (1 keep, 0 mask).
type mhaMaskRun struct {
	b, tq, tv, d int
	q, v         []float64
	qMask, vMask []float64
}

// mhaMaskLayer builds a MultiHeadAttention (float32) for queries (tq, d) and
// values (tv, d) and sets every weight to seeded values in [-0.5, 0.5] (the
// output bias included, so that it is not zero).
func mhaMaskLayer(t *testing.T, heads, keyDim, tq, tv, d int, seed int64, opts ...layers.Option) *layers.MultiHeadAttentionLayer {
	t.Helper()
	l := layers.MultiHeadAttention(heads, keyDim, append([]layers.Option{layers.WithName("mha"), layers.WithReturnScores(true)}, opts...)...)
	q := layers.NewInput("query", layers.Shape(tq, d))
	v := layers.NewInput("value", layers.Shape(tv, d))
	m, err := layers.NewModel([]*layers.Tensor{q, v}, l.Apply(q, v))
	if err != nil {
		t.Fatalf("model: %v", err)
	}
	if err := m.Build(layers.WithDType(tensor.Float32)); err != nil {
		t.Fatalf("build: %v", err)
	}
	rng := rand.New(rand.NewSource(seed))
	for _, p := range l.Params() {
		vals := make([]float64, p.Size())
		for i := range vals {
			vals[i] = rng.Float64() - 0.5
		}
		if err := p.SetFloat64s(vals); err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
	}
	return l
}

// mhaCopyWeights copies src's weights into dst (same shapes).
func mhaCopyWeights(t *testing.T, dst, src *layers.MultiHeadAttentionLayer) {
	t.Helper()
	sp, dp := src.Params(), dst.Params()
	if len(sp) != len(dp) {
		t.Fatalf("%d weights vs %d", len(sp), len(dp))
	}
	for i := range sp {
		if err := dp[i].SetFloat64s(sp[i].Float64s()); err != nil {
			t.Fatalf("%s: %v", dp[i].Name, err)
		}
	}
}

// mhaParam returns the layer's weight whose name ends in suffix.
func mhaParam(t *testing.T, l *layers.MultiHeadAttentionLayer, suffix string) *graph.Param {
	t.Helper()
	for _, p := range l.Params() {
		if strings.HasSuffix(p.Name, "/"+suffix) {
			return p
		}
	}
	t.Fatalf("no weight */%s", suffix)
	return nil
}

// mhaForward runs the layer once on a graph of the given mode and returns y (B,
// Tq, out) and the returned scores (B, heads, Tq, Tv).
func mhaForward(t *testing.T, l *layers.MultiHeadAttentionLayer, mode graph.Mode, r mhaMaskRun, seed int64) (y, scores []float64) {
	t.Helper()
	g, err := graph.New(mode, tensor.Float32, r.b)
	if err != nil {
		t.Fatal(err)
	}
	input := func(name string, data []float64, shape ...int) *G.Node {
		n, tt, err := g.Input(name, shape...)
		if err != nil {
			t.Fatalf("input %s: %v", name, err)
		}
		d := tt.Data().([]float32)
		if len(d) != len(data) {
			t.Fatalf("input %s: %d values for %v", name, len(data), tt.Shape())
		}
		for i, v := range data {
			d[i] = float32(v)
		}
		return n
	}
	qn := input("x/query", r.q, r.tq, r.d)
	vn := input("x/value", r.v, r.tv, r.d)
	if r.qMask != nil {
		g.SetMask(qn, input("x/query_mask", r.qMask, r.tq))
	}
	if r.vMask != nil {
		g.SetMask(vn, input("x/value_mask", r.vMask, r.tv))
	}
	outs, err := l.ForwardMulti(g, []*G.Node{qn, vn})
	if err != nil {
		t.Fatalf("forward: %v", err)
	}
	if len(outs) != 2 {
		t.Fatalf("%d outputs, want 2", len(outs))
	}
	if r.qMask != nil {
		if _, ok := g.Mask(outs[0]); !ok {
			t.Errorf("the output does not carry the query's mask")
		}
	}
	g.FillFeeds(rand.New(rand.NewSource(seed)))
	e, err := graph.NewExecutor(g.ExprGraph())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatalf("run: %v", err)
	}
	read := func(n *G.Node) []float64 {
		d := e.Dense(n)
		if d == nil {
			t.Fatalf("node %s has no dense value", n.Name())
		}
		var out []float64
		for _, v := range d.Data().([]float32) {
			out = append(out, float64(v))
		}
		return out
	}
	return read(outs[0]), read(outs[1])
}

// mhaRandom returns n seeded values in [-1, 1).
func mhaRandom(n int, seed int64) []float64 {
	rng := rand.New(rand.NewSource(seed))
	out := make([]float64, n)
	for i := range out {
		out[i] = 2*rng.Float64() - 1
	}
	return out
}

// mhaCheckRows checks every row of scores (B, H, Tq, Tv): rows whose query is kept
// sum to 1 and are zero at the dropped keys, as keep(b, i, j) says; rows of a
// dropped query (rowKept false) are all zero.
func mhaCheckRows(t *testing.T, scores []float64, b, h, tq, tv int, rowKept func(b, i int) bool, keep func(b, i, j int) bool) {
	t.Helper()
	if len(scores) != b*h*tq*tv {
		t.Fatalf("scores hold %d values, want %d", len(scores), b*h*tq*tv)
	}
	for bi := 0; bi < b; bi++ {
		for hi := 0; hi < h; hi++ {
			for i := 0; i < tq; i++ {
				row := scores[((bi*h+hi)*tq+i)*tv : ((bi*h+hi)*tq+i+1)*tv]
				sum := 0.0
				for j, w := range row {
					sum += w
					if (!rowKept(bi, i) || !keep(bi, i, j)) && w != 0 {
						t.Errorf("scores[%d,%d,%d,%d] = %g, want 0 (masked)", bi, hi, i, j, w)
					}
					if w < 0 || math.IsNaN(w) {
						t.Errorf("scores[%d,%d,%d,%d] = %g", bi, hi, i, j, w)
					}
				}
				want := 1.0
				if !rowKept(bi, i) {
					want = 0
				}
				if math.Abs(sum-want) > 1e-5 {
					t.Errorf("scores[%d,%d,%d,:] sum to %.7g, want %g", bi, hi, i, sum, want)
				}
			}
		}
	}
}

func mhaMaxDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

// TestAttentionMaskedKeys: keys masked by the value's mask get weight 0 (every
// row still sums to 1), and the values at masked steps do not change the output.
func TestAttentionMaskedKeys(t *testing.T) {
	const b, tq, tv, d, h, kd = 2, 3, 5, 4, 2, 3
	l := mhaMaskLayer(t, h, kd, tq, tv, d, 1)
	vMask := []float64{1, 0, 1, 1, 0, 0, 0, 1, 1, 0}
	r := mhaMaskRun{b: b, tq: tq, tv: tv, d: d, q: mhaRandom(b*tq*d, 2), v: mhaRandom(b*tv*d, 3), vMask: vMask}
	y, scores := mhaForward(t, l, graph.Train, r, 1)
	mhaCheckRows(t, scores, b, h, tq, tv, func(int, int) bool { return true },
		func(bi, _, j int) bool { return vMask[bi*tv+j] != 0 })
	// Changing the values (and keys) at the masked steps leaves y unchanged.
	r2 := r
	r2.v = append([]float64(nil), r.v...)
	for bi := 0; bi < b; bi++ {
		for j := 0; j < tv; j++ {
			if vMask[bi*tv+j] == 0 {
				for k := 0; k < d; k++ {
					r2.v[(bi*tv+j)*d+k] += 10
				}
			}
		}
	}
	y2, _ := mhaForward(t, l, graph.Train, r2, 1)
	if diff := mhaMaxDiff(y, y2); diff > 1e-6 {
		t.Errorf("changing masked values moves y by %g", diff)
	}
	// Without the mask the same change does move y (the check above is not vacuous).
	r.vMask, r2.vMask = nil, nil
	y3, _ := mhaForward(t, l, graph.Train, r, 1)
	y4, _ := mhaForward(t, l, graph.Train, r2, 1)
	if diff := mhaMaxDiff(y3, y4); diff < 1e-3 {
		t.Errorf("without the mask, changing those values moves y by only %g", diff)
	}
}

// TestAttentionMaskedQuery: a step masked by the query's mask attends to nothing:
// its scores are 0 and its output is the output bias; the other steps are the
// same as without the query mask.
func TestAttentionMaskedQuery(t *testing.T) {
	const b, tq, tv, d, h, kd = 2, 4, 3, 5, 2, 2
	l := mhaMaskLayer(t, h, kd, tq, tv, d, 4)
	qMask := []float64{1, 0, 1, 0, 0, 1, 1, 1}
	r := mhaMaskRun{b: b, tq: tq, tv: tv, d: d, q: mhaRandom(b*tq*d, 5), v: mhaRandom(b*tv*d, 6), qMask: qMask}
	y, scores := mhaForward(t, l, graph.Infer, r, 1)
	kept := func(bi, i int) bool { return qMask[bi*tq+i] != 0 }
	mhaCheckRows(t, scores, b, h, tq, tv, kept, func(int, int, int) bool { return true })
	bias := mhaParam(t, l, "output/bias").Float64s()
	if len(bias) != d {
		t.Fatalf("output bias has %d values, want %d", len(bias), d)
	}
	r.qMask = nil
	yFree, _ := mhaForward(t, l, graph.Infer, r, 1)
	for bi := 0; bi < b; bi++ {
		for i := 0; i < tq; i++ {
			for k := 0; k < d; k++ {
				got := y[(bi*tq+i)*d+k]
				want := yFree[(bi*tq+i)*d+k]
				if !kept(bi, i) {
					want = float64(float32(bias[k]))
				}
				if math.Abs(got-want) > 1e-6 {
					t.Errorf("y[%d,%d,%d] = %.7g, want %.7g (query kept %v)", bi, i, k, got, want, kept(bi, i))
				}
			}
		}
	}
}

// TestAttentionCausalScores: with WithCausalMask, the returned scores' rows sum
// to 1 and are zero above the diagonal; combined with a value mask, both apply,
// and a row whose keys are all masked is zero and outputs the output bias.
func TestAttentionCausalScores(t *testing.T) {
	const b, tq, d, h, kd = 2, 5, 4, 3, 2
	l := mhaMaskLayer(t, h, kd, tq, tq, d, 7, layers.WithCausalMask(true))
	x := mhaMaskRun{b: b, tq: tq, tv: tq, d: d, q: mhaRandom(b*tq*d, 8)}
	x.v = x.q
	_, scores := mhaForward(t, l, graph.Train, x, 1)
	mhaCheckRows(t, scores, b, h, tq, tq, func(int, int) bool { return true },
		func(_, i, j int) bool { return j <= i })
	// A diagonal entry is positive (the check of zeros is not vacuous the other way).
	if scores[0] != 1 {
		t.Errorf("scores[0,0,0,0] = %g, want 1 (the first step sees only itself)", scores[0])
	}

	// Causal and a value mask: example 1 masks key 0, so its query 0 sees nothing.
	vMask := []float64{1, 1, 0, 1, 1, 0, 1, 1, 1, 0}
	x.vMask = vMask
	y, scores := mhaForward(t, l, graph.Train, x, 1)
	rowKept := func(bi, i int) bool {
		for j := 0; j <= i; j++ {
			if vMask[bi*tq+j] != 0 {
				return true
			}
		}
		return false
	}
	mhaCheckRows(t, scores, b, h, tq, tq, rowKept, func(bi, i, j int) bool { return j <= i && vMask[bi*tq+j] != 0 })
	bias := mhaParam(t, l, "output/bias").Float64s()
	for k := 0; k < d; k++ {
		if got, want := y[(1*tq+0)*d+k], float64(float32(bias[k])); math.Abs(got-want) > 1e-6 {
			t.Errorf("y[1,0,%d] = %.7g, want the output bias %.7g", k, got, want)
		}
	}
}

// TestAttentionDropout: attention dropout changes the outputs in training (and
// with another seed, differently) but not at inference, where the layer equals
// the same weights without dropout; the returned scores are those before dropout.
func TestAttentionDropout(t *testing.T) {
	const b, tq, tv, d, h, kd = 2, 4, 6, 4, 2, 3
	drop := mhaMaskLayer(t, h, kd, tq, tv, d, 9, layers.WithAttentionDropout(0.5))
	plain := mhaMaskLayer(t, h, kd, tq, tv, d, 10)
	mhaCopyWeights(t, plain, drop)
	r := mhaMaskRun{b: b, tq: tq, tv: tv, d: d, q: mhaRandom(b*tq*d, 11), v: mhaRandom(b*tv*d, 12)}
	yRef, sRef := mhaForward(t, plain, graph.Train, r, 1)
	yInfer, sInfer := mhaForward(t, drop, graph.Infer, r, 1)
	if diff := mhaMaxDiff(yInfer, yRef); diff > 1e-6 {
		t.Errorf("inference output with dropout differs from the layer without by %g", diff)
	}
	if diff := mhaMaxDiff(sInfer, sRef); diff > 1e-6 {
		t.Errorf("inference scores with dropout differ from the layer without by %g", diff)
	}
	yTrain, sTrain := mhaForward(t, drop, graph.Train, r, 1)
	if diff := mhaMaxDiff(yTrain, yRef); diff < 1e-3 {
		t.Errorf("training output with dropout 0.5 differs from the one without by only %g", diff)
	}
	if diff := mhaMaxDiff(sTrain, sRef); diff > 1e-6 {
		t.Errorf("training scores (before dropout) differ from those without dropout by %g", diff)
	}
	yTrain2, _ := mhaForward(t, drop, graph.Train, r, 2)
	if diff := mhaMaxDiff(yTrain, yTrain2); diff < 1e-3 {
		t.Errorf("two dropout seeds give outputs differing by only %g", diff)
	}
	yTrain3, _ := mhaForward(t, drop, graph.Train, r, 1)
	if diff := mhaMaxDiff(yTrain, yTrain3); diff != 0 {
		t.Errorf("the same dropout seed gives outputs differing by %g", diff)
	}
}
