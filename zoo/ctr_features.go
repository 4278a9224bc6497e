package zoo

import (
	"fmt"

	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// CTRFeatures describes the inputs of a click-through-rate model, for the model
// builders LogisticCTR, MLPCTR, WideDeep, DeepFM and DCN. The models' inputs come
// in this order: Numeric (if any), the Fields, the Bags.
type CTRFeatures struct {
	// Numeric names the float input of the numeric features, of shape
	// (NumericWidth) ("" when there is none). The builders do not scale it: put
	// a Normalization in front (NumericNorm) or scale the data.
	Numeric      string
	NumericWidth int
	// NumericNorm, when set, standardizes the numeric input inside the model (an
	// adapted layers.Normalization), so the model takes raw values.
	NumericNorm *layers.NormalizationLayer
	// Fields are the categorical fields, one input of shape (1) each.
	Fields []CTRField
	// Bags are the multi-valued fields: Int64 ids of shape (MaxLen), padded with
	// id 0 (which Vocab counts), pooled by mean.
	Bags []CTRBag
	// Crosses lists pairs of fields, by name, whose combination the wide part of
	// WideDeep also learns (HashedCrossing into CrossBins bins). Default none.
	Crosses [][2]string
	// CrossBins is the number of bins of each cross (0: 10,000).
	CrossBins int
	// Output names the model's output, a sigmoid of shape (1) (default "click").
	Output string
}

// CTRField is one categorical field: an input named Name of shape (1), Int64 ids
// in [0, Vocab) unless Lookup is set, in which case the input holds raw values
// (strings, or integers with Raw Int64) that Lookup maps to ids inside the model,
// and Vocab is taken from Lookup.VocabularySize().
type CTRField struct {
	Name   string
	Vocab  int
	Lookup *layers.LookupLayer
}

// CTRBag is one multi-valued field: an Int64 input named Name of shape (MaxLen),
// ids in [0, Vocab), 0 padding.
type CTRBag struct {
	Name          string
	Vocab, MaxLen int
}

// CTROption sets an optional setting of the CTR model builders.
type CTROption func(*ctrConfig)

type ctrConfig struct {
	dim         int
	hidden      []int
	dropout     float64
	crossLayers int
	lowRank     int
}

// CTRDim sets the embedding size of every field (default 16; DeepFM's FM needs
// one size for all fields).
func CTRDim(k int) CTROption { return func(c *ctrConfig) { c.dim = k } }

// CTRHidden sets the widths of the ReLU layers of the deep part (default 128, 64).
func CTRHidden(widths ...int) CTROption {
	w := append([]int(nil), widths...)
	return func(c *ctrConfig) { c.hidden = w }
}

// CTRDropout sets the dropout rate after every hidden layer (default 0).
func CTRDropout(rate float64) CTROption { return func(c *ctrConfig) { c.dropout = rate } }

// CTRCrossLayers sets DCN's number of cross layers (default 3).
func CTRCrossLayers(n int) CTROption { return func(c *ctrConfig) { c.crossLayers = n } }

// CTRLowRank makes DCN's cross layers low-rank with rank r (default 0: full rank).
func CTRLowRank(r int) CTROption { return func(c *ctrConfig) { c.lowRank = r } }

func newCTRConfig(opts []CTROption) (ctrConfig, error) {
	c := ctrConfig{dim: 16, hidden: []int{128, 64}, crossLayers: 3}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.dim <= 0 || c.crossLayers <= 0 || c.lowRank < 0 || !(c.dropout >= 0 && c.dropout < 1) {
		return c, errors.Errorf("ctr model: dim %d and cross layers %d must be positive, low rank %d not negative, dropout %g in [0, 1)",
			c.dim, c.crossLayers, c.lowRank, c.dropout)
	}
	for _, w := range c.hidden {
		if w <= 0 {
			return c, errors.Errorf("ctr model: hidden width %d is not positive", w)
		}
	}
	return c, nil
}

// ctrInputs are a model's symbolic inputs and what the builders derive from them.
type ctrInputs struct {
	all     []*layers.Tensor
	numeric *layers.Tensor   // nil when none (after NumericNorm)
	ids     []*layers.Tensor // the fields' ids (after their lookups), (1) each
	vocabs  []int
	bags    []*layers.Tensor
	f       CTRFeatures
}

// newCTRInputs makes the inputs of f and checks it.
func newCTRInputs(f CTRFeatures) (*ctrInputs, error) {
	in := &ctrInputs{f: f}
	if f.Numeric != "" {
		if f.NumericWidth <= 0 {
			return nil, errors.Errorf("ctr model: numeric input %q of width %d", f.Numeric, f.NumericWidth)
		}
		x := layers.NewInput(f.Numeric, layers.Shape(f.NumericWidth))
		in.all = append(in.all, x)
		in.numeric = x
		if f.NumericNorm != nil {
			in.numeric = f.NumericNorm.Apply(x)
		}
	}
	for _, fl := range f.Fields {
		vocab := fl.Vocab
		var x, ids *layers.Tensor
		if fl.Lookup != nil {
			dt := layers.String
			if fl.Lookup.Type() == "IntegerLookup" {
				dt = layers.Int64
			}
			x = layers.NewInput(fl.Name, layers.Shape(1), dt)
			ids = fl.Lookup.Apply(x)
			vocab = fl.Lookup.VocabularySize()
		} else {
			x = layers.NewInput(fl.Name, layers.Shape(1), layers.Int64)
			ids = x
		}
		if vocab <= 0 {
			return nil, errors.Errorf("ctr model: field %q has vocabulary %d", fl.Name, vocab)
		}
		in.all, in.ids, in.vocabs = append(in.all, x), append(in.ids, ids), append(in.vocabs, vocab)
	}
	for _, b := range f.Bags {
		if b.Vocab <= 1 || b.MaxLen <= 0 {
			return nil, errors.Errorf("ctr model: bag %q of vocabulary %d and length %d", b.Name, b.Vocab, b.MaxLen)
		}
		x := layers.NewInput(b.Name, layers.Shape(b.MaxLen), layers.Int64)
		in.all, in.bags = append(in.all, x), append(in.bags, x)
	}
	if len(in.ids)+len(in.bags) == 0 {
		return nil, errors.New("ctr model: no categorical field")
	}
	return in, nil
}

// fieldVectors returns each field's and bag's embedding of size k, as (batch, 1,
// k) tensors, with layer names prefixed by prefix.
func (in *ctrInputs) fieldVectors(prefix string, k int) []*layers.Tensor {
	var out []*layers.Tensor
	for i, ids := range in.ids {
		name := fmt.Sprintf("%s%s_embedding", prefix, in.f.Fields[i].Name)
		out = append(out, layers.Embedding(in.vocabs[i], k, layers.WithName(name)).Apply(ids))
	}
	for i, b := range in.bags {
		bag := in.f.Bags[i]
		v := layers.EmbeddingBag(bag.Vocab, k, layers.WithCombiner("mean"), layers.WithName(fmt.Sprintf("%s%s_bag", prefix, bag.Name))).Apply(b)
		out = append(out, layers.Reshape([]int{1, k}, layers.WithName(fmt.Sprintf("%s%s_bag_field", prefix, bag.Name))).Apply(v))
	}
	return out
}

// linear is the first-order (logistic) part: one weight per id of every field and
// bag, plus a Dense(1) over the numeric features, summed: (batch, 1).
func (in *ctrInputs) linear(prefix string) *layers.Tensor {
	var terms []*layers.Tensor
	for _, v := range in.fieldVectors(prefix+"linear_", 1) {
		terms = append(terms, layers.Flatten().Apply(v))
	}
	if in.numeric != nil {
		terms = append(terms, layers.Dense(1, layers.WithName(prefix+"linear_numeric")).Apply(in.numeric))
	}
	return sum(terms)
}

// deep is the MLP over the flattened field embeddings and the numeric features:
// (batch, last hidden width), or the concatenated features without hidden layers.
func (in *ctrInputs) deep(vectors []*layers.Tensor, c ctrConfig) *layers.Tensor {
	h := in.flat(vectors)
	for i, w := range c.hidden {
		h = layers.Dense(w, layers.WithActivation("relu"), layers.WithName(fmt.Sprintf("deep_%d", i))).Apply(h)
		if c.dropout > 0 {
			h = layers.Dropout(c.dropout).Apply(h)
		}
	}
	return h
}

// flat concatenates the field vectors (flattened) and the numeric features.
func (in *ctrInputs) flat(vectors []*layers.Tensor) *layers.Tensor {
	var parts []*layers.Tensor
	for _, v := range vectors {
		parts = append(parts, layers.Flatten().Apply(v))
	}
	if in.numeric != nil {
		parts = append(parts, in.numeric)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return layers.Concatenate(-1, layers.WithName("features")).Apply(parts...)
}

// sum adds tensors of one shape (one tensor is returned as it is).
func sum(ts []*layers.Tensor) *layers.Tensor {
	if len(ts) == 1 {
		return ts[0]
	}
	return layers.Add().Apply(ts...)
}

// clickModel ends a model in a sigmoid named "click" over the logit and returns it.
func (in *ctrInputs) clickModel(name string, logit *layers.Tensor) (*layers.Functional, error) {
	output := in.f.Output
	if output == "" {
		output = "click"
	}
	out := layers.Activation("sigmoid", layers.WithName(output)).Apply(logit)
	return layers.NewModel(in.all, []*layers.Tensor{out}, layers.ModelName(name))
}
