package graph

import (
	"fmt"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func batchDotBuild(axA, axB int, normalize bool) BuildFunc {
	return func(g *Graph, in []*G.Node) (*G.Node, error) { return BatchDot(in[0], in[1], axA, axB, normalize) }
}

// batchDotRef is Keras' batch_dot by its definition: for rank 3, out[i, p, q] =
// sum_k a[i, .., ..] b[i, .., ..] with k on axA of a and axB of b, p the other
// axis of a and q the other axis of b; for rank 2, out[i, 0] = sum_k a[i,k] b[i,k].
func batchDotRef(a *tensor.Dense, b *tensor.Dense, axA, axB int) []float64 {
	ad, bd := a.Data().([]float64), b.Data().([]float64)
	sa, sb := a.Shape(), b.Shape()
	if sa.Dims() == 2 {
		out := make([]float64, sa[0])
		for i := range out {
			for k := 0; k < sa[1]; k++ {
				out[i] += ad[i*sa[1]+k] * bd[i*sb[1]+k]
			}
		}
		return out
	}
	at := func(i, p, k int) float64 { // p: a's free index, k: contracted
		if axA == 2 {
			return ad[(i*sa[1]+p)*sa[2]+k]
		}
		return ad[(i*sa[1]+k)*sa[2]+p]
	}
	bt := func(i, q, k int) float64 {
		if axB == 2 {
			return bd[(i*sb[1]+q)*sb[2]+k]
		}
		return bd[(i*sb[1]+k)*sb[2]+q]
	}
	P, Q, K := sa[3-axA], sb[3-axB], sa[axA]
	out := make([]float64, sa[0]*P*Q)
	for i := 0; i < sa[0]; i++ {
		for p := 0; p < P; p++ {
			for q := 0; q < Q; q++ {
				for k := 0; k < K; k++ {
					out[(i*P+p)*Q+q] += at(i, p, k) * bt(i, q, k)
				}
			}
		}
	}
	return out
}

func TestBatchDotForwardByHand(t *testing.T) {
	tests := []struct {
		name      string
		a, b      *tensor.Dense
		axA, axB  int
		normalize bool
		shape     []int
		want      []float64
	}{
		{name: "rank2", a: dense64([]int{2, 3}, 1, 2, 3, 4, 5, 6), b: dense64([]int{2, 3}, 1, 0, -1, 2, 1, 0),
			axA: 1, axB: 1, shape: []int{2, 1}, want: []float64{-2, 13}},
		{name: "rank2_cosine", a: dense64([]int{3, 3}, 3, 4, 0, 1, 0, 0, 0, 0, 0), b: dense64([]int{3, 3}, 4, 3, 0, 0, 2, 0, 1, 1, 1),
			axA: -1, axB: -1, normalize: true, shape: []int{3, 1}, want: []float64{0.96, 0, 0}},
		{name: "rank3_axes22", a: dense64([]int{1, 2, 2}, 1, 2, 3, 4), b: dense64([]int{1, 3, 2}, 1, 0, 0, 1, 1, 1),
			axA: 2, axB: 2, shape: []int{1, 2, 3}, want: []float64{1, 2, 3, 3, 4, 7}},
		{name: "rank3_axes11", a: dense64([]int{1, 2, 2}, 1, 2, 3, 4), b: dense64([]int{1, 2, 3}, 1, 0, 2, 0, 1, 1),
			axA: 1, axB: 1, shape: []int{1, 2, 3}, want: []float64{1, 3, 5, 2, 4, 8}},
		{name: "rank3_axes21", a: dense64([]int{1, 2, 2}, 1, 2, 3, 4), b: dense64([]int{1, 2, 3}, 1, 0, 2, 0, 1, 1),
			axA: 2, axB: 1, shape: []int{1, 2, 3}, want: []float64{1, 2, 4, 3, 4, 10}},
		{name: "rank3_axes12", a: dense64([]int{1, 2, 2}, 1, 2, 3, 4), b: dense64([]int{1, 3, 2}, 1, 0, 0, 1, 1, 1),
			axA: 1, axB: 2, shape: []int{1, 2, 3}, want: []float64{1, 3, 4, 2, 4, 6}},
	}
	for _, tc := range tests {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			t.Run(fmt.Sprintf("%s_%v", tc.name, dt), func(t *testing.T) {
				a, b := tc.a, tc.b
				if dt == tensor.Float32 {
					a, b = asF32(a), asF32(b)
				}
				e, out, _ := execBuild(t, batchDotBuild(tc.axA, tc.axB, tc.normalize), nil, nil, a, b)
				y := e.Dense(out)
				if y.Dtype() != dt || !y.Shape().Eq(tensor.Shape(tc.shape)) || !out.Shape().Eq(tensor.Shape(tc.shape)) {
					t.Fatalf("output %v %v (node %v), want %v", y.Dtype(), y.Shape(), out.Shape(), tc.shape)
				}
				assertClose(t, "batch_dot", toF64(y), tc.want, 1e-6)
			})
		}
	}
}

