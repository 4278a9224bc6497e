package interop

import (
	"strings"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// unit is a gokeras layer with weights that automatic mapping pairs with one torch
// module: a plain layer, the layer a TimeDistributed wraps, a layer of a Residual
// block, an RNN, a Bidirectional wrapper or a transformer block.
type unit struct {
	path    string       // "dense_1", "tower/dense", "block/conv2d"
	kind    string       // the layer's Type ("Dense"; the wrapped layer's for TimeDistributed)
	layer   layers.Layer // the layer (the wrapped one for TimeDistributed)
	weights []*graph.Param
	wpaths  map[*graph.Param]string
	index   int // position among the units
}

// who names the unit in messages: `layer "dense_1" (Dense)`.
func (u *unit) who() string { return "layer \"" + u.path + "\" (" + u.kind + ")" }

// find returns the unit's weight whose path ends in "/"+role ("kernel",
// "query/kernel"), or nil when the layer has none (a Dense without bias).
func (u *unit) find(role string) *graph.Param {
	for _, p := range u.weights {
		if strings.HasSuffix(u.wpaths[p], "/"+role) {
			return p
		}
	}
	return nil
}

// collectUnits lists m's layers with weights in model order, going into models
// applied as layers ("model/layer") and Residual blocks, each weight once.
func collectUnits(m layers.Model, wpaths map[*graph.Param]string) ([]*unit, error) {
	var units []*unit
	seen := map[*graph.Param]bool{}
	add := func(path string, kind string, l layers.Layer, ps []*graph.Param) {
		var fresh []*graph.Param
		for _, p := range ps {
			if !seen[p] {
				seen[p] = true
				fresh = append(fresh, p)
			}
		}
		if len(fresh) == 0 {
			return
		}
		units = append(units, &unit{path: path, kind: kind, layer: l, weights: fresh, wpaths: wpaths, index: len(units)})
	}
	var walkLayer func(l layers.Layer, prefix string, depth int) error
	var walkModel func(m layers.Model, prefix string, depth int) error
	walkLayer = func(l layers.Layer, prefix string, depth int) error {
		if depth > 64 {
			return errors.New("layers nested more than 64 deep")
		}
		switch t := l.(type) {
		case layers.Model:
			return walkModel(t, prefix+l.Name()+"/", depth+1)
		case *layers.ResidualLayer:
			for _, c := range append(t.Branch(), t.Shortcut()...) {
				if err := walkLayer(c, prefix, depth+1); err != nil {
					return err
				}
			}
			return nil
		case *layers.TimeDistributedLayer:
			if in := t.Layer(); in != nil {
				add(prefix+l.Name(), in.Type(), in, l.Params())
				return nil
			}
		}
		add(prefix+l.Name(), l.Type(), l, l.Params())
		return nil
	}
	walkModel = func(m layers.Model, prefix string, depth int) error {
		for _, l := range m.Layers() {
			if err := walkLayer(l, prefix, depth); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walkModel(m, "", 0); err != nil {
		return nil, err
	}
	// weights of containers this walk does not know: one unit each, for WithTensor
	for _, p := range m.Params() {
		if !seen[p] && wpaths[p] != "" {
			path := wpaths[p]
			if k := strings.LastIndex(path, "/"); k >= 0 {
				path = path[:k]
			}
			add(path, "Unknown", nil, []*graph.Param{p})
		}
	}
	return units, nil
}

// rnnKind is the torch counterpart of an RNN layer's cell ("LSTM", "GRU", "RNN"),
// or "" for a cell of another package.
func rnnKind(l *layers.RNNLayer) string {
	if l == nil || l.Cell() == nil {
		return ""
	}
	switch l.Cell().(type) {
	case *layers.LSTMCellLayer:
		return "LSTM"
	case *layers.GRUCellLayer:
		return "GRU"
	case *layers.SimpleRNNCellLayer:
		return "RNN"
	}
	return ""
}

// counterpart returns the torch module kind u pairs with ("Linear", "LSTM", ...)
// and whether that module must be bidirectional; "" when automatic mapping has
// no rule for u's kind.
func (u *unit) counterpart() (kind string, bidir bool) {
	switch l := u.layer.(type) {
	case *layers.RNNLayer:
		return rnnKind(l), false
	case *layers.BidirectionalLayer:
		return rnnKind(l.Forward()), true
	}
	switch u.kind {
	case "Dense":
		return "Linear", false
	case "Conv1D":
		return "Conv1d", false
	case "Conv2D":
		return "Conv2d", false
	case "BatchNormalization":
		return "BatchNorm", false
	case "LayerNormalization":
		return "LayerNorm", false
	case "Embedding", "PositionalEmbedding":
		return "Embedding", false
	case "MultiHeadAttention":
		return "MultiheadAttention", false
	case "TransformerEncoder", "TransformerDecoder":
		return "TransformerEncoderLayer", false
	}
	return "", false
}
