package layers_test

import (
	"encoding/json"
	"math"
	"math/rand"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// sharedSiamese is y = shared(a) + shared(b): one Dense applied to two inputs.
func sharedSiamese(t *testing.T) (*layers.Functional, *layers.DenseLayer) {
	t.Helper()
	a := layers.NewInput("a", layers.Shape(4))
	b := layers.NewInput("b", layers.Shape(4))
	d := layers.Dense(3, layers.WithActivation("tanh"), layers.WithName("shared"))
	y := layers.Add(layers.WithName("sum")).Apply(d.Apply(a), d.Apply(b))
	m, err := layers.NewModel([]*layers.Tensor{a, b}, []*layers.Tensor{y}, layers.ModelName("siamese"))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(layers.WithSeed(3), layers.WithDType(tensor.Float64)); err != nil {
		t.Fatal(err)
	}
	return m, d
}

// sharedCopies is y = d1(a) + d2(b) with two Dense layers holding the weights of
// like.
func sharedCopies(t *testing.T, like *layers.DenseLayer) (*layers.Functional, *layers.DenseLayer, *layers.DenseLayer) {
	t.Helper()
	a := layers.NewInput("a", layers.Shape(4))
	b := layers.NewInput("b", layers.Shape(4))
	d1 := layers.Dense(3, layers.WithActivation("tanh"), layers.WithName("left"))
	d2 := layers.Dense(3, layers.WithActivation("tanh"), layers.WithName("right"))
	y := layers.Add().Apply(d1.Apply(a), d2.Apply(b))
	m, err := layers.NewModel([]*layers.Tensor{a, b}, []*layers.Tensor{y})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(layers.WithSeed(4), layers.WithDType(tensor.Float64)); err != nil {
		t.Fatal(err)
	}
	for _, d := range []*layers.DenseLayer{d1, d2} {
		if err := d.Kernel().SetFloat64s(like.Kernel().Float64s()); err != nil {
			t.Fatal(err)
		}
		if err := d.Bias().SetFloat64s(like.Bias().Float64s()); err != nil {
			t.Fatal(err)
		}
	}
	return m, d1, d2
}

// sharedGrads runs m on xs in a float64 training graph and returns the output and
// the gradients of sum(y ⊙ r) with respect to params, in order.
func sharedGrads(t *testing.T, m layers.Model, xs []*tensor.Dense, r *tensor.Dense, params []*graph.Param) ([]float64, [][]float64) {
	t.Helper()
	g, err := graph.New(graph.Train, tensor.Float64, xs[0].Shape()[0])
	if err != nil {
		t.Fatal(err)
	}
	var nodes []*G.Node
	for i, spec := range m.Inputs() {
		n, v, err := g.InputOf("x/"+spec.Name, spec.DType, spec.Shape...)
		if err != nil {
			t.Fatal(err)
		}
		copy(v.Data().([]float64), xs[i].Data().([]float64))
		nodes = append(nodes, n)
	}
	outs, err := m.ForwardMulti(g, nodes)
	if err != nil {
		t.Fatal(err)
	}
	rn := G.NewTensor(g.ExprGraph(), tensor.Float64, r.Dims(), G.WithShape(r.Shape().Clone()...), G.WithValue(r), G.WithName("r"))
	prod, err := G.HadamardProd(outs[0], rn)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := graph.SumAll(prod)
	if err != nil {
		t.Fatal(err)
	}
	var wrt G.Nodes
	for _, p := range params {
		n, ok := g.ParamNode(p)
		if !ok {
			t.Fatalf("weight %s is not in the graph", p.Name)
		}
		wrt = append(wrt, n)
	}
	if len(g.BoundParams()) != len(params) {
		t.Fatalf("the graph binds %d weights, want %d", len(g.BoundParams()), len(params))
	}
	grads, err := G.Grad(cost, wrt...)
	if err != nil {
		t.Fatal(err)
	}
	e, err := graph.NewExecutor(g.ExprGraph())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	y := harnessValues(e.Dense(outs[0]))
	out := make([][]float64, len(grads))
	for i, n := range grads {
		out[i] = harnessValues(e.Dense(n))
	}
	return y, out
}

func sharedClose(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol*math.Max(1, math.Abs(want[i])) {
			t.Errorf("%s[%d] = %.12g, want %.12g", what, i, got[i], want[i])
			return
		}
	}
}

