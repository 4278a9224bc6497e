package layers_test

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/text"
	"github.com/gokeras/gokeras/trainers"
)

func textVecWords(t *testing.T) *text.Words {
	w, err := text.FitWords([]string{"the cat sat", "the dog sat", "the cat ran"}, text.WordsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return w // the:2 cat:3 sat:4 dog:5 ran:6
}

// textVecRun builds in -> TextVectorization and runs it on texts, returning the
// output and the recorded mask (nil if none).
func textVecRun(t *testing.T, tv *layers.TextVectorizationLayer, shape []int, texts []string) (*tensor.Dense, *tensor.Dense, error) {
	t.Helper()
	in := layers.NewInput("text", layers.Shape(shape...), layers.String)
	m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{tv.Apply(in)})
	if err == nil {
		err = m.Build()
	}
	if err != nil {
		t.Fatal(err)
	}
	g, err := graph.New(graph.Infer, tensor.Float32, len(texts))
	if err != nil {
		t.Fatal(err)
	}
	x, v, err := g.InputOf("text", tensor.String, shape...)
	if err != nil {
		t.Fatal(err)
	}
	copy(v.Data().([]string), texts)
	outs, err := m.ForwardMulti(g, []*G.Node{x})
	if err != nil {
		t.Fatal(err)
	}
	e, err := graph.NewExecutor(g.ExprGraph())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		return nil, nil, err
	}
	var mask *tensor.Dense
	if mn, ok := g.Mask(outs[0]); ok {
		mask = e.Dense(mn)
	}
	return e.Dense(outs[0]), mask, nil
}

func TestTextVecInt(t *testing.T) {
	for _, shape := range [][]int{{1}} {
		tv := layers.TextVectorization(textVecWords(t), layers.WithOutputSequenceLength(4))
		out, mask, err := textVecRun(t, tv, shape, []string{"The cat sat!", "a dog ran the cat sat", "cat"})
		if err != nil {
			t.Fatal(err)
		}
		want := []int64{2, 3, 4, 0, 1, 5, 6, 2, 3, 0, 0, 0}
		if !reflect.DeepEqual(out.Shape(), tensor.Shape{3, 4}) || !reflect.DeepEqual(out.Data(), want) {
			t.Fatalf("shape %v ids %v, want %v", out.Shape(), out.Data(), want)
		}
		if mask == nil || !reflect.DeepEqual(mask.Data(), []float32{1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0}) {
			t.Fatalf("mask %v", mask)
		}
	}
}

func TestTextVecCounts(t *testing.T) {
	w := textVecWords(t)
	for mode, want := range map[string][]float32{
		"multi_hot": {0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0},
		"count":     {0, 1, 1, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0},
	} {
		out, mask, err := textVecRun(t, layers.TextVectorization(w, layers.WithOutputMode(mode)), []int{1}, []string{"the cat cat zebra", "sat"})
		if err != nil {
			t.Fatal(err)
		}
		if mask != nil || !reflect.DeepEqual(out.Shape(), tensor.Shape{2, 7}) || !reflect.DeepEqual(out.Data(), want) {
			t.Errorf("%s: %v %v (mask %v), want %v", mode, out.Shape(), out.Data(), mask, want)
		}
	}
}

func TestTextVecRunErrors(t *testing.T) {
	w := textVecWords(t)
	for _, tc := range []struct {
		texts []string
		row   int
		want  string
	}{
		{[]string{"the cat", "ok\xffx"}, 1, "offset 2"},
		{[]string{"the cat", "sat", ""}, 2, "empty text"},
		{[]string{"!!!", "cat"}, 0, "no tokens"},
	} {
		tv := layers.TextVectorization(w, layers.WithOutputSequenceLength(3), layers.WithName("tv"))
		_, _, err := textVecRun(t, tv, []int{1}, tc.texts)
		var te *graph.TokenizeError
		if !errors.As(err, &te) || te.Row != tc.row || !strings.Contains(err.Error(), tc.want) ||
			!strings.Contains(err.Error(), "example") || te.Name != "tv" {
			t.Errorf("%q: %v, want row %d and %q", tc.texts, err, tc.row, tc.want)
		}
	}
}

