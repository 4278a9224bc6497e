package graph

import (
	"fmt"
	"math/rand"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// sparseCase builds loss = Σ tanh(gather(table, ids_k)) ⊙ up_k over the uses k,
// + Σ (x·w) (a dense parameter w), optionally + Σ table² (a read of the table that
// is not a Gather), and returns the graph, the loss and the parameter nodes
// (table, w).
type sparseCase struct {
	v, d    int
	ids     [][]int // per use: ids of shape (B, L) flattened, L = 2
	penalty bool    // read the table outside Gather
	dead    bool    // add a Gather of the table that does not reach the loss
}

func (c sparseCase) build(t *testing.T, table, w *tensor.Dense) (*Graph, *G.Node, []*G.Node) {
	t.Helper()
	g, err := New(Train, tensor.Float32, len(c.ids[0])/2)
	if err != nil {
		t.Fatal(err)
	}
	tn, err := g.bind("table", table)
	if err != nil {
		t.Fatal(err)
	}
	wn, err := g.bind("w", w)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(3))
	var loss *G.Node
	add := func(n *G.Node) {
		s, err := SumAll(n)
		if err != nil {
			t.Fatal(err)
		}
		if loss == nil {
			loss = s
		} else if loss, err = G.Add(loss, s); err != nil {
			t.Fatal(err)
		}
	}
	for k, ids := range c.ids {
		in, err := g.bind("ids"+string(rune('a'+k)), idTensor(tensor.Int, []int{len(ids) / 2, 2}, ids...))
		if err != nil {
			t.Fatal(err)
		}
		y, err := Gather(tn, in)
		if err != nil {
			t.Fatal(err)
		}
		y = G.Must(G.Tanh(y))
		up := make([]float32, len(ids)*c.d)
		for i := range up {
			up[i] = float32(rng.NormFloat64())
		}
		un, err := g.bind("up"+string(rune('a'+k)), tensor.New(tensor.WithShape(len(ids)/2, 2, c.d), tensor.WithBacking(up)))
		if err != nil {
			t.Fatal(err)
		}
		add(G.Must(G.HadamardProd(y, un)))
	}
	x, err := g.bind("x", tensor.New(tensor.WithShape(2, c.d), tensor.WithBacking([]float32{1, 2, 3, 4, 5, 6}[:2*c.d])))
	if err != nil {
		t.Fatal(err)
	}
	add(G.Must(G.Mul(x, wn)))
	if c.penalty {
		add(G.Must(G.Square(tn)))
	}
	if c.dead {
		in, err := g.bind("ids_dead", idTensor(tensor.Int, []int{1}, 0))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Gather(tn, in); err != nil {
			t.Fatal(err)
		}
	}
	return g, loss, []*G.Node{tn, wn}
}

func sparseTable(v, d int) *tensor.Dense {
	rng := rand.New(rand.NewSource(1))
	data := make([]float32, v*d)
	for i := range data {
		data[i] = float32(rng.NormFloat64())
	}
	return tensor.New(tensor.WithShape(v, d), tensor.WithBacking(data))
}

// run compiles the gradients (by rows or dense) and runs once; it returns the
// table's gradient as a dense (V, D) tensor, w's gradient, and the Gradients.
func (c sparseCase) run(t *testing.T, byRows bool) (*tensor.Dense, []float32, *Gradients, *G.ExprGraph) {
	t.Helper()
	g, loss, wrt := c.build(t, sparseTable(c.v, c.d), tensor.New(tensor.WithShape(c.d, 1), tensor.WithBacking([]float32{0.5, -1, 2}[:c.d])))
	gr, err := Grad(loss, wrt, byRows)
	if err != nil {
		t.Fatalf("grad: %v", err)
	}
	e, err := NewExecutor(g.ExprGraph())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatalf("run: %v", err)
	}
	rows, err := gr.Rows(e)
	if err != nil {
		t.Fatalf("rows: %v", err)
	}
	dense := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(c.v, c.d))
	if gr.ByRows(0) {
		if gr.Nodes[0] != nil {
			t.Fatal("a table updated by rows has a gradient node")
		}
		if err := rows[0].ToDense(dense); err != nil {
			t.Fatal(err)
		}
	} else {
		if rows[0] != nil {
			t.Fatal("a dense table has a row gradient")
		}
		copy(dense.Data().([]float32), e.Dense(gr.Nodes[0]).Data().([]float32))
	}
	if gr.ByRows(1) {
		t.Fatal("a dense parameter is updated by rows")
	}
	wg := append([]float32(nil), e.Dense(gr.Nodes[1]).Data().([]float32)...)
	return dense, wg, gr, g.ExprGraph()
}

