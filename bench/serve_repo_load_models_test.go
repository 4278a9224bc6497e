package bench

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gokeras/gokeras/generate"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/text"
	"github.com/gokeras/gokeras/zoo"
)

// rlSeqMLP is a dense softmax classifier of the given sizes (relu between).
func rlSeqMLP(sizes ...int) func() *layers.Sequential {
	return func() *layers.Sequential {
		ls := []layers.Layer{layers.Input(sizes[0])}
		for _, h := range sizes[1 : len(sizes)-1] {
			ls = append(ls, layers.Dense(h, layers.WithActivation("relu")))
		}
		ls = append(ls, layers.Dense(sizes[len(sizes)-1], layers.WithActivation("softmax")))
		return layers.NewSequential(ls...)
	}
}

// rlConvNet is a small conv net on 28x28x1 images, 10 classes.
func rlConvNet() *layers.Sequential {
	relu := layers.WithActivation("relu")
	return layers.NewSequential(layers.Input(28, 28, 1),
		layers.Conv2D(8, 3, relu),
		layers.MaxPooling2D(2),
		layers.Conv2D(16, 3, relu),
		layers.MaxPooling2D(2),
		layers.Flatten(),
		layers.Dense(64, relu),
		layers.Dense(10, layers.WithActivation("softmax")))
}

// rlBuilt builds m with seed.
func rlBuilt(t *testing.T, m layers.Model, seed int64) layers.Model {
	t.Helper()
	if err := m.Build(layers.WithSeed(seed)); err != nil {
		t.Fatal(err)
	}
	return m
}

// rlSave saves the built model m to path and returns the file's size.
func rlSave(t *testing.T, m layers.Model, path string) int64 {
	t.Helper()
	type saver interface{ Save(string) error }
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := m.(saver).Save(path); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// rlCorpus is the text the language model's character tokenizer is fitted on.
const rlCorpus = "Light is a body of rays. The rays of light are refracted by a prism, " +
	"and the colours of the spectrum are made by the refraction of light of several sorts."

// rlLanguageModel is a small untrained character GPT with its tokenizer.
func rlLanguageModel(t *testing.T) layers.Model {
	t.Helper()
	tok, err := text.FitChars(rlCorpus, text.CharsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := zoo.NewGPT(zoo.GPTConfig{Vocab: tok.VocabSize(), Context: 256, Layers: 2, Heads: 4, Width: 128})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(layers.WithSeed(5)); err != nil {
		t.Fatal(err)
	}
	if err := generate.AttachTokenizer(m, tok); err != nil {
		t.Fatal(err)
	}
	return m
}
