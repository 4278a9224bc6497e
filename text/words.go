package text

import (
	"sort"
	"strings"
	"unicode"

	"github.com/pkg/errors"
)

// The standardizations Words applies before it splits text on white space.
const (
	// LowerAndStripPunctuation lower-cases and deletes punctuation (Keras'
	// "lower_and_strip_punctuation", the default).
	LowerAndStripPunctuation = "lower_and_strip_punctuation"
	// LowerAndSplitPunctuation lower-cases and makes each punctuation character a
	// token of its own.
	LowerAndSplitPunctuation = "lower_and_split_punctuation"
	// StripPunctuation deletes punctuation, keeping case.
	StripPunctuation = "strip_punctuation"
	// SplitPunctuation makes each punctuation character a token, keeping case.
	SplitPunctuation = "split_punctuation"
	// Lower only lower-cases (Keras' "lower").
	Lower = "lower"
	// NoStandardize keeps the text as it is (Keras' None).
	NoStandardize = "none"
)

// WordsOptions are the settings of FitWords and NewWords.
type WordsOptions struct {
	// Standardize is one of the constants above (default "": LowerAndStripPunctuation).
	Standardize string
	// MaxTokens bounds VocabSize, the two reserved ids included, as Keras'
	// max_tokens (default 0: no bound; else at least 3). FitWords keeps the most
	// frequent words.
	MaxTokens int
}

// Words is a word-level tokenizer: text is standardized (see WordsOptions), split
// on Unicode white space, and each word looked up. Id 0 is padding, id 1 an
// unknown word (decoded as "[UNK]"), the k-th word of the vocabulary has id 2+k.
type Words struct {
	vocab []string
	index map[string]int
	std   string
}

// punct reports whether Words treats r as punctuation: Unicode punctuation and the
// ASCII symbols of Keras' strip pattern ($ + < = > ^ ` | ~).
func punct(r rune) bool {
	return unicode.IsPunct(r) || r < 128 && strings.ContainsRune("$+<=>^`|~", r)
}

func checkStandardize(std string) (string, error) {
	switch std {
	case "":
		return LowerAndStripPunctuation, nil
	case LowerAndStripPunctuation, LowerAndSplitPunctuation, StripPunctuation, SplitPunctuation, Lower, NoStandardize:
		return std, nil
	}
	return "", errors.Errorf("words: unknown standardize %q", std)
}

// split standardizes s (valid UTF-8) and returns its words.
func split(s, std string) []string {
	if strings.HasPrefix(std, "lower") {
		s = strings.ToLower(s)
	}
	switch {
	case strings.HasSuffix(std, "strip_punctuation"):
		s = strings.Map(func(r rune) rune {
			if punct(r) {
				return -1
			}
			return r
		}, s)
	case strings.HasSuffix(std, "split_punctuation"):
		var b strings.Builder
		for _, r := range s {
			if punct(r) {
				b.WriteByte(' ')
				b.WriteRune(r)
				b.WriteByte(' ')
			} else {
				b.WriteRune(r)
			}
		}
		s = b.String()
	}
	return strings.Fields(s)
}

// FitWords learns a word vocabulary from texts (valid UTF-8): words by decreasing
// frequency, ties in increasing byte order, at most opts.MaxTokens ids. An invalid
// text is an error naming its index and byte offset.
func FitWords(texts []string, opts WordsOptions) (*Words, error) {
	std, err := checkStandardize(opts.Standardize)
	if err != nil {
		return nil, err
	}
	if opts.MaxTokens < 0 || opts.MaxTokens > 0 && opts.MaxTokens <= NumReserved {
		return nil, errors.Errorf("words: max tokens %d leaves no room beside the %d reserved ids", opts.MaxTokens, NumReserved)
	}
	counts := map[string]int{}
	for i, t := range texts {
		if err := CheckUTF8(t); err != nil {
			return nil, errors.Wrapf(err, "words: fit: text %d", i)
		}
		for _, w := range split(t, std) {
			counts[w]++
		}
	}
	vocab := make([]string, 0, len(counts))
	for w := range counts {
		vocab = append(vocab, w)
	}
	sort.Slice(vocab, func(i, j int) bool {
		if counts[vocab[i]] != counts[vocab[j]] {
			return counts[vocab[i]] > counts[vocab[j]]
		}
		return vocab[i] < vocab[j]
	})
	if opts.MaxTokens > 0 && len(vocab) > opts.MaxTokens-NumReserved {
		vocab = vocab[:opts.MaxTokens-NumReserved]
	}
	return NewWords(vocab, WordsOptions{Standardize: std})
}