// hasScatter reports whether the graph computes a dense table gradient.
func hasScatter(g *G.ExprGraph) bool {
	for _, n := range g.AllNodes() {
		if _, ok := n.Op().(scatterAddOp); ok {
			return true
		}
	}
	return false
}

// TestGradByRowsMatchesDense: the row gradient of a table read through one Gather,
// with repeated ids, is the dense gradient bit for bit (zeros elsewhere); the graph
// has no (V, D) scatter; the dense parameter's gradient is unchanged.
func TestGradByRowsMatchesDense(t *testing.T) {
	c := sparseCase{v: 50, d: 3, ids: [][]int{{4, 7, 7, 0, 49, 4, 7, 12}}}
	want, wantW, _, dg := c.run(t, false)
	got, gotW, gr, sg := c.run(t, true)
	if !gr.HasRows() || !gr.ByRows(0) {
		t.Fatal("the table is not updated by rows")
	}
	if !hasScatter(dg) || hasScatter(sg) {
		t.Fatalf("scatter in dense graph %v (want true), in the graph by rows %v (want false)", hasScatter(dg), hasScatter(sg))
	}
	wd, gd := want.Data().([]float32), got.Data().([]float32)
	for i := range wd {
		if wd[i] != gd[i] {
			t.Fatalf("table gradient [%d]: by rows %v, dense %v", i, gd[i], wd[i])
		}
	}
	for i := range wantW {
		if wantW[i] != gotW[i] {
			t.Fatalf("w gradient [%d]: %v with rows, %v dense", i, gotW[i], wantW[i])
		}
	}
	rows := gr.out[0].Rows
	if fmt.Sprint(rows) != "[4 7 0 49 12]" {
		t.Errorf("rows %v, want the distinct ids in order of appearance [4 7 0 49 12]", rows)
	}
}

// TestGradByRowsSharedTable: a table read by two Gathers (and by a third that does
// not reach the loss) gets one row gradient summing both; equal to the dense one
// to rounding.
func TestGradByRowsSharedTable(t *testing.T) {
	c := sparseCase{v: 20, d: 2, ids: [][]int{{1, 2, 3, 1}, {3, 3, 19, 0}}, dead: true}
	want, _, _, _ := c.run(t, false)
	got, _, gr, sg := c.run(t, true)
	if !gr.ByRows(0) || hasScatter(sg) {
		t.Fatal("the shared table is not updated by rows")
	}
	if n := len(gr.out[0].Rows); n != 5 {
		t.Errorf("%d rows, want 5 (0 1 2 3 19)", n)
	}
	wd, gd := want.Data().([]float32), got.Data().([]float32)
	for i := range wd {
		if d := wd[i] - gd[i]; d > 1e-6 || d < -1e-6 {
			t.Fatalf("table gradient [%d]: by rows %v, dense %v", i, gd[i], wd[i])
		}
	}
}

