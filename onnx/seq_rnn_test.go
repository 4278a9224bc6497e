package onnx

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"gorgonia.org/tensor"
)

// rnnModel is Input(steps, features) → make's layers on it, float32 or float64,
// jittered, with a random batch of 3.
func rnnModel(steps, features int, dt tensor.Dtype, make func(x *layers.Tensor) []*layers.Tensor) func(t *testing.T) (layers.Model, map[string]*tensor.Dense) {
	return func(t *testing.T) (layers.Model, map[string]*tensor.Dense) {
		x := layers.NewInput("x", layers.Shape(steps, features))
		m := functional(t, []*layers.Tensor{x}, make(x), dt)
		return m, named(m, randInput(dt, 3, steps, features))
	}
}

// maskedIDs is Input int ids (6) → Embedding(9, 4, mask_zero) → make's layers, on
// ids with padding at the end, in the middle and at the start, and a row of
// padding only.
func maskedIDs(dt tensor.Dtype, make func(h *layers.Tensor) []*layers.Tensor) func(t *testing.T) (layers.Model, map[string]*tensor.Dense) {
	return func(t *testing.T) (layers.Model, map[string]*tensor.Dense) {
		idt := layers.Int64
		if dt == tensor.Int32 {
			idt = layers.Int32
		}
		in := layers.NewInput("ids", layers.Shape(6), idt)
		h := layers.Embedding(9, 4, layers.WithMaskZero(true)).Apply(in)
		m := functional(t, []*layers.Tensor{in}, make(h), tensor.Float32)
		x := ids(dt, []int{3, 1, 4, 1, 0, 0}, []int{5, 0, 2, 6, 0, 8}, []int{0, 0, 7, 2, 8, 1}, []int{0, 0, 0, 0, 0, 0})
		return m, named(m, x)
	}
}

// one applies layer l to the model's single tensor.
func one(l layers.Layer) func(*layers.Tensor) []*layers.Tensor {
	return func(x *layers.Tensor) []*layers.Tensor { return layers.Apply(l, x) }
}

func TestRecurrentParity(t *testing.T) {
	seq, st, back := layers.WithReturnSequences(true), layers.WithReturnState(true), layers.WithGoBackwards(true)
	noReset := layers.WithResetAfter(false)
	runSeqCases(t, []seqCase{
		{name: "lstm_last", build: rnnModel(5, 3, tensor.Float32, one(layers.LSTM(4)))},
		{name: "lstm_seq_state", build: rnnModel(5, 3, tensor.Float32, one(layers.LSTM(4, seq, st)))},
		{name: "lstm_backwards", build: rnnModel(5, 3, tensor.Float32, one(layers.LSTM(4, seq, back)))},
		{name: "gru_reset_after", build: rnnModel(5, 3, tensor.Float32, one(layers.GRU(4, seq, st)))},
		{name: "gru_reset_before", build: rnnModel(5, 3, tensor.Float32, one(layers.GRU(4, noReset, seq)))},
		{name: "gru_backwards_last", build: rnnModel(4, 2, tensor.Float32, one(layers.GRU(3, back, st)))},
		{name: "simple_rnn", build: rnnModel(5, 3, tensor.Float32, one(layers.SimpleRNN(4, seq, st)))},
		{name: "rnn_of_lstm_cell", build: rnnModel(5, 3, tensor.Float32, one(layers.RNN(layers.LSTMCell(3), st)))},
		{name: "gru_opset13", build: rnnModel(5, 3, tensor.Float32, one(layers.GRU(4, seq, st))), opts: []Option{WithOpset(13)}},
		{name: "lstm_float64", build: rnnModel(5, 3, tensor.Float64, one(layers.LSTM(4, seq))), tol: 1e-12},
		{name: "gru_simple_float64", build: rnnModel(4, 3, tensor.Float64, func(x *layers.Tensor) []*layers.Tensor {
			h := layers.GRU(3, seq, layers.WithResetAfter(false)).Apply(x)[0]
			h = layers.GRU(3, seq, back).Apply(h)[0]
			return layers.SimpleRNN(2, st).Apply(h)
		}), tol: 1e-12},
		{name: "stacked", build: rnnModel(6, 3, tensor.Float32, func(x *layers.Tensor) []*layers.Tensor {
			h := layers.LSTM(5, seq).Apply(x)[0]
			return layers.GRU(4).Apply(h)
		})},
		{name: "initial_states", build: func(t *testing.T) (layers.Model, map[string]*tensor.Dense) {
			x := layers.NewInput("x", layers.Shape(4, 3))
			h0, c0 := layers.NewInput("h0", layers.Shape(5)), layers.NewInput("c0", layers.Shape(5))
			m := functional(t, []*layers.Tensor{x, h0, c0}, layers.LSTM(5, seq, st).Apply(x, h0, c0), tensor.Float32)
			return m, named(m, randInput(tensor.Float32, 2, 4, 3), randInput(tensor.Float32, 2, 5), scaled(randInput(tensor.Float32, 2, 5), -0.7))
		}},
	})
}

func TestBidirectionalParity(t *testing.T) {
	seq, st := layers.WithReturnSequences(true), layers.WithReturnState(true)
	var cases []seqCase
	for _, mode := range []string{"concat", "sum", "ave", "mul"} {
		mode := mode
		cases = append(cases, seqCase{name: "lstm_" + mode, build: rnnModel(5, 3, tensor.Float32, func(x *layers.Tensor) []*layers.Tensor {
			return layers.Bidirectional(layers.LSTM(4, seq), layers.WithMergeMode(mode)).Apply(x)
		})})
	}
	cases = append(cases,
		seqCase{name: "gru_last_state", build: rnnModel(5, 3, tensor.Float32, func(x *layers.Tensor) []*layers.Tensor {
			return layers.Bidirectional(layers.GRU(4, st)).Apply(x)
		})},
		seqCase{name: "simple_rnn_backwards_inner", build: rnnModel(4, 3, tensor.Float32, func(x *layers.Tensor) []*layers.Tensor {
			return layers.Bidirectional(layers.SimpleRNN(3, seq, layers.WithGoBackwards(true))).Apply(x)
		})},
	)
	runSeqCases(t, cases)
}