// NewWords returns a word tokenizer of the given vocabulary in id order (vocab[k]
// gets id 2+k) and standardization (opts.MaxTokens is ignored). A word listed
// twice, an empty word, a word holding white space, or invalid UTF-8 is an error.
func NewWords(vocab []string, opts WordsOptions) (*Words, error) {
	std, err := checkStandardize(opts.Standardize)
	if err != nil {
		return nil, err
	}
	if len(vocab) > maxVocab {
		return nil, errors.Errorf("words: %d words exceed the limit of %d", len(vocab), maxVocab)
	}
	w := &Words{vocab: append([]string(nil), vocab...), index: make(map[string]int, len(vocab)), std: std}
	for k, v := range vocab {
		if err := CheckUTF8(v); err != nil {
			return nil, errors.Wrapf(err, "words: vocabulary entry %d", k)
		}
		if v == "" || strings.IndexFunc(v, unicode.IsSpace) >= 0 {
			return nil, errors.Errorf("words: vocabulary entry %d %q is empty or holds white space", k, v)
		}
		if j, dup := w.index[v]; dup {
			return nil, errors.Errorf("words: %q is listed twice (positions %d and %d)", v, j-NumReserved, k)
		}
		w.index[v] = NumReserved + k
	}
	return w, nil
}

// Vocabulary returns a copy of the words in id order (word k has id 2+k).
func (w *Words) Vocabulary() []string { return append([]string(nil), w.vocab...) }

// Standardize returns the standardization in use.
func (w *Words) Standardize() string { return w.std }

// VocabSize is 2 + the number of known words.
func (w *Words) VocabSize() int { return NumReserved + len(w.vocab) }

// Encode standardizes and splits s and returns one id per word (OOVID for an
// unknown one); a text without words gives no ids. Invalid UTF-8 is an
// *InvalidUTF8Error.
func (w *Words) Encode(s string) ([]int, error) {
	if err := CheckUTF8(s); err != nil {
		return nil, errors.Wrap(err, "words: encode")
	}
	words := split(s, w.std)
	ids := make([]int, len(words))
	for i, v := range words {
		id, ok := w.index[v]
		if !ok {
			id = OOVID
		}
		ids[i] = id
	}
	return ids, nil
}

// Decode joins the words of ids with single spaces, skipping padding and writing
// "[UNK]" for the out-of-vocabulary id. An id outside [0, VocabSize()) is an error.
func (w *Words) Decode(ids []int) (string, error) {
	out := make([]string, 0, len(ids))
	for i, id := range ids {
		switch {
		case id < 0 || id >= w.VocabSize():
			return "", errors.Wrap(idError(id, i, w.VocabSize()), "words")
		case id == PadID:
		case id == OOVID:
			out = append(out, "[UNK]")
		default:
			out = append(out, w.vocab[id-NumReserved])
		}
	}
	return strings.Join(out, " "), nil
}

// Config returns {"class": "Words", "standardize": s, "vocabulary": [words in id
// order]}.
func (w *Words) Config() map[string]interface{} {
	return map[string]interface{}{"class": "Words", "standardize": w.std, "vocabulary": w.Vocabulary()}
}

func loadWords(data []byte) (*Words, error) {
	var cfg struct {
		Class       string    `json:"class"`
		Standardize string    `json:"standardize"`
		Vocabulary  *[]string `json:"vocabulary"`
	}
	if err := strictUnmarshal(data, &cfg); err != nil {
		return nil, err
	}
	if cfg.Vocabulary == nil || cfg.Standardize == "" {
		return nil, errors.New("no \"vocabulary\" or \"standardize\"")
	}
	return NewWords(*cfg.Vocabulary, WordsOptions{Standardize: cfg.Standardize})
}
