package layers

import (
	"encoding/json"
	"sort"

	"github.com/pkg/errors"
)

// attachSet holds the JSON values saved with a model (scalers, vocabularies). Models
// embed it.
type attachSet struct {
	attachments map[string]json.RawMessage
}

// Attach stores v (anything encoding/json can encode: a scaler, a vocabulary) with
// the model under name, so that Save writes it and Load brings it back; replaces an
// earlier value of that name.
func (s *attachSet) Attach(name string, v interface{}) error {
	b, err := json.Marshal(v)
	if err != nil {
		return errors.Wrapf(err, "attach %q", name)
	}
	if s.attachments == nil {
		s.attachments = map[string]json.RawMessage{}
	}
	s.attachments[name] = b
	return nil
}

// Attachment decodes the value attached under name into into (a pointer) and
// reports whether there was one.
func (s *attachSet) Attachment(name string, into interface{}) (bool, error) {
	b, ok := s.attachments[name]
	if !ok {
		return false, nil
	}
	return true, errors.Wrapf(json.Unmarshal(b, into), "attachment %q", name)
}

// Attachments lists the names of the attached values, sorted.
func (s *attachSet) Attachments() []string {
	names := make([]string, 0, len(s.attachments))
	for k := range s.attachments {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
