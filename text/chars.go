package text

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/pkg/errors"
)

// CharsOptions are the settings of FitChars.
type CharsOptions struct {
	// MaxSize bounds VocabSize, the two reserved ids included (default 0: no
	// bound; else at least 3). The most frequent characters are kept.
	MaxSize int
}

// Chars is a character-level tokenizer: one id per Unicode code point. Id 0 is
// padding, id 1 an unknown character (decoded as U+FFFD), and the k-th character of
// the vocabulary has id 2+k.
type Chars struct {
	vocab []rune
	index map[rune]int
}

// FitChars learns a character vocabulary from corpus (valid UTF-8): characters by
// decreasing frequency, ties by increasing code point, at most opts.MaxSize ids.
// An empty corpus gives a vocabulary of the reserved ids only.
func FitChars(corpus string, opts CharsOptions) (*Chars, error) {
	if opts.MaxSize < 0 || opts.MaxSize > 0 && opts.MaxSize <= NumReserved {
		return nil, errors.Errorf("chars: max size %d leaves no room beside the %d reserved ids", opts.MaxSize, NumReserved)
	}
	if err := CheckUTF8(corpus); err != nil {
		return nil, errors.Wrap(err, "chars: fit")
	}
	counts := map[rune]int{}
	for _, r := range corpus {
		counts[r]++
	}
	vocab := make([]rune, 0, len(counts))
	for r := range counts {
		vocab = append(vocab, r)
	}
	sort.Slice(vocab, func(i, j int) bool {
		if counts[vocab[i]] != counts[vocab[j]] {
			return counts[vocab[i]] > counts[vocab[j]]
		}
		return vocab[i] < vocab[j]
	})
	if opts.MaxSize > 0 && len(vocab) > opts.MaxSize-NumReserved {
		vocab = vocab[:opts.MaxSize-NumReserved]
	}
	return NewChars(vocab)
}

// NewChars returns a character tokenizer of the given vocabulary in id order
// (vocab[k] gets id 2+k). A character listed twice, or an invalid code point, is an
// error.
func NewChars(vocab []rune) (*Chars, error) {
	if len(vocab) > maxVocab {
		return nil, errors.Errorf("chars: %d characters exceed the limit of %d", len(vocab), maxVocab)
	}
	c := &Chars{vocab: append([]rune(nil), vocab...), index: make(map[rune]int, len(vocab))}
	for k, r := range vocab {
		if !utf8.ValidRune(r) {
			return nil, errors.Errorf("chars: vocabulary entry %d (%U) is not a valid code point", k, r)
		}
		if j, dup := c.index[r]; dup {
			return nil, errors.Errorf("chars: %q is listed twice (positions %d and %d)", r, j-NumReserved, k)
		}
		c.index[r] = NumReserved + k
	}
	return c, nil
}

// Vocabulary returns a copy of the characters in id order (character k has id 2+k).
func (c *Chars) Vocabulary() []rune { return append([]rune(nil), c.vocab...) }

// VocabSize is 2 + the number of known characters.
func (c *Chars) VocabSize() int { return NumReserved + len(c.vocab) }

// Encode returns one id per code point of s (OOVID for an unknown one); an empty s
// gives no ids. Invalid UTF-8 is an *InvalidUTF8Error.
func (c *Chars) Encode(s string) ([]int, error) {
	if err := CheckUTF8(s); err != nil {
		return nil, errors.Wrap(err, "chars: encode")
	}
	ids := make([]int, 0, utf8.RuneCountInString(s))
	for _, r := range s {
		id, ok := c.index[r]
		if !ok {
			id = OOVID
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// Decode writes the characters of ids, skipping padding and writing U+FFFD for the
// out-of-vocabulary id. An id outside [0, VocabSize()) is an error naming it.
func (c *Chars) Decode(ids []int) (string, error) {
	var b strings.Builder
	for i, id := range ids {
		switch {
		case id < 0 || id >= c.VocabSize():
			return "", errors.Wrap(idError(id, i, c.VocabSize()), "chars")
		case id == PadID:
		case id == OOVID:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(c.vocab[id-NumReserved])
		}
	}
	return b.String(), nil
}

// Config returns {"class": "Chars", "vocabulary": [characters as strings, in id
// order]}.
func (c *Chars) Config() map[string]interface{} {
	v := make([]string, len(c.vocab))
	for i, r := range c.vocab {
		v[i] = string(r)
	}
	return map[string]interface{}{"class": "Chars", "vocabulary": v}
}

func loadChars(data []byte) (*Chars, error) {
	var cfg struct {
		Class      string    `json:"class"`
		Vocabulary *[]string `json:"vocabulary"`
	}
	if err := strictUnmarshal(data, &cfg); err != nil {
		return nil, err
	}
	if cfg.Vocabulary == nil {
		return nil, errors.New("no \"vocabulary\"")
	}
	vocab := make([]rune, len(*cfg.Vocabulary))
	for k, s := range *cfg.Vocabulary {
		r, n := utf8.DecodeRuneInString(s)
		if n == 0 || n != len(s) || r == utf8.RuneError && n == 1 {
			return nil, errors.Errorf("vocabulary entry %d %q is not one character", k, s)
		}
		vocab[k] = r
	}
	return NewChars(vocab)
}