// TestBatchDotForwardRef compares every pair of axes (negative ones included) with
// the definition on random inputs.
func TestBatchDotForwardRef(t *testing.T) {
	tests := []struct {
		axA, axB int
		sa, sb   []int
	}{
		{1, 1, []int{3, 4}, []int{3, 4}},
		{-1, 1, []int{3, 4}, []int{3, 4}},
		{2, 2, []int{2, 3, 4}, []int{2, 5, 4}},
		{-1, -1, []int{2, 3, 4}, []int{2, 5, 4}},
		{1, 1, []int{2, 3, 4}, []int{2, 3, 5}},
		{-2, 1, []int{2, 3, 4}, []int{2, 3, 5}},
		{2, 1, []int{2, 3, 4}, []int{2, 4, 5}},
		{1, 2, []int{2, 3, 4}, []int{2, 5, 3}},
	}
	for i, tc := range tests {
		a, b := randTensor(int64(80+i), -1, 1, tc.sa...), randTensor(int64(90+i), -1, 1, tc.sb...)
		got, _ := runBuild(t, Train, batchDotBuild(tc.axA, tc.axB, false), a, b)
		axA, _ := normAxis(tc.axA, len(tc.sa))
		axB, _ := normAxis(tc.axB, len(tc.sb))
		assertClose(t, fmt.Sprintf("axes (%d, %d) %v·%v", tc.axA, tc.axB, tc.sa, tc.sb), got, batchDotRef(a, b, axA, axB), 1e-12)
	}
}

func TestBatchDotGradient(t *testing.T) {
	tests := []struct {
		axA, axB int
		sa, sb   []int
	}{
		{1, 1, []int{3, 4}, []int{3, 4}},
		{2, 2, []int{2, 3, 4}, []int{2, 5, 4}},
		{1, 1, []int{2, 3, 4}, []int{2, 3, 5}},
		{2, 1, []int{2, 3, 4}, []int{2, 4, 5}},
		{1, 2, []int{2, 3, 4}, []int{2, 5, 3}},
	}
	for i, tc := range tests {
		for _, normalize := range []bool{false, true} {
			t.Run(fmt.Sprintf("axes%d%d_%v_normalize=%v", tc.axA, tc.axB, tc.sa, normalize), func(t *testing.T) {
				a, b := randTensor(int64(100+i), -1, 1, tc.sa...), randTensor(int64(110+i), -1, 1, tc.sb...)
				checkGradLog(t, batchDotBuild(tc.axA, tc.axB, normalize), nil, a, b)
			})
		}
	}
	t.Run("same_input", func(t *testing.T) {
		checkGradLog(t, func(g *Graph, in []*G.Node) (*G.Node, error) { return BatchDot(in[0], in[0], 2, 2, false) }, nil,
			randTensor(120, -1, 1, 2, 3, 4))
	})
}

