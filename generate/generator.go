package generate

import (
	"context"
	"unicode/utf8"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/text"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Generator samples from a causal language model of the zoo.NewGPT shape: an
// Int64 token input (Context), then Embedding, PositionalEmbedding, Dropout
// (skipped), one or more TransformerDecoder, an optional LayerNormalization and
// a Dense over the vocabulary (softmax or linear). It holds one compiled step
// program and the key/value cache; it is not safe for concurrent use (make one
// Generator per goroutine).
type Generator struct {
	tok     text.Tokenizer
	context int
	vocab   int
	stack   stack

	exec       *graph.Executor
	token, pos *tensor.Dense   // (1, 1) Int64 inputs
	keep       *tensor.Dense   // (1, Tc) 1 for a filled slot
	pastK      []*tensor.Dense // per block (1, H, Tc, D)
	pastV      []*tensor.Dense
	logits     *G.Node   // (1, 1, V)
	newK, newV []*G.Node // per block (1, H, 1, D)
	filled     int       // cache slots in use = the next position
}

// New compiles a Generator for the built model m. The tokenizer is the one
// attached to m (AttachTokenizer), or tok when not nil (it must have the
// model's vocabulary size). A model of another shape is an error naming the
// layer that does not fit.
func New(m layers.Model, tok text.Tokenizer) (*Generator, error) {
	if m == nil {
		return nil, errors.New("generate: nil model")
	}
	st, err := findStack(m)
	if err != nil {
		return nil, err
	}
	if tok == nil {
		if tok, err = ModelTokenizer(m); err != nil {
			return nil, errors.Wrap(err, "generate")
		}
	}
	gen := &Generator{tok: tok, context: st.context, vocab: st.vocab, stack: st}
	if tok != nil && tok.VocabSize() != st.vocab {
		return nil, errors.Errorf("generate: the tokenizer has %d tokens, the model's output %d", tok.VocabSize(), st.vocab)
	}
	if err := gen.compile(m.DType()); err != nil {
		return nil, err
	}
	return gen, nil
}

// Context is the number of positions the model reads (its input length).
func (gen *Generator) Context() int { return gen.context }

// Tokenizer is the tokenizer Generate uses (nil when the model has none: only
// GenerateIDs works then).
func (gen *Generator) Tokenizer() text.Tokenizer { return gen.tok }

// compile builds the step program: one token at one position against the
// cache, batch 1.
func (gen *Generator) compile(dt tensor.Dtype) (err error) {
	defer graph.LockBuild()()
	g, err := graph.New(graph.Infer, dt, 1)
	if err != nil {
		return errors.Wrap(err, "generate")
	}
	tokN, tokV, err := g.InputOf("token", tensor.Int64, 1)
	if err != nil {
		return errors.Wrap(err, "generate")
	}
	posN, posV, err := g.InputOf("position", tensor.Int64, 1)
	if err != nil {
		return errors.Wrap(err, "generate")
	}
	keepN, keepV, err := g.Input("keep", gen.context)
	if err != nil {
		return errors.Wrap(err, "generate")
	}
	gen.token, gen.pos, gen.keep = tokV, posV, keepV
	h, err := gen.stack.embed(g, tokN, posN)
	if err != nil {
		return err
	}
	for i, b := range gen.stack.blocks {
		kN, kV, err := g.Input("past_key_"+b.Name(), b.NumHeads(), gen.context, b.KeyDim())
		if err != nil {
			return errors.Wrap(err, "generate")
		}
		vN, vV, err := g.Input("past_value_"+b.Name(), b.NumHeads(), gen.context, b.KeyDim())
		if err != nil {
			return errors.Wrap(err, "generate")
		}
		var k, v *G.Node
		if h, k, v, err = b.Step(g, h, kN, vN, keepN); err != nil {
			return errors.Wrapf(err, "generate: block %d", i)
		}
		gen.pastK, gen.pastV = append(gen.pastK, kV), append(gen.pastV, vV)
		gen.newK, gen.newV = append(gen.newK, k), append(gen.newV, v)
	}
	if gen.logits, err = gen.stack.head(g, h); err != nil {
		return err
	}
	gen.exec, err = graph.NewExecutor(g.ExprGraph())
	return errors.Wrap(err, "generate: compile the step program")
}

// Reset empties the cache: the next token is at position 0.
func (gen *Generator) Reset() {
	gen.filled = 0
	zero(gen.keep)
}

// step feeds token id at the next position, updates the cache and returns the
// logits of the token after it (float64s, one per id).
func (gen *Generator) step(id int) ([]float64, error) {
	if id < 0 || id >= gen.vocab {
		return nil, errors.Errorf("generate: token id %d out of the vocabulary [0, %d)", id, gen.vocab)
	}
	if gen.filled >= gen.context {
		return nil, errors.Errorf("generate: the cache is full (%d positions)", gen.context)
	}
	gen.token.Data().([]int64)[0] = int64(id)
	gen.pos.Data().([]int64)[0] = int64(gen.filled)
	if err := gen.exec.Run(); err != nil {
		return nil, errors.Wrap(err, "generate: step")
	}
	slot := gen.filled
	for i := range gen.pastK {
		if err := writeSlot(gen.pastK[i], gen.exec.Dense(gen.newK[i]), slot); err != nil {
			return nil, err
		}
		if err := writeSlot(gen.pastV[i], gen.exec.Dense(gen.newV[i]), slot); err != nil {
			return nil, err
		}
	}
	setAt(gen.keep, slot, 1)
	gen.filled++
	return values(gen.exec.Dense(gen.logits)), nil
}

// prefill resets the cache and feeds ids (at most Context of them), returning
// the logits after the last.
func (gen *Generator) prefill(ctx context.Context, ids []int) ([]float64, error) {
	gen.Reset()
	var z []float64
	var err error
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if z, err = gen.step(id); err != nil {
			return nil, err
		}
	}
	return z, nil
}