func TestTextVecConstructorErrors(t *testing.T) {
	w := textVecWords(t)
	for _, tc := range []struct {
		l    *layers.TextVectorizationLayer
		in   layers.DType
		want string
	}{
		{layers.TextVectorization(w), layers.String, "needs WithOutputSequenceLength"},
		{layers.TextVectorization(nil, layers.WithOutputSequenceLength(3)), layers.String, "no tokenizer"},
		{layers.TextVectorization(w, layers.WithOutputSequenceLength(0)), layers.String, "not in [1"},
		{layers.TextVectorization(w, layers.WithOutputMode("tf_idf")), layers.String, "output mode"},
		{layers.TextVectorization(w, layers.WithOutputMode("count"), layers.WithOutputSequenceLength(3)), layers.String, "no output sequence length"},
		{layers.TextVectorization(w, layers.WithMaskZero(true)), layers.String, "does not take"},
		{layers.TextVectorization(w, layers.WithOutputSequenceLength(3)), layers.Int64, "takes texts"},
	} {
		in := layers.NewInput("text", layers.Shape(1), tc.in)
		m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{tc.l.Apply(in)})
		if err == nil {
			err = m.Build()
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v, want %q", err, tc.want)
		}
	}
}

// TestTextVecSaveLoad: a saved model carries its tokenizer and takes raw text
// after loading, giving the same outputs.
func TestTextVecSaveLoad(t *testing.T) {
	corpus := []string{"the cat sat on the mat", "the dog ate my homework", "日本語のテキスト 😀"}
	bpe, err := text.TrainBPE(corpus, 300, text.BPEOptions{})
	if err != nil {
		t.Fatal(err)
	}
	chars, _ := text.FitChars(strings.Join(corpus, " "), text.CharsOptions{})
	for _, tok := range []text.Tokenizer{bpe, chars, textVecWords(t)} {
		in := layers.NewInput("text", layers.Shape(1), layers.String)
		ids := layers.TextVectorization(tok, layers.WithOutputSequenceLength(6)).Apply(in)
		emb := layers.Embedding(tok.VocabSize(), 3).Apply(ids)
		out := layers.Dense(2).Apply(layers.Flatten().Apply(emb))
		m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{out})
		if err == nil {
			err = m.Build()
		}
		if err != nil {
			t.Fatal(err)
		}
		x := tensor.New(tensor.WithShape(3, 1), tensor.WithBacking([]string{"the cat ate", "unknown words here, plenty", "日本 😀"}))
		want, err := trainers.Predict(m, x)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := m.SaveTo(&buf); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "TextVectorization") {
			t.Fatal("no TextVectorization in the file")
		}
		back, err := layers.LoadFrom(&buf)
		if err != nil {
			t.Fatalf("%T: %v", tok, err)
		}
		got, err := trainers.Predict(back, x)
		if err != nil {
			t.Fatal(err)
		}
		g, w := got.Data().([]float32), want.Data().([]float32)
		for i := range w {
			if math.Abs(float64(g[i]-w[i])) > 0 {
				t.Fatalf("%T: loaded model gives %v, want %v", tok, g, w)
			}
		}
	}
}

// TestTextVecCorruptTokenizerInFile: a model file whose tokenizer is corrupt does
// not load.
func TestTextVecCorruptTokenizerInFile(t *testing.T) {
	in := layers.NewInput("text", layers.Shape(1), layers.String)
	out := layers.TextVectorization(textVecWords(t), layers.WithOutputSequenceLength(2)).Apply(in)
	m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{out})
	if err == nil {
		err = m.Build()
	}
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.SaveTo(&buf); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][2]string{{`\"the\",\"cat\"`, `\"the\",\"the\"`}, {`\"class\":\"Words\"`, `\"class\":\"Wordz\"`}} {
		s := buf.String()
		if !strings.Contains(s, bad[0]) {
			t.Fatalf("file lacks %s", bad[0])
		}
		_, err := layers.LoadFrom(strings.NewReader(strings.Replace(s, bad[0], bad[1], 1)))
		if err == nil {
			t.Errorf("%s: a corrupt tokenizer loaded", bad[1])
		}
	}
}

// TestTokenizeFlatInput: the op also takes texts of shape (B,).
func TestTokenizeFlatInput(t *testing.T) {
	g, err := graph.New(graph.Infer, tensor.Float64, 2)
	if err != nil {
		t.Fatal(err)
	}
	x, v, err := g.InputOf("t", tensor.String)
	if err != nil {
		t.Fatal(err)
	}
	copy(v.Data().([]string), []string{"dog sat", "ran"})
	y, err := graph.Tokenize(x, textVecWords(t), graph.TokenizeSpec{Name: "t", Mode: "int", Length: 3}, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	e, err := graph.NewExecutor(g.ExprGraph())
	if err == nil {
		err = e.Run()
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Dense(y); !reflect.DeepEqual(got.Data(), []int64{5, 4, 0, 6, 0, 0}) {
		t.Fatalf("ids %v", got.Data())
	}
}
