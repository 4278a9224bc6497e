package graph

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// execBuild binds inputs (any dtype; the first one must be float) to a new graph,
// builds the expression, adds the gradient of sum(out ⊙ upstream) with respect to
// the inputs listed in wrt (when upstream is not nil), and runs it once through an
// Executor. It returns the executor, the output node and the gradient nodes.
func execBuild(t *testing.T, build BuildFunc, upstream *tensor.Dense, wrt []int, inputs ...*tensor.Dense) (*Executor, *G.Node, []*G.Node) {
	t.Helper()
	g, nodes := bindInputs(t, Train, inputs)
	out, err := build(g, nodes)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	var grads []*G.Node
	if upstream != nil {
		un, err := g.bind("upstream", upstream)
		if err != nil {
			t.Fatal(err)
		}
		prod, err := G.HadamardProd(out, un)
		if err != nil {
			t.Fatal(err)
		}
		cost, err := SumAll(prod)
		if err != nil {
			t.Fatal(err)
		}
		var ws []*G.Node
		for _, i := range wrt {
			ws = append(ws, nodes[i])
		}
		if grads, err = G.Grad(cost, ws...); err != nil {
			t.Fatalf("grad: %v", err)
		}
	}
	e, err := NewExecutor(g.ExprGraph())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatalf("run: %v", err)
	}
	return e, out, grads
}

