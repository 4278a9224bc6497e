package layers

import (
	"sort"
	"strconv"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// LookupLayer maps raw categories to integer ids inside a model (Keras'
// StringLookup and IntegerLookup): a StringLookup reads a String input, an
// IntegerLookup an Int32 or Int64 input of raw integer codes (user ids, zip
// codes). An input of shape (...) gives Int64 ids of the same shape: the
// out-of-vocabulary buckets come first, ids [0, NumOOV), chosen by a stable hash of
// the value (graph.OOVBucket); the vocabulary's k-th value gets id NumOOV+k. So
// the ids lie in [0, VocabularySize()), ready for an Embedding or a
// CategoryEncoding of that size. The vocabulary is learned with Adapt (most
// frequent first) or given with WithVocabulary / WithIntVocabulary, and is saved in
// the model's configuration, so a loaded model takes raw values.
type LookupLayer struct {
	Base
	kind      string // "StringLookup" or "IntegerLookup"
	vocab     []string
	numOOV    int
	maxTokens int
	err       error
	table     *graph.LookupTable
}

// StringLookup returns a lookup of strings. Options: WithName, WithVocabulary
// (default: none until Adapt), WithNumOOVIndices (default 1: every unknown string
// gets id 0; 0 makes an unknown string an error of the run naming it), WithMaxTokens
// (default 0: no limit; else Adapt keeps the MaxTokens-NumOOV most frequent values).
func StringLookup(opts ...Option) *LookupLayer { return newLookup("StringLookup", opts) }

// IntegerLookup returns a lookup of integers, with the options of StringLookup and
// WithIntVocabulary in place of WithVocabulary.
func IntegerLookup(opts ...Option) *LookupLayer { return newLookup("IntegerLookup", opts) }

func newLookup(kind string, opts []Option) *LookupLayer {
	cfg, err := layerConfig(kind, []string{"vocabulary", "num_oov_indices", "max_tokens"}, opts)
	l := &LookupLayer{kind: kind, numOOV: 1, err: err}
	if cfg.set["num_oov_indices"] {
		l.numOOV = cfg.numOOV
	}
	if cfg.set["max_tokens"] {
		l.maxTokens = cfg.maxTokens
	}
	if l.err == nil && (l.numOOV < 0 || l.numOOV > maxConfigInt || l.maxTokens < 0) {
		l.err = errors.Errorf("%s: num_oov_indices %d and max_tokens %d must not be negative", kind, l.numOOV, l.maxTokens)
	}
	if l.err == nil && l.maxTokens > 0 && l.maxTokens <= l.numOOV {
		l.err = errors.Errorf("%s: max_tokens %d leaves no room beside %d out-of-vocabulary ids", kind, l.maxTokens, l.numOOV)
	}
	if l.err == nil && cfg.set["vocabulary"] {
		if kind == "IntegerLookup" && !cfg.intVocab {
			l.err = errors.New("IntegerLookup takes WithIntVocabulary, not WithVocabulary")
		} else {
			l.err = l.SetVocabulary(cfg.vocab)
		}
	}
	l.SetName(cfg.name)
	return l
}

// WithVocabulary gives a StringLookup its vocabulary in id order (default: learned
// by Adapt). A value listed twice is an error. StringLookup takes it.
func WithVocabulary(vocab []string) Option {
	v := append([]string(nil), vocab...)
	return optionFunc(func(c *config) { c.vocab, c.intVocab = v, false; c.set["vocabulary"] = true })
}

// WithIntVocabulary gives an IntegerLookup its vocabulary in id order (default:
// learned by Adapt). IntegerLookup takes it.
func WithIntVocabulary(vocab []int64) Option {
	v := make([]string, len(vocab))
	for i, x := range vocab {
		v[i] = strconv.FormatInt(x, 10)
	}
	return optionFunc(func(c *config) { c.vocab, c.intVocab = v, true; c.set["vocabulary"] = true })
}

// WithNumOOVIndices sets the number of out-of-vocabulary ids (default 1; 0: an
// unknown value is an error). StringLookup and IntegerLookup take it.
func WithNumOOVIndices(n int) Option {
	return optionFunc(func(c *config) { c.numOOV = n; c.set["num_oov_indices"] = true })
}

// WithMaxTokens bounds the number of ids, out-of-vocabulary ones included, that
// Adapt may make (default 0: no bound). StringLookup and IntegerLookup take it.
func WithMaxTokens(n int) Option {
	return optionFunc(func(c *config) { c.maxTokens = n; c.set["max_tokens"] = true })
}

// Type returns "StringLookup" or "IntegerLookup".
func (l *LookupLayer) Type() string { return l.kind }

// NumOOV is the number of out-of-vocabulary ids.
func (l *LookupLayer) NumOOV() int { return l.numOOV }

// Vocabulary returns a copy of the known values in id order (value k has id
// NumOOV+k); an IntegerLookup's values in decimal.
func (l *LookupLayer) Vocabulary() []string { return append([]string(nil), l.vocab...) }

// VocabularySize is the number of ids the layer gives: NumOOV + len(Vocabulary).
func (l *LookupLayer) VocabularySize() int { return l.numOOV + len(l.vocab) }

// SetVocabulary replaces the vocabulary (in id order; an IntegerLookup's values in
// decimal). A duplicate, or an IntegerLookup value that is not a decimal integer,
// is an error. A built layer keeps its vocabulary: its ids size the layers after it.
func (l *LookupLayer) SetVocabulary(vocab []string) error {
	who := named(l.kind, l.Name())
	if l.table != nil {
		return errors.Errorf("%s: the vocabulary of a built layer cannot change", who)
	}
	seen := make(map[string]int, len(vocab))
	for k, v := range vocab {
		if l.kind == "IntegerLookup" {
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				return errors.Errorf("%s: vocabulary value %d %q is not an integer", who, k, v)
			}
		}
		if j, dup := seen[v]; dup {
			return errors.Errorf("%s: %q is listed twice in the vocabulary (positions %d and %d)", who, v, j, k)
		}
		seen[v] = k
	}
	l.vocab = append([]string(nil), vocab...)
	return nil
}

