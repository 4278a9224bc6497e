package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// EmbeddingLayer maps integer ids to dense vectors: a table of shape (vocab, dim)
// whose row i is the vector of id i (Keras' Embedding). Ids of shape (...) give
// vectors of shape (..., dim). Ids must be in [0, vocab): one outside is an error of
// the run naming the example and the value.
type EmbeddingLayer struct {
	Base
	vocab, dim int
	maskZero   bool
	cfg        config
	err        error
	table      *graph.Param
}

// Embedding returns an embedding of vocab ids into dim-dimensional vectors. Its
// input must be an integer tensor (NewInput with Int32 or Int64). Options: WithName,
// WithEmbeddingsInitializer / WithEmbeddingsInitializerName (default "random_uniform",
// Keras' RandomUniform(-0.05, 0.05)), WithMaskZero (default false: with it, id 0 is
// padding and the layer records a mask, 1 for real ids and 0 for padding, that
// mask-aware layers read; vocab must then count the padding id).
func Embedding(vocab, dim int, opts ...Option) *EmbeddingLayer {
	cfg, err := layerConfig("Embedding", []string{"embeddings_initializer", "mask_zero"}, opts)
	if err == nil && (vocab <= 0 || dim <= 0) {
		err = errors.Errorf("Embedding: vocab %d and dim %d must be positive", vocab, dim)
	}
	cfg.defaultEmbeddingsInit()
	l := &EmbeddingLayer{vocab: vocab, dim: dim, maskZero: cfg.maskZero, cfg: cfg, err: err}
	l.SetName(cfg.name)
	return l
}

// defaultEmbeddingsInit sets the table initializer of Embedding and EmbeddingBag
// to "random_uniform" (Keras' RandomUniform(-0.05, 0.05)) unless an option set one.
func (c *config) defaultEmbeddingsInit() {
	if c.embInit == nil && c.embInitName == "" {
		c.embInitName = "random_uniform"
	}
}

// checkIDsInput returns an error naming the layer who unless in is one input of
// integer ids, as Embedding and EmbeddingBag take.
func checkIDsInput(who string, in []Spec) error {
	if len(in) != 1 {
		return errors.Errorf("%s takes one input of ids, got %d", who, len(in))
	}
	if !isIntDType(in[0].DType) {
		return errors.Errorf("%s takes integer ids (an input of dtype Int32 or Int64), got %s", who, in[0])
	}
	return nil
}

// addEmbeddingsTable adds l's (vocab, dim) weight "embeddings", initialized as
// cfg's embeddings initializer options say; errors name the layer who.
func addEmbeddingsTable(ctx BuildContext, l Layer, who string, cfg config, vocab, dim int) (*graph.Param, error) {
	init, err := initializer(cfg.embInit, cfg.embInitName)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	table, err := ctx.AddWeight(l, "embeddings", []int{vocab, dim}, init)
	return table, errors.Wrap(err, who)
}

// WithMaskZero makes Embedding treat id 0 as padding and record a mask (default
// false). Embedding takes it.
func WithMaskZero(on bool) Option {
	return optionFunc(func(c *config) { c.maskZero = on; c.set["mask_zero"] = true })
}

// WithEmbeddingsInitializer sets the table's initializer (default "random_uniform").
// Embedding takes it.
func WithEmbeddingsInitializer(init graph.Initializer) Option {
	return optionFunc(func(c *config) { c.embInit = init; c.embInitName = ""; c.set["embeddings_initializer"] = true })
}

// WithEmbeddingsInitializerName sets the table's initializer by Keras name (default
// "random_uniform"). Embedding takes it.
func WithEmbeddingsInitializerName(name string) Option {
	return optionFunc(func(c *config) { c.embInit = nil; c.embInitName = name; c.set["embeddings_initializer"] = true })
}

// Type returns "Embedding".
func (l *EmbeddingLayer) Type() string { return "Embedding" }

// Vocab is the number of ids; Dim the width of a vector.
func (l *EmbeddingLayer) Vocab() int { return l.vocab }

// Dim is the width of an embedding vector.
func (l *EmbeddingLayer) Dim() int { return l.dim }

// MaskZero reports whether id 0 is padding.
func (l *EmbeddingLayer) MaskZero() bool { return l.maskZero }

// Table is the (vocab, dim) weight (nil before Build).
func (l *EmbeddingLayer) Table() *graph.Param { return l.table }

// Apply calls the layer on ids and returns the vectors.
func (l *EmbeddingLayer) Apply(ids *Tensor) *Tensor { return apply1(l, []*Tensor{ids}) }

// BuildMulti makes the table for one integer input of shape (...) and returns
// (..., dim) in the model's float type.
func (l *EmbeddingLayer) BuildMulti(ctx BuildContext, in []Spec) ([]Spec, error) {
	who := named("Embedding", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if err := checkIDsInput(who, in); err != nil {
		return nil, err
	}
	var err error
	if l.table, err = addEmbeddingsTable(ctx, l, who, l.cfg, l.vocab, l.dim); err != nil {
		return nil, err
	}
	out := append(append([]int(nil), in[0].Shape...), l.dim)
	return []Spec{{Shape: out, DType: ctx.DType}}, nil
}

// ForwardMulti looks the ids up; with WithMaskZero it records the mask of the
// output in g.
func (l *EmbeddingLayer) ForwardMulti(g *graph.Graph, xs []*G.Node) ([]*G.Node, error) {
	who := named("Embedding", l.Name())
	if l.table == nil {
		return nil, errors.Errorf("%s: not built", who)
	}
	w, err := g.Param(l.table)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	y, err := graph.Gather(w, xs[0])
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	if l.maskZero {
		m, err := graph.NotEqualZero(xs[0], g.DType())
		if err != nil {
			return nil, errors.Wrap(err, who)
		}
		g.SetMask(y, m)
	}
	return []*G.Node{y}, nil
}