// idTensor returns ids of the given integer dtype and shape.
func idTensor(dt tensor.Dtype, shape []int, ids ...int) *tensor.Dense {
	var data interface{}
	switch dt {
	case tensor.Int32:
		d := make([]int32, len(ids))
		for i, v := range ids {
			d[i] = int32(v)
		}
		data = d
	case tensor.Int64:
		d := make([]int64, len(ids))
		for i, v := range ids {
			d[i] = int64(v)
		}
		data = d
	default:
		data = append([]int(nil), ids...)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

func gatherBuild(g *Graph, in []*G.Node) (*G.Node, error) { return Gather(in[0], in[1]) }

// table4x3 is a table whose row r is (r+0.1, r+0.2, r+0.3).
func table4x3() *tensor.Dense {
	return tensor.New(tensor.WithShape(4, 3), tensor.WithBacking([]float64{
		0.1, 0.2, 0.3, 1.1, 1.2, 1.3, 2.1, 2.2, 2.3, 3.1, 3.2, 3.3}))
}

func TestGatherForward(t *testing.T) {
	tests := []struct {
		dt    tensor.Dtype
		shape []int
		ids   []int
	}{
		{tensor.Int64, []int{2, 3}, []int{3, 0, 3, 1, 2, 1}},
		{tensor.Int32, []int{2, 3}, []int{0, 0, 2, 3, 1, 3}},
		{tensor.Int, []int{3}, []int{2, 0, 2}},
		{tensor.Int64, []int{2, 1, 2}, []int{1, 3, 0, 2}},
	}
	for _, tc := range tests {
		for _, f32 := range []bool{false, true} {
			tc := tc
			t.Run(fmt.Sprintf("%v%v_f32=%v", tc.dt, tc.shape, f32), func(t *testing.T) {
				table := table4x3()
				if f32 {
					table = asF32(table)
				}
				ids := idTensor(tc.dt, tc.shape, tc.ids...)
				e, out, _ := execBuild(t, gatherBuild, nil, nil, table, ids)
				y := e.Dense(out)
				if want := append(append([]int(nil), tc.shape...), 3); !y.Shape().Eq(tensor.Shape(want)) || y.Dtype() != table.Dtype() {
					t.Fatalf("output %v %v, want %v %v", y.Dtype(), y.Shape(), table.Dtype(), want)
				}
				var want []float64
				for _, id := range tc.ids {
					want = append(want, float64(id)+0.1, float64(id)+0.2, float64(id)+0.3)
				}
				assertClose(t, "gather", toF64(y), want, 1e-6)
				// same through a TapeMachine
				got, _ := runBuild(t, Train, gatherBuild, table, ids)
				assertClose(t, "gather (tape)", got, want, 1e-6)
			})
		}
	}
}

// TestGatherGradWithExecutor checks the scatter-add by hand: repeated ids add up,
// unused rows get 0, and G.Grad accepts a graph holding an int input.
func TestGatherGradWithExecutor(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		table := table4x3()
		if dt == tensor.Float32 {
			table = asF32(table)
		}
		ids := idTensor(tensor.Int64, []int{2, 2}, 1, 1, 0, 1)
		up := tensor.New(tensor.WithShape(2, 2, 3), tensor.WithBacking([]float64{
			1, 2, 3, 10, 20, 30, 100, 200, 300, 1000, 2000, 3000}))
		if dt == tensor.Float32 {
			up = asF32(up)
		}
		e, _, grads := execBuild(t, gatherBuild, up, []int{0}, table, ids)
		want := []float64{100, 200, 300, 1011, 2022, 3033, 0, 0, 0, 0, 0, 0}
		d := e.Dense(grads[0])
		if !d.Shape().Eq(tensor.Shape{4, 3}) || d.Dtype() != dt {
			t.Fatalf("%v: gradient %v %v, want %v (4, 3)", dt, d.Dtype(), d.Shape(), dt)
		}
		assertClose(t, fmt.Sprintf("%v dtable", dt), toF64(d), want, 1e-6)
		// a second run must give the same (the preallocated output is zeroed)
		if err := e.Run(); err != nil {
			t.Fatal(err)
		}
		assertClose(t, fmt.Sprintf("%v dtable, second run", dt), toF64(e.Dense(grads[0])), want, 1e-6)
	}
}

func TestGatherGradient(t *testing.T) {
	ids := idTensor(tensor.Int64, []int{3, 4}, 2, 0, 2, 4, 1, 1, 1, 2, 4, 0, 3, 2)
	// the table as a float input, the ids as an int input of the graph
	t.Run("table_input", func(t *testing.T) {
		checkGradLog(t, func(g *Graph, in []*G.Node) (*G.Node, error) {
			idn := G.NewTensor(g.ExprGraph(), tensor.Int64, 2, G.WithShape(3, 4), G.WithValue(ids), G.WithName("ids"))
			return Gather(in[0], idn)
		}, nil, randTensor(40, -1, 1, 5, 3))
	})
	// the table as a Param, times a float input
	t.Run("table_param", func(t *testing.T) {
		p := &Param{Name: "embedding", Value: randTensor(41, -1, 1, 5, 3), Trainable: true}
		ids32 := idTensor(tensor.Int32, []int{3, 4}, 2, 0, 2, 4, 1, 1, 1, 2, 4, 0, 3, 2)
		checkGradLog(t, func(g *Graph, in []*G.Node) (*G.Node, error) {
			tbl, err := g.Param(p)
			if err != nil {
				return nil, err
			}
			idn := G.NewTensor(g.ExprGraph(), tensor.Int32, 2, G.WithShape(3, 4), G.WithValue(ids32), G.WithName("ids"))
			rows, err := Gather(tbl, idn)
			if err != nil {
				return nil, err
			}
			return G.HadamardProd(rows, in[0])
		}, []*Param{p}, randTensor(42, -1, 1, 3, 4, 3))
	})
}

func TestGatherIndexError(t *testing.T) {
	tests := []struct {
		dt       tensor.Dtype
		ids      []int
		row, pos int
		value    int64
	}{
		{tensor.Int64, []int{0, 1, 2, 3, 4, 5}, 1, 2, 5},
		{tensor.Int64, []int{0, 1, -1, 3, 4, 0}, 0, 2, -1},
		{tensor.Int32, []int{0, 1, 2, 3, 7, 0}, 1, 1, 7},
		{tensor.Int32, []int{-3, 1, 2, 3, 4, 0}, 0, 0, -3},
		{tensor.Int, []int{0, 1, 2, 3, 4, 1 << 40}, 1, 2, 1 << 40},
	}
	for _, tc := range tests {
		tc := tc
		t.Run(fmt.Sprintf("%v_%d", tc.dt, tc.value), func(t *testing.T) {
			g, err := New(Train, tensor.Float32, 2)
			if err != nil {
				t.Fatal(err)
			}
			table, err := g.bind("table", asF32(randTensor(43, -1, 1, 5, 2)))
			if err != nil {
				t.Fatal(err)
			}
			idn := G.NewTensor(g.ExprGraph(), tc.dt, 2, G.WithShape(2, 3), G.WithValue(idTensor(tc.dt, []int{2, 3}, tc.ids...)), G.WithName("ids"))
			out, err := Gather(table, idn)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := SumAll(out); err != nil {
				t.Fatal(err)
			}
			e, err := NewExecutor(g.ExprGraph())
			if err != nil {
				t.Fatal(err)
			}
			err = e.Run()
			var ie *IndexError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v (%T) is not an *IndexError", err, err)
			}
			if ie.Row != tc.row || ie.Pos != tc.pos || ie.Value != tc.value || ie.Limit != 5 {
				t.Errorf("got %+v, want row %d pos %d value %d limit 5", *ie, tc.row, tc.pos, tc.value)
			}
			want := fmt.Sprintf("id %d at example %d position %d is out of range [0, 5)", tc.value, tc.row, tc.pos)
			if !strings.Contains(err.Error(), want) || ie.Error() != want {
				t.Errorf("error %q, want it to contain %q", err, want)
			}
		})
	}
}

