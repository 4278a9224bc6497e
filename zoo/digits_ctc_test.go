package zoo_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/zoo"
	"gorgonia.org/tensor"
)

// TestAudioFeatures checks the recipe's features (400 frames x 40 mels from
// any clip length), padding and cutting, the settings' checks, and that the
// attachment survives Save and Load.
func TestAudioFeatures(t *testing.T) {
	f := zoo.DigitsCTCFeatures()
	if err := f.Check(); err != nil {
		t.Fatal(err)
	}
	ex, err := f.Extractor()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1000, f.Samples, 2 * f.Samples} {
		x := make([]float64, n)
		for i := range x {
			x[i] = math.Sin(float64(i) * 0.3)
		}
		img, err := f.LogMel(ex, x)
		if err != nil || len(img) != 400*40 {
			t.Errorf("%d samples: %d values, %v; want 400x40", n, len(img), err)
		}
	}
	start := zoo.AudioFeatures{Samples: 4, Align: "start"}
	center := zoo.AudioFeatures{Samples: 4, Align: "center"}
	for _, tc := range []struct {
		f       zoo.AudioFeatures
		in, out []float64
	}{
		{start, []float64{1, 2}, []float64{1, 2, 0, 0}},
		{start, []float64{1, 2, 3, 4, 5, 6}, []float64{1, 2, 3, 4}},
		{center, []float64{1, 2}, []float64{0, 1, 2, 0}},
		{center, []float64{1, 2, 3, 4, 5, 6}, []float64{2, 3, 4, 5}},
	} {
		if got := tc.f.Fit(tc.in); !reflect.DeepEqual(got, tc.out) {
			t.Errorf("%s Fit(%v) = %v, want %v", tc.f.Align, tc.in, got, tc.out)
		}
	}
	bad := []func(*zoo.AudioFeatures){
		func(f *zoo.AudioFeatures) { f.HopLength = 0 },
		func(f *zoo.AudioFeatures) { f.Align = "end" },
		func(f *zoo.AudioFeatures) { f.Output = "regression" },
		func(f *zoo.AudioFeatures) { f.Labels = nil },
		func(f *zoo.AudioFeatures) { f.Blank = 11 },
	}
	for i, change := range bad {
		g := zoo.DigitsCTCFeatures()
		change(&g)
		if g.Check() == nil {
			t.Errorf("bad settings %d: no error", i)
		}
	}

	m := layers.NewSequential(layers.Input(4), layers.Dense(2))
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := zoo.ModelAudioFeatures(m); ok || err != nil {
		t.Errorf("a model without features: %v %v", ok, err)
	}
	if err := zoo.AttachAudioFeatures(m, zoo.AudioFeatures{}); err == nil {
		t.Error("attach zero features: no error")
	}
	if err := zoo.AttachAudioFeatures(m, f); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.json")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := layers.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got, ok, err := zoo.ModelAudioFeatures(back)
	if !ok || err != nil || !reflect.DeepEqual(got, f) {
		t.Errorf("loaded features %+v (%v, %v), want %+v", got, ok, err, f)
	}
}

// TestTranscribe decodes hand-made probabilities greedily and by beam search.
func TestTranscribe(t *testing.T) {
	labels := []string{"", "one", "two"}
	// Frames say: one one blank one two / blank two two blank blank.
	frames := [][]int{{1, 1, 0, 1, 2}, {0, 2, 2, 0, 0}}
	probs := make([]float32, 0, 2*5*3)
	for _, row := range frames {
		for _, k := range row {
			p := []float32{0.05, 0.05, 0.05}
			p[k] = 0.9
			probs = append(probs, p...)
		}
	}
	x := tensor.New(tensor.WithShape(2, 5, 3), tensor.WithBacking(probs))
	want := []string{"one one two", "two"}
	for _, beam := range []int{0, 10} {
		got, err := zoo.Transcribe(x, labels, 0, beam)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("beam %d: %q, %v; want %q", beam, got, err, want)
		}
	}
	if _, err := zoo.Transcribe(x, labels[:2], 0, 0); err == nil {
		t.Error("2 labels for 3 classes: no error")
	}
	flat := tensor.New(tensor.WithShape(10, 3), tensor.WithBacking(probs))
	if _, err := zoo.Transcribe(flat, labels, 0, 0); err == nil {
		t.Error("probabilities of rank 2: no error")
	}
}

// TestDigitsCTCSmall trains the recipe for three epochs on 48 sequences (12 for
// testing): the loss falls (CTC drops fast from its start, then plateaus
// before the model learns the digits), the logs hold loss, wer and cer, and
// the saved trainer's model carries its audio features.
func TestDigitsCTCSmall(t *testing.T) {
	needEspeak(t)
	r := zoo.DigitsCTCRecipe(zoo.DigitsCTCConfig{TrainSequences: 48, TestSequences: 12})
	res, err := r.Run(context.Background(), zoo.Settings{Epochs: 3, BatchSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	loss := res.History.Get("loss")
	t.Logf("losses %v, test %v, extra %v", loss, res.Test, res.Extra)
	if len(loss) != 3 || !(loss[2] < 0.6*loss[0]) {
		t.Errorf("losses %v: want the last below 0.6 of the first (measured 13.3, 7.2, 6.4)", loss)
	}
	for _, k := range []string{"loss", "wer", "cer"} {
		if v, ok := res.Test[k]; !ok || math.IsNaN(v) || v < 0 {
			t.Errorf("test %s = %v (%v)", k, v, ok)
		}
	}
	if res.Extra["train_clips"] != 48 || res.Extra["test_clips"] != 12 {
		t.Errorf("extra %v", res.Extra)
	}
	path := filepath.Join(t.TempDir(), "digits.json")
	if err := res.Trainer.Save(path); err != nil {
		t.Fatal(err)
	}
	m, err := layers.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	f, ok, err := zoo.ModelAudioFeatures(m)
	if !ok || err != nil || f.Output != "ctc" || strings.Join(f.Labels, ",") != ",zero,one,two,three,four,five,six,seven,eight,nine" {
		t.Errorf("saved model's features %+v (%v, %v)", f, ok, err)
	}
}

// TestDigitsCTCRecipe runs the published recipe (tens of minutes):
// GOKERAS_LONG=1. The test WER must be at most 0.10 as stated.
func TestDigitsCTCRecipe(t *testing.T) {
	if os.Getenv("GOKERAS_LONG") == "" {
		t.Skip("tens of minutes on two cores: set GOKERAS_LONG=1")
	}
	needEspeak(t)
	r, err := zoo.Find("digits-ctc")
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Run(context.Background(), zoo.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%.0f s: train %v, test %v", res.Seconds, res.Train, res.Test)
	if res.Test["wer"] > 0.10 {
		t.Errorf("test WER %.3f > 0.10", res.Test["wer"])
	}
}
