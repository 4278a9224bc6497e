package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/text"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TextVectorizationLayer turns raw text into token ids inside a model (Keras'
// TextVectorization with a tokenizer of package text). Its input is a String
// tensor (B,) or (B, 1), one text per example. Output modes:
//
//	"int" (default)  Int64 ids (B, T), T set by WithOutputSequenceLength (required):
//	                 short texts are padded with id 0 at the end, long ones cut at
//	                 the end; the layer records a mask, 1 where the id is not 0, that
//	                 mask-aware layers read (an Embedding after it needs no
//	                 WithMaskZero for them, but should count id 0 in its vocabulary);
//	"multi_hot"      (B, V) in the model's float type, 1 where token id occurs;
//	"count"          (B, V), the number of times token id occurs;
//
// with V the tokenizer's VocabSize. Ids lie in [0, V): 0 is padding, 1 out of
// vocabulary. An empty text, a text without tokens, or invalid UTF-8 is an error
// of the run naming the example (a *graph.TokenizeError). The tokenizer is saved
// in the layer's configuration, so a loaded model takes raw text.
type TextVectorizationLayer struct {
	Base
	tok    text.Tokenizer
	mode   string
	seqLen int
	err    error
	built  bool
}

// seqLenOption is WithOutputSequenceLength: TextVectorization reads its value from
// the option list itself, as config has no field for it.
type seqLenOption int

func (o seqLenOption) apply(c *config) { c.set["output_sequence_length"] = true }

// WithOutputSequenceLength sets T, the number of ids per example of
// TextVectorization's "int" mode (no default: required in that mode; at least 1).
// TextVectorization takes it.
func WithOutputSequenceLength(t int) Option { return seqLenOption(t) }

// TextVectorization returns a text vectorization layer using tok, which must be
// already fitted (text.FitChars, text.FitWords, text.TrainBPE, or text.Load).
// Options: WithName, WithOutputMode ("int", the default; "multi_hot"; "count"),
// WithOutputSequenceLength (required for "int", refused otherwise).
func TextVectorization(tok text.Tokenizer, opts ...Option) *TextVectorizationLayer {
	cfg, err := layerConfig("TextVectorization", []string{"output_mode", "output_sequence_length"}, opts)
	l := &TextVectorizationLayer{tok: tok, mode: "int", err: err}
	for _, o := range opts {
		if s, ok := o.(seqLenOption); ok {
			l.seqLen = int(s)
		}
	}
	if cfg.set["output_mode"] {
		l.mode = cfg.outputMode
	}
	if l.err == nil {
		l.err = l.check(cfg.set["output_sequence_length"])
	}
	l.SetName(cfg.name)
	return l
}

// check validates the settings.
func (l *TextVectorizationLayer) check(lenSet bool) error {
	switch {
	case l.tok == nil:
		return errors.New("TextVectorization: no tokenizer")
	case l.mode != "int" && l.mode != "multi_hot" && l.mode != "count":
		return errors.Errorf("TextVectorization: output mode %q (valid: int, multi_hot, count)", l.mode)
	case l.mode == "int" && !lenSet:
		return errors.New("TextVectorization: output mode \"int\" needs WithOutputSequenceLength")
	case l.mode != "int" && lenSet:
		return errors.Errorf("TextVectorization: output mode %q takes no output sequence length", l.mode)
	case l.mode == "int" && (l.seqLen < 1 || l.seqLen > maxConfigInt):
		return errors.Errorf("TextVectorization: output sequence length %d is not in [1, %d]", l.seqLen, maxConfigInt)
	case l.tok.VocabSize() < text.NumReserved || l.tok.VocabSize() > maxConfigInt:
		return errors.Errorf("TextVectorization: tokenizer vocabulary size %d", l.tok.VocabSize())
	}
	return nil
}

// Type returns "TextVectorization".
func (l *TextVectorizationLayer) Type() string { return "TextVectorization" }

// Tokenizer returns the tokenizer (read-only: share it, do not change it).
func (l *TextVectorizationLayer) Tokenizer() text.Tokenizer { return l.tok }

// OutputMode returns "int", "multi_hot" or "count".
func (l *TextVectorizationLayer) OutputMode() string { return l.mode }

// OutputSequenceLength is T of mode "int" (0 in the other modes).
func (l *TextVectorizationLayer) OutputSequenceLength() int { return l.seqLen }

