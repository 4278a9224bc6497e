package text

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/pkg/errors"
)

// The reserved ids of every tokenizer of this package.
const (
	// PadID is the padding id (0): never the id of a real token.
	PadID = 0
	// OOVID is the out-of-vocabulary id (1).
	OOVID = 1
	// NumReserved is the number of reserved ids (2): real tokens start here.
	NumReserved = 2
)

// maxVocab bounds the vocabulary a configuration may give (2^24 ids), so that a
// corrupt file cannot make the loader allocate without bound.
const maxVocab = 1 << 24

// Tokenizer maps text to ids in [0, VocabSize()) and back. Encode takes valid
// UTF-8 (else an *InvalidUTF8Error naming the byte offset) and never returns the
// padding id; Decode skips padding ids, writes the out-of-vocabulary id as the
// tokenizer's OOV text, and returns an error naming any id outside [0, VocabSize()).
// Config returns the JSON-able configuration that FromConfig (or Load, after
// json.Marshal) turns back into an equal tokenizer.
type Tokenizer interface {
	Encode(s string) ([]int, error)
	Decode(ids []int) (string, error)
	VocabSize() int
	Config() map[string]interface{}
}

// InvalidUTF8Error is the error of Encode on text that is not valid UTF-8.
// Offset is the byte offset of the first invalid byte. Find it with errors.As.
type InvalidUTF8Error struct {
	Offset int
	Byte   byte
}

// Error says where the invalid byte is, e.g. `invalid UTF-8: byte 0xff at offset 3`.
func (e *InvalidUTF8Error) Error() string {
	return fmt.Sprintf("invalid UTF-8: byte %#02x at offset %d", e.Byte, e.Offset)
}

// CheckUTF8 returns nil for valid UTF-8 and an *InvalidUTF8Error naming the first
// invalid byte otherwise.
func CheckUTF8(s string) error {
	if utf8.ValidString(s) {
		return nil
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return &InvalidUTF8Error{Offset: i, Byte: s[i]}
		}
		i += n
	}
	return nil
}

// idError is the error of Decode for an id outside [0, size).
func idError(id, pos, size int) error {
	return errors.Errorf("decode: id %d at position %d is out of range [0, %d)", id, pos, size)
}

// Marshal returns the JSON of t's Config.
func Marshal(t Tokenizer) ([]byte, error) {
	if t == nil {
		return nil, errors.New("text: marshal: nil tokenizer")
	}
	b, err := json.Marshal(t.Config())
	return b, errors.Wrap(err, "text: marshal")
}

// FromConfig rebuilds a tokenizer from its Config, also after a JSON round trip
// (numbers as float64, lists as []interface{}). A missing or unknown "class", or
// content that does not make a valid tokenizer, is an error.
func FromConfig(cfg map[string]interface{}) (Tokenizer, error) {
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, errors.Wrap(err, "text: config")
	}
	return Load(b)
}

// Load rebuilds a tokenizer from the JSON of its Config (see Marshal), keyed by
// its "class" field: "Chars", "Words" or "BPE". Corrupt content is an error.
func Load(data []byte) (Tokenizer, error) {
	var head struct {
		Class string `json:"class"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, errors.Wrap(err, "text: load")
	}
	var (
		t   Tokenizer
		err error
	)
	switch head.Class {
	case "Chars":
		t, err = loadChars(data)
	case "Words":
		t, err = loadWords(data)
	case "BPE":
		t, err = loadBPE(data)
	case "":
		return nil, errors.New("text: load: no \"class\" field")
	default:
		return nil, errors.Errorf("text: load: unknown class %q (want Chars, Words or BPE)", head.Class)
	}
	return t, errors.Wrapf(err, "text: load %s", head.Class)
}

// strictUnmarshal decodes data into v, refusing unknown fields.
func strictUnmarshal(data []byte, v interface{}) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	return errors.WithStack(d.Decode(v))
}
