package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// BidirectionalLayer runs a recurrent layer over the sequence in both directions
// and merges the two outputs, as Keras' Bidirectional. The backward copy is made
// from the layer's configuration with go_backwards flipped, with weights of its
// own; its sequence output is put back in time order before the merge. Inputs: the
// sequence, then optionally the forward layer's initial states followed by the
// backward layer's. Outputs: the merged output, then with return_state the forward
// states followed by the backward states.
type BidirectionalLayer struct {
	Base
	forward, backward *RNNLayer
	mode              string
	err               error
}

// Bidirectional wraps layer (one of RNN, SimpleRNN, LSTM, GRU with one of this
// package's cells). It renames layer "<name>/forward" and the copy
// "<name>/backward". Options: WithName, WithMergeMode (default "concat"; "sum",
// "ave", "mul").
func Bidirectional(layer *RNNLayer, opts ...Option) *BidirectionalLayer {
	cfg, err := layerConfig("Bidirectional", []string{"merge_mode"}, opts)
	mode := "concat"
	if cfg.set["merge_mode"] {
		mode = cfg.rnn.mergeMode
	}
	l := &BidirectionalLayer{forward: layer, mode: mode, err: err}
	switch {
	case err != nil:
	case layer == nil:
		l.err = errors.New("Bidirectional: no layer")
	case layer.err != nil:
		l.err = errors.Wrap(layer.err, "Bidirectional")
	case mode != "concat" && mode != "sum" && mode != "ave" && mode != "mul":
		l.err = errors.Errorf("Bidirectional: merge mode %q (valid: ave, concat, mul, sum)", mode)
	default:
		c := layer.Config()
		c.Config["go_backwards"] = !layer.backwards
		b, e := rnnFromConfig(c)
		if e != nil {
			l.err = errors.Wrap(e, "Bidirectional: copy the layer backwards")
		}
		l.backward = b
	}
	l.SetName(cfg.name)
	return l
}

// Type returns "Bidirectional".
func (l *BidirectionalLayer) Type() string { return "Bidirectional" }

// Forward and Backward are the two directions' layers.
func (l *BidirectionalLayer) Forward() *RNNLayer { return l.forward }

// Backward is the layer run last step to first.
func (l *BidirectionalLayer) Backward() *RNNLayer { return l.backward }

// MergeMode is how the two outputs are combined.
func (l *BidirectionalLayer) MergeMode() string { return l.mode }

// SetName names the layer and its two directions.
func (l *BidirectionalLayer) SetName(name string) {
	l.Base.SetName(name)
	if l.forward != nil {
		l.forward.SetName(name + "/forward")
	}
	if l.backward != nil {
		l.backward.SetName(name + "/backward")
	}
}

// Params are the forward weights then the backward weights.
func (l *BidirectionalLayer) Params() []*graph.Param {
	var ps []*graph.Param
	if l.forward != nil {
		ps = append(ps, l.forward.Params()...)
	}
	if l.backward != nil {
		ps = append(ps, l.backward.Params()...)
	}
	return ps
}

func (l *BidirectionalLayer) states() int {
	if l.forward == nil || l.forward.cell == nil {
		return 0
	}
	return len(l.forward.cell.StateSizes())
}

func (l *BidirectionalLayer) outputCount() int {
	if l.forward != nil && l.forward.returnState {
		return 1 + 2*l.states()
	}
	return 1
}

// Apply calls the layer on the sequence and optional initial states.
func (l *BidirectionalLayer) Apply(xs ...*Tensor) []*Tensor { return Apply(l, xs...) }

