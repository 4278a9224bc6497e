package layers_test

import (
	"bytes"
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// interactionBuild makes one input per spec (an Int64 input where ids is set),
// applies l to them and builds the model; it returns the model and the first error
// of NewModel or Build.
func interactionBuild(l layers.Layer, dt tensor.Dtype, inputs ...harnessInput) (*layers.Functional, error) {
	ins := make([]*layers.Tensor, len(inputs))
	for i, in := range inputs {
		opts := []layers.InputOption{layers.Shape(in.shape...)}
		if in.ids > 0 {
			opts = append(opts, layers.Int64)
		}
		ins[i] = layers.NewInput(fmt.Sprintf("in%d", i), opts...)
	}
	y := layers.Apply(l, ins...)[0]
	m, err := layers.NewModel(ins, []*layers.Tensor{y})
	if err != nil {
		return nil, err
	}
	return m, m.Build(layers.WithDType(dt), layers.WithSeed(7))
}

// TestInteractionBuildErrors: wrong ranks, dtypes, field counts and options are
// errors at build naming the layer and what was wrong, never panics.
func TestInteractionBuildErrors(t *testing.T) {
	tests := []struct {
		name   string
		layer  layers.Layer
		inputs []harnessInput
		want   []string
	}{
		{"fm rank 2", layers.FM(), []harnessInput{hin(4)}, []string{"FM", "(batch, fields, k)", "(None, 4)"}},
		{"fm rank 4", layers.FM(), []harnessInput{hin(2, 3, 4)}, []string{"FM", "(None, 2, 3, 4)"}},
		{"fm one field", layers.FM(), []harnessInput{hin(1, 4)}, []string{"at least 2 fields", "(batch, 1, 4)"}},
		{"fm ids", layers.FM(), []harnessInput{hids(5, 3, 2)}, []string{"float input"}},
		{"fm two inputs", layers.FM(), []harnessInput{hin(3, 2), hin(3, 2)}, []string{"one input"}},
		{"fm option", layers.FM(layers.WithLowRank(2)), []harnessInput{hin(3, 2)}, []string{"FM does not take option(s) low_rank"}},
		{"crossnet zero layers", layers.CrossNet(0), []harnessInput{hin(4)}, []string{"0 cross layers"}},
		{"crossnet low rank 0", layers.CrossNet(1, layers.WithLowRank(0)), []harnessInput{hin(4)}, []string{"low rank 0 must be positive"}},
		{"crossnet low rank -3", layers.CrossNet(1, layers.WithLowRank(-3)), []harnessInput{hin(4)}, []string{"low rank -3"}},
		{"crossnet rank 3", layers.CrossNet(1), []harnessInput{hin(3, 4)}, []string{"CrossNet", "(batch, d)", "(None, 3, 4)"}},
		{"crossnet option", layers.CrossNet(1, layers.WithCombiner("mean")), []harnessInput{hin(4)}, []string{"does not take option(s) combiner"}},
		{"crossnet initializer", layers.CrossNet(1, layers.WithKernelInitializerName("nope")), []harnessInput{hin(4)}, []string{"nope"}},
		{"dot one field", layers.DotInteraction(), []harnessInput{hin(1, 4)}, []string{"at least 2 fields", "got 1"}},
		{"dot one field input", layers.DotInteraction(), []harnessInput{hin(4)}, []string{"one input of shape (batch, fields, k)"}},
		{"dot rank 4", layers.DotInteraction(), []harnessInput{hin(2, 3, 4)}, []string{"(None, 2, 3, 4)"}},
		{"dot field shapes differ", layers.DotInteraction(), []harnessInput{hin(3), hin(4)}, []string{"one shape (batch, k)"}},
		{"dot fields of rank 3", layers.DotInteraction(), []harnessInput{hin(2, 3), hin(2, 3)}, []string{"one shape (batch, k)"}},
		{"dot ids", layers.DotInteraction(), []harnessInput{hids(5, 3, 2)}, []string{"not a float tensor"}},
		{"dot option", layers.DotInteraction(layers.WithKeepDims(true)), []harnessInput{hin(3, 2)}, []string{"does not take option(s) keep_dims"}},
		{"bag vocab", layers.EmbeddingBag(0, 3), []harnessInput{hids(5, 3)}, []string{"vocab 0 and dim 3 must be positive"}},
		{"bag dim", layers.EmbeddingBag(5, -1), []harnessInput{hids(5, 3)}, []string{"must be positive"}},
		{"bag combiner", layers.EmbeddingBag(5, 2, layers.WithCombiner("max")), []harnessInput{hids(5, 3)}, []string{`combiner "max"`, "sum mean sqrtn"}},
		{"bag floats", layers.EmbeddingBag(5, 2), []harnessInput{hin(3)}, []string{"integer ids"}},
		{"bag rank 3", layers.EmbeddingBag(5, 2), []harnessInput{hids(5, 2, 3)}, []string{"(batch, maxlen)", "(None, 2, 3)"}},
		{"bag option", layers.EmbeddingBag(5, 2, layers.WithSelfInteraction(true)), []harnessInput{hids(5, 3)}, []string{"does not take option(s) self_interaction"}},
		{"bag initializer", layers.EmbeddingBag(5, 2, layers.WithEmbeddingsInitializerName("nope")), []harnessInput{hids(5, 3)}, []string{"nope"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := interactionBuild(tc.layer, tensor.Float32, tc.inputs...)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// interactionPredict runs m on x and returns its output as float64s.
func interactionPredict(t *testing.T, m layers.Model, xs ...*tensor.Dense) []float64 {
	t.Helper()
	tr, err := trainers.New(m, trainers.WithLoss("mse"))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	outs, err := tr.PredictTensors(xs, trainers.BatchSize(2))
	if err != nil {
		t.Fatal(err)
	}
	return harnessValues(outs[0])
}

func interactionClose(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol*math.Max(1, math.Abs(want[i])) || math.IsNaN(got[i]) {
			t.Fatalf("%s[%d] = %.9g, want %.9g (all: %v)", what, i, got[i], want[i], got)
		}
	}
}

// TestFMValues: the FM term is the sum of the pairwise dot products of the fields,
// per dimension with keep dims, in float32 and float64 models.
func TestFMValues(t *testing.T) {
	x := harnessFloats(interactionRNG(3), tensor.Float64, []int{5, 4, 3})
	xv := x.Data().([]float64)
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, keep := range []bool{false, true} {
			m, err := interactionBuild(layers.FM(layers.WithKeepDims(keep)), dt, hin(4, 3))
			if err != nil {
				t.Fatal(err)
			}
			in := x
			if dt == tensor.Float32 {
				in = interactionF32(x)
			}
			var want []float64
			for e := 0; e < 5; e++ {
				per := make([]float64, 3)
				for i := 0; i < 4; i++ {
					for j := i + 1; j < 4; j++ {
						for k := 0; k < 3; k++ {
							per[k] += xv[(e*4+i)*3+k] * xv[(e*4+j)*3+k]
						}
					}
				}
				if keep {
					want = append(want, per...)
				} else {
					want = append(want, per[0]+per[1]+per[2])
				}
			}
			interactionClose(t, fmt.Sprintf("%v keep %v", dt, keep), interactionPredict(t, m, in), want, 1e-5)
		}
	}
}

// TestCrossNetValues: x_{l+1} = x0 ⊙ (x_l·W_l + b_l) + x_l, with W_l = U_l·V_lᵀ for
// a low rank; the weights are named cross_<l>/kernel, kernel_u, kernel_v, bias.
func TestCrossNetValues(t *testing.T) {
	const d, n = 3, 4
	x := harnessFloats(interactionRNG(4), tensor.Float64, []int{n, d})
	for _, rank := range []int{0, 2} {
		opts := []layers.Option{layers.WithName("cn")}
		if rank > 0 {
			opts = append(opts, layers.WithLowRank(rank))
		}
		cn := layers.CrossNet(2, opts...)
		m, err := interactionBuild(cn, tensor.Float64, hin(d))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range cn.Params() {
			names = append(names, p.Name)
		}
		want := "cn/cross_0/kernel cn/cross_0/bias cn/cross_1/kernel cn/cross_1/bias"
		if rank > 0 {
			want = "cn/cross_0/kernel_u cn/cross_0/kernel_v cn/cross_0/bias cn/cross_1/kernel_u cn/cross_1/kernel_v cn/cross_1/bias"
		}
		if got := strings.Join(names, " "); got != want {
			t.Errorf("rank %d: weights %s, want %s", rank, got, want)
		}
		harnessPerturb(cn.Params(), 9) // biases off zero
		if cn.CrossLayers() != 2 || cn.LowRank() != rank || cn.Kernels(2) != nil || cn.Bias(-1) != nil {
			t.Errorf("accessors: %d layers, rank %d", cn.CrossLayers(), cn.LowRank())
		}
		// The kernels as (d, d) matrices.
		var ws, bs [][]float64
		for l := 0; l < 2; l++ {
			k := cn.Kernels(l)
			w := k[0].Float64s()
			if rank > 0 {
				u, v := k[0].Float64s(), k[1].Float64s()
				w = make([]float64, d*d)
				for i := 0; i < d; i++ {
					for j := 0; j < d; j++ {
						for r := 0; r < rank; r++ {
							w[i*d+j] += u[i*rank+r] * v[j*rank+r]
						}
					}
				}
			}
			ws, bs = append(ws, w), append(bs, cn.Bias(l).Float64s())
		}
		xv := x.Data().([]float64)
		var wantY []float64
		for e := 0; e < n; e++ {
			x0 := xv[e*d : (e+1)*d]
			xl := append([]float64(nil), x0...)
			for l := 0; l < 2; l++ {
				next := make([]float64, d)
				for j := 0; j < d; j++ {
					z := bs[l][j]
					for i := 0; i < d; i++ {
						z += xl[i] * ws[l][i*d+j]
					}
					next[j] = x0[j]*z + xl[j]
				}
				xl = next
			}
			wantY = append(wantY, xl...)
		}
		interactionClose(t, fmt.Sprintf("rank %d", rank), interactionPredict(t, m, x), wantY, 1e-12)
	}
}

// TestDotInteractionFieldInputs: fields given as separate (batch, k) inputs give
// what the stacked (batch, fields, k) tensor gives.
func TestDotInteractionFieldInputs(t *testing.T) {
	x := harnessFloats(interactionRNG(5), tensor.Float32, []int{3, 4, 2})
	xv := x.Data().([]float32)
	for _, self := range []bool{false, true} {
		stacked, err := interactionBuild(layers.DotInteraction(layers.WithSelfInteraction(self)), tensor.Float32, hin(4, 2))
		if err != nil {
			t.Fatal(err)
		}
		want := interactionPredict(t, stacked, x)
		if len(want) != 3*graph.InteractionPairs(4, self) {
			t.Fatalf("%d values", len(want))
		}
		split, err := interactionBuild(layers.DotInteraction(layers.WithSelfInteraction(self)), tensor.Float32, hin(2), hin(2), hin(2), hin(2))
		if err != nil {
			t.Fatal(err)
		}
		fields := make([]*tensor.Dense, 4)
		for f := range fields {
			d := make([]float32, 0, 6)
			for e := 0; e < 3; e++ {
				d = append(d, xv[(e*4+f)*2:(e*4+f)*2+2]...)
			}
			fields[f] = tensor.New(tensor.WithShape(3, 2), tensor.WithBacking(d))
		}
		interactionClose(t, fmt.Sprintf("self %v", self), interactionPredict(t, split, fields...), want, 1e-6)
	}
}

// interactionArch is a functional model file architecture: an input of the given
// shape and dtype into one layer of the given class and config.
func interactionArch(shape, dtype, class, config string) string {
	return `{"class_name":"Functional","name":"f","dtype":"float32","layers":[` +
		`{"class_name":"InputLayer","name":"in","config":{"shape":` + shape + `,"dtype":"` + dtype + `"},"inbound_nodes":[]},` +
		`{"class_name":"` + class + `","name":"l","config":` + config + `,"inbound_nodes":[[["in",0,0]]]}],` +
		`"input_layers":[["in",0,0]],"output_layers":[["l",0,0]]}`
}

// TestInteractionLoadErrors: a file whose interaction layer has a bad or missing
// setting fails to load with an error naming the layer and the setting.
func TestInteractionLoadErrors(t *testing.T) {
	crossW := map[string][]int{"l/cross_0/kernel": {3, 3}, "l/cross_0/bias": {3}}
	crossCfg := func(layers, rank string) string {
		return `{"layers":` + layers + `,"projection_dim":` + rank + `,"use_bias":true,"kernel_initializer":"glorot_uniform",` +
			`"bias_initializer":"zeros","kernel_regularizer":{"l1":0,"l2":0}}`
	}
	bagW := map[string][]int{"l/embeddings": {5, 2}}
	bagCfg := func(combiner, pad string) string {
		return `{"input_dim":5,"output_dim":2,"combiner":"` + combiner + `","padding_id":` + pad + `,"embeddings_initializer":"random_uniform"}`
	}
	tests := []struct {
		name string
		arch string
		w    map[string][]int
		want []string
	}{
		{"good crossnet", interactionArch("[3]", "float32", "CrossNet", crossCfg("1", "null")), crossW, nil},
		{"crossnet rank 0", interactionArch("[3]", "float32", "CrossNet", crossCfg("1", "0")), crossW, []string{`layer "l" (CrossNet)`, "projection_dim", "0"}},
		{"crossnet layers 0", interactionArch("[3]", "float32", "CrossNet", crossCfg("0", "null")), crossW, []string{`"layers"`, "0"}},
		{"crossnet no weights", interactionArch("[3]", "float32", "CrossNet", crossCfg("2", "null")), crossW, []string{"l/cross_1/kernel"}},
		{"crossnet low rank without its weights", interactionArch("[3]", "float32", "CrossNet", crossCfg("1", "2")), crossW, []string{"l/cross_0/kernel_u"}},
		{"good bag", interactionArch("[4]", "int64", "EmbeddingBag", bagCfg("mean", "-1")), bagW, nil},
		{"bag combiner", interactionArch("[4]", "int64", "EmbeddingBag", bagCfg("max", "0")), bagW, []string{`combiner "max"`}},
		{"bag padding", interactionArch("[4]", "int64", "EmbeddingBag", bagCfg("sum", `"x"`)), bagW, []string{"padding_id"}},
		{"bag table", interactionArch("[4]", "int64", "EmbeddingBag", bagCfg("sum", "0")), map[string][]int{"l/embeddings": {4, 2}}, []string{"l/embeddings"}},
		{"fm missing", interactionArch("[3,2]", "float32", "FM", `{}`), nil, []string{`layer "l" (FM)`, "keep_dims"}},
		{"good fm", interactionArch("[3,2]", "float32", "FM", `{"keep_dims":true}`), nil, nil},
		{"dot missing", interactionArch("[3,2]", "float32", "DotInteraction", `{"self":true}`), nil, []string{"self_interaction"}},
		{"good dot", interactionArch("[3,2]", "float32", "DotInteraction", `{"self_interaction":true}`), nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := tc.w
			if w == nil {
				w = map[string][]int{}
			}
			_, err := layers.LoadFrom(bytes.NewReader(craft(t, tc.arch, w)))
			if tc.want == nil {
				if err != nil {
					t.Fatalf("load: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("loaded")
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

// TestInteractionDefaultNames: unnamed interaction layers get their class in snake
// case, numbered.
func TestInteractionDefaultNames(t *testing.T) {
	ids := layers.NewInput("ids", layers.Shape(3), layers.Int64)
	fields := layers.NewInput("fields", layers.Shape(3, 2))
	bag := layers.EmbeddingBag(5, 2).Apply(ids)
	cross := layers.CrossNet(1).Apply(bag)
	dot := layers.DotInteraction().Apply(fields)
	fm := layers.FM().Apply(fields)
	y := layers.Concatenate(-1).Apply(cross, dot, fm, layers.FM(layers.WithKeepDims(true)).Apply(fields))
	m, err := layers.NewModel([]*layers.Tensor{ids, fields}, []*layers.Tensor{y})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range m.Layers() {
		names = append(names, l.Name())
	}
	got := strings.Join(names, " ")
	for _, want := range []string{"embedding_bag", "cross_net", "dot_interaction", "fm", "fm_1"} {
		if !strings.Contains(got, want) {
			t.Errorf("layer names %s lack %s", got, want)
		}
	}
	if out := m.Outputs()[0].Shape; len(out) != 1 || out[0] != 2+3+1+2 {
		t.Errorf("output shape %v, want (8)", out)
	}
}

func interactionRNG(seed int64) *rand.Rand { return rand.New(rand.NewSource(seed)) }

// interactionF32 is a float32 copy of a float64 tensor.
func interactionF32(x *tensor.Dense) *tensor.Dense {
	v := x.Data().([]float64)
	d := make([]float32, len(v))
	for i, f := range v {
		d[i] = float32(f)
	}
	return tensor.New(tensor.WithShape(x.Shape().Clone()...), tensor.WithBacking(d))
}

// TestInteractionForwardWithoutBuild: calling a layer's Forward directly, unbuilt,
// with no input or a nil node, is an error, not a panic.
func TestInteractionForwardWithoutBuild(t *testing.T) {
	g, err := graph.New(graph.Train, tensor.Float32, 2)
	if err != nil {
		t.Fatal(err)
	}
	x, _, err := g.Input("x", 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]func() error{
		"fm nil":        func() error { _, err := layers.FM().Forward(g, nil); return err },
		"fm bad option": func() error { _, err := layers.FM(layers.WithLowRank(1)).Forward(g, x); return err },
		"crossnet":      func() error { _, err := layers.CrossNet(1).Forward(g, x); return err },
		"crossnet zero": func() error { _, err := layers.CrossNet(0).Forward(g, x); return err },
		"dot no input":  func() error { _, err := layers.DotInteraction().ForwardMulti(g, nil); return err },
		"dot nil":       func() error { _, err := layers.DotInteraction().ForwardMulti(g, []*G.Node{nil}); return err },
		"bag unbuilt":   func() error { _, err := layers.EmbeddingBag(3, 2).ForwardMulti(g, []*G.Node{x}); return err },
		"bag bad option": func() error {
			_, err := layers.EmbeddingBag(3, 2, layers.WithCombiner("")).ForwardMulti(g, nil)
			return err
		},
	}
	for name, call := range calls {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic %v", name, r)
				}
			}()
			if err := call(); err == nil {
				t.Errorf("%s: no error", name)
			}
		}()
	}
}
