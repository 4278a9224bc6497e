package trainers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// colorOnly is a model of one String input "color" and one output.
func colorOnly(t *testing.T) *layers.Functional {
	t.Helper()
	color := layers.NewInput("color", layers.Shape(1), layers.String)
	lookup := layers.StringLookup(layers.WithVocabulary(colorVocab))
	e := layers.Flatten().Apply(layers.Embedding(lookup.VocabularySize(), 3).Apply(lookup.Apply(color)))
	m, err := layers.NewModel([]*layers.Tensor{color}, []*layers.Tensor{layers.Dense(1, layers.WithName("score")).Apply(e)})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestStringDTypeErrors: strings for a number input and numbers for a String
// input are errors naming the input (no panic), before anything runs, in every
// path that feeds the model; so is a String target.
func TestStringDTypeErrors(t *testing.T) {
	ctx := context.Background()
	m := colorModel(t, 1, false)
	tr := colorTrainer(t, m)
	p, err := trainers.NewPredictor(m, trainers.WithWorkers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ids := twoByTwo(t)
	idTr := twoByTwoTrainer(t, ids)
	one := colorOnly(t)
	oneTr := newTrainer(t, one, trainers.WithLoss("mse"))

	x, y := colorData(6, 5)
	with := func(m map[string]*tensor.Dense, k string, v *tensor.Dense) map[string]*tensor.Dense {
		out := map[string]*tensor.Dense{}
		for kk, vv := range m {
			out[kk] = vv
		}
		out[k] = v
		return out
	}
	floatColor := with(x, "color", dense32([]int{6, 1}, 1, 2, 3, 4, 5, 6))
	intColor := with(x, "color", tensor.New(tensor.WithShape(6, 1), tensor.WithBacking([]int64{1, 2, 3, 1, 2, 3})))
	strFeats := with(x, "features", tensor.New(tensor.WithShape(6, 2), tensor.WithBacking(make([]string, 12))))
	strHit := map[string]*tensor.Dense{"hit": strs("1", "0", "1", "0", "1", "0")}
	idX, idY := twoByTwoData(6, 1)
	strIDs := with(idX, "user_id", strs("1", "2", "3", "4", "5", "6"))
	sixColors := strs("red", "red", "blue", "green", "blue", "red")
	score := dense32([]int{6, 1}, 1, 2, 3, 4, 5, 6)

	tests := []struct {
		name string
		run  func() error
		want []string
	}{
		{"predict: floats for a String input", func() error { _, err := tr.PredictNamed(floatColor); return err },
			[]string{`input "color"`, "float32", "takes strings"}},
		{"predict: ids for a String input", func() error { _, err := tr.PredictNamed(intColor); return err },
			[]string{`input "color"`, "int64", "takes strings"}},
		{"predict: strings for a float input", func() error { _, err := tr.PredictNamed(strFeats); return err },
			[]string{`input "features" is string`, "takes numbers (float32)"}},
		{"predict: strings for an id input", func() error { _, err := idTr.PredictNamed(strIDs); return err },
			[]string{`input "user_id" is string`, "integer ids (int64)"}},
		{"predictor: floats for a String input", func() error { _, err := p.PredictNamed(ctx, floatColor); return err },
			[]string{`input "color"`, "takes strings"}},
		{"predictor: strings for a float input", func() error { _, err := p.PredictNamed(ctx, strFeats); return err },
			[]string{`input "features" is string`}},
		{"function predict: floats for a String input", func() error { _, err := trainers.Predict(one, score); return err },
			[]string{`input "color"`, "takes strings"}},
		{"fit: floats for a String input", func() error { _, err := tr.FitNamed(ctx, floatColor, y, trainers.Verbose(0)); return err },
			[]string{`fit: input "color" takes strings`, "the data is float32"}},
		{"fit: ids for a String input", func() error {
			_, err := tr.FitTensors(ctx, []*tensor.Dense{intColor["color"], x["features"]}, []*tensor.Dense{y["hit"]}, trainers.Verbose(0))
			return err
		}, []string{`input "color" takes strings`, "the data is int64"}},
		{"fit: strings for a float input", func() error { _, err := tr.FitNamed(ctx, strFeats, y, trainers.Verbose(0)); return err },
			[]string{`input "features" takes numbers (float32), the data is string`}},
		{"fit: strings for an id input", func() error { _, err := idTr.FitNamed(ctx, strIDs, idY, trainers.Verbose(0)); return err },
			[]string{`input "user_id" takes integer ids (int64), the data is string`}},
		{"fit: string targets", func() error { _, err := tr.FitNamed(ctx, x, strHit, trainers.Verbose(0)); return err },
			[]string{`target "hit" is string`, "binary_crossentropy"}},
		{"fit: string validation data", func() error {
			_, err := oneTr.Fit(ctx, sixColors, score, trainers.ValidationData(score, score), trainers.Verbose(0))
			return err
		}, []string{"validation data", `input "color" takes strings`}},
		{"evaluate: strings for a float input", func() error { _, err := tr.EvaluateNamed(ctx, strFeats, y); return err },
			[]string{`evaluate: input "features" takes numbers`}},
		{"evaluate: floats for a String input", func() error { _, err := oneTr.Evaluate(ctx, score, score); return err },
			[]string{`evaluate: input "color" takes strings`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}

	// The same single-input model takes its strings in every path.
	if _, err := oneTr.Fit(ctx, sixColors, score, trainers.Epochs(2), trainers.ValidationData(sixColors, score), trainers.Verbose(0)); err != nil {
		t.Errorf("fit on strings: %v", err)
	}
	if _, err := oneTr.Evaluate(ctx, sixColors, score); err != nil {
		t.Errorf("evaluate on strings: %v", err)
	}
	if out, err := trainers.Predict(one, sixColors); err != nil || out.Shape()[0] != 6 {
		t.Errorf("trainers.Predict on strings: %v", err)
	}
	if out, err := p.PredictNamed(ctx, x); err != nil || out["hit"].Shape()[0] != 6 {
		t.Errorf("predictor on strings: %v", err)
	}
}