// BuildMulti builds both directions and returns the merged output's spec (and the
// states' with return_state).
func (l *BidirectionalLayer) BuildMulti(ctx BuildContext, in []Spec) ([]Spec, error) {
	who := named("Bidirectional", l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	n := l.states()
	if len(in) != 1 && len(in) != 1+2*n {
		return nil, errors.Errorf("%s: %d inputs %s, want the sequence and either no initial states or %d (forward then backward)", who, len(in), fmtSpecs(in), 2*n)
	}
	fin, bin := []Spec{in[0]}, []Spec{in[0]}
	if len(in) > 1 {
		fin = append(fin, in[1:1+n]...)
		bin = append(bin, in[1+n:]...)
	}
	fo, err := l.forward.BuildMulti(ctx, fin)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	bo, err := l.backward.BuildMulti(ctx, bin)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	out := Spec{Shape: append([]int(nil), fo[0].Shape...), DType: fo[0].DType}
	if l.mode == "concat" {
		out.Shape[len(out.Shape)-1] *= 2
	}
	return append(append([]Spec{out}, fo[1:]...), bo[1:]...), nil
}

// ForwardMulti runs both directions and merges them.
func (l *BidirectionalLayer) ForwardMulti(g *graph.Graph, xs []*G.Node) (outs []*G.Node, err error) {
	who := named("Bidirectional", l.Name())
	defer recoverSeq(&err, who)
	n := l.states()
	var fi, bi []*G.Node
	if len(xs) > 1 {
		fi, bi = xs[1:1+n], xs[1+n:]
	}
	mask, _ := g.Mask(xs[0])
	f := l.forward
	fo, err := runRNN(g, f.cell, xs[0], fi, mask, f.backwards, f.returnSeq)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	b := l.backward
	bo, err := runRNN(g, b.cell, xs[0], bi, mask, b.backwards, b.returnSeq)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	bout := bo[0]
	if b.returnSeq {
		if bout, err = reverseSteps(bout); err != nil {
			return nil, errors.Wrap(err, who)
		}
	}
	var y *G.Node
	switch l.mode {
	case "concat":
		y, err = graph.Concat(-1, fo[0], bout)
	case "sum":
		y, err = G.Add(fo[0], bout)
	case "ave":
		if y, err = G.Add(fo[0], bout); err == nil {
			y, err = G.Mul(y, g.Scalar(0.5))
		}
	case "mul":
		y, err = G.HadamardProd(fo[0], bout)
	}
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	if f.returnSeq && mask != nil {
		g.SetMask(y, mask)
	}
	outs = []*G.Node{y}
	if f.returnState {
		outs = append(append(outs, fo[1:]...), bo[1:]...)
	}
	return outs, nil
}

// reverseSteps reverses x (B, T, D) along the steps.
func reverseSteps(x *G.Node) (*G.Node, error) {
	steps := x.Shape()[1]
	if steps == 1 {
		return x, nil
	}
	parts := make([]*G.Node, steps)
	for t := 0; t < steps; t++ {
		p, err := graph.SliceAxis(x, 1, steps-1-t, steps-t)
		if err != nil {
			return nil, err
		}
		parts[t] = p
	}
	return graph.Concat(1, parts...)
}

// Config returns the merge mode and the forward layer's class and config.
func (l *BidirectionalLayer) Config() LayerConfig {
	c := map[string]interface{}{"merge_mode": l.mode}
	if l.forward != nil {
		fc := l.forward.Config()
		c["layer"] = map[string]interface{}{"class_name": fc.Class, "config": fc.Config}
	}
	return LayerConfig{"Bidirectional", l.Name(), c}
}

func bidirectionalFromConfig(c LayerConfig) (*BidirectionalLayer, error) {
	r := cfgReader{c: c}
	mode := r.str("merge_mode")
	var inner struct {
		Class  string                 `json:"class_name"`
		Config map[string]interface{} `json:"config"`
	}
	r.decode("layer", &inner)
	if r.err != nil {
		return nil, r.err
	}
	switch inner.Class {
	case "RNN", "SimpleRNN", "LSTM", "GRU":
	default:
		return nil, errors.Errorf("config \"layer\": class %q is not a recurrent layer", inner.Class)
	}
	f, err := rnnFromConfig(LayerConfig{Class: inner.Class, Name: c.Name + "/forward", Config: inner.Config})
	if err != nil {
		return nil, errors.Wrap(err, "layer")
	}
	l := Bidirectional(f, WithName(c.Name), WithMergeMode(mode))
	return l, l.err
}
