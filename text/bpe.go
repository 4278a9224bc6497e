package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pkg/errors"
)

// bpeBase is the first merged id of a BPE: ids 2..257 are the 256 byte values.
const bpeBase = NumReserved + 256

// BPE is a byte-level byte-pair-encoding tokenizer in the manner of GPT-2. Id 0 is
// padding, id 1 out of vocabulary (never produced by Encode: every byte has an id;
// decoded as U+FFFD), ids 2..257 are the bytes 0x00..0xff, and id 258+k is the
// k-th merge, the concatenation of the two tokens it joins. Text is first split into
// chunks (see Pretokenize), then each chunk's bytes are merged by rank, lowest
// first. Decode(Encode(s)) == s for every valid UTF-8 s.
type BPE struct {
	merges [][2]int
	ranks  map[[2]int]int
	tokens [][]byte
}

// NewBPE returns a BPE tokenizer of the given merges in rank order: merge k joins
// the tokens merges[k][0] and merges[k][1] into id 258+k. Each side must be a
// byte id (2..257) or the id of an earlier merge; a pair listed twice is an error.
func NewBPE(merges [][2]int) (*BPE, error) {
	if len(merges) > maxVocab {
		return nil, errors.Errorf("bpe: %d merges exceed the limit of %d", len(merges), maxVocab)
	}
	b := &BPE{merges: make([][2]int, len(merges)), ranks: make(map[[2]int]int, len(merges)),
		tokens: make([][]byte, bpeBase, bpeBase+len(merges))}
	for i := 0; i < 256; i++ {
		b.tokens[NumReserved+i] = []byte{byte(i)}
	}
	for k, m := range merges {
		for _, id := range m {
			if id < NumReserved || id >= bpeBase+k {
				return nil, errors.Errorf("bpe: merge %d joins id %d, not a byte or an earlier merge (want [%d, %d))", k, id, NumReserved, bpeBase+k)
			}
		}
		if j, dup := b.ranks[m]; dup {
			return nil, errors.Errorf("bpe: pair %v is merged twice (merges %d and %d)", m, j, k)
		}
		b.ranks[m] = k
		b.merges[k] = m
		tok := append(append([]byte(nil), b.tokens[m[0]]...), b.tokens[m[1]]...)
		b.tokens = append(b.tokens, tok)
	}
	return b, nil
}

// Merges returns a copy of the merges in rank order (see NewBPE).
func (b *BPE) Merges() [][2]int { return append([][2]int(nil), b.merges...) }

// VocabSize is 258 + the number of merges.
func (b *BPE) VocabSize() int { return len(b.tokens) }

// Token returns the bytes of id (nil for the reserved ids), or an error for an id
// out of range.
func (b *BPE) Token(id int) ([]byte, error) {
	if id < 0 || id >= len(b.tokens) {
		return nil, errors.Wrap(idError(id, 0, len(b.tokens)), "bpe")
	}
	return append([]byte(nil), b.tokens[id]...), nil
}

// Encode splits s into chunks (Pretokenize) and returns the ids of each chunk's
// bytes merged by rank. An empty s gives no ids; invalid UTF-8 is an
// *InvalidUTF8Error naming the byte offset.
func (b *BPE) Encode(s string) ([]int, error) {
	if err := CheckUTF8(s); err != nil {
		return nil, errors.Wrap(err, "bpe: encode")
	}
	out := make([]int, 0, len(s)/3+1)
	var ids []int
	for _, chunk := range Pretokenize(s) {
		ids = ids[:0]
		for i := 0; i < len(chunk); i++ {
			ids = append(ids, NumReserved+int(chunk[i]))
		}
		out = append(out, b.merge(ids)...)
	}
	return out, nil
}

// merge applies the merges to ids by rank, lowest first, in place.
func (b *BPE) merge(ids []int) []int {
	for len(ids) >= 2 {
		best := -1
		for i := 0; i+1 < len(ids); i++ {
			if r, ok := b.ranks[[2]int{ids[i], ids[i+1]}]; ok && (best < 0 || r < best) {
				best = r
			}
		}
		if best < 0 {
			break
		}
		ids = mergePair(ids, b.merges[best], bpeBase+best)
	}
	return ids
}

// mergePair replaces each occurrence of pair in ids, left to right, by id, in place.
func mergePair(ids []int, pair [2]int, id int) []int {
	j := 0
	for i := 0; i < len(ids); j++ {
		if i+1 < len(ids) && ids[i] == pair[0] && ids[i+1] == pair[1] {
			ids[j] = id
			i += 2
		} else {
			ids[j] = ids[i]
			i++
		}
	}
	return ids[:j]
}

// Decode concatenates the bytes of ids, skipping padding and writing U+FFFD for
// the out-of-vocabulary id. An id outside [0, VocabSize()) is an error naming it.
// Ids that split a character give invalid UTF-8, as they say.
func (b *BPE) Decode(ids []int) (string, error) {
	var sb strings.Builder
	for i, id := range ids {
		switch {
		case id < 0 || id >= len(b.tokens):
			return "", errors.Wrap(idError(id, i, len(b.tokens)), "bpe")
		case id == PadID:
		case id == OOVID:
			sb.WriteRune(utf8.RuneError)
		default:
			sb.Write(b.tokens[id])
		}
	}
	return sb.String(), nil
}

// Config returns {"class": "BPE", "merges": [[a, b], ...] in rank order}.
func (b *BPE) Config() map[string]interface{} {
	m := make([][]int, len(b.merges))
	for i, p := range b.merges {
		m[i] = []int{p[0], p[1]}
	}
	return map[string]interface{}{"class": "BPE", "merges": m}
}

func loadBPE(data []byte) (*BPE, error) {
	var cfg struct {
		Class  string   `json:"class"`
		Merges *[][]int `json:"merges"`
	}
	if err := strictUnmarshal(data, &cfg); err != nil {
		return nil, err
	}
	if cfg.Merges == nil {
		return nil, errors.New("no \"merges\"")
	}
	merges := make([][2]int, len(*cfg.Merges))
	for k, m := range *cfg.Merges {
		if len(m) != 2 {
			return nil, errors.Errorf("merge %d has %d ids (want 2)", k, len(m))
		}
		merges[k] = [2]int{m[0], m[1]}
	}
	return NewBPE(merges)
}

// runeClass sorts the characters that are not white space for Pretokenize:
// letters (and marks), digits, and everything else.
func runeClass(r rune) int {
	switch {
	case unicode.IsLetter(r) || unicode.IsMark(r):
		return 0
	case unicode.IsNumber(r):
		return 1
	}
	return 2
}

// Pretokenize splits s (valid UTF-8) into the chunks BPE merges within, as GPT-2's
// pattern does without its contractions: a run of letters, of digits or of other
// characters that are not white space, each taking one space (U+0020) just before
// it; and runs of white space (a run followed by a chunk leaves its last space to
// that chunk). The chunks concatenate to s.
func Pretokenize(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		start := i
		if unicode.IsSpace(r) {
			j, last := i, i
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsSpace(r2) {
					break
				}
				last = j
				j += n2
			}
			if j == len(s) || s[last] != ' ' {
				out = append(out, s[i:j])
				i = j
				continue
			}
			if last > i {
				out = append(out, s[i:last])
			}
			start, i = last, last+1
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		c := runeClass(r)
		for i += n; i < len(s); i += n {
			r, n = utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) || runeClass(r) != c {
				break
			}
		}
		out = append(out, s[start:i])
	}
	return out
}