func sharedRandom(seed int64, shape ...int) *tensor.Dense {
	return harnessFloats(rand.New(rand.NewSource(seed)), tensor.Float64, shape)
}

// TestSharedLayerGradientIsSumOfBranches: a Dense applied to two inputs gets the
// sum of both branches' gradients: the same as two copies of it with the same
// weights, summed; and it matches finite differences.
func TestSharedLayerGradientIsSumOfBranches(t *testing.T) {
	m, d := sharedSiamese(t)
	c, d1, d2 := sharedCopies(t, d)
	xs := []*tensor.Dense{sharedRandom(1, 5, 4), sharedRandom(2, 5, 4)}
	r := sharedRandom(3, 5, 3)
	ys, gs := sharedGrads(t, m, xs, r, []*graph.Param{d.Kernel(), d.Bias()})
	yc, gc := sharedGrads(t, c, xs, r, []*graph.Param{d1.Kernel(), d1.Bias(), d2.Kernel(), d2.Bias()})
	sharedClose(t, "shared output vs copies", ys, yc, 1e-12)
	for i, name := range []string{"kernel", "bias"} {
		sum := make([]float64, len(gc[i]))
		differs := false
		for j := range sum {
			sum[j] = gc[i][j] + gc[i+2][j]
			differs = differs || math.Abs(gs[i][j]-gc[i][j]) > 1e-6
		}
		sharedClose(t, "gradient of the shared "+name, gs[i], sum, 1e-12)
		if !differs {
			t.Errorf("the shared %s's gradient equals one branch's alone", name)
		}
	}
	res, err := graph.CheckGradientParams(func(g *graph.Graph, in []*G.Node) (*G.Node, error) {
		outs, err := m.ForwardMulti(g, in)
		if err != nil {
			return nil, err
		}
		return outs[0], nil
	}, xs, m.Params(), 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	if res.MaxRelErr > 1e-6 {
		t.Errorf("finite differences: %v", res)
	}
}

// TestSharedLayerListedOnce: the shared layer's weights are listed once, the layer
// once, and Summary shows one row with both connections; ToDot draws both edges.
func TestSharedLayerListedOnce(t *testing.T) {
	m, d := sharedSiamese(t)
	var names []string
	for _, p := range m.Params() {
		names = append(names, p.Name)
	}
	if got := strings.Join(names, " "); got != "shared/kernel shared/bias" {
		t.Errorf("weights %q, want \"shared/kernel shared/bias\"", got)
	}
	n := 0
	for _, l := range m.Layers() {
		if l == layers.Layer(d) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the shared layer is listed %d times in Layers()", n)
	}
	s := m.Summary()
	if c := strings.Count(s, "shared (Dense)"); c != 1 {
		t.Errorf("summary lists the shared layer %d times:\n%s", c, s)
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.Contains(l, "shared (Dense)") {
			if !strings.HasSuffix(l, "a[0][0]") || i+1 >= len(lines) || strings.TrimSpace(lines[i+1]) != "b[0][0]" ||
				!strings.Contains(l, "(None, 3)") || !strings.Contains(l, " 15 ") {
				t.Errorf("summary row of the shared layer is not \"shared (Dense) (None, 3) 15 a[0][0]\" then \"b[0][0]\":\n%s", s)
			}
		}
		if strings.Contains(l, "sum (Add)") {
			if !strings.HasSuffix(l, "shared[0][0]") || i+1 >= len(lines) || strings.TrimSpace(lines[i+1]) != "shared[1][0]" {
				t.Errorf("the Add is not connected to both calls of the shared layer:\n%s", s)
			}
		}
	}
	if !strings.Contains(s, "Total params: 15") {
		t.Errorf("the shared weights are counted more than once:\n%s", s)
	}
	edges := sharedDotEdges(t, m.ToDot())
	want := []string{"a->shared", "b->shared", "shared->sum", "shared->sum"}
	if got := strings.Join(edges, " "); got != strings.Join(want, " ") {
		t.Errorf("DOT edges %q, want %q", got, strings.Join(want, " "))
	}
}

var (
	sharedDotNode = regexp.MustCompile(`^\t(layer\d+) \[label="([^"\\]*?) \(`)
	sharedDotEdge = regexp.MustCompile(`^\t(layer\d+) -> (layer\d+)( \[label="[^"]*"\])?;$`)
)

// sharedDotEdges returns a ToDot graph's edges as "from->to" by layer name, in order.
func sharedDotEdges(t *testing.T, dot string) []string {
	t.Helper()
	names := map[string]string{}
	var edges []string
	for _, l := range strings.Split(dot, "\n") {
		if m := sharedDotNode.FindStringSubmatch(l); m != nil {
			names[m[1]] = m[2]
		} else if m := sharedDotEdge.FindStringSubmatch(l); m != nil {
			from, ok1 := names[m[1]]
			to, ok2 := names[m[2]]
			if !ok1 || !ok2 {
				t.Errorf("edge between undeclared nodes: %q", l)
			}
			edges = append(edges, from+"->"+to)
		} else if strings.Contains(l, "->") {
			t.Errorf("unparsed edge line %q", l)
		}
	}
	return edges
}

// sharedInboundCounts reads a functional model's config: the number of calls of each
// layer (its inbound_nodes).
func sharedInboundCounts(t *testing.T, m *layers.Functional) map[string]int {
	t.Helper()
	b, err := json.Marshal(m.Config().Config)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Layers []struct {
			Name    string            `json:"name"`
			Class   string            `json:"class_name"`
			Inbound [][][]interface{} `json:"inbound_nodes"`
		} `json:"layers"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, l := range fc.Layers {
		out[l.Name] = len(l.Inbound)
	}
	return out
}

// TestSharedLayerSaveLoad: Save and Load keep the sharing: one weight pair, two
// calls of one layer, the same outputs and the same (summed) gradient.
func TestSharedLayerSaveLoad(t *testing.T) {
	m, d := sharedSiamese(t)
	path := filepath.Join(t.TempDir(), "siamese.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := layers.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	lf, ok := loaded.(*layers.Functional)
	if !ok {
		t.Fatalf("loaded %T", loaded)
	}
	if got := len(lf.Params()); got != 2 {
		t.Errorf("the loaded model has %d weights, want 2", got)
	}
	calls := sharedInboundCounts(t, lf)
	if calls["shared"] != 2 || calls["sum"] != 1 {
		t.Errorf("calls per layer after Load %v, want shared 2 and sum 1", calls)
	}
	var dense []layers.Layer
	for _, l := range lf.Layers() {
		if l.Type() == "Dense" {
			dense = append(dense, l)
		}
	}
	if len(dense) != 1 {
		t.Fatalf("the loaded model has %d Dense layers, want 1", len(dense))
	}
	ld := dense[0].(*layers.DenseLayer)
	xs := []*tensor.Dense{sharedRandom(5, 4, 4), sharedRandom(6, 4, 4)}
	r := sharedRandom(7, 4, 3)
	y0, g0 := sharedGrads(t, m, xs, r, []*graph.Param{d.Kernel(), d.Bias()})
	y1, g1 := sharedGrads(t, lf, xs, r, []*graph.Param{ld.Kernel(), ld.Bias()})
	sharedClose(t, "output after Load", y1, y0, 0)
	sharedClose(t, "kernel gradient after Load", g1[0], g0[0], 0)
	sharedClose(t, "bias gradient after Load", g1[1], g0[1], 0)
	// One weight serves both calls: changing it changes both branches.
	k := ld.Kernel().Float64s()
	for i := range k {
		k[i] = 0
	}
	if err := ld.Kernel().SetFloat64s(k); err != nil {
		t.Fatal(err)
	}
	if err := ld.Bias().SetFloat64s([]float64{0.5, 0.5, 0.5}); err != nil {
		t.Fatal(err)
	}
	y2, _ := sharedGrads(t, lf, xs, r, []*graph.Param{ld.Kernel(), ld.Bias()})
	want := math.Tanh(0.5) * 2
	for i, v := range y2 {
		if math.Abs(v-want) > 1e-12 {
			t.Fatalf("output %d = %g with a zero kernel and bias 0.5: want 2·tanh(0.5) = %g (both calls read one weight)", i, v, want)
		}
	}
}

// TestSharedTower: a model (Sequential or Functional) applied to two inputs
// (siamese towers) shares every weight, names them "tower/...", and keeps the
// sharing through Save/Load.
func TestSharedTower(t *testing.T) {
	towers := map[string]func() layers.Layer{
		"sequential": func() layers.Layer {
			s := layers.NewSequential(layers.Dense(3, layers.WithActivation("tanh")), layers.Dense(2))
			s.SetName("tower")
			return s
		},
		"functional": func() layers.Layer {
			x := layers.NewInput("x", layers.Shape(4))
			y := layers.Dense(2).Apply(layers.Dense(3, layers.WithActivation("tanh")).Apply(x))
			m, err := layers.NewModel([]*layers.Tensor{x}, []*layers.Tensor{y}, layers.ModelName("tower"))
			if err != nil {
				t.Fatal(err)
			}
			return m
		},
	}
	for _, kind := range []string{"sequential", "functional"} {
		t.Run(kind, func(t *testing.T) {
			tower := towers[kind]()
			a := layers.NewInput("a", layers.Shape(4))
			b := layers.NewInput("b", layers.Shape(4))
			y := layers.Subtract().Apply(layers.Apply(tower, a)[0], layers.Apply(tower, b)[0])
			m, err := layers.NewModel([]*layers.Tensor{a, b}, []*layers.Tensor{y})
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Build(layers.WithDType(tensor.Float64)); err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, p := range m.Params() {
				names = append(names, p.Name)
			}
			if got := strings.Join(names, " "); got != "tower/dense/kernel tower/dense/bias tower/dense_1/kernel tower/dense_1/bias" {
				t.Errorf("weights %q", got)
			}
			// Equal inputs: the two towers agree, so a - b is exactly zero.
			x := sharedRandom(8, 3, 4)
			yv, _ := sharedGrads(t, m, []*tensor.Dense{x, x}, sharedRandom(9, 3, 2), m.Params())
			for i, v := range yv {
				if v != 0 {
					t.Fatalf("tower(x) - tower(x) [%d] = %g, want 0", i, v)
				}
			}
			path := filepath.Join(t.TempDir(), "towers.safetensors")
			if err := m.Save(path); err != nil {
				t.Fatal(err)
			}
			loaded, err := layers.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			lf := loaded.(*layers.Functional)
			if calls := sharedInboundCounts(t, lf); calls["tower"] != 2 {
				t.Errorf("calls per layer after Load %v, want tower 2", calls)
			}
			if len(lf.Params()) != 4 {
				t.Errorf("the loaded model has %d weights, want 4", len(lf.Params()))
			}
			xs := []*tensor.Dense{sharedRandom(10, 3, 4), sharedRandom(11, 3, 4)}
			r := sharedRandom(12, 3, 2)
			y0, g0 := sharedGrads(t, m, xs, r, m.Params())
			y1, g1 := sharedGrads(t, lf, xs, r, lf.Params())
			sharedClose(t, "output after Load", y1, y0, 0)
			for i := range g0 {
				sharedClose(t, "gradient after Load "+m.Params()[i].Name, g1[i], g0[i], 0)
			}
			// The tower's gradient is the sum of its two calls': check it against
			// finite differences.
			res, err := graph.CheckGradientParams(func(g *graph.Graph, in []*G.Node) (*G.Node, error) {
				outs, err := lf.ForwardMulti(g, in)
				if err != nil {
					return nil, err
				}
				return outs[0], nil
			}, xs, lf.Params(), 1e-6)
			if err != nil {
				t.Fatal(err)
			}
			if res.MaxRelErr > 1e-6 {
				t.Errorf("finite differences: %v", res)
			}
		})
	}
}