// VocabularySize is the tokenizer's VocabSize: ids lie in [0, VocabularySize()).
func (l *TextVectorizationLayer) VocabularySize() int {
	if l.tok == nil {
		return 0
	}
	return l.tok.VocabSize()
}

// Apply calls the layer on x (String (B,) or (B, 1)) and returns the ids or counts.
func (l *TextVectorizationLayer) Apply(x *Tensor) *Tensor { return apply1(l, []*Tensor{x}) }

// BuildMulti checks the input, a String tensor (B,) or (B, 1), and returns Int64
// (B, T) in mode "int", (B, V) in the model's float type otherwise.
func (l *TextVectorizationLayer) BuildMulti(ctx BuildContext, in []Spec) ([]Spec, error) {
	who := named("TextVectorization", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(in) != 1 {
		return nil, errors.Errorf("%s takes one input, got %d", who, len(in))
	}
	s := in[0].Shape
	if in[0].DType != tensor.String || len(s) > 1 || len(s) == 1 && s[0] != 1 {
		return nil, errors.Errorf("%s takes texts (an input of dtype String and shape (B,) or (B, 1)), got %s", who, in[0])
	}
	l.built = true
	if l.mode == "int" {
		return []Spec{{Shape: []int{l.seqLen}, DType: tensor.Int64}}, nil
	}
	return []Spec{{Shape: []int{l.tok.VocabSize()}, DType: ctx.DType}}, nil
}

// ForwardMulti tokenizes the texts; in mode "int" it records the mask (id != 0).
func (l *TextVectorizationLayer) ForwardMulti(g *graph.Graph, xs []*G.Node) ([]*G.Node, error) {
	who := named("TextVectorization", l.Name())
	if !l.built {
		return nil, errors.Errorf("%s: not built", who)
	}
	spec := graph.TokenizeSpec{Name: l.Name(), Mode: l.mode, Length: l.seqLen}
	y, err := graph.Tokenize(xs[0], l.tok, spec, g.DType())
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	if l.mode == "int" {
		m, err := graph.NotEqualZero(y, g.DType())
		if err != nil {
			return nil, errors.Wrap(err, who)
		}
		g.SetMask(y, m)
	}
	return []*G.Node{y}, nil
}

// Config returns {"tokenizer": the tokenizer's text.Config, "output_mode": mode,
// "output_sequence_length": T or null}: the tokenizer travels in the
// configuration.
func (l *TextVectorizationLayer) Config() LayerConfig {
	var t interface{}
	if l.mode == "int" {
		t = l.seqLen
	}
	var tok interface{}
	if l.tok != nil {
		tok = l.tok.Config()
	}
	return LayerConfig{"TextVectorization", l.Name(), map[string]interface{}{
		"tokenizer": tok, "output_mode": l.mode, "output_sequence_length": t,
	}}
}

// textVecLayerClasses lists the classes textVecLayer rebuilds.
func textVecLayerClasses() []string { return []string{"TextVectorization"} }

// textVecLayer rebuilds a TextVectorization layer from its configuration, or
// returns nil, nil for another class. A corrupt tokenizer is an error.
func textVecLayer(c LayerConfig) (Layer, error) {
	if c.Class != "TextVectorization" {
		return nil, nil
	}
	r := cfgReader{c: c}
	var tokCfg map[string]interface{}
	r.decode("tokenizer", &tokCfg)
	mode := r.str("output_mode")
	var seqLen *int
	r.decode("output_sequence_length", &seqLen)
	if r.err == nil && tokCfg == nil {
		r.err = errors.New("config \"tokenizer\" is null")
	}
	var tok text.Tokenizer
	if r.err == nil {
		tok, r.err = text.FromConfig(tokCfg)
	}
	if r.err != nil {
		return nil, errors.Wrapf(r.err, "layer %q (%s)", c.Name, c.Class)
	}
	opts := []Option{WithName(c.Name), WithOutputMode(mode)}
	if seqLen != nil {
		opts = append(opts, WithOutputSequenceLength(*seqLen))
	}
	l := TextVectorization(tok, opts...)
	if l.err != nil {
		return nil, errors.Wrapf(l.err, "layer %q (%s)", c.Name, c.Class)
	}
	return l, nil
}