func TestL2NormalizeForward(t *testing.T) {
	tests := []struct {
		name string
		x    *tensor.Dense
		axis int
		want []float64
	}{
		{"axis1", dense64([]int{2, 2}, 3, 4, 0, 0), 1, []float64{0.6, 0.8, 0, 0}},
		{"axis0", dense64([]int{2, 2}, 3, 1, 4, 0), 0, []float64{0.6, 1, 0.8, 0}},
		{"axis1_rank3", dense64([]int{1, 2, 2}, 3, -5, 4, 12), -2, []float64{0.6, -5.0 / 13, 0.8, 12.0 / 13}},
		// below the clamp the input is divided by 1e-12
		{"tiny", dense64([]int{1, 2}, 3e-13, 4e-13), 1, []float64{0.3, 0.4}},
	}
	for _, tc := range tests {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			x := tc.x
			if dt == tensor.Float32 {
				x = asF32(x)
			}
			got, _ := runBuild(t, Train, func(g *Graph, in []*G.Node) (*G.Node, error) { return L2Normalize(in[0], tc.axis) }, x)
			assertClose(t, fmt.Sprintf("%s %v", tc.name, dt), got, tc.want, 1e-6)
		}
	}
}

func TestL2NormalizeGradient(t *testing.T) {
	for _, axis := range []int{0, 1, 2, -1} {
		t.Run(fmt.Sprint(axis), func(t *testing.T) {
			checkGradLog(t, func(g *Graph, in []*G.Node) (*G.Node, error) { return L2Normalize(in[0], axis) }, nil,
				randTensor(int64(130+axis), -1, 1, 2, 3, 4))
		})
	}
	// below the clamp the gradient is upstream / 1e-12
	x := dense64([]int{1, 2}, 3e-13, 0)
	up := dense64([]int{1, 2}, 2, -1)
	e, _, grads := execBuild(t, func(g *Graph, in []*G.Node) (*G.Node, error) { return L2Normalize(in[0], 1) }, up, []int{0}, x)
	assertClose(t, "clamped gradient", toF64(e.Dense(grads[0])), []float64{2e12, -1e12}, 1e-9)
}

func TestBatchDotErrors(t *testing.T) {
	g := G.NewGraph()
	a2 := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("a2"))
	b2 := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 4), G.WithName("b2"))
	c2 := G.NewMatrix(g, tensor.Float64, G.WithShape(3, 3), G.WithName("c2"))
	f2 := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 3), G.WithName("f2"))
	a3 := G.NewTensor(g, tensor.Float64, 3, G.WithShape(2, 3, 4), G.WithName("a3"))
	b3 := G.NewTensor(g, tensor.Float64, 3, G.WithShape(2, 5, 4), G.WithName("b3"))
	a4 := G.NewTensor(g, tensor.Float64, 4, G.WithShape(2, 3, 4, 1), G.WithName("a4"))
	tests := []struct {
		name     string
		a, b     *G.Node
		axA, axB int
		want     []string
	}{
		{"rank2_sizes", a2, b2, 1, 1, []string{"(2, 3)", "(2, 4)", "axes (1, 1)", "contracted"}},
		{"rank3_sizes", a3, b3, 1, 1, []string{"(2, 3, 4)", "(2, 5, 4)", "axes (1, 1)", "contracted"}},
		{"ranks", a2, a3, 1, 2, []string{"(2, 3)", "(2, 3, 4)", "rank"}},
		{"rank4", a4, a4, 1, 1, []string{"(2, 3, 4, 1)", "rank"}},
		{"batch_axis", a3, b3, 0, 0, []string{"axes (0, 0)", "batch axis"}},
		{"axis_out_of_range", a3, b3, 3, 2, []string{"axes (3, 2)"}},
		{"batch", a2, c2, 1, 1, []string{"(2, 3)", "(3, 3)", "batch sizes"}},
		{"dtype", a2, f2, 1, 1, []string{"dtypes"}},
	}
	for _, tc := range tests {
		for _, normalize := range []bool{false, true} {
			_, err := BatchDot(tc.a, tc.b, tc.axA, tc.axB, normalize)
			if err == nil {
				t.Errorf("%s: no error", tc.name)
				continue
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: error %q does not name %q", tc.name, err, w)
				}
			}
		}
	}
	if _, err := L2Normalize(a2, 2); err == nil || !strings.Contains(err.Error(), "axis 2") {
		t.Errorf("L2Normalize axis 2 of %v: error %v", a2.Shape(), err)
	}
}
