package trainers

import (
	"encoding/json"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// layerRef names one tensor of a model as Keras' functional config does: the
// producing layer, the index of its call within the model, the output index.
type layerRef struct {
	layer       string
	node, index int
}

// layerCall is one call of a layer within a model: the tensors it takes.
type layerCall struct {
	layer layers.Layer
	node  int
	in    []layerRef
}

// modelWiring is a model's layer calls with its input and output tensors.
type modelWiring struct {
	inputs, outputs []layerRef
	calls           []layerCall
}

// tapFunc sees the first output y of every layer call (call: its index among the
// layer's calls) and returns the node that the later layers take instead.
type tapFunc func(l layers.Layer, call int, y *G.Node) (*G.Node, error)

// wiringOf reads how the layers of m are connected: a Sequential's chain, or a
// functional model's inbound nodes from its config (as Save writes them).
func wiringOf(m layers.Model) (*modelWiring, error) {
	switch m := m.(type) {
	case *layers.Sequential:
		ls := m.Layers()
		if len(ls) == 0 {
			return nil, errors.New("the model has no layers")
		}
		if _, ok := ls[0].(*layers.InputLayer); !ok {
			return nil, errors.Errorf("layer 0 (%s) of the Sequential is not an Input", ls[0].Type())
		}
		w := &modelWiring{inputs: []layerRef{{layer: ls[0].Name()}}}
		prev := w.inputs[0]
		for _, l := range ls[1:] {
			w.calls = append(w.calls, layerCall{layer: l, in: []layerRef{prev}})
			prev = layerRef{layer: l.Name()}
		}
		w.outputs = []layerRef{prev}
		return w, nil
	case *layers.Functional:
		return functionalWiring(m)
	}
	return nil, errors.Errorf("a model of type %T: only Sequential and functional models are supported", m)
}

// functionalWiring decodes a functional model's config: the inbound tensors of each
// call of each layer.
func functionalWiring(m *layers.Functional) (*modelWiring, error) {
	c := m.Config()
	if e, ok := c.Config["error"]; ok {
		return nil, errors.Errorf("model %q: its layer connections cannot be read: %v", m.Name(), e)
	}
	b, err := json.Marshal(c.Config)
	if err != nil {
		return nil, errors.Wrapf(err, "model %q: config", m.Name())
	}
	var fc struct {
		Layers []struct {
			Name    string            `json:"name"`
			Inbound [][][]interface{} `json:"inbound_nodes"`
		} `json:"layers"`
		Inputs  [][]interface{} `json:"input_layers"`
		Outputs [][]interface{} `json:"output_layers"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		return nil, errors.Wrapf(err, "model %q: config", m.Name())
	}
	byName := map[string]layers.Layer{}
	for _, l := range m.Layers() {
		byName[l.Name()] = l
	}
	w := &modelWiring{}
	for _, r := range fc.Inputs {
		ref, err := parseRef(r)
		if err != nil {
			return nil, errors.Wrapf(err, "model %q: input", m.Name())
		}
		w.inputs = append(w.inputs, ref)
	}
	for _, r := range fc.Outputs {
		ref, err := parseRef(r)
		if err != nil {
			return nil, errors.Wrapf(err, "model %q: output", m.Name())
		}
		w.outputs = append(w.outputs, ref)
	}
	for _, fl := range fc.Layers {
		l, ok := byName[fl.Name]
		if !ok {
			return nil, errors.Errorf("model %q: the config names layer %q, which the model does not list", m.Name(), fl.Name)
		}
		for k, refs := range fl.Inbound {
			call := layerCall{layer: l, node: k}
			for _, r := range refs {
				ref, err := parseRef(r)
				if err != nil {
					return nil, errors.Wrapf(err, "model %q: layer %q call %d", m.Name(), fl.Name, k)
				}
				call.in = append(call.in, ref)
			}
			w.calls = append(w.calls, call)
		}
	}
	return w, nil
}

// parseRef reads [layer, node, index].
func parseRef(r []interface{}) (layerRef, error) {
	if len(r) != 3 {
		return layerRef{}, errors.Errorf("tensor reference %v is not [layer, node, index]", r)
	}
	name, ok1 := r[0].(string)
	node, ok2 := r[1].(float64)
	index, ok3 := r[2].(float64)
	if !ok1 || !ok2 || !ok3 {
		return layerRef{}, errors.Errorf("tensor reference %v is not [layer, node, index]", r)
	}
	return layerRef{layer: name, node: int(node), index: int(index)}, nil
}

// forward adds every layer call of w to g, from the input nodes xs, in an order
// where each call comes after the calls that feed it, and returns the outputs.
// tap (if not nil) sees each call's first output and may replace it.
func (w *modelWiring) forward(g *graph.Graph, xs []*G.Node, tap tapFunc) ([]*G.Node, error) {
	if len(xs) != len(w.inputs) {
		return nil, errors.Errorf("the model takes %d inputs, given %d", len(w.inputs), len(xs))
	}
	vals := map[layerRef]*G.Node{}
	for i, r := range w.inputs {
		vals[r] = xs[i]
	}
	pending := append([]layerCall(nil), w.calls...)
	for len(pending) > 0 {
		var rest []layerCall
		for _, c := range pending {
			args := make([]*G.Node, len(c.in))
			ready := true
			for i, r := range c.in {
				if args[i] = vals[r]; args[i] == nil {
					ready = false
					break
				}
			}
			if !ready {
				rest = append(rest, c)
				continue
			}
			res, err := forwardLayer(g, c.layer, args)
			if err != nil {
				return nil, errors.Wrapf(err, "layer %s (%s)", c.layer.Name(), c.layer.Type())
			}
			if tap != nil && len(res) > 0 {
				if res[0], err = tap(c.layer, c.node, res[0]); err != nil {
					return nil, errors.Wrapf(err, "layer %s (%s)", c.layer.Name(), c.layer.Type())
				}
			}
			for i, y := range res {
				vals[layerRef{c.layer.Name(), c.node, i}] = y
			}
		}
		if len(rest) == len(pending) {
			return nil, errors.Errorf("layer %s (%s) takes tensors no other layer makes", rest[0].layer.Name(), rest[0].layer.Type())
		}
		pending = rest
	}
	outs := make([]*G.Node, len(w.outputs))
	for i, r := range w.outputs {
		if outs[i] = vals[r]; outs[i] == nil {
			return nil, errors.Errorf("output %d (layer %s) is not computed", i, r.layer)
		}
	}
	return outs, nil
}

// forwardLayer adds one layer call to g, as a functional model does.
func forwardLayer(g *graph.Graph, l layers.Layer, args []*G.Node) ([]*G.Node, error) {
	switch l := l.(type) {
	case layers.MultiLayer:
		return l.ForwardMulti(g, args)
	case layers.SingleLayer:
		if len(args) != 1 {
			return nil, errors.Errorf("takes one input, given %d", len(args))
		}
		y, err := l.Forward(g, args[0])
		if err != nil {
			return nil, err
		}
		return []*G.Node{y}, nil
	}
	return nil, errors.New("has neither Forward nor ForwardMulti")
}
