package graph

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// naiveFM is the factorization machine term the slow way: per example and
// dimension, the sum over pairs i < j of x_i·x_j (summed over the dimensions unless
// keep).
func naiveFM(x []float64, b, f, k int, keep bool) []float64 {
	var out []float64
	for e := 0; e < b; e++ {
		per := make([]float64, k)
		for i := 0; i < f; i++ {
			for j := i + 1; j < f; j++ {
				for c := 0; c < k; c++ {
					per[c] += x[(e*f+i)*k+c] * x[(e*f+j)*k+c]
				}
			}
		}
		if keep {
			out = append(out, per...)
			continue
		}
		s := 0.0
		for _, v := range per {
			s += v
		}
		out = append(out, s)
	}
	return out
}

// naiveDotPairs lists <x_i, x_j> for i < j (i <= j with self), row-major.
func naiveDotPairs(x []float64, b, f, k int, self bool) []float64 {
	var out []float64
	for e := 0; e < b; e++ {
		for i := 0; i < f; i++ {
			for j := i; j < f; j++ {
				if j == i && !self {
					continue
				}
				s := 0.0
				for c := 0; c < k; c++ {
					s += x[(e*f+i)*k+c] * x[(e*f+j)*k+c]
				}
				out = append(out, s)
			}
		}
	}
	return out
}

func TestFMInteractionForward(t *testing.T) {
	for _, shape := range [][]int{{3, 4, 5}, {2, 1, 3}, {1, 2, 1}, {2, 7, 2}} {
		for _, keep := range []bool{false, true} {
			for _, f32 := range []bool{false, true} {
				name := fmt.Sprintf("%v_keep=%v_f32=%v", shape, keep, f32)
				t.Run(name, func(t *testing.T) {
					x := randTensor(int64(shape[1]*10+shape[2]), -2, 2, shape...)
					want := naiveFM(x.Data().([]float64), shape[0], shape[1], shape[2], keep)
					in := x
					if f32 {
						in = asF32(x)
					}
					got, s := runBuild(t, Train, func(g *Graph, n []*G.Node) (*G.Node, error) { return FMInteraction(n[0], keep) }, in)
					wantShape := tensor.Shape{shape[0], 1}
					if keep {
						wantShape = tensor.Shape{shape[0], shape[2]}
					}
					if !s.Eq(wantShape) {
						t.Fatalf("shape %v, want %v", s, wantShape)
					}
					tol := 1e-12
					if f32 {
						tol = 1e-5
					}
					assertClose(t, "fm", got, want, tol)
				})
			}
		}
	}
}

// TestFMInteractionKnown: two fields (1, 2) and (3, 4) interact as 1·3 + 2·4 = 11.
func TestFMInteractionKnown(t *testing.T) {
	x := dense64([]int{1, 2, 2}, 1, 2, 3, 4)
	got, _ := runBuild(t, Train, func(g *Graph, n []*G.Node) (*G.Node, error) { return FMInteraction(n[0], false) }, x)
	assertClose(t, "fm", got, []float64{11}, 1e-12)
	got, _ = runBuild(t, Train, func(g *Graph, n []*G.Node) (*G.Node, error) { return FMInteraction(n[0], true) }, x)
	assertClose(t, "fm keep", got, []float64{3, 8}, 1e-12)
}

func TestFMInteractionGradient(t *testing.T) {
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprintf("keep=%v", keep), func(t *testing.T) {
			checkGradLog(t, func(g *Graph, n []*G.Node) (*G.Node, error) { return FMInteraction(n[0], keep) },
				nil, randTensor(50, -2, 2, 3, 4, 3))
		})
	}
	// Through a product, so that the upstream gradient is not constant.
	t.Run("composed", func(t *testing.T) {
		checkGradLog(t, func(g *Graph, n []*G.Node) (*G.Node, error) {
			y, err := FMInteraction(n[0], false)
			if err != nil {
				return nil, err
			}
			return G.HadamardProd(y, y)
		}, nil, randTensor(51, -1, 1, 2, 3, 2))
	})
}

// TestFMInteractionGradWithExecutor: the gradient op's preallocated output is
// overwritten, not accumulated, on a second run.
func TestFMInteractionGradWithExecutor(t *testing.T) {
	x := dense64([]int{1, 2, 2}, 1, 2, 3, 4)
	up := dense64([]int{1, 1}, 2)
	e, _, grads := execBuild(t, func(g *Graph, n []*G.Node) (*G.Node, error) { return FMInteraction(n[0], false) }, up, []int{0}, x)
	// dy/dx_f = (Σ x) - x_f = (4, 6) - x_f; times 2.
	want := []float64{6, 8, 2, 4}
	assertClose(t, "dx", toF64(e.Dense(grads[0])), want, 1e-12)
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	assertClose(t, "dx, second run", toF64(e.Dense(grads[0])), want, 1e-12)
}

