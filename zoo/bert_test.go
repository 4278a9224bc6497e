package zoo_test

import (
	"context"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/zoo"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// skipWithoutFortunes skips a test when Debian's fortune files are missing.
func skipWithoutFortunes(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(datasets.FortunesSystemDir); err != nil {
		t.Skipf("no %s: apt-get install fortunes", datasets.FortunesSystemDir)
	}
}

// bertTiny is a configuration of the "bert-fortunes" pipeline that runs in
// seconds: a narrow encoder on short rows, part of Opticks and of the fortunes.
var bertTiny = zoo.BERTRun{
	Model:          zoo.BERTConfig{Length: 32, Width: 32, Layers: 1, Heads: 2, Intermediate: 64},
	BPEVocab:       400,
	PretrainEpochs: 3,
	PretrainBatch:  32,
	PretrainLR:     0.003,
	MaxOpticksRows: 320,
	MaxTrainTexts:  800,
}

// TestBERTPipeline pretrains, fine-tunes and trains from scratch in the tiny
// configuration: the held-out masked-token loss must fall, the fine-tuned
// classifier must beat chance (0.25) and every number must be reported.
func TestBERTPipeline(t *testing.T) {
	skipWithoutFortunes(t)
	r := zoo.BERTRecipe(bertTiny)
	res, err := r.Run(context.Background(), zoo.Settings{Epochs: 4, BatchSize: 32, LR: 0.003})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fine-tuned %v, extra %v", res.Test, res.Extra)
	if res.Model != "bert-fortunes" || res.Epochs != 4 || len(res.History.Get("loss")) != 4 {
		t.Errorf("model %q, epochs %d, history %v", res.Model, res.Epochs, res.History.Get("loss"))
	}
	for _, k := range []string{"scratch_accuracy", "scratch_loss", "mlm_loss", "mlm_accuracy", "mlm_initial_loss",
		"pretrain_seconds", "scratch_seconds", "vocab", "params", "pretrain_rows"} {
		v, ok := res.Extra[k]
		if !ok || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			t.Errorf("extra %s = %v (present %v)", k, v, ok)
		}
	}
	if res.Extra["mlm_loss"] >= res.Extra["mlm_initial_loss"] {
		t.Errorf("held-out masked-token loss %.3f did not fall from %.3f", res.Extra["mlm_loss"], res.Extra["mlm_initial_loss"])
	}
	if acc := res.Test["accuracy"]; !(acc > 0.25) {
		t.Errorf("fine-tuned test accuracy %.3f, want above chance (0.25)", acc)
	}
	if res.TestMulti == nil || res.TestData == nil || !strings.Contains(res.Summary, "Total params") {
		t.Errorf("test split %v / %v, summary %q", res.TestMulti, res.TestData, res.Summary)
	}
}

// TestBERTSharedEncoder checks that the classifier and the masked-token model
// hold the encoder's weights themselves, not copies.
func TestBERTSharedEncoder(t *testing.T) {
	cfg := zoo.BERTConfig{Vocab: 20, Length: 8, Width: 8, Layers: 1, Heads: 2}
	enc, err := zoo.NewBERTEncoder(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mlm, err := zoo.NewBERTMLM(enc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cls, err := zoo.NewBERTClassifier(enc, cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []*layers.Functional{mlm, cls} {
		if err := m.Build(layers.WithSeed(1)); err != nil {
			t.Fatal(err)
		}
	}
	shared := map[interface{}]bool{}
	for _, p := range enc.Params() {
		shared[p] = true
	}
	for _, m := range []*layers.Functional{mlm, cls} {
		n := 0
		for _, p := range m.Params() {
			if shared[p] {
				n++
			}
		}
		if n != len(enc.Params()) {
			t.Errorf("%s holds %d of the encoder's %d weights", m.Name(), n, len(enc.Params()))
		}
	}
}

func TestBERTErrors(t *testing.T) {
	tests := []struct {
		name string
		err  func() error
		want string
	}{
		{"small vocab", func() error { _, err := zoo.NewBERTEncoder(zoo.BERTConfig{Vocab: 2}); return err }, "vocabulary size 2"},
		{"heads", func() error {
			_, err := zoo.NewBERTEncoder(zoo.BERTConfig{Vocab: 10, Width: 30, Heads: 4})
			return err
		}, "width 30 is not a multiple of the 4 heads"},
		{"dropout", func() error { _, err := zoo.NewBERTEncoder(zoo.BERTConfig{Vocab: 10, Dropout: 1}); return err }, "dropout 1"},
		{"nil encoder", func() error { _, err := zoo.NewBERTClassifier(nil, zoo.BERTConfig{Vocab: 10}, 2); return err }, "nil encoder"},
		{"one class", func() error {
			enc, _ := zoo.NewBERTEncoder(zoo.BERTConfig{Vocab: 10})
			_, err := zoo.NewBERTClassifier(enc, zoo.BERTConfig{Vocab: 10}, 1)
			return err
		}, "1 classes"},
		{"test fraction", func() error {
			_, err := zoo.RunBERT(context.Background(), zoo.BERTRun{TestFraction: 1.5}, zoo.Settings{})
			return err
		}, "test fraction 1.5"},
		{"settings", func() error {
			_, err := zoo.RunBERT(context.Background(), zoo.BERTRun{}, zoo.Settings{Epochs: -1})
			return err
		}, "epochs must not be negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.err(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestBERTDefault runs the published recipe (minutes): GOKERAS_LONG=1.
func TestBERTDefault(t *testing.T) {
	if os.Getenv("GOKERAS_LONG") == "" {
		t.Skip("minutes on two cores: set GOKERAS_LONG=1")
	}
	skipWithoutFortunes(t)
	res, err := zoo.BERTRecipe(zoo.BERTRun{}).Run(context.Background(), zoo.Settings{Verbose: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fine-tuned test %v train %v in %.1fs; extra %v", res.Test, res.Train, res.Seconds, res.Extra)
}

// TestBERTEncoderMask checks that the encoder's output carries the padding
// mask of its ids (PositionalEmbedding, Dropout and LayerNormalization pass it
// on), so that the attention and the classifier's pooling skip padding.
func TestBERTEncoderMask(t *testing.T) {
	for _, mode := range []graph.Mode{graph.Train, graph.Infer} {
		cfg := zoo.BERTConfig{Vocab: 20, Length: 8, Width: 8, Layers: 1, Heads: 2}
		enc, err := zoo.NewBERTEncoder(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := enc.Build(layers.WithSeed(1)); err != nil {
			t.Fatal(err)
		}
		g, err := graph.New(mode, tensor.Float32, 2)
		if err != nil {
			t.Fatal(err)
		}
		ids, _, err := g.InputOf("ids", tensor.Int64, 8)
		if err != nil {
			t.Fatal(err)
		}
		outs, err := enc.ForwardMulti(g, []*G.Node{ids})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := g.Mask(outs[0]); !ok {
			t.Errorf("mode %v: the encoder's output has no padding mask", mode)
		}
	}
}
