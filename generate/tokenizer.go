package generate

import (
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/text"
	"github.com/pkg/errors"
)

// AttachmentTokenizer is the name of the model attachment that holds a
// language model's tokenizer (its text.Tokenizer Config).
const AttachmentTokenizer = "tokenizer"

// AttachTokenizer stores tok with m, so that a saved m is a model that takes
// raw text: Save writes it, Load brings it back, and ModelTokenizer (and New)
// read it.
func AttachTokenizer(m layers.Model, tok text.Tokenizer) error {
	if m == nil || tok == nil {
		return errors.New("attach tokenizer: nil model or tokenizer")
	}
	return errors.Wrap(m.Attach(AttachmentTokenizer, tok.Config()), "attach tokenizer")
}

// ModelTokenizer returns the tokenizer attached to m, or nil and no error
// when m has none.
func ModelTokenizer(m layers.Model) (text.Tokenizer, error) {
	if m == nil {
		return nil, errors.New("model tokenizer: nil model")
	}
	var cfg map[string]interface{}
	ok, err := m.Attachment(AttachmentTokenizer, &cfg)
	if err != nil || !ok {
		return nil, errors.Wrap(err, "model tokenizer")
	}
	tok, err := text.FromConfig(cfg)
	return tok, errors.Wrap(err, "model tokenizer")
}