func TestDotInteractionForward(t *testing.T) {
	for _, shape := range [][]int{{3, 4, 5}, {2, 2, 3}, {2, 5, 1}} {
		for _, self := range []bool{false, true} {
			for _, f32 := range []bool{false, true} {
				t.Run(fmt.Sprintf("%v_self=%v_f32=%v", shape, self, f32), func(t *testing.T) {
					x := randTensor(int64(shape[1]*7+shape[2]), -2, 2, shape...)
					want := naiveDotPairs(x.Data().([]float64), shape[0], shape[1], shape[2], self)
					in := x
					if f32 {
						in = asF32(x)
					}
					got, s := runBuild(t, Train, func(g *Graph, n []*G.Node) (*G.Node, error) { return DotInteraction(n[0], self) }, in)
					if p := InteractionPairs(shape[1], self); !s.Eq(tensor.Shape{shape[0], p}) {
						t.Fatalf("shape %v, want (%d, %d)", s, shape[0], p)
					}
					tol := 1e-12
					if f32 {
						tol = 1e-5
					}
					assertClose(t, "dot interaction", got, want, tol)
				})
			}
		}
	}
}

// TestDotInteractionOrder: three fields e0, e1, 2·e0+e1 give their pairs in the
// order (0,1), (0,2), (1,2), and with self (0,0), (0,1), (0,2), (1,1), (1,2), (2,2).
func TestDotInteractionOrder(t *testing.T) {
	x := dense64([]int{1, 3, 2}, 1, 0, 0, 1, 2, 1)
	got, _ := runBuild(t, Train, func(g *Graph, n []*G.Node) (*G.Node, error) { return DotInteraction(n[0], false) }, x)
	assertClose(t, "pairs", got, []float64{0, 2, 1}, 1e-12)
	got, _ = runBuild(t, Train, func(g *Graph, n []*G.Node) (*G.Node, error) { return DotInteraction(n[0], true) }, x)
	assertClose(t, "pairs with self", got, []float64{1, 0, 2, 1, 1, 5}, 1e-12)
	if InteractionPairs(4, false) != 6 || InteractionPairs(4, true) != 10 || InteractionPairs(1, true) != 1 {
		t.Error("InteractionPairs")
	}
}

func TestDotInteractionGradient(t *testing.T) {
	for _, self := range []bool{false, true} {
		t.Run(fmt.Sprintf("self=%v", self), func(t *testing.T) {
			checkGradLog(t, func(g *Graph, n []*G.Node) (*G.Node, error) { return DotInteraction(n[0], self) },
				nil, randTensor(52, -2, 2, 3, 4, 3))
		})
	}
	t.Run("one field with self", func(t *testing.T) {
		checkGradLog(t, func(g *Graph, n []*G.Node) (*G.Node, error) { return DotInteraction(n[0], true) },
			nil, randTensor(53, -2, 2, 2, 1, 3))
	})
}

func TestInteractionOpErrors(t *testing.T) {
	g, err := New(Train, tensor.Float64, 2)
	if err != nil {
		t.Fatal(err)
	}
	x2, _, _ := g.Input("x2", 4)
	x3, _, _ := g.Input("x3", 1, 4)
	x4, _, _ := g.Input("x4", 2, 2, 2)
	ids, _, _ := g.InputOf("ids", tensor.Int64, 3, 4)
	tests := []struct {
		name string
		f    func() (*G.Node, error)
		want string
	}{
		{"fm rank 2", func() (*G.Node, error) { return FMInteraction(x2, false) }, "not (batch, fields, dims)"},
		{"fm rank 4", func() (*G.Node, error) { return FMInteraction(x4, false) }, "not (batch, fields, dims)"},
		{"fm ints", func() (*G.Node, error) { return FMInteraction(ids, false) }, "not supported"},
		{"dot rank 2", func() (*G.Node, error) { return DotInteraction(x2, false) }, "not (batch, fields, dims)"},
		{"dot one field", func() (*G.Node, error) { return DotInteraction(x3, false) }, "1 field(s) give no pairs"},
		{"dot ints", func() (*G.Node, error) { return DotInteraction(ids, true) }, "not supported"},
	}
	for _, tc := range tests {
		n, err := tc.f()
		if err == nil || n != nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: node %v error %v, want one containing %q", tc.name, n, err, tc.want)
		}
	}
}

