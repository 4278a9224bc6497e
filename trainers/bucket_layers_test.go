package trainers_test

import (
	"strings"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// idRows returns n rows of steps ids in [1, vocab), padded with 0 after valid ids.
func idRows(n, steps, valid, vocab int) *tensor.Dense {
	ids := make([]int64, n*steps)
	for r := 0; r < n; r++ {
		for c := 0; c < valid && c < steps; c++ {
			ids[r*steps+c] = int64(1 + (r*7+c*3)%(vocab-1))
		}
	}
	return tensor.New(tensor.WithShape(n, steps), tensor.WithBacking(ids))
}

// seqModel builds ids (T=16, variable) -> Embedding(mask_zero) -> body -> Dense(3).
func seqModel(t *testing.T, body func(x *layers.Tensor) *layers.Tensor) *trainers.Trainer {
	t.Helper()
	return seqModelAt(t, 16, true, body)
}

// seqModelAt builds ids (steps, variable or not) -> Embedding(mask_zero) -> body ->
// Dense(3): the same weights for any steps (the default seed).
func seqModelAt(t *testing.T, steps int, variable bool, body func(x *layers.Tensor) *layers.Tensor) *trainers.Trainer {
	t.Helper()
	ids := layers.NewInput("ids", layers.Shape(steps), layers.Int64)
	if variable {
		ids = ids.WithVariableSteps()
	}
	x := ap(layers.Embedding(20, 8, layers.WithMaskZero(true)), ids)
	x = body(x)
	out := ap(layers.Dense(3, layers.WithActivation("softmax")), x)
	m, err := layers.NewModel([]*layers.Tensor{ids}, []*layers.Tensor{out})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	tr, err := trainers.New(m, trainers.WithLoss("sparse_categorical_crossentropy"))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// sameOutputs fails unless a and b hold the same values within 1e-5.
func sameOutputs(t *testing.T, what string, a, b *tensor.Dense) {
	t.Helper()
	x, y := a.Data().([]float32), b.Data().([]float32)
	for i := range x {
		if d := x[i] - y[i]; d > 1e-5 || d < -1e-5 {
			t.Fatalf("%s: output %d: %g vs %g", what, i, x[i], y[i])
		}
	}
}

// TestVariableStepsLayers runs sequence layers at a shorter length (7) than
// declared (16): the outputs equal those of the same model declared at 7 steps
// (same weights); where the layers keep the mask, they also equal those of the
// rows padded to 16.
func TestVariableStepsLayers(t *testing.T) {
	pool := func(x *layers.Tensor) *layers.Tensor { return ap(layers.GlobalAveragePooling1D(), x) }
	masked := map[string]bool{"pool": true, "lstm": true, "gru_seq": true, "attention": true, "transformer": true}
	cases := map[string]func(x *layers.Tensor) *layers.Tensor{
		"pool": pool,
		"lstm": func(x *layers.Tensor) *layers.Tensor { return ap(layers.LSTM(6), x) },
		"gru_seq": func(x *layers.Tensor) *layers.Tensor {
			return pool(ap(layers.GRU(5, layers.WithReturnSequences(true)), x))
		},
		"conv1d": func(x *layers.Tensor) *layers.Tensor {
			return ap(layers.GlobalMaxPooling1D(), ap(layers.Conv1D(4, 3, layers.WithPadding("same")), x))
		},
		"conv1d_valid_pool": func(x *layers.Tensor) *layers.Tensor {
			return pool(ap(layers.MaxPooling1D(2), ap(layers.Conv1D(4, 3), x)))
		},
		"dense3": func(x *layers.Tensor) *layers.Tensor { return pool(ap(layers.Dense(4), x)) },
		"timedistributed": func(x *layers.Tensor) *layers.Tensor {
			return pool(ap(layers.TimeDistributed(layers.Dense(4)), x))
		},
		"attention": func(x *layers.Tensor) *layers.Tensor {
			return pool(ap(layers.MultiHeadAttention(2, 4), x, x))
		},
		"transformer": func(x *layers.Tensor) *layers.Tensor {
			return pool(ap(layers.TransformerEncoder(2, 16), x))
		},
		"positional": func(x *layers.Tensor) *layers.Tensor {
			return pool(ap(layers.Add(), x, ap(layers.PositionalEmbedding(16, 8), x)))
		},
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			tr := seqModel(t, body)
			short, err := tr.Predict(idRows(5, 7, 6, 20))
			if err != nil {
				t.Fatalf("predict at 7 steps: %v", err)
			}
			ref, err := seqModelAt(t, 7, false, body).Predict(idRows(5, 7, 6, 20))
			if err != nil {
				t.Fatalf("model declared at 7 steps: %v", err)
			}
			sameOutputs(t, "variable at 7 vs declared at 7", short, ref)
			full, err := tr.Predict(idRows(5, 16, 6, 20))
			if err != nil {
				t.Fatalf("predict at 16 steps: %v", err)
			}
			if masked[name] {
				sameOutputs(t, "7 steps vs padded to 16", short, full)
			}
			if got := tr.CompiledPrograms(); got != 2 {
				t.Errorf("compiled %d programs, want 2 (one per length)", got)
			}
		})
	}
}

// TestVariableStepsFlattenError: Flatten's output depends on the length.
func TestVariableStepsFlattenError(t *testing.T) {
	tr := seqModel(t, func(x *layers.Tensor) *layers.Tensor { return ap(layers.Flatten(), x) })
	if _, err := tr.Predict(idRows(2, 16, 6, 20)); err != nil {
		t.Fatalf("at the declared length: %v", err)
	}
	_, err := tr.Predict(idRows(2, 7, 6, 20))
	if err == nil || !strings.Contains(err.Error(), "flatten") || !strings.Contains(err.Error(), "cannot take a variable sequence length") {
		t.Fatalf("want an error naming flatten, got %v", err)
	}
}

// ap applies l to xs and returns its first output.
func ap(l layers.Layer, xs ...*layers.Tensor) *layers.Tensor { return layers.Apply(l, xs...)[0] }

// TestVariableStepsSequential: Input(16, 3).WithVariableSteps() in a Sequential
// (float features per step) gives the outputs of the same model declared at 5.
func TestVariableStepsSequential(t *testing.T) {
	model := func(steps int, variable bool) *trainers.Trainer {
		in := layers.Input(steps, 3)
		if variable {
			in = in.WithVariableSteps()
		}
		m := layers.NewSequential(in, layers.Conv1D(4, 3, layers.WithPadding("same")), layers.GlobalAveragePooling1D(), layers.Dense(2))
		if err := m.Build(); err != nil {
			t.Fatal(err)
		}
		if v := m.VariableInputs(); len(v) != 1 || v[0] != variable {
			t.Fatalf("VariableInputs %v", v)
		}
		tr, err := trainers.New(m, trainers.WithLoss("mse"))
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	vals := make([]float64, 2*5*3)
	for i := range vals {
		vals[i] = float64(i%7) / 7
	}
	x := dense32([]int{2, 5, 3}, vals...)
	a, err := model(16, true).Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	b, err := model(5, false).Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	sameOutputs(t, "variable at 5 vs declared at 5", a, b)
}
