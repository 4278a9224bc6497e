package datasets

import (
	"fmt"
	"math"

	"github.com/pkg/errors"
)

// Limits of ClickLog's settings, so that a typo cannot ask for terabytes.
const (
	// MaxClickRows is the largest n of ClickLog (1<<24, about 16.8 million).
	MaxClickRows = 1 << 24
	// MaxClickVocab is the largest vocabulary of a ClickLog field (1,000,000).
	MaxClickVocab = 1_000_000
	// MaxClickFields is the largest number of single-id fields (32).
	MaxClickFields = 32
	// MaxClickWidth bounds the bag's MaxLen, the numeric count, the latent
	// dimension and the number of crosses (64 each).
	MaxClickWidth = 64
	// MaxClickParams bounds the size of the generating model: the sum over
	// the fields and the bag of Vocab*(1+latent dimension) (1<<26, 512 MiB
	// of float64).
	MaxClickParams = 1 << 26
)

// Kinds of ClickField.
const (
	// ClickCategorical is a field of one id per example: Int64 input of
	// per-example shape [1].
	ClickCategorical = "categorical"
	// ClickBag is a multi-valued field: a bag of distinct ids padded with
	// ClickPadding to MaxLen ids, Int64 input of per-example shape [MaxLen].
	ClickBag = "bag"
	// ClickNumeric is the numeric features: one Float32 input of per-example
	// shape [count], named "numeric".
	ClickNumeric = "numeric"
)

// ClickPadding is the id that pads a bag to its MaxLen: real bag ids are
// 1 .. Vocab-1, so an Embedding of Vocab rows with WithMaskZero(true) fits.
const ClickPadding = 0

// DefaultClickZipf is the Zipf exponent of a field that does not set one
// (1.2).
const DefaultClickZipf = 1.2

// ClickField describes one input of a ClickLogData (in ClickLogData.Fields)
// or, given to ClickFields, one single-id field to generate.
type ClickField struct {
	// Name is the input's name in the Tensors and the CSV header.
	Name string
	// Kind is ClickCategorical, ClickBag or ClickNumeric. ClickFields
	// ignores it (its fields are categorical).
	Kind string
	// Vocab is the number of ids: ids lie in [0, Vocab) (padding included
	// for a bag); size an Embedding with it. 0 for the numeric features.
	Vocab int
	// Len is the number of values per example: 1 for a categorical field,
	// MaxLen for a bag, the number of numeric features. ClickFields ignores
	// it.
	Len int
	// Zipf is the exponent s > 1 of the Zipf law of the ids: id r (rank r,
	// 0 the most frequent) has probability proportional to (r+1)^-s. Given
	// to ClickFields, 0 means DefaultClickZipf (1.2). 0 for the numeric
	// features.
	Zipf float64
}

// ClickOption configures ClickLog. The options are ClickFields, ClickVocab,
// ClickBagField, ClickNumericCount, ClickLatentDim, ClickMainEffects,
// ClickInteractions, ClickCrosses, ClickNumericEffect, ClickBaseRate and
// ClickModelSeed; see ClickLog for the defaults.
type ClickOption interface{ applyClick(*clickConfig) }

type clickOptionFunc func(*clickConfig)

func (f clickOptionFunc) applyClick(c *clickConfig) { f(c) }

// clickConfig holds the settings of one ClickLog call.
type clickConfig struct {
	fields       []ClickField // single-id fields: Name, Vocab, Zipf
	bag          ClickField   // Name, Vocab, Len (MaxLen), Zipf
	numeric      int
	latent       int
	main         float64
	interactions float64
	crosses      int
	crossWeight  float64
	numericStd   float64
	baseRate     float64
	modelSeed    int64
	modelSeedSet bool
	err          error
}

// Defaults of ClickLog, tuned so that the Bayes-optimal AUC is about 0.80
// and the best additive model (logistic regression on one-hot ids and raw
// numerics) falls clearly short of it; see ClickLog.
const (
	defaultClickLatent       = 4
	defaultClickMain         = 0.25
	defaultClickInteractions = 1.0
	defaultClickCrosses      = 4
	defaultClickCrossWeight  = 2.0
	defaultClickNumericStd   = 0.6
	defaultClickBaseRate     = 0.2
	defaultClickNumeric      = 3
)

// defaultClickFields returns the single-id fields of ClickLog by default.
func defaultClickFields() []ClickField {
	return []ClickField{
		{Name: "user_id", Vocab: 100_000, Zipf: DefaultClickZipf},
		{Name: "item_id", Vocab: 50_000, Zipf: DefaultClickZipf},
		{Name: "site_id", Vocab: 5_000, Zipf: DefaultClickZipf},
		{Name: "category", Vocab: 300, Zipf: DefaultClickZipf},
		{Name: "device", Vocab: 12, Zipf: DefaultClickZipf},
	}
}