// Adapt learns the vocabulary from data: a String tensor for a StringLookup, an
// Int32, Int64 or Int tensor for an IntegerLookup, of any shape. Values are ordered
// by how often they occur, most frequent first, ties in increasing order of their
// text; WithMaxTokens keeps the most frequent. It must be called before the model
// is built.
func (l *LookupLayer) Adapt(x *tensor.Dense) error {
	who := named(l.kind, l.Name())
	if x == nil {
		return errors.Errorf("%s: adapt: no data", who)
	}
	n := x.Shape().TotalSize()
	counts := map[string]int{}
	switch d := x.Data().(type) {
	case []string:
		if l.kind != "StringLookup" {
			return errors.Errorf("%s: adapt: string data (want integers)", who)
		}
		for _, v := range d[:n] {
			counts[v]++
		}
	case []int64:
		if l.kind != "IntegerLookup" {
			return errors.Errorf("%s: adapt: data of dtype %v (want strings)", who, x.Dtype())
		}
		for _, v := range d[:n] {
			counts[strconv.FormatInt(v, 10)]++
		}
	case []int32:
		if l.kind != "IntegerLookup" {
			return errors.Errorf("%s: adapt: data of dtype %v (want strings)", who, x.Dtype())
		}
		for _, v := range d[:n] {
			counts[strconv.FormatInt(int64(v), 10)]++
		}
	case []int:
		if l.kind != "IntegerLookup" {
			return errors.Errorf("%s: adapt: data of dtype %v (want strings)", who, x.Dtype())
		}
		for _, v := range d[:n] {
			counts[strconv.Itoa(v)]++
		}
	default:
		return errors.Errorf("%s: adapt: data of dtype %v is not supported", who, x.Dtype())
	}
	vocab := make([]string, 0, len(counts))
	for v := range counts {
		vocab = append(vocab, v)
	}
	sort.Slice(vocab, func(i, j int) bool {
		if counts[vocab[i]] != counts[vocab[j]] {
			return counts[vocab[i]] > counts[vocab[j]]
		}
		return vocab[i] < vocab[j]
	})
	if l.maxTokens > 0 && len(vocab) > l.maxTokens-l.numOOV {
		vocab = vocab[:l.maxTokens-l.numOOV]
	}
	return l.SetVocabulary(vocab)
}

// Apply calls the layer on x and returns the ids.
func (l *LookupLayer) Apply(x *Tensor) *Tensor { return apply1(l, []*Tensor{x}) }

// BuildMulti checks the input's dtype and returns Int64 ids of its shape.
func (l *LookupLayer) BuildMulti(ctx BuildContext, in []Spec) ([]Spec, error) {
	who := named(l.kind, l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(in) != 1 {
		return nil, errors.Errorf("%s takes one input, got %d", who, len(in))
	}
	if l.kind == "StringLookup" && in[0].DType != tensor.String {
		return nil, errors.Errorf("%s takes strings (an input of dtype String), got %s", who, in[0])
	}
	if l.kind == "IntegerLookup" && !isIntDType(in[0].DType) {
		return nil, errors.Errorf("%s takes integers (an input of dtype Int32 or Int64), got %s", who, in[0])
	}
	if len(l.vocab) == 0 {
		return nil, errors.Errorf("%s has no vocabulary: call Adapt, or give one with WithVocabulary", who)
	}
	t, err := graph.NewLookupTable(ctx.scope+l.Name(), l.vocab, l.numOOV, l.numOOV)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	l.table = t
	return []Spec{{Shape: append([]int(nil), in[0].Shape...), DType: tensor.Int64}}, nil
}

// ForwardMulti looks the values up.
func (l *LookupLayer) ForwardMulti(g *graph.Graph, xs []*G.Node) ([]*G.Node, error) {
	who := named(l.kind, l.Name())
	if l.table == nil {
		return nil, errors.Errorf("%s: not built", who)
	}
	y, err := graph.Lookup(xs[0], l.table)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	return []*G.Node{y}, nil
}