// naiveBag pools table rows (d wide) over bags of l ids, padding excluded.
func naiveBag(table []float64, d int, ids []int, l int, combiner string, pad int) []float64 {
	var out []float64
	for e := 0; e*l < len(ids); e++ {
		row := make([]float64, d)
		n := 0
		for _, id := range ids[e*l : (e+1)*l] {
			if id == pad {
				continue
			}
			n++
			for j := 0; j < d; j++ {
				row[j] += table[id*d+j]
			}
		}
		for j := range row {
			switch {
			case n == 0:
				row[j] = 0
			case combiner == BagMean:
				row[j] /= float64(n)
			case combiner == BagSqrtN:
				row[j] /= math.Sqrt(float64(n))
			}
		}
		out = append(out, row...)
	}
	return out
}

func bagBuild(combiner string, pad int64) BuildFunc {
	return func(g *Graph, in []*G.Node) (*G.Node, error) { return EmbeddingBag(in[0], in[1], combiner, pad) }
}

func TestEmbeddingBagForward(t *testing.T) {
	// Bags of 3: the last one is all padding (id 0) for pad 0; repeated ids count twice.
	ids := []int{1, 3, 0, 2, 2, 3, 0, 0, 0, 0, 3, 1}
	for _, combiner := range BagCombiners() {
		for _, pad := range []int{0, -1, 2} {
			for _, dt := range []tensor.Dtype{tensor.Int64, tensor.Int32, tensor.Int} {
				for _, f32 := range []bool{false, true} {
					t.Run(fmt.Sprintf("%s_pad%d_%v_f32=%v", combiner, pad, dt, f32), func(t *testing.T) {
						table := table4x3()
						want := naiveBag(table.Data().([]float64), 3, ids, 3, combiner, pad)
						if f32 {
							table = asF32(table)
						}
						got, s := runBuild(t, Train, bagBuild(combiner, int64(pad)), table, idTensor(dt, []int{4, 3}, ids...))
						if !s.Eq(tensor.Shape{4, 3}) {
							t.Fatalf("shape %v, want (4, 3)", s)
						}
						assertClose(t, "bag", got, want, 1e-6)
					})
				}
			}
		}
	}
}

// TestEmbeddingBagAllPadding: a bag of padding only is zeros, not NaN, and sends
// no gradient; the padding row gets none either.
func TestEmbeddingBagAllPadding(t *testing.T) {
	for _, combiner := range BagCombiners() {
		ids := idTensor(tensor.Int64, []int{2, 2}, 0, 0, 0, 2)
		up := dense64([]int{2, 3}, 1, 2, 3, 10, 20, 30)
		e, out, grads := execBuild(t, bagBuild(combiner, 0), up, []int{0}, table4x3(), ids)
		assertClose(t, combiner+" y", toF64(e.Dense(out)), []float64{0, 0, 0, 2.1, 2.2, 2.3}, 1e-12)
		want := []float64{0, 0, 0, 0, 0, 0, 10, 20, 30, 0, 0, 0}
		assertClose(t, combiner+" dtable", toF64(e.Dense(grads[0])), want, 1e-12)
		if err := e.Run(); err != nil {
			t.Fatal(err)
		}
		assertClose(t, combiner+" dtable, second run", toF64(e.Dense(grads[0])), want, 1e-12)
	}
}

// TestEmbeddingBagGradWithExecutor: by hand, mean of bags {1, 1, 3} and {2}: row 1
// gets 2/3 of the first upstream row, row 3 one third, row 2 the second.
func TestEmbeddingBagGradWithExecutor(t *testing.T) {
	for _, f32 := range []bool{false, true} {
		table, up := table4x3(), dense64([]int{2, 3}, 3, 6, 9, 1, 2, 3)
		if f32 {
			table, up = asF32(table), asF32(up)
		}
		ids := idTensor(tensor.Int32, []int{2, 3}, 1, 1, 3, 2, -1, -1)
		e, _, grads := execBuild(t, bagBuild(BagMean, -1), up, []int{0}, table, ids)
		want := []float64{0, 0, 0, 2, 4, 6, 1, 2, 3, 1, 2, 3}
		assertClose(t, "dtable", toF64(e.Dense(grads[0])), want, 1e-6)
		if err := e.Run(); err != nil {
			t.Fatal(err)
		}
		assertClose(t, "dtable, second run", toF64(e.Dense(grads[0])), want, 1e-6)
	}
}

func TestEmbeddingBagGradient(t *testing.T) {
	ids := idTensor(tensor.Int64, []int{3, 4}, 2, 0, 2, 4, 1, 1, 0, 0, 0, 0, 0, 0)
	for _, combiner := range BagCombiners() {
		t.Run(combiner, func(t *testing.T) {
			p := &Param{Name: "table", Value: randTensor(54, -1, 1, 5, 3), Trainable: true}
			checkGradLog(t, func(g *Graph, in []*G.Node) (*G.Node, error) {
				tbl, err := g.Param(p)
				if err != nil {
					return nil, err
				}
				idn := G.NewTensor(g.ExprGraph(), tensor.Int64, 2, G.WithShape(3, 4), G.WithValue(ids), G.WithName("ids"))
				y, err := EmbeddingBag(tbl, idn, combiner, 0)
				if err != nil {
					return nil, err
				}
				return G.HadamardProd(y, in[0])
			}, []*Param{p}, randTensor(55, -1, 1, 3, 3))
		})
	}
}