func TestGatherIndexErrorMessage(t *testing.T) {
	e := &IndexError{Row: 3, Pos: 0, Value: 10005, Limit: 10000}
	if got, want := e.Error(), "id 10005 at example 3 position 0 is out of range [0, 10000)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	var ie *IndexError
	if !errors.As(errors.Wrapf(errors.Wrap(e, "inner"), "outer %d", 1), &ie) || ie != e {
		t.Error("errors.As does not find an *IndexError through two wraps")
	}
}

// TestScatterAddIndexError calls the gradient op directly: it must not panic on a
// bad id either.
func TestScatterAddIndexError(t *testing.T) {
	op := scatterAddOp{opBase{name: "scatter_add", arity: 2}, noDiff{}, 3, 2, 1}
	ids := idTensor(tensor.Int64, []int{2}, 1, 3)
	g := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4}))
	_, err := op.Do(ids, g)
	var ie *IndexError
	if !errors.As(err, &ie) || ie.Row != 1 || ie.Value != 3 || ie.Limit != 3 {
		t.Fatalf("got %v, want an *IndexError for id 3 in row 1", err)
	}
	ids = idTensor(tensor.Int64, []int{2}, 1, 1)
	v, err := op.Do(ids, g)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "scatter_add", toF64(v.(*tensor.Dense)), []float64{0, 0, 4, 6, 0, 0}, 0)
}

func TestGatherBuildErrors(t *testing.T) {
	g := G.NewGraph()
	table := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 3), G.WithName("table"))
	vec := G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("vec"))
	ids := G.NewMatrix(g, tensor.Int64, G.WithShape(2, 2), G.WithName("ids"))
	fids := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 2), G.WithName("fids"))
	itable := G.NewMatrix(g, tensor.Int64, G.WithShape(4, 3), G.WithName("itable"))
	sid := G.NewScalar(g, tensor.Int64, G.WithName("sid"))
	tests := []struct {
		name        string
		table, ids  *G.Node
		wantMessage string
	}{
		{"table_rank1", vec, ids, "table shape (4)"},
		{"float_ids", table, fids, "float64 is not supported"},
		{"int_table", itable, ids, "int64 is not supported"},
		{"scalar_ids", table, sid, "at least one axis"},
	}
	for _, tc := range tests {
		if _, err := Gather(tc.table, tc.ids); err == nil || !strings.Contains(err.Error(), tc.wantMessage) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.wantMessage)
		}
	}
}

func TestNotEqualZero(t *testing.T) {
	ids := []int{0, 3, 0, 1, 2, 0}
	want := []float64{0, 1, 0, 1, 1, 0}
	for _, idt := range []tensor.Dtype{tensor.Int, tensor.Int32, tensor.Int64, tensor.Float32, tensor.Float64} {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			var in *tensor.Dense
			switch idt {
			case tensor.Float32:
				in = tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{0, 3, 0, 1, 2, 0}))
			case tensor.Float64:
				in = tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{0, 3, 0, 1, 2, 0}))
			default:
				in = idTensor(idt, []int{2, 3}, ids...)
			}
			g := G.NewGraph()
			n := G.NewTensor(g, idt, 2, G.WithShape(2, 3), G.WithValue(in), G.WithName("ids"))
			m, err := NotEqualZero(n, dt)
			if err != nil {
				t.Fatal(err)
			}
			e, err := NewExecutor(g)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.Run(); err != nil {
				t.Fatal(err)
			}
			d := e.Dense(m)
			if d.Dtype() != dt || !d.Shape().Eq(tensor.Shape{2, 3}) {
				t.Fatalf("%v -> %v: got %v %v", idt, dt, d.Dtype(), d.Shape())
			}
			assertClose(t, fmt.Sprintf("%v -> %v", idt, dt), toF64(d), want, 0)
		}
	}
	g := G.NewGraph()
	n := G.NewVector(g, tensor.Int64, G.WithShape(3), G.WithName("ids"))
	if _, err := NotEqualZero(n, tensor.Int64); err == nil {
		t.Error("NotEqualZero accepts an int output dtype")
	}
}
