package zoo

import (
	"strconv"

	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// GPTConfig sets the shape of a GPT (NewGPT). A zero field takes its default.
type GPTConfig struct {
	// Vocab is the number of token ids (required, at least 2): the tokenizer's
	// VocabSize.
	Vocab int
	// Context is the number of positions the model reads (default 128).
	Context int
	// Layers is the number of decoder blocks (default 4).
	Layers int
	// Heads is the number of attention heads per block (default 4); Width must be
	// a multiple of it.
	Heads int
	// Width is the embedding width (default 128).
	Width int
	// Intermediate is the width of each block's feed-forward network (default
	// 4·Width).
	Intermediate int
	// Dropout is the rate on the embeddings, on the attention weights and after
	// each sublayer, in training only (default 0; negative means 0 too, so that 0
	// can be asked for explicitly).
	Dropout float64
	// PostNorm makes the blocks post-norm (Keras-hub's default); the default,
	// false, is pre-norm with a final LayerNormalization, as GPT-2.
	PostNorm bool
}

// withDefaults fills the zero fields and checks the result.
func (c GPTConfig) withDefaults() (GPTConfig, error) {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Context, 128)
	def(&c.Layers, 4)
	def(&c.Heads, 4)
	def(&c.Width, 128)
	def(&c.Intermediate, 4*c.Width)
	if c.Dropout < 0 {
		c.Dropout = 0
	}
	switch {
	case c.Vocab < 2:
		return c, errors.Errorf("gpt: vocabulary size %d, want at least 2", c.Vocab)
	case c.Context < 1 || c.Layers < 1 || c.Heads < 1 || c.Width < 1 || c.Intermediate < 1:
		return c, errors.Errorf("gpt: context %d, layers %d, heads %d, width %d and intermediate %d must be positive",
			c.Context, c.Layers, c.Heads, c.Width, c.Intermediate)
	case c.Width%c.Heads != 0:
		return c, errors.Errorf("gpt: width %d is not a multiple of the %d heads", c.Width, c.Heads)
	case c.Dropout >= 1:
		return c, errors.Errorf("gpt: dropout %g must be below 1", c.Dropout)
	}
	return c, nil
}

// GPTInput and GPTOutput name the input and output of a NewGPT model.
const (
	GPTInput  = "tokens"
	GPTOutput = "next_token"
)

// NewGPT returns a causal transformer language model (a decoder-only GPT):
//
//	tokens (Context) Int64 ids
//	→ Embedding(Vocab, Width) → PositionalEmbedding(Context, Width) [→ Dropout]
//	→ Layers × TransformerDecoder(Heads, Intermediate, gelu) [→ LayerNormalization]
//	→ Dense(Vocab, softmax) "next_token" (Context, Vocab)
//
// Output position t holds the distribution of the token after input t; train
// it with sparse_categorical_crossentropy on targets (Context) (the inputs
// shifted by one, datasets.LMWindows). The final LayerNormalization is there
// for pre-norm blocks (the default). Weights: token embeddings random_normal
// (stddev 0.05), position embeddings and kernels glorot_uniform, biases zero,
// layer norms one and zero (epsilon 1e-5). generate.New samples from it with a cache of keys
// and values.
func NewGPT(cfg GPTConfig) (*layers.Functional, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	ids := layers.NewInput(GPTInput, layers.Shape(c.Context), layers.Int64)
	h := layers.Embedding(c.Vocab, c.Width, layers.WithName("token_embedding"),
		layers.WithEmbeddingsInitializerName("random_normal")).Apply(ids)
	h = layers.PositionalEmbedding(c.Context, c.Width, layers.WithName("position_embedding")).Apply(h)
	if c.Dropout > 0 {
		h = layers.Dropout(c.Dropout, layers.WithName("embedding_dropout")).Apply(h)
	}
	for i := 0; i < c.Layers; i++ {
		opts := []layers.Option{layers.WithActivation("gelu"), layers.WithNormalizeFirst(!c.PostNorm),
			layers.WithName(blockName(i))}
		if c.Dropout > 0 {
			opts = append(opts, layers.WithAttentionDropout(c.Dropout))
		}
		h = layers.TransformerDecoder(c.Heads, c.Intermediate, opts...).Apply(h)
	}
	if !c.PostNorm {
		h = layers.LayerNormalization(layers.WithName("final_norm"), layers.WithEpsilon(1e-5)).Apply(h)
	}
	out := layers.Dense(c.Vocab, layers.WithActivation("softmax"), layers.WithName(GPTOutput)).Apply(h)
	m, err := layers.NewModel([]*layers.Tensor{ids}, []*layers.Tensor{out}, layers.ModelName("gpt"))
	return m, errors.Wrap(err, "gpt")
}

func blockName(i int) string { return "decoder_" + strconv.Itoa(i) }
