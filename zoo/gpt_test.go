package zoo

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/generate"
)

// unigramLoss is the cross-entropy (nats per character) on test of the
// character frequencies of train (add-one smoothed): what a model that ignores
// the context reaches at best.
func unigramLoss(train, test string) float64 {
	counts := map[rune]float64{}
	var total float64
	for _, r := range train {
		counts[r]++
		total++
	}
	var loss float64
	var n float64
	for _, r := range test {
		loss -= math.Log((counts[r] + 1) / (total + float64(len(counts)) + 1))
		n++
	}
	return loss / n
}

// TestGPTLearnsOpticks trains a small GPT on the start of Opticks and checks
// that its held-out loss beats the character frequencies by a clear margin:
// it uses the context.
func TestGPTLearnsOpticks(t *testing.T) {
	corpus, err := datasets.Opticks()
	if err != nil {
		t.Fatal(err)
	}
	run := GPTRun{Model: GPTConfig{Context: 32, Layers: 1, Heads: 2, Width: 32}, Stride: 8, MaxTrainTokens: 24000, MaxTestTokens: 4000}
	res, err := RunGPT(context.Background(), corpus, run, Settings{Epochs: 2, BatchSize: 32, LR: 0.005})
	if err != nil {
		t.Fatal(err)
	}
	trainText, testText := splitText(corpus, 0.9)
	base := unigramLoss(trainText[:24000], testText[:4000])
	loss := res.Test["loss"]
	t.Logf("held-out loss %.3f (perplexity %.2f), unigram %.3f, %.0f tokens/s", loss, res.Test["perplexity"], base, res.Extra["tokens_per_second"])
	if !(loss < base-0.3) {
		t.Errorf("held-out loss %.3f, want below the unigram loss %.3f by 0.3", loss, base)
	}
	if math.Abs(res.Test["perplexity"]-math.Exp(loss)) > 1e-9*res.Test["perplexity"] {
		t.Errorf("perplexity %g is not exp(loss %g)", res.Test["perplexity"], loss)
	}
	// The trained model carries its tokenizer and generates from raw text.
	gen, err := generate.New(res.Trainer.Model(), nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := gen.Generate(context.Background(), "Light is", 20, generate.Sampling{Temperature: 0.8, TopK: 10, Seed: 1}, nil)
	if err != nil || len([]rune(out)) != 20 {
		t.Errorf("generated %q, %v: want 20 characters", out, err)
	}
}

func TestGPTCorpusFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "book.txt")
	if err := os.WriteFile(good, []byte(strings.Repeat("the cat sat on the mat. ", 200)), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte("fine\nthen \xff here"), 0o644); err != nil {
		t.Fatal(err)
	}
	corpus, err := gptCorpus(good)
	if err != nil {
		t.Fatal(err)
	}
	run := GPTRun{Model: GPTConfig{Context: 16, Layers: 1, Heads: 1, Width: 8}}
	res, err := RunGPT(context.Background(), corpus, run, Settings{Epochs: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Extra["vocab"] != 2+11 { // "the cat sO.mn" minus repeats: t h e space c a s o n m . = 11
		t.Errorf("vocabulary %v, want 13 (11 characters and 2 reserved ids)", res.Extra["vocab"])
	}
	tests := []struct {
		name string
		path string
		run  GPTRun
		want string
	}{
		{"invalid UTF-8", bad, run, "line 2"},
		{"missing file", filepath.Join(dir, "none.txt"), run, "none.txt"},
		{"text shorter than the context", good, GPTRun{Model: GPTConfig{Context: 1024, Layers: 1, Heads: 1, Width: 8}}, "held-out windows"},
		{"bad tokens", good, GPTRun{Tokens: "words"}, `tokens "words"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := gptCorpus(tc.path)
			if err == nil {
				_, err = RunGPT(context.Background(), c, tc.run, Settings{Epochs: 1})
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestGPTBytePairTokens trains the recipe's pipeline on BPE tokens: the
// vocabulary is the BPE's and the model generates valid text from a prompt.
func TestGPTBytePairTokens(t *testing.T) {
	corpus, err := datasets.Opticks()
	if err != nil {
		t.Fatal(err)
	}
	run := GPTRun{Model: GPTConfig{Context: 16, Layers: 1, Heads: 2, Width: 16}, Tokens: "bpe", BPEVocab: 300,
		MaxTrainTokens: 3000, MaxTestTokens: 500}
	res, err := RunGPT(context.Background(), corpus, run, Settings{Epochs: 1, LR: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	if res.Extra["vocab"] != 300 {
		t.Errorf("vocabulary %v, want the BPE's 300", res.Extra["vocab"])
	}
	gen, err := generate.New(res.Trainer.Model(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var streamed strings.Builder
	out, err := gen.Generate(context.Background(), "Light is", 12, generate.Sampling{Seed: 2},
		func(p string) error { streamed.WriteString(p); return nil })
	if err != nil || !utf8.ValidString(out) || out == "" {
		t.Fatalf("generated %q (%v): want valid, non-empty text", out, err)
	}
	if streamed.String() != out {
		t.Errorf("streamed %q, returned %q", streamed.String(), out)
	}
}