// newClickConfig returns the defaults with opts applied in order (nil
// options skipped).
func newClickConfig(opts []ClickOption) *clickConfig {
	c := &clickConfig{
		fields:       defaultClickFields(),
		bag:          ClickField{Name: "genres", Vocab: 64, Len: 6, Zipf: DefaultClickZipf},
		numeric:      defaultClickNumeric,
		latent:       defaultClickLatent,
		main:         defaultClickMain,
		interactions: defaultClickInteractions,
		crosses:      defaultClickCrosses,
		crossWeight:  defaultClickCrossWeight,
		numericStd:   defaultClickNumericStd,
		baseRate:     defaultClickBaseRate,
	}
	for _, o := range opts {
		if o != nil {
			o.applyClick(c)
		}
	}
	return c
}

// fail records err unless an earlier option failed.
func (c *clickConfig) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// ClickFields replaces the single-id (categorical) fields. Each needs a
// Name, a Vocab in [2, MaxClickVocab] and a Zipf exponent > 1 (0 means
// DefaultClickZipf); Kind and Len are ignored. At least one field and at
// most MaxClickFields. Default: user_id (vocabulary 100,000), item_id
// (50,000), site_id (5,000), category (300), device (12), all with Zipf
// exponent 1.2.
func ClickFields(fields ...ClickField) ClickOption {
	fields = append([]ClickField(nil), fields...)
	return clickOptionFunc(func(c *clickConfig) {
		if len(fields) == 0 || len(fields) > MaxClickFields {
			c.fail(errors.Errorf("ClickFields: %d fields, want 1 to %d", len(fields), MaxClickFields))
			return
		}
		out := make([]ClickField, len(fields))
		for i, f := range fields {
			if f.Zipf == 0 {
				f.Zipf = DefaultClickZipf
			}
			out[i] = ClickField{Name: f.Name, Vocab: f.Vocab, Zipf: f.Zipf}
		}
		c.fields = out
	})
}

// ClickVocab sets the vocabulary of the single-id field or the bag called
// name (an unknown name is an error). For the bag, vocab counts the padding
// id. Applied in order with the other options: after ClickFields or
// ClickBagField, it changes the field they set.
func ClickVocab(name string, vocab int) ClickOption {
	return clickOptionFunc(func(c *clickConfig) {
		for i := range c.fields {
			if c.fields[i].Name == name {
				c.fields[i].Vocab = vocab
				return
			}
		}
		if c.bag.Name == name {
			c.bag.Vocab = vocab
			return
		}
		c.fail(errors.Errorf("ClickVocab: no field %q", name))
	})
}

// ClickBagField sets the multi-valued field: its name, its vocabulary
// (padding id included, in [2, MaxClickVocab]) and the length maxLen (in
// [1, MaxClickWidth]) to which each bag is padded. Default: "genres",
// vocabulary 64 (ids 1..63, 0 is padding), maxLen 6. Each example draws a
// count uniform in [1, maxLen] and that many Zipf(1.2) ids (rank r is id
// r+1); an id drawn twice is kept once, so a bag holds 1 to maxLen distinct
// ids in the order drawn, followed by ClickPadding.
func ClickBagField(name string, vocab, maxLen int) ClickOption {
	return clickOptionFunc(func(c *clickConfig) {
		c.bag = ClickField{Name: name, Vocab: vocab, Len: maxLen, Zipf: DefaultClickZipf}
	})
}

// ClickNumericCount sets the number of numeric features, each drawn from
// N(0, 1), in [1, MaxClickWidth]. Default 3.
func ClickNumericCount(n int) ClickOption {
	return clickOptionFunc(func(c *clickConfig) { c.numeric = n })
}

// ClickLatentDim sets the dimension k of the latent vectors of the
// factorization-machine interactions, in [1, MaxClickWidth]. Default 4.
func ClickLatentDim(k int) ClickOption {
	return clickOptionFunc(func(c *clickConfig) { c.latent = k })
}

// ClickMainEffects sets the standard deviation of the per-id main effects
// (each id of each field, bag ids included, has one drawn from
// N(0, std^2)). Default 0.25. Finite and >= 0.
func ClickMainEffects(std float64) ClickOption {
	return clickOptionFunc(func(c *clickConfig) { c.main = std })
}

// ClickInteractions sets the scale of the factorization-machine term: the
// latent vectors are drawn so that its standard deviation would be std if
// the bag held a single id (its mean vector makes it somewhat smaller; see
// ClickLogData.PartStd). Default 1.0. Finite and >= 0.
func ClickInteractions(std float64) ClickOption {
	return clickOptionFunc(func(c *clickConfig) { c.interactions = std })
}

