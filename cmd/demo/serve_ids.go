package main

import (
	"encoding/json"
	"strconv"

	"github.com/gokeras/gokeras/layers"
)

// embeddingInputs finds, for every model input that an Embedding layer takes
// directly (ids -> Embedding), the smallest vocabulary among those layers and its
// name, indexed like m.Inputs() (0 and "" elsewhere). The server checks such ids
// itself, so that an id out of range is the caller's 400 and never fails a batch
// shared with other requests. Ids that reach an Embedding through other layers
// (a Reshape, a nested model) are not found here: the Predictor's run reports them.
func embeddingInputs(m layers.Model) (vocab []int, name []string) {
	n := len(m.Inputs())
	vocab, name = make([]int, n), make([]string, n)
	for _, c := range directCalls(m) {
		e, ok := c.layer.(*layers.EmbeddingLayer)
		if ok && (vocab[c.input] == 0 || e.Vocab() < vocab[c.input]) {
			vocab[c.input], name[c.input] = e.Vocab(), e.Name()
		}
	}
	return vocab, name
}

// strictLookup is the vocabulary of a StringLookup or IntegerLookup without
// out-of-vocabulary ids (WithNumOOVIndices(0)) that takes a model input directly:
// a value not in it fails the run.
type strictLookup struct {
	name   string
	values map[string]bool // an IntegerLookup's values in decimal
}

// strictLookupInputs finds, for every model input, the lookups without
// out-of-vocabulary ids that take it directly, indexed like m.Inputs(). The server
// checks such values itself, as it checks embedding ids, so that an unknown value
// is the caller's 400 naming its row and column; a lookup reached through other
// layers is found by the Predictor's run (a *graph.LookupError, also a 400).
func strictLookupInputs(m layers.Model) [][]strictLookup {
	out := make([][]strictLookup, len(m.Inputs()))
	for _, c := range directCalls(m) {
		l, ok := c.layer.(*layers.LookupLayer)
		if !ok || l.NumOOV() != 0 {
			continue
		}
		vals := map[string]bool{}
		for _, v := range l.Vocabulary() {
			vals[v] = true
		}
		out[c.input] = append(out[c.input], strictLookup{name: l.Name(), values: vals})
	}
	return out
}

// lookupInputs maps the name of every lookup layer that takes a model input
// directly to that input's index (to name the input of a *graph.LookupError).
func lookupInputs(m layers.Model) map[string]int {
	out := map[string]int{}
	for _, c := range directCalls(m) {
		if l, ok := c.layer.(*layers.LookupLayer); ok {
			out[l.Name()] = c.input
		}
	}
	return out
}

// inputCall is a layer of a model called directly on a model input.
type inputCall struct {
	layer layers.Layer
	input int // index in m.Inputs()
}

// directCalls lists the layers of m called directly on one of its inputs, once per
// call. layers has no public accessor for a layer call's inbound tensors, so the
// wiring is read from the model's config (inbound nodes, as in the saved file).
func directCalls(m layers.Model) []inputCall {
	var f *layers.Functional
	switch t := m.(type) {
	case *layers.Functional:
		f = t
	case *layers.Sequential:
		f = t.Functional()
	}
	if f == nil {
		return nil
	}
	byName := map[string]layers.Layer{}
	for _, l := range f.Layers() {
		byName[l.Name()] = l
	}
	input := map[string]int{}
	for i, s := range m.Inputs() {
		input[s.Name] = i
	}
	b, err := json.Marshal(f.Config().Config)
	if err != nil {
		return nil
	}
	var cfg struct {
		Layers []struct {
			Name    string                `json:"name"`
			Inbound [][][]json.RawMessage `json:"inbound_nodes"`
		} `json:"layers"`
	}
	if json.Unmarshal(b, &cfg) != nil {
		return nil
	}
	var calls []inputCall
	for _, l := range cfg.Layers {
		layer := byName[l.Name]
		if layer == nil {
			continue
		}
		for _, call := range l.Inbound {
			for _, ref := range call {
				var from string
				if len(ref) == 0 || json.Unmarshal(ref[0], &from) != nil {
					continue
				}
				if i, ok := input[from]; ok {
					calls = append(calls, inputCall{layer: layer, input: i})
				}
			}
		}
	}
	return calls
}

// checkLookups returns a problem for a value (a string, or an id in decimal) that
// one of the strict lookups does not know, or "".
func checkLookups(lookups []strictLookup, v string, quote bool) string {
	for _, l := range lookups {
		if !l.values[v] {
			shown := v
			if quote {
				shown = strconv.Quote(clip(v))
			}
			return shown + " is not in the vocabulary of lookup " + strconv.Quote(l.name) + ", which has no out-of-vocabulary ids"
		}
	}
	return ""
}
