package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// EmbeddingBagLayer pools the embeddings of a bag of ids per example, like
// PyTorch's nn.EmbeddingBag with padding_idx (and TensorFlow's
// embedding_lookup_sparse): multi-valued ids (batch, maxlen), each row one bag
// padded to maxlen, give (batch, dim). The table has shape (vocab, dim), as
// Embedding's. Slots that hold the padding id (default 0) add nothing and do not
// count: "sum" (the default) adds the rows of the other ids, "mean" divides by how
// many there are, "sqrtn" by its square root. A bag of padding only gives zeros.
// An id outside [0, vocab) that is not the padding id fails the run with a
// *graph.IndexError naming the example and the position.
type EmbeddingBagLayer struct {
	Base
	vocab, dim int
	combiner   string
	paddingID  int
	cfg        config
	err        error
	table      *graph.Param
}

// EmbeddingBag returns a bag-of-ids embedding of vocab ids into dim-dimensional
// vectors. Its input is an integer tensor (NewInput with Int32 or Int64) of shape
// (batch, maxlen); its output is (batch, dim) in the model's float type. Options:
// WithName, WithCombiner (default "sum"; "mean", "sqrtn"), WithPaddingID (default
// 0: id 0 is padding, as Keras' mask_zero and pad_sequences, so vocab counts it and
// its row is never used; WithPaddingID(-1) pads with -1 and makes every row of the
// table a real id), WithEmbeddingsInitializer / WithEmbeddingsInitializerName
// (default "random_uniform", Keras' RandomUniform(-0.05, 0.05)).
func EmbeddingBag(vocab, dim int, opts ...Option) *EmbeddingBagLayer {
	cfg, err := layerConfig("EmbeddingBag", []string{"combiner", "padding_id", "embeddings_initializer"}, opts)
	if err == nil && (vocab <= 0 || dim <= 0) {
		err = errors.Errorf("EmbeddingBag: vocab %d and dim %d must be positive", vocab, dim)
	}
	combiner := cfg.interaction.combiner
	if !cfg.set["combiner"] {
		combiner = graph.BagSum
	}
	if err == nil {
		err = checkBagCombiner(combiner)
	}
	cfg.defaultEmbeddingsInit()
	l := &EmbeddingBagLayer{vocab: vocab, dim: dim, combiner: combiner, paddingID: cfg.interaction.paddingID, cfg: cfg, err: err}
	l.SetName(cfg.name)
	return l
}

// checkBagCombiner returns an error unless c is one of graph.BagCombiners.
func checkBagCombiner(c string) error {
	for _, ok := range graph.BagCombiners() {
		if c == ok {
			return nil
		}
	}
	return errors.Errorf("EmbeddingBag: combiner %q (valid: %v)", c, graph.BagCombiners())
}

// WithCombiner sets how EmbeddingBag pools a bag: "sum" (the default), "mean" or
// "sqrtn" (the sum divided by the square root of the bag's size), padding
// excluded. EmbeddingBag takes it.
func WithCombiner(name string) Option {
	return optionFunc(func(c *config) { c.interaction.combiner = name; c.set["combiner"] = true })
}

// WithPaddingID sets the id that marks an empty slot of a bag (default 0). It may
// lie outside [0, vocab), -1 say, so that every row of the table is a real id.
// EmbeddingBag takes it.
func WithPaddingID(id int) Option {
	return optionFunc(func(c *config) { c.interaction.paddingID = id; c.set["padding_id"] = true })
}

// Type returns "EmbeddingBag".
func (l *EmbeddingBagLayer) Type() string { return "EmbeddingBag" }

// Vocab is the number of rows of the table (with the default padding id 0, the
// padding row counts).
func (l *EmbeddingBagLayer) Vocab() int { return l.vocab }

// Dim is the width of an embedding vector.
func (l *EmbeddingBagLayer) Dim() int { return l.dim }

// Combiner is "sum", "mean" or "sqrtn".
func (l *EmbeddingBagLayer) Combiner() string { return l.combiner }

// PaddingID is the id of empty slots.
func (l *EmbeddingBagLayer) PaddingID() int { return l.paddingID }

// Table is the (vocab, dim) weight (nil before Build).
func (l *EmbeddingBagLayer) Table() *graph.Param { return l.table }

// Apply calls the layer on ids (batch, maxlen) and returns the pooled vectors
// (batch, dim).
func (l *EmbeddingBagLayer) Apply(ids *Tensor) *Tensor { return apply1(l, []*Tensor{ids}) }

// BuildMulti makes the table for one integer input of shape (maxlen) and returns
// (dim) in the model's float type.
func (l *EmbeddingBagLayer) BuildMulti(ctx BuildContext, in []Spec) ([]Spec, error) {
	who := named("EmbeddingBag", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if err := checkIDsInput(who, in); err != nil {
		return nil, err
	}
	if len(in[0].Shape) != 1 {
		return nil, errors.Errorf("%s takes bags of ids of shape (batch, maxlen), got %s", who, batchShape(in[0].Shape))
	}
	var err error
	if l.table, err = addEmbeddingsTable(ctx, l, who, l.cfg, l.vocab, l.dim); err != nil {
		return nil, err
	}
	return []Spec{{Shape: []int{l.dim}, DType: ctx.DType}}, nil
}

// ForwardMulti pools the bags.
func (l *EmbeddingBagLayer) ForwardMulti(g *graph.Graph, xs []*G.Node) ([]*G.Node, error) {
	who := named("EmbeddingBag", l.Name())
	if l.table == nil {
		return nil, errors.Errorf("%s: not built", who)
	}
	if len(xs) != 1 {
		return nil, errors.Errorf("%s takes one input of ids, got %d", who, len(xs))
	}
	w, err := g.Param(l.table)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	y, err := graph.EmbeddingBag(w, xs[0], l.combiner, int64(l.paddingID))
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	return []*G.Node{y}, nil
}

// Config returns input_dim, output_dim, combiner, padding_id and the initializer's
// name.
func (l *EmbeddingBagLayer) Config() LayerConfig {
	return LayerConfig{"EmbeddingBag", l.Name(), map[string]interface{}{
		"input_dim": l.vocab, "output_dim": l.dim, "combiner": l.combiner, "padding_id": l.paddingID,
		"embeddings_initializer": orCustom(l.cfg.embInitName),
	}}
}
