package layers_test

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestRNNErrors(t *testing.T) {
	cases := []struct {
		name  string
		make  func() layers.Layer
		shape []int
		want  string
	}{
		{"zero units", func() layers.Layer { return layers.LSTM(0) }, []int{3, 2}, "units 0"},
		{"negative cell units", func() layers.Layer { return layers.RNN(layers.GRUCell(-1)) }, []int{3, 2}, "units -1"},
		{"nil cell", func() layers.Layer { return layers.RNN(nil) }, []int{3, 2}, "no cell"},
		{"rank 1 input", func() layers.Layer { return layers.SimpleRNN(2) }, []int{3}, "want a float sequence (steps, features)"},
		{"rank 3 input", func() layers.Layer { return layers.SimpleRNN(2) }, []int{3, 2, 2}, "want a float sequence (steps, features)"},
		{"foreign option", func() layers.Layer { return layers.LSTM(2, layers.WithEpsilon(0.1)) }, []int{3, 2}, "does not take option(s) epsilon"},
		{"reset_after on lstm", func() layers.Layer { return layers.LSTM(2, layers.WithResetAfter(false)) }, []int{3, 2}, "does not take option(s) reset_after"},
		{"merge mode", func() layers.Layer { return layers.Bidirectional(layers.LSTM(2), layers.WithMergeMode("max")) }, []int{3, 2}, `merge mode "max"`},
		{"bidirectional nil", func() layers.Layer { return layers.Bidirectional(nil) }, []int{3, 2}, "no layer"},
		{"bidirectional bad inner", func() layers.Layer { return layers.Bidirectional(layers.GRU(0)) }, []int{3, 2}, "units 0"},
		{"bidirectional foreign option", func() layers.Layer {
			return layers.Bidirectional(layers.GRU(2), layers.WithReturnSequences(true))
		}, []int{3, 2}, "does not take option(s) return_sequences"},
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

// TestRNNInitialStateErrors: initial states must be one per state, of the cell's
// width.
func TestRNNInitialStateErrors(t *testing.T) {
	for _, c := range []struct {
		name   string
		states [][]int
		want   string
	}{
		{"one of two", [][]int{{3}}, "want the sequence and either no initial states or 2"},
		{"wrong width", [][]int{{3}, {2}}, "initial state 1 is"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ins := []*layers.Tensor{layers.NewInput("x", layers.Shape(4, 2))}
			for i, s := range c.states {
				ins = append(ins, layers.NewInput("s"+string(rune('0'+i)), layers.Shape(s...)))
			}
			m, err := layers.NewModel(ins, layers.LSTM(3).Apply(ins...)[:1])
			if err == nil {
				err = m.Build()
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestRNNMasking: with a mask (from Masking), a padded step keeps the previous
// states and output; a leading padded step outputs zeros; the final output equals
// the same layer run on the unpadded steps.
func TestRNNMasking(t *testing.T) {
	for _, kind := range []string{"SimpleRNN", "LSTM", "GRU"} {
		t.Run(kind, func(t *testing.T) {
			mk := func(opts ...layers.Option) *layers.RNNLayer {
				switch kind {
				case "SimpleRNN":
					return layers.SimpleRNN(3, opts...)
				case "LSTM":
					return layers.LSTM(3, opts...)
				}
				return layers.GRU(3, opts...)
			}
			full := mk(layers.WithReturnSequences(true))
			in := layers.NewInput("x", layers.Shape(5, 2))
			m, err := layers.NewModel([]*layers.Tensor{in}, full.Apply(layers.Masking(0).Apply(in))[:1])
			if err == nil {
				err = m.Build(layers.WithDType(tensor.Float64), layers.WithSeed(3))
			}
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewSource(5))
			step := func() []float64 { return []float64{rng.Float64()*2 - 1, rng.Float64()*2 - 1} }
			a, b, c := step(), step(), step()
			zero := []float64{0, 0}
			rows := [][][]float64{
				{a, b, c, zero, zero}, // padded at the end
				{zero, a, b, zero, c}, // leading and middle pads
			}
			var data []float64
			for _, r := range rows {
				for _, s := range r {
					data = append(data, s...)
				}
			}
			y := predict64(t, m, tensor.New(tensor.WithShape(2, 5, 2), tensor.WithBacking(data)))
			at := func(row, t int) []float64 { return y[(row*5+t)*3 : (row*5+t+1)*3] }
			near(t, "row 0 step 3 keeps step 2", at(0, 3), at(0, 2), 0)
			near(t, "row 0 step 4 keeps step 2", at(0, 4), at(0, 2), 0)
			near(t, "row 1 step 0 is zero", at(1, 0), []float64{0, 0, 0}, 0)
			near(t, "row 1 step 3 keeps step 2", at(1, 3), at(1, 2), 0)
			near(t, "leading pad changes nothing", at(1, 2), at(0, 1), 1e-12)

			// The same weights on the three real steps, no mask.
			short := mk()
			in3 := layers.NewInput("x", layers.Shape(3, 2))
			m3, err := layers.NewModel([]*layers.Tensor{in3}, short.Apply(in3)[:1])
			if err == nil {
				err = m3.Build(layers.WithDType(tensor.Float64))
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range short.Params() {
				if err := p.SetFloat64s(full.Params()[i].Float64s()); err != nil {
					t.Fatal(err)
				}
			}
			abc := append(append(append([]float64(nil), a...), b...), c...)
			y3 := predict64(t, m3, tensor.New(tensor.WithShape(1, 3, 2), tensor.WithBacking(abc)))
			near(t, "row 0 last = unpadded run", at(0, 4), y3, 1e-12)
			near(t, "row 1 last = unpadded run", at(1, 4), y3, 1e-12)
		})
	}
}

// TestRNNReturnStateAndBackwards: an LSTM's states are (h, c) with h the last
// output; a backwards layer's sequence is the forward layer's on the reversed
// input.
func TestRNNReturnStateAndBackwards(t *testing.T) {
	g, err := graph.New(graph.Infer, tensor.Float64, 2)
	if err != nil {
		t.Fatal(err)
	}
	x, xt, err := g.Input("x", 4, 3)
	if err != nil {
		t.Fatal(err)
	}
	rx, rxt, err := g.Input("rx", 4, 3)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(1))
	xd, rxd := xt.Data().([]float64), rxt.Data().([]float64)
	for i := range xd {
		xd[i] = rng.Float64()*2 - 1
	}
	for b := 0; b < 2; b++ {
		for s := 0; s < 4; s++ {
			copy(rxd[(b*4+s)*3:(b*4+s+1)*3], xd[(b*4+3-s)*3:(b*4+4-s)*3])
		}
	}
	fwd := layers.LSTM(2, layers.WithReturnSequences(true), layers.WithReturnState(true), layers.WithName("f"))
	bwd := layers.LSTM(2, layers.WithReturnSequences(true), layers.WithGoBackwards(true), layers.WithName("b"))
	ctx := layers.BuildContext{DType: tensor.Float64, RNG: rand.New(rand.NewSource(2))}
	spec := []layers.Spec{{Shape: []int{4, 3}, DType: tensor.Float64}}
	outs, err := fwd.BuildMulti(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 3 {
		t.Fatalf("%d outputs, want 3", len(outs))
	}
	if _, err := bwd.BuildMulti(ctx, spec); err != nil {
		t.Fatal(err)
	}
	for i, p := range bwd.Params() {
		if err := p.SetFloat64s(fwd.Params()[i].Float64s()); err != nil {
			t.Fatal(err)
		}
	}
	fy, err := fwd.ForwardMulti(g, []*G.Node{rx})
	if err != nil {
		t.Fatal(err)
	}
	by, err := bwd.ForwardMulti(g, []*G.Node{x})
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]G.Value, 4)
	for i, n := range []*G.Node{fy[0], fy[1], fy[2], by[0]} {
		G.Read(n, &vals[i])
	}
	vm := G.NewTapeMachine(g.ExprGraph())
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	seqF := vals[0].Data().([]float64)
	h := vals[1].Data().([]float64)
	if c := vals[2].Data().([]float64); len(c) != 4 {
		t.Fatalf("c has %d values", len(c))
	}
	near(t, "backwards = forward on reversed", vals[3].Data().([]float64), seqF, 1e-12)
	for b := 0; b < 2; b++ {
		near(t, "h is the last output", h[b*2:b*2+2], seqF[(b*4+3)*2:(b*4+4)*2], 0)
	}
}

// TestRNNWeightNames: the cell's weights carry the layer's name, Keras style.
func TestRNNWeightNames(t *testing.T) {
	l := layers.Bidirectional(layers.GRU(2, layers.WithResetAfter(false)), layers.WithName("bi"))
	if _, err := seqModel(l, 3, 2); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range l.Params() {
		names = append(names, p.Name+rnnShapeString(p.Value.Shape()))
	}
	want := "bi/forward/gru_cell/kernel(2,6) bi/forward/gru_cell/recurrent_kernel(2,6) bi/forward/gru_cell/bias(6) " +
		"bi/backward/gru_cell/kernel(2,6) bi/backward/gru_cell/recurrent_kernel(2,6) bi/backward/gru_cell/bias(6)"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("weights %s, want %s", got, want)
	}
}

func rnnShapeString(s tensor.Shape) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = string(rune('0' + d))
	}
	return "(" + strings.Join(parts, ",") + ")"
}

// TestRNNTypedNilCell: a nil cell of a concrete type is an error, not a panic.
func TestRNNTypedNilCell(t *testing.T) {
	var cell *layers.LSTMCellLayer
	in := layers.NewInput("x", layers.Shape(3, 2))
	outs := layers.RNN(cell).Apply(in)
	m, err := layers.NewModel([]*layers.Tensor{in}, outs[:1])
	if err == nil {
		err = m.Build()
	}
	if err == nil || !strings.Contains(err.Error(), "no cell") {
		t.Fatalf("got %v, want an error saying there is no cell", err)
	}
}
