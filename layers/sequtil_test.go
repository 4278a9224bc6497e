package layers_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// seqModel builds a one-layer model on an input of the given shape (float64).
func seqModel(l layers.Layer, shape ...int) (*layers.Functional, error) {
	in := layers.NewInput("x", layers.Shape(shape...))
	m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{layers.Apply(l, in)[0]})
	if err != nil {
		return nil, err
	}
	return m, m.Build(layers.WithDType(tensor.Float64))
}

func TestSeqUtilErrors(t *testing.T) {
	cases := []struct {
		name  string
		make  func() layers.Layer
		shape []int
		want  string
	}{
		{"layernorm zero epsilon", func() layers.Layer { return layers.LayerNormalization(layers.WithEpsilon(0)) }, []int{3}, "epsilon 0"},
		{"layernorm inf epsilon", func() layers.Layer { return layers.LayerNormalization(layers.WithEpsilon(math.Inf(1))) }, []int{3}, "epsilon"},
		{"layernorm foreign option", func() layers.Layer { return layers.LayerNormalization(layers.WithMomentum(0.5)) }, []int{3}, "does not take option(s) momentum"},
		{"positional zero length", func() layers.Layer { return layers.PositionalEmbedding(0, 2) }, []int{1, 2}, "max length 0"},
		{"positional too many steps", func() layers.Layer { return layers.PositionalEmbedding(2, 2) }, []int{3, 2}, "1 <= steps <= 2"},
		{"positional wrong dim", func() layers.Layer { return layers.PositionalEmbedding(4, 2) }, []int{3, 5}, "want (steps, 2)"},
		{"positional rank 1", func() layers.Layer { return layers.PositionalEmbedding(4, 2) }, []int{2}, "want (steps, 2)"},
		{"sinusoidal rank 1", func() layers.Layer { return layers.SinusoidalEncoding() }, []int{4}, "want (steps, dim)"},
		{"repeat zero", func() layers.Layer { return layers.RepeatVector(0) }, []int{3}, "n 0"},
		{"repeat rank 2", func() layers.Layer { return layers.RepeatVector(2) }, []int{3, 2}, "want (features)"},
		{"masking NaN", func() layers.Layer { return layers.Masking(math.NaN()) }, []int{3, 2}, "must be finite"},
		{"masking rank 1", func() layers.Layer { return layers.Masking(0) }, []int{3}, "want (steps, ..., features)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := seqModel(c.make(), c.shape...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func predict64(t *testing.T, m layers.Model, x *tensor.Dense) []float64 {
	t.Helper()
	out, err := trainers.Predict(m, x)
	if err != nil {
		t.Fatalf("predict: %v", err)
	}
	return out.Data().([]float64)
}

func near(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol {
			t.Fatalf("%s: [%d] = %.9g, want %.9g", what, i, got[i], want[i])
		}
	}
}

func TestRepeatVectorValues(t *testing.T) {
	m, err := seqModel(layers.RepeatVector(3), 2)
	if err != nil {
		t.Fatal(err)
	}
	got := predict64(t, m, tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4})))
	near(t, "repeat", got, []float64{1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4}, 0)
}

