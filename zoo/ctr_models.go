package zoo

import (
	"fmt"

	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// LogisticCTR is logistic regression on the features of f: one weight per id of
// every categorical field, a mean-pooled weight per bag, a weight per numeric
// feature, and a sigmoid output "click" (batch, 1).
func LogisticCTR(f CTRFeatures) (*layers.Functional, error) {
	in, err := newCTRInputs(f)
	if err != nil {
		return nil, err
	}
	return in.clickModel("logistic", in.linear(""))
}

// MLPCTR is an MLP over the concatenated field embeddings (CTRDim, default 16) and
// numeric features (CTRHidden, default 128, 64; CTRDropout), ending in a sigmoid
// output "click".
func MLPCTR(f CTRFeatures, opts ...CTROption) (*layers.Functional, error) {
	c, in, err := ctrStart(f, opts)
	if err != nil {
		return nil, err
	}
	h := in.deep(in.fieldVectors("", c.dim), c)
	return in.clickModel("mlp", layers.Dense(1, layers.WithName("deep_logit")).Apply(h))
}

// WideDeep is Wide & Deep (Cheng et al. 2016): a wide linear part over every id,
// the numeric features and the hashed crosses of f.Crosses, added to the logit of
// an MLP over the field embeddings (the deep part), then a sigmoid "click".
func WideDeep(f CTRFeatures, opts ...CTROption) (*layers.Functional, error) {
	c, in, err := ctrStart(f, opts)
	if err != nil {
		return nil, err
	}
	terms := []*layers.Tensor{in.linear("wide_")}
	bins := f.CrossBins
	if bins == 0 {
		bins = 10000
	}
	for _, pair := range f.Crosses {
		a, b := in.fieldIndex(pair[0]), in.fieldIndex(pair[1])
		if a < 0 || b < 0 {
			return nil, errors.Errorf("wide&deep: cross %v names a field that is not in the features", pair)
		}
		name := fmt.Sprintf("cross_%s_%s", pair[0], pair[1])
		x := layers.HashedCrossing(bins, layers.WithName(name)).Apply(in.ids[a], in.ids[b])
		w := layers.Embedding(bins, 1, layers.WithName(name+"_weight")).Apply(x)
		terms = append(terms, layers.Flatten().Apply(w))
	}
	h := in.deep(in.fieldVectors("deep_", c.dim), c)
	terms = append(terms, layers.Dense(1, layers.WithName("deep_logit")).Apply(h))
	return in.clickModel("wide_deep", sum(terms))
}

// DeepFM (Guo et al. 2017): the first-order part, a factorization machine over the
// field embeddings (layers.FM: every pair of fields interacts through the dot
// product of its embeddings) and an MLP over the same embeddings, their logits
// added, then a sigmoid "click".
func DeepFM(f CTRFeatures, opts ...CTROption) (*layers.Functional, error) {
	c, in, err := ctrStart(f, opts)
	if err != nil {
		return nil, err
	}
	vectors := in.fieldVectors("", c.dim)
	if len(vectors) < 2 {
		return nil, errors.New("deepfm: the FM needs at least two categorical fields")
	}
	stacked := layers.Concatenate(1, layers.WithName("fields")).Apply(vectors...) // (batch, fields, k)
	fm := layers.FM(layers.WithName("fm")).Apply(stacked)
	h := in.deep(vectors, c)
	deep := layers.Dense(1, layers.WithName("deep_logit")).Apply(h)
	return in.clickModel("deepfm", sum([]*layers.Tensor{in.linear(""), fm, deep}))
}

// DCN is DCN-v2 (Wang et al. 2021), stacked: the concatenated field embeddings
// and numeric features go through CTRCrossLayers cross layers (CTRLowRank for the
// low-rank version), then the MLP, then a sigmoid "click".
func DCN(f CTRFeatures, opts ...CTROption) (*layers.Functional, error) {
	c, in, err := ctrStart(f, opts)
	if err != nil {
		return nil, err
	}
	x0 := in.flat(in.fieldVectors("", c.dim))
	var crossOpts []layers.Option
	crossOpts = append(crossOpts, layers.WithName("cross"))
	if c.lowRank > 0 {
		crossOpts = append(crossOpts, layers.WithLowRank(c.lowRank))
	}
	h := layers.CrossNet(c.crossLayers, crossOpts...).Apply(x0)
	for i, w := range c.hidden {
		h = layers.Dense(w, layers.WithActivation("relu"), layers.WithName(fmt.Sprintf("deep_%d", i))).Apply(h)
		if c.dropout > 0 {
			h = layers.Dropout(c.dropout).Apply(h)
		}
	}
	return in.clickModel("dcn", layers.Dense(1, layers.WithName("logit")).Apply(h))
}

// ctrStart reads the options and makes the inputs.
func ctrStart(f CTRFeatures, opts []CTROption) (ctrConfig, *ctrInputs, error) {
	c, err := newCTRConfig(opts)
	if err != nil {
		return c, nil, err
	}
	in, err := newCTRInputs(f)
	return c, in, err
}

// fieldIndex is the position of the field named name, or -1.
func (in *ctrInputs) fieldIndex(name string) int {
	for i, fl := range in.f.Fields {
		if fl.Name == name {
			return i
		}
	}
	return -1
}