func TestEmbeddingBagIndexError(t *testing.T) {
	tests := []struct {
		ids      []int
		pad      int64
		row, pos int
		value    int64
	}{
		{[]int{0, 1, 2, 3, 4, 0}, 0, 1, 1, 4},
		{[]int{0, 1, -1, 3, 2, 0}, 0, 0, 2, -1},
		{[]int{-1, 1, -1, 3, -2, 0}, -1, 1, 1, -2},
		{[]int{0, 1, 2, 3, 1, 9}, 9, -1, -1, 0}, // 9 is padding: no error
	}
	for _, tc := range tests {
		for _, dt := range []tensor.Dtype{tensor.Int64, tensor.Int32, tensor.Int} {
			g, err := New(Train, tensor.Float64, 2)
			if err != nil {
				t.Fatal(err)
			}
			table := G.NewTensor(g.ExprGraph(), tensor.Float64, 2, G.WithShape(4, 3), G.WithValue(table4x3()), G.WithName("t"))
			idn := G.NewTensor(g.ExprGraph(), dt, 2, G.WithShape(2, 3), G.WithValue(idTensor(dt, []int{2, 3}, tc.ids...)), G.WithName("ids"))
			y, err := EmbeddingBag(table, idn, BagSum, tc.pad)
			if err != nil {
				t.Fatal(err)
			}
			cost, err := SumAll(y)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := G.Grad(cost, table); err != nil {
				t.Fatal(err)
			}
			e, err := NewExecutor(g.ExprGraph())
			if err != nil {
				t.Fatal(err)
			}
			err = e.Run()
			if tc.row < 0 {
				if err != nil {
					t.Errorf("%v %v pad %d: %v", dt, tc.ids, tc.pad, err)
				}
				continue
			}
			var ie *IndexError
			if !errors.As(err, &ie) {
				t.Fatalf("%v %v: error %v (%T) is not an *IndexError", dt, tc.ids, err, err)
			}
			if ie.Row != tc.row || ie.Pos != tc.pos || ie.Value != tc.value || ie.Limit != 4 {
				t.Errorf("%v %v: %+v, want example %d position %d value %d limit 4", dt, tc.ids, *ie, tc.row, tc.pos, tc.value)
			}
		}
	}
	// The gradient op called directly checks its ids too (no panic).
	op := bagGradOp{opBase{name: "embedding_bag_grad", arity: 2}, noDiff{}, 4, 3, BagSum, 0}
	_, err := op.Do(idTensor(tensor.Int64, []int{1, 2}, 1, 7), dense64([]int{1, 3}, 1, 2, 3))
	var ie *IndexError
	if !errors.As(err, &ie) || ie.Value != 7 {
		t.Errorf("gradient op on id 7: %v", err)
	}
}

func TestEmbeddingBagErrors(t *testing.T) {
	g, err := New(Train, tensor.Float64, 2)
	if err != nil {
		t.Fatal(err)
	}
	table := G.NewTensor(g.ExprGraph(), tensor.Float64, 2, G.WithShape(4, 3), G.WithValue(table4x3()), G.WithName("t"))
	ids1, _, _ := g.InputOf("ids1", tensor.Int64)
	ids3, _, _ := g.InputOf("ids3", tensor.Int64, 2, 2)
	ids2, _, _ := g.InputOf("ids2", tensor.Int64, 3)
	fl, _, _ := g.Input("floats", 3)
	fl3, _, _ := g.Input("floats3", 2, 2)
	tests := []struct {
		name string
		f    func() (*G.Node, error)
		want string
	}{
		{"rank 1 ids", func() (*G.Node, error) { return EmbeddingBag(table, ids1, BagSum, 0) }, "not (batch, bag length)"},
		{"rank 3 ids", func() (*G.Node, error) { return EmbeddingBag(table, ids3, BagSum, 0) }, "not (batch, bag length)"},
		{"float ids", func() (*G.Node, error) { return EmbeddingBag(table, fl, BagSum, 0) }, "want int"},
		{"table rank 3", func() (*G.Node, error) { return EmbeddingBag(fl3, ids2, BagSum, 0) }, "not (rows, dims)"},
		{"combiner", func() (*G.Node, error) { return EmbeddingBag(table, ids2, "max", 0) }, `combiner "max"`},
	}
	for _, tc := range tests {
		n, err := tc.f()
		if err == nil || n != nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: node %v error %v, want one containing %q", tc.name, n, err, tc.want)
		}
	}
}