// TestGradByRowsNeedsGatherOnly: a table also read by another op (a penalty)
// keeps its dense gradient.
func TestGradByRowsNeedsGatherOnly(t *testing.T) {
	c := sparseCase{v: 20, d: 2, ids: [][]int{{1, 2, 3, 1}}, penalty: true}
	want, _, _, _ := c.run(t, false)
	got, _, gr, sg := c.run(t, true)
	if gr.HasRows() || !hasScatter(sg) {
		t.Fatal("a table read outside Gather is updated by rows")
	}
	wd, gd := want.Data().([]float32), got.Data().([]float32)
	for i := range wd {
		if wd[i] != gd[i] {
			t.Fatalf("table gradient [%d]: %v, dense %v", i, gd[i], wd[i])
		}
	}
}

// TestRowGradReuseAndGenerations: the accumulator empties between runs, also when
// its generation counter wraps.
func TestRowGradReuseAndGenerations(t *testing.T) {
	a := newRowAcc(tensor.Float32, 100, 1, 4)
	ids := tensor.New(tensor.WithShape(4), tensor.WithBacking([]int{5, 9, 5, 99}))
	up := tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float32{1, 2, 3, 4}))
	op := newGatherOp(100, 1, 1)
	for _, gen := range []uint32{0, 41, ^uint32(0) - 1, ^uint32(0)} {
		a.gen = gen
		a.reset()
		if err := op.addRows(a, ids, up); err != nil {
			t.Fatal(err)
		}
		r := a.finish()
		if len(r.Rows) != 3 || r.Rows[0] != 5 || r.Rows[1] != 9 || r.Rows[2] != 99 {
			t.Fatalf("gen %d: rows %v", gen, r.Rows)
		}
		if v := r.Values.Data().([]float32); v[0] != 4 || v[1] != 2 || v[2] != 4 {
			t.Fatalf("gen %d: values %v, want [4 2 4]", gen, v)
		}
	}
	bad := tensor.New(tensor.WithShape(4), tensor.WithBacking([]int{5, 9, 100, 0}))
	a.reset()
	if err := op.addRows(a, bad, up); err == nil {
		t.Fatal("an id out of range gave no error")
	}
}

func TestNewRowGradChecks(t *testing.T) {
	vals := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(make([]float32, 6)))
	if _, err := NewRowGrad(10, []int{1, 2}, vals); err != nil {
		t.Fatal(err)
	}
	for name, rows := range map[string][]int{"twice": {1, 1}, "range": {1, 10}, "count": {1}} {
		if _, err := NewRowGrad(10, rows, vals); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	r, _ := NewRowGrad(10, []int{3, 0}, tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float64{1, 2})))
	dst := tensor.New(tensor.WithShape(10, 1), tensor.WithBacking([]float64{9, 9, 9, 9, 9, 9, 9, 9, 9, 9}))
	if err := r.ToDense(dst); err != nil {
		t.Fatal(err)
	}
	if d := dst.Data().([]float64); d[0] != 2 || d[3] != 1 || d[1] != 0 || d[9] != 0 {
		t.Fatalf("dense %v", d)
	}
}

// TestNewParamChunkedFill: a large float32 parameter filled in chunks (no float64
// copy of its size) holds the values of one fill on the whole slice.
func TestNewParamChunkedFill(t *testing.T) {
	for _, init := range []Initializer{RandomUniform{-0.05, 0.05}, RandomNormal{0, 0.05}, VarianceScaling{1, "fan_avg", "truncated_normal"}, Constant{0.5}} {
		shape := []int{3*fillChunk/7 + 5, 7}
		p, err := NewParam("t", tensor.Float32, shape, init, 11, 13, rand.New(rand.NewSource(9)))
		if err != nil {
			t.Fatal(err)
		}
		want := make([]float64, shape[0]*shape[1])
		if err := init.Fill(rand.New(rand.NewSource(9)), 11, 13, want); err != nil {
			t.Fatal(err)
		}
		got := p.Value.Data().([]float32)
		for i, w := range want {
			if got[i] != float32(w) {
				t.Fatalf("%T: value %d is %v, want %v", init, i, got[i], float32(w))
			}
		}
	}
}