// GenerateIDs continues the token ids prompt (at least one) by n tokens drawn
// as s says, calling emit (when not nil) with each new id as soon as it is
// drawn (an error from emit stops generation and is returned), and returns the
// new ids. The reserved ids (padding 0, out of vocabulary 1) are never drawn. When the sequence outgrows the
// context, the cache is refilled with the last Context/2 tokens (positions
// restart at 0) and generation goes on: the model always sees up to Context
// tokens, as a cropped context does.
func (gen *Generator) GenerateIDs(ctx context.Context, prompt []int, n int, s Sampling, emit func(id int) error) ([]int, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if len(prompt) == 0 {
		return nil, errors.New("generate: empty prompt (give at least one token)")
	}
	if n < 0 {
		return nil, errors.Errorf("generate: %d tokens to generate, want >= 0", n)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	seq := append([]int(nil), prompt...)
	start := 0
	if len(seq) > gen.context {
		start = len(seq) - gen.context
	}
	z, err := gen.prefill(ctx, seq[start:])
	if err != nil {
		return nil, err
	}
	sp := newSampler(s)
	out := make([]int, 0, n)
	for len(out) < n {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		id := sp.next(z, text.NumReserved)
		out = append(out, id)
		seq = append(seq, id)
		if emit != nil {
			if err := emit(id); err != nil {
				return out, err
			}
		}
		if len(out) == n {
			break
		}
		if gen.filled == gen.context {
			keep := gen.context / 2
			if keep < 1 {
				keep = 1
			}
			if z, err = gen.prefill(ctx, seq[len(seq)-keep:]); err != nil {
				return out, err
			}
			continue
		}
		if z, err = gen.step(id); err != nil {
			return out, err
		}
	}
	return out, nil
}

// Generate continues prompt (raw text, at least one token once encoded) by n
// tokens drawn as s says and returns the new text; emit, when not nil, gets
// the new text as it is drawn (a token that ends inside a character waits
// for the rest of it, up to 4 tokens). It needs a tokenizer (see New).
func (gen *Generator) Generate(ctx context.Context, prompt string, n int, s Sampling, emit func(piece string) error) (string, error) {
	if gen.tok == nil {
		return "", errors.New("generate: the model has no tokenizer attached (generate.AttachTokenizer) and none was given")
	}
	ids, err := gen.tok.Encode(prompt)
	if err != nil {
		return "", errors.Wrap(err, "generate: prompt")
	}
	var onID func(int) error
	// A byte-level token may end inside a character: hold ids back until they
	// decode to whole characters (and flush what is left at the end).
	var pending []int
	if emit != nil {
		onID = func(id int) error {
			pending = append(pending, id)
			piece, err := gen.tok.Decode(pending)
			if err != nil || !utf8.ValidString(piece) {
				if len(pending) < utf8.UTFMax {
					return nil
				}
			}
			pending = pending[:0]
			return emit(piece)
		}
	}
	out, err := gen.GenerateIDs(ctx, ids, n, s, onID)
	if err != nil {
		return "", err
	}
	if emit != nil && len(pending) > 0 {
		piece, err := gen.tok.Decode(pending)
		if err != nil {
			return "", errors.Wrap(err, "generate: decode")
		}
		if err := emit(piece); err != nil {
			return "", err
		}
	}
	txt, err := gen.tok.Decode(out)
	return txt, errors.Wrap(err, "generate: decode")
}