// TestMaskedRecurrentParity checks the unrolled form: padded steps (at the end,
// in the middle, at the start, a row of padding only) keep the states.
func TestMaskedRecurrentParity(t *testing.T) {
	seq, st, back := layers.WithReturnSequences(true), layers.WithReturnState(true), layers.WithGoBackwards(true)
	runSeqCases(t, []seqCase{
		{name: "lstm_int64", build: maskedIDs(tensor.Int64, one(layers.LSTM(4, seq, st)))},
		{name: "lstm_int32_last", build: maskedIDs(tensor.Int32, one(layers.LSTM(4)))},
		{name: "gru_backwards", build: maskedIDs(tensor.Int64, one(layers.GRU(3, seq, back, st)))},
		{name: "gru_reset_before", build: maskedIDs(tensor.Int64, one(layers.GRU(3, layers.WithResetAfter(false), seq)))},
		{name: "simple_rnn", build: maskedIDs(tensor.Int64, one(layers.SimpleRNN(3, st)))},
		{name: "lstm_opset13", build: maskedIDs(tensor.Int64, one(layers.LSTM(3, seq))), opts: []Option{WithOpset(13)}},
		{name: "bidirectional", build: maskedIDs(tensor.Int64, one(layers.Bidirectional(layers.LSTM(3, seq, st))))},
		{name: "stacked_then_pool", build: maskedIDs(tensor.Int64, func(h *layers.Tensor) []*layers.Tensor {
			h = layers.GRU(5, seq).Apply(h)[0]
			h = layers.Dense(4, layers.WithActivation("tanh")).Apply(h)
			return layers.Apply(layers.GlobalAveragePooling1D(), h)
		})},
		{name: "masking_layer", build: func(t *testing.T) (layers.Model, map[string]*tensor.Dense) {
			x := layers.NewInput("x", layers.Shape(5, 3))
			h := layers.Masking(0.5).Apply(x)
			m := functional(t, []*layers.Tensor{x}, layers.LSTM(4, seq).Apply(h), tensor.Float32)
			in := randInput(tensor.Float32, 2, 5, 3)
			d := in.Data().([]float32)
			for _, step := range []int{1, 4, 5 + 2} { // example 0 steps 1 and 4, example 1 step 2
				for j := 0; j < 3; j++ {
					d[step*3+j] = 0.5
				}
			}
			d[5*3+3*3] = 0.5 // one feature only: not masked
			return m, named(m, in)
		}},
	})
}

func scaled(x *tensor.Dense, k float32) *tensor.Dense {
	d := x.Data().([]float32)
	for i := range d {
		d[i] *= k
	}
	return x
}

// customCell is a cell this package's exporter does not know.
type customCell struct{ *layers.SimpleRNNCellLayer }

func TestSequenceRefusals(t *testing.T) {
	x := layers.NewInput("x", layers.Shape(4, 3))
	m, err := layers.NewModel([]*layers.Tensor{x}, layers.RNN(customCell{layers.SimpleRNNCell(2)}, layers.WithName("odd_rnn")).Apply(x))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	_, err = Convert(m)
	if err == nil || !strings.Contains(err.Error(), "odd_rnn") || !strings.Contains(err.Error(), "no ONNX form") {
		t.Fatalf("export of a custom cell: %v, want an error naming the layer and saying the cell has no ONNX form", err)
	}
	t.Log(err)
}

// TestIDsOutOfRange checks that ids outside [0, vocab) fail the ONNX Runtime run,
// as they fail gokeras' (a negative id would otherwise be read from the end of
// the table), and that ids in range run.
func TestIDsOutOfRange(t *testing.T) {
	in := layers.NewInput("ids", layers.Shape(2), layers.Int64)
	bag := layers.NewInput("bag", layers.Shape(2), layers.Int32)
	m := functional(t, []*layers.Tensor{in, bag}, []*layers.Tensor{layers.Embedding(4, 2).Apply(in),
		layers.EmbeddingBag(4, 2, layers.WithPaddingID(-1)).Apply(bag)}, tensor.Float32)
	path := filepath.Join(t.TempDir(), "ids.onnx")
	if err := Save(m, path); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ids, bag []int
		fails    bool
	}{
		{[]int{3, 0}, []int{-1, 3}, false},
		{[]int{-1, 0}, []int{0, 1}, true},
		{[]int{4, 0}, []int{0, 1}, true},
		{[]int{0, 1}, []int{-2, 1}, true},
		{[]int{0, 1}, []int{4, -1}, true},
	} {
		msg := ortError(t, path, named(m, ids(tensor.Int64, tc.ids), ids(tensor.Int32, tc.bag)))
		if (msg != "") != tc.fails {
			t.Errorf("ids %v, bag %v: ONNX Runtime error %q, want failure %v", tc.ids, tc.bag, msg, tc.fails)
		}
		if tc.fails && !strings.Contains(msg, "out of data bounds") {
			t.Errorf("ids %v, bag %v: error %q does not say the index is out of bounds", tc.ids, tc.bag, msg)
		}
	}
}
