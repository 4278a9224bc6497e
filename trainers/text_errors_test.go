package trainers_test

import (
	"context"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/text"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// textModel is a model of one String input "text": TextVectorization (words of
// a tiny vocabulary, 4 ids) -> Embedding -> GlobalAveragePooling1D -> Dense
// "label" (2 classes, softmax).
func textModel(t *testing.T) *layers.Functional {
	t.Helper()
	words, err := text.FitWords([]string{"good film", "bad film", "good plot", "bad plot"}, text.WordsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	in := layers.NewInput("text", layers.Shape(1), layers.String)
	ids := layers.TextVectorization(words, layers.WithOutputSequenceLength(4)).Apply(in)
	e := layers.Embedding(words.VocabSize(), 4, layers.WithMaskZero(true)).Apply(ids)
	out := layers.Dense(2, layers.WithActivation("softmax"), layers.WithName("label")).Apply(layers.Apply(layers.GlobalAveragePooling1D(), e)[0])
	m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{out})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestTokenizeErrorNamesExample: a text the tokenizer refuses (empty, invalid
// UTF-8, no tokens) is a *graph.TokenizeError whose Row is the example of the
// data set, not its row in the batch, in Fit, Evaluate and Predict.
func TestTokenizeErrorNamesExample(t *testing.T) {
	const n = 10
	m := textModel(t)
	tr := newTrainer(t, m, trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithMetrics("accuracy"))
	texts := func(row int, bad string) map[string]*tensor.Dense {
		s := make([]string, n)
		for i := range s {
			s[i] = []string{"good film", "bad plot"}[i%2]
		}
		s[row] = bad
		return map[string]*tensor.Dense{"text": strs(s...)}
	}
	labels := make([]float32, n)
	for i := range labels {
		labels[i] = float32(i % 2)
	}
	y := map[string]*tensor.Dense{"label": tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(labels))}
	ctx := context.Background()
	tests := []struct {
		name, bad string
		row       int
		run       func(x map[string]*tensor.Dense) error
	}{
		{"fit empty", "", 7, func(x map[string]*tensor.Dense) error {
			_, err := tr.FitNamed(ctx, x, y, trainers.BatchSize(3), trainers.Verbose(0))
			return err
		}},
		{"evaluate invalid UTF-8", "good \xff film", 5, func(x map[string]*tensor.Dense) error {
			_, err := tr.EvaluateNamed(ctx, x, y, trainers.BatchSize(4))
			return err
		}},
		{"predict no tokens", "?!", 9, func(x map[string]*tensor.Dense) error {
			_, err := tr.PredictNamed(x, trainers.BatchSize(4))
			return err
		}},
		{"function predict empty", "", 8, func(x map[string]*tensor.Dense) error {
			_, err := trainers.PredictNamed(m, x)
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run(texts(tc.row, tc.bad))
			var te *graph.TokenizeError
			switch {
			case err == nil:
				t.Fatal("no error")
			case !errors.As(err, &te):
				t.Fatalf("not a *graph.TokenizeError: %v", err)
			case te.Row != tc.row:
				t.Errorf("row %d, want example %d: %v", te.Row, tc.row, err)
			}
		})
	}
}
