package main

import (
	"encoding/json"

	"github.com/gokeras/gokeras/layers"
)

// embeddingInputs finds, for every model input that an Embedding layer takes
// directly (ids -> Embedding), the smallest vocabulary among those layers and its
// name, indexed like m.Inputs() (0 and "" elsewhere). The server checks such ids
// itself, so that an id out of range is the caller's 400 and never fails a batch
// shared with other requests. Ids that reach an Embedding through other layers
// (a Reshape, a nested model) are not found here: the Predictor's run reports them.
//
// layers has no public accessor for a layer call's inbound tensors, so the wiring
// is read from the model's config (inbound nodes, as in the saved file).
func embeddingInputs(m layers.Model) (vocab []int, name []string) {
	n := len(m.Inputs())
	vocab, name = make([]int, n), make([]string, n)
	var f *layers.Functional
	switch t := m.(type) {
	case *layers.Functional:
		f = t
	case *layers.Sequential:
		f = t.Functional()
	}
	if f == nil {
		return vocab, name
	}
	emb := map[string]*layers.EmbeddingLayer{}
	for _, l := range f.Layers() {
		if e, ok := l.(*layers.EmbeddingLayer); ok {
			emb[e.Name()] = e
		}
	}
	if len(emb) == 0 {
		return vocab, name
	}
	input := map[string]int{}
	for i, s := range m.Inputs() {
		input[s.Name] = i
	}
	b, err := json.Marshal(f.Config().Config)
	if err != nil {
		return vocab, name
	}
	var cfg struct {
		Layers []struct {
			Name    string                `json:"name"`
			Inbound [][][]json.RawMessage `json:"inbound_nodes"`
		} `json:"layers"`
	}
	if json.Unmarshal(b, &cfg) != nil {
		return vocab, name
	}
	for _, l := range cfg.Layers {
		e := emb[l.Name]
		if e == nil {
			continue
		}
		for _, call := range l.Inbound {
			for _, ref := range call {
				var from string
				if len(ref) == 0 || json.Unmarshal(ref[0], &from) != nil {
					continue
				}
				if i, ok := input[from]; ok && (vocab[i] == 0 || e.Vocab() < vocab[i]) {
					vocab[i], name[i] = e.Vocab(), e.Name()
				}
			}
		}
	}
	return vocab, name
}