func TestMaskingValuesAndMask(t *testing.T) {
	m, err := seqModel(layers.Masking(-1), 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{1, 2, -1, -1, -1, 5, -1, -1, 0, 0, 3, -1}
	got := predict64(t, m, tensor.New(tensor.WithShape(2, 3, 2), tensor.WithBacking(append([]float64(nil), x...))))
	near(t, "masking", got, []float64{1, 2, 0, 0, -1, 5, 0, 0, 0, 0, 3, -1}, 0)

	// The mask recorded in the graph.
	g, err := graph.New(graph.Infer, tensor.Float64, 2)
	if err != nil {
		t.Fatal(err)
	}
	xn, xt, err := g.Input("x", 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	copy(xt.Data().([]float64), x)
	y, err := layers.Masking(-1).Forward(g, xn)
	if err != nil {
		t.Fatal(err)
	}
	mn, ok := g.Mask(y)
	if !ok {
		t.Fatal("no mask recorded")
	}
	vm := G.NewTapeMachine(g.ExprGraph())
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	if s := mn.Shape(); !s.Eq(tensor.Shape{2, 3}) {
		t.Fatalf("mask shape %v", s)
	}
	near(t, "mask", mn.Value().Data().([]float64), []float64{1, 0, 1, 0, 1, 1}, 0)
}

func TestSinusoidalValues(t *testing.T) {
	m, err := seqModel(layers.SinusoidalEncoding(), 3, 4)
	if err != nil {
		t.Fatal(err)
	}
	got := predict64(t, m, tensor.New(tensor.WithShape(1, 3, 4), tensor.WithBacking(make([]float64, 12))))
	want := make([]float64, 0, 12)
	for p := 0.0; p < 3; p++ {
		want = append(want, math.Sin(p), math.Cos(p), math.Sin(p/100), math.Cos(p/100))
	}
	near(t, "encoding", got, want, 1e-15)
	near(t, "table", layers.SinusoidalTable(3, 4), want, 1e-15)
}

func TestPositionalEmbeddingValues(t *testing.T) {
	l := layers.PositionalEmbedding(4, 2)
	m, err := seqModel(l, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	table := l.Embeddings().Float64s()
	got := predict64(t, m, tensor.New(tensor.WithShape(2, 3, 2), tensor.WithBacking([]float64{0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1})))
	want := append(append([]float64(nil), table[:6]...), table[:6]...)
	for i := 6; i < 12; i++ {
		want[i]++
	}
	near(t, "positions", got, want, 1e-15)
}

func TestLayerNormValues(t *testing.T) {
	l := layers.LayerNormalization(layers.WithEpsilon(1e-5))
	m, err := seqModel(l, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Gamma().SetFloat64s([]float64{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if err := l.Beta().SetFloat64s([]float64{0, 1, -1}); err != nil {
		t.Fatal(err)
	}
	got := predict64(t, m, tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{1, 2, 6})))
	mean, v := 3.0, (4.0+1+9)/3
	r := 1 / math.Sqrt(v+1e-5)
	near(t, "layernorm", got, []float64{(1 - mean) * r, (2-mean)*r*2 + 1, (6-mean)*r*3 - 1}, 1e-12)
}

func TestGELUActivations(t *testing.T) {
	for _, name := range []string{"gelu", "gelu_tanh"} {
		m, err := seqModel(layers.Activation(name), 3)
		if err != nil {
			t.Fatal(err)
		}
		got := predict64(t, m, tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{-1, 0.5, 2})))
		want := []float64{-0.15865525393145707, 0.34573123063700656, 1.9544997361036416}
		tol := 1e-15
		if name == "gelu_tanh" {
			want = []float64{-0.15880800939172324, 0.34571400982514394, 1.9545976940871754}
			tol = 1e-12
		}
		near(t, name, got, want, tol)
	}
}

// Each row of a (batch, features) input is standardized with its own mean and
// variance, then scaled by gamma (ones) and shifted by beta (zeros). Keras'
// default epsilon is 1e-3; PyTorch's nn.LayerNorm uses 1e-5 (WithEpsilon).
func ExampleLayerNormalization() {
	ln := layers.LayerNormalization(layers.WithEpsilon(1e-5))
	in := layers.NewInput("x", layers.Shape(4))
	model, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{ln.Apply(in)})
	if err == nil {
		err = model.Build()
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	rows := tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]float32{1, 2, 3, 4, 10, 10, 10, 30}))
	out, err := trainers.Predict(model, rows)
	if err != nil {
		fmt.Println(err)
		return
	}
	vs := out.Data().([]float32)
	for r := 0; r < 2; r++ {
		fmt.Printf("%.4f\n", vs[4*r:4*r+4])
	}
	fmt.Println(len(ln.Params()), "weights:", ln.Gamma().Name, ln.Beta().Name)
	// Output:
	// [-1.3416 -0.4472 0.4472 1.3416]
	// [-0.5774 -0.5774 -0.5774 1.7321]
	// 2 weights: layer_normalization/gamma layer_normalization/beta
}
