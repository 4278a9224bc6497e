package zoo

import (
	"strconv"

	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// BERTConfig sets the shape of a small BERT-style encoder (NewBERTEncoder). A
// zero field takes its default.
type BERTConfig struct {
	// Vocab is the tokenizer's VocabSize() (required, at least 3: ids 0 and 1
	// are padding and out-of-vocabulary). The mask token's id is Vocab
	// (BERTConfig.MaskID), so the embedding has Vocab+1 rows and the masked-token
	// head Vocab+1 classes.
	Vocab int
	// Length is the number of positions T the encoder reads (default 64).
	Length int
	// Layers is the number of TransformerEncoder blocks (default 2).
	Layers int
	// Heads is the number of attention heads per block (default 4); Width must
	// be a multiple of it.
	Heads int
	// Width is the embedding width (default 64).
	Width int
	// Intermediate is the width of each block's feed-forward network (default
	// 2·Width).
	Intermediate int
	// Dropout is the rate on the embeddings, on the attention weights and after
	// each sublayer, in training only (default 0.1; negative means 0).
	Dropout float64
}

// MaskID returns the id of the mask token: Vocab.
func (c BERTConfig) MaskID() int { return c.Vocab }

// withDefaults fills the zero fields and checks the result.
func (c BERTConfig) withDefaults() (BERTConfig, error) {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Length, 64)
	def(&c.Layers, 2)
	def(&c.Heads, 4)
	def(&c.Width, 64)
	def(&c.Intermediate, 2*c.Width)
	switch {
	case c.Dropout == 0:
		c.Dropout = 0.1
	case c.Dropout < 0:
		c.Dropout = 0
	}
	switch {
	case c.Vocab < 3:
		return c, errors.Errorf("bert: vocabulary size %d, want at least 3", c.Vocab)
	case c.Length < 1 || c.Layers < 1 || c.Heads < 1 || c.Width < 1 || c.Intermediate < 1:
		return c, errors.Errorf("bert: length %d, layers %d, heads %d, width %d and intermediate %d must be positive",
			c.Length, c.Layers, c.Heads, c.Width, c.Intermediate)
	case c.Width%c.Heads != 0:
		return c, errors.Errorf("bert: width %d is not a multiple of the %d heads", c.Width, c.Heads)
	case c.Dropout >= 1:
		return c, errors.Errorf("bert: dropout %g must be below 1", c.Dropout)
	}
	return c, nil
}

// BERTInput names the input of the BERT models; BERTMLMOutput and
// BERTClassOutput name the outputs of NewBERTMLM and NewBERTClassifier.
const (
	BERTInput       = "tokens"
	BERTMLMOutput   = "masked_token"
	BERTClassOutput = "class"
)

// NewBERTEncoder returns a BERT-style encoder as a Functional model, to be
// applied inside NewBERTMLM and NewBERTClassifier (which then share its
// weights):
//
//	tokens (Length) Int64 ids, 0 = padding
//	→ Embedding(Vocab+1, Width, mask_zero) → PositionalEmbedding(Length, Width) [→ Dropout]
//	→ Layers × TransformerEncoder(Heads, Intermediate, gelu, pre-norm) → LayerNormalization
//	→ (Length, Width), carrying the padding mask
//
// Padding is masked in the attention and in the pooling of the classifier. The
// blocks are pre-norm (each sublayer's input normalized, a final
// LayerNormalization), which trains without warm-up at small budgets.
func NewBERTEncoder(cfg BERTConfig) (*layers.Functional, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	ids := layers.NewInput(BERTInput, layers.Shape(c.Length), layers.Int64)
	h := layers.Embedding(c.Vocab+1, c.Width, layers.WithMaskZero(true), layers.WithName("token_embedding"),
		layers.WithEmbeddingsInitializerName("random_normal")).Apply(ids)
	// PositionalEmbedding, Dropout and LayerNormalization pass the padding mask
	// of their input on (Keras' supports_masking).
	h = layers.PositionalEmbedding(c.Length, c.Width, layers.WithName("position_embedding")).Apply(h)
	if c.Dropout > 0 {
		h = layers.Dropout(c.Dropout, layers.WithName("embedding_dropout")).Apply(h)
	}
	for i := 0; i < c.Layers; i++ {
		opts := []layers.Option{layers.WithActivation("gelu"), layers.WithNormalizeFirst(true),
			layers.WithName("encoder_" + strconv.Itoa(i))}
		if c.Dropout > 0 {
			opts = append(opts, layers.WithAttentionDropout(c.Dropout))
		}
		h = layers.TransformerEncoder(c.Heads, c.Intermediate, opts...).Apply(h)
	}
	h = layers.LayerNormalization(layers.WithName("final_norm"), layers.WithEpsilon(1e-5)).Apply(h)
	m, err := layers.NewModel([]*layers.Tensor{ids}, []*layers.Tensor{h}, layers.ModelName("bert_encoder"))
	return m, errors.Wrap(err, "bert: encoder")
}

// NewBERTMLM returns the masked-token model of encoder (from NewBERTEncoder
// with the same cfg):
//
//	tokens (Length) → encoder → Dense(Vocab+1, softmax) "masked_token" (Length, Vocab+1)
//
// Train it with sparse_categorical_crossentropy on targets (Length) holding the
// original id at the masked positions and -100 elsewhere (datasets.MaskTokens,
// datasets.NewMLMSet).
func NewBERTMLM(encoder *layers.Functional, cfg BERTConfig) (*layers.Functional, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if encoder == nil {
		return nil, errors.New("bert: mlm: nil encoder")
	}
	ids := layers.NewInput(BERTInput, layers.Shape(c.Length), layers.Int64)
	out := layers.Dense(c.Vocab+1, layers.WithActivation("softmax"), layers.WithName(BERTMLMOutput)).Apply(encoder.Apply(ids))
	m, err := layers.NewModel([]*layers.Tensor{ids}, []*layers.Tensor{out}, layers.ModelName("bert_mlm"))
	return m, errors.Wrap(err, "bert: mlm")
}

// NewBERTClassifier returns a sequence classifier on encoder (from
// NewBERTEncoder with the same cfg), sharing its weights, so that fine-tuning
// starts from whatever the encoder learned before:
//
//	tokens (Length) → encoder → GlobalAveragePooling1D (real tokens only)
//	[→ Dropout(cfg.Dropout)] → Dense(classes, softmax) "class" (classes)
func NewBERTClassifier(encoder *layers.Functional, cfg BERTConfig, classes int) (*layers.Functional, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if encoder == nil {
		return nil, errors.New("bert: classifier: nil encoder")
	}
	if classes < 2 {
		return nil, errors.Errorf("bert: classifier: %d classes, want at least 2", classes)
	}
	ids := layers.NewInput(BERTInput, layers.Shape(c.Length), layers.Int64)
	h := layers.Apply(layers.GlobalAveragePooling1D(layers.WithName("pool")), encoder.Apply(ids))[0]
	if c.Dropout > 0 {
		h = layers.Dropout(c.Dropout, layers.WithName("head_dropout")).Apply(h)
	}
	out := layers.Dense(classes, layers.WithActivation("softmax"), layers.WithName(BERTClassOutput)).Apply(h)
	m, err := layers.NewModel([]*layers.Tensor{ids}, []*layers.Tensor{out}, layers.ModelName("bert_classifier"))
	return m, errors.Wrap(err, "bert: classifier")
}