// ClickCrosses sets the number of explicit cross terms, in
// [0, MaxClickWidth], and their weight: each adds +weight or -weight (sign
// drawn) to the logit when two single-id fields (drawn) hold two specific
// ids (each drawn among the 5 most frequent of its field). Default 4
// crosses of weight 2. The weight must be finite and >= 0; at least two
// single-id fields are needed for a cross.
func ClickCrosses(count int, weight float64) ClickOption {
	return clickOptionFunc(func(c *clickConfig) { c.crosses, c.crossWeight = count, weight })
}

// ClickNumericEffect sets the standard deviation of the numeric part of the
// logit (see ClickLog for its formula). Default 0.6. Finite and >= 0.
func ClickNumericEffect(std float64) ClickOption {
	return clickOptionFunc(func(c *clickConfig) { c.numericStd = std })
}

// ClickBaseRate sets the expected click rate, in (0, 1): the logit's bias is
// solved so that the mean click probability over the model's 20,000
// calibration rows is rate. Default 0.2.
func ClickBaseRate(rate float64) ClickOption {
	return clickOptionFunc(func(c *clickConfig) { c.baseRate = rate })
}

// ClickModelSeed sets the seed of the generating model (effects, latent
// vectors, crosses, bias) apart from the seed of the rows: two ClickLog
// calls with the same model seed and different seeds draw different rows
// from the same click model, e.g. a training and a test log. Default: the
// seed given to ClickLog.
func ClickModelSeed(seed int64) ClickOption {
	return clickOptionFunc(func(c *clickConfig) { c.modelSeed, c.modelSeedSet = seed, true })
}

// check validates the settings; names must be unique among the inputs,
// the numeric CSV columns and the target.
func (c *clickConfig) check() error {
	if c.err != nil {
		return c.err
	}
	seen := map[string]bool{ClickNumeric: true, clickTarget: true}
	for j := 0; j < c.numeric && j < MaxClickWidth; j++ {
		seen[numericColumn(j)] = true
	}
	checkField := func(what string, f ClickField) error {
		if f.Name == "" {
			return errors.Errorf("%s has an empty name", what)
		}
		if seen[f.Name] {
			return errors.Errorf("%s: name %q is taken (names must be unique and differ from %q, %q and the numeric columns)",
				what, f.Name, ClickNumeric, clickTarget)
		}
		seen[f.Name] = true
		if f.Vocab < 2 || f.Vocab > MaxClickVocab {
			return errors.Errorf("%s %q: vocabulary %d, want 2 to %d", what, f.Name, f.Vocab, MaxClickVocab)
		}
		if !(f.Zipf > 1) || math.IsInf(f.Zipf, 0) {
			return errors.Errorf("%s %q: Zipf exponent %v, want a finite value > 1", what, f.Name, f.Zipf)
		}
		return nil
	}
	for i, f := range c.fields {
		if err := checkField(fmt.Sprintf("field %d", i), f); err != nil {
			return err
		}
	}
	if err := checkField("bag", c.bag); err != nil {
		return err
	}
	if c.bag.Len < 1 || c.bag.Len > MaxClickWidth {
		return errors.Errorf("bag %q: maxLen %d, want 1 to %d", c.bag.Name, c.bag.Len, MaxClickWidth)
	}
	for _, v := range []struct {
		what string
		n    int
		lo   int
	}{{"numeric count", c.numeric, 1}, {"latent dimension", c.latent, 1}, {"number of crosses", c.crosses, 0}} {
		if v.n < v.lo || v.n > MaxClickWidth {
			return errors.Errorf("%s %d, want %d to %d", v.what, v.n, v.lo, MaxClickWidth)
		}
	}
	params := c.bag.Vocab * (1 + c.latent)
	for _, f := range c.fields {
		params += f.Vocab * (1 + c.latent)
	}
	if params > MaxClickParams {
		return errors.Errorf("the model would have %d parameters (vocabularies times 1 + latent dimension %d), more than %d",
			params, c.latent, MaxClickParams)
	}
	if c.crosses > 0 && len(c.fields) < 2 {
		return errors.Errorf("%d crosses need at least 2 single-id fields, have %d", c.crosses, len(c.fields))
	}
	for _, v := range []struct {
		what string
		x    float64
	}{{"main effects", c.main}, {"interactions", c.interactions}, {"cross weight", c.crossWeight}, {"numeric effect", c.numericStd}} {
		if !(v.x >= 0) || math.IsInf(v.x, 0) {
			return errors.Errorf("%s %v, want a finite value >= 0", v.what, v.x)
		}
	}
	if !(c.baseRate > 0 && c.baseRate < 1) {
		return errors.Errorf("base rate %v, want a value in (0, 1)", c.baseRate)
	}
	return nil
}
