package generate_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/generate"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/text"
	"github.com/gokeras/gokeras/trainers"
	"github.com/gokeras/gokeras/zoo"
	"gorgonia.org/tensor"
)

// tinyGPT builds a small random GPT of vocab 12 and context 8.
func tinyGPT(t *testing.T, postNorm bool) *layers.Functional {
	t.Helper()
	m, err := zoo.NewGPT(zoo.GPTConfig{Vocab: 12, Context: 8, Layers: 2, Heads: 2, Width: 8, PostNorm: postNorm})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(layers.WithSeed(3)); err != nil {
		t.Fatal(err)
	}
	return m
}

// fullProbs runs the whole model on ids padded with zeros to the context and
// returns the next-token probabilities at position len(ids)-1.
func fullProbs(t *testing.T, m *layers.Functional, ids []int) []float64 {
	t.Helper()
	tr, err := trainers.New(m)
	if err != nil {
		t.Fatal(err)
	}
	ctxLen := m.Inputs()[0].Shape[0]
	x := make([]int64, ctxLen)
	for i, id := range ids {
		x[i] = int64(id)
	}
	p, err := tr.Predict(tensor.New(tensor.WithShape(1, ctxLen), tensor.WithBacking(x)))
	if err != nil {
		t.Fatal(err)
	}
	v := m.Outputs()[0].Shape[1]
	row := p.Data().([]float32)[(len(ids)-1)*v : len(ids)*v]
	out := make([]float64, v)
	for i, f := range row {
		out[i] = float64(f)
	}
	return out
}

func softmax(z []float64) []float64 {
	m := math.Inf(-1)
	for _, v := range z {
		m = math.Max(m, v)
	}
	out := make([]float64, len(z))
	var s float64
	for i, v := range z {
		out[i] = math.Exp(v - m)
		s += out[i]
	}
	for i := range out {
		out[i] /= s
	}
	return out
}

// TestGreedyMatchesFullForward checks that greedy generation with the cache
// picks, at every step, the argmax of the full model run on the whole
// sequence so far (no cache): the step program computes what the model does.
func TestGreedyMatchesFullForward(t *testing.T) {
	for _, post := range []bool{false, true} {
		m := tinyGPT(t, post)
		gen, err := generate.New(m, nil)
		if err != nil {
			t.Fatal(err)
		}
		prompt := []int{3, 7, 2}
		out, err := gen.GenerateIDs(context.Background(), prompt, 5, generate.Sampling{Greedy: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		seq := append([]int(nil), prompt...)
		for i, id := range out {
			p := fullProbs(t, m, seq)
			best := 2
			for j := 2; j < len(p); j++ {
				if p[j] > p[best] {
					best = j
				}
			}
			if id != best {
				t.Fatalf("post-norm %v: token %d is %d, the full model's argmax is %d (%v)", post, i, id, best, p)
			}
			seq = append(seq, id)
		}
	}
}

// TestStepProbabilitiesMatchFullForward compares the distribution at the last
// prompt position with the full model's, to float32 precision.
func TestStepProbabilitiesMatchFullForward(t *testing.T) {
	m := tinyGPT(t, false)
	gen, err := generate.New(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	prompt := []int{5, 4, 3, 2, 9, 11, 10, 6}
	for n := 1; n <= len(prompt); n++ {
		z, err := generate.LogitsAfter(gen, prompt[:n])
		if err != nil {
			t.Fatal(err)
		}
		got, want := softmax(z), fullProbs(t, m, prompt[:n])
		for i := range got {
			if d := math.Abs(got[i] - want[i]); d > 2e-6 {
				t.Fatalf("after %d tokens: p[%d] = %g with the cache, %g without (diff %g)", n, i, got[i], want[i], d)
			}
		}
	}
}

func TestSamplingIsSeededAndBounded(t *testing.T) {
	m := tinyGPT(t, false)
	gen, err := generate.New(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s := generate.Sampling{Temperature: 0.8, TopK: 5, TopP: 0.9, Seed: 7}
	// 20 tokens from a context of 8: the cache is refilled on the way.
	a, err := gen.GenerateIDs(ctx, []int{3}, 20, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := gen.GenerateIDs(ctx, []int{3}, 20, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 20 {
		t.Fatalf("%d tokens, want 20", len(a))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, different tokens: %v and %v", a, b)
		}
		if a[i] < text.NumReserved || a[i] >= 12 {
			t.Fatalf("token %d outside [2, 12)", a[i])
		}
	}
	s.Seed = 8
	c, err := gen.GenerateIDs(ctx, []int{3}, 20, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	same := true
	for i := range a {
		same = same && a[i] == c[i]
	}
	if same {
		t.Errorf("seeds 7 and 8 gave the same 20 tokens %v", a)
	}
}

func TestGenerateErrors(t *testing.T) {
	m := tinyGPT(t, false)
	gen, err := generate.New(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"empty prompt", func() error { _, err := gen.GenerateIDs(ctx, nil, 3, generate.Sampling{}, nil); return err }, "empty prompt"},
		{"id out of range", func() error {
			_, err := gen.GenerateIDs(ctx, []int{12}, 3, generate.Sampling{}, nil)
			return err
		}, "token id 12 out of the vocabulary [0, 12)"},
		{"negative temperature", func() error {
			_, err := gen.GenerateIDs(ctx, []int{2}, 3, generate.Sampling{Temperature: -1}, nil)
			return err
		}, "temperature -1"},
		{"top-p above 1", func() error {
			_, err := gen.GenerateIDs(ctx, []int{2}, 3, generate.Sampling{TopP: 1.5}, nil)
			return err
		}, "top-p 1.5"},
		{"no tokenizer", func() error { _, err := gen.Generate(ctx, "hi", 3, generate.Sampling{}, nil); return err }, "no tokenizer"},
		{"not a GPT", func() error {
			in := layers.NewInput("x", layers.Shape(4))
			d, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{layers.Dense(3).Apply(in)})
			if err != nil {
				return err
			}
			if err := d.Build(); err != nil {
				return err
			}
			_, err = generate.New(d, nil)
			return err
		}, "want one token input"},
		{"tokenizer of another size", func() error {
			tok, err := text.FitChars("abc", text.CharsOptions{})
			if err != nil {
				return err
			}
			_, err = generate.New(m, tok)
			return err
		}, "the tokenizer has 5 tokens, the model's output 12"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
