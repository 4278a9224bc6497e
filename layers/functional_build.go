package layers

import (
	"fmt"
	"math/rand"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Build infers every tensor's shape and builds every layer (each once, shared layers
// too), seeded by WithSeed (default DefaultSeed) in the float type of WithDType
// (default float32). It runs once: later calls return the first result. Errors name
// the layer and the shapes of its inputs.
func (m *Functional) Build(opts ...BuildOption) error {
	if m.built || m.err != nil {
		return m.err
	}
	m.err = m.buildTop(newBuildConfig(opts))
	m.built = m.err == nil
	return m.err
}

func (m *Functional) buildTop(cfg buildConfig) (err error) {
	defer recoverTo(&err, "model "+m.Name()+": build")
	if cfg.dtype != tensor.Float32 && cfg.dtype != tensor.Float64 {
		return errors.Errorf("model %q: dtype %v is not supported (want float32 or float64)", m.Name(), cfg.dtype)
	}
	m.dtype = cfg.dtype
	ctx := BuildContext{DType: cfg.dtype, RNG: rand.New(rand.NewSource(cfg.seed)), plan: cfg.plan}
	if _, err := m.buildGraph(ctx, nil); err != nil {
		return m.wrap(err)
	}
	_, err = WeightPaths(m)
	return m.wrap(err)
}

// BuildMulti builds the model as a layer of another model: in must match its inputs.
// Its weights are named "<model>/<layer>/<weight>". A model already built checks in
// and keeps its weights.
func (m *Functional) BuildMulti(ctx BuildContext, in []Spec) ([]Spec, error) {
	if m.err != nil {
		return nil, m.err
	}
	if m.built {
		if ctx.DType != m.dtype {
			return nil, errors.Errorf("model %q is %v, applied in a %v model", m.Name(), m.dtype, ctx.DType)
		}
		if err := m.checkInputSpecs(in); err != nil {
			return nil, err
		}
		return m.Outputs(), nil
	}
	m.dtype = ctx.DType
	inner := ctx
	inner.scope = ctx.scope + m.Name() + "/"
	out, err := m.buildGraph(inner, in)
	if err != nil {
		m.err = m.wrap(err)
		return nil, m.err
	}
	m.built = true
	return out, nil
}

// buildGraph resolves the inputs' specs (checking them against in when the model is
// applied as a layer), then builds every call in order.
func (m *Functional) buildGraph(ctx BuildContext, in []Spec) ([]Spec, error) {
	for _, t := range m.inputs {
		if t.spec.DType.Type == nil {
			t.spec.DType = ctx.DType
		} else if isFloatDType(t.spec.DType) && t.spec.DType != ctx.DType {
			return nil, errors.Errorf("input %q is %v (an earlier model built it so), this model is %v: use a new Input", t.spec.Name, t.spec.DType, ctx.DType)
		}
	}
	if in != nil {
		if err := m.checkInputSpecs(in); err != nil {
			return nil, err
		}
	}
	for _, n := range m.nodes {
		if _, ok := n.layer.(*InputLayer); ok {
			continue
		}
		specs := make([]Spec, len(n.in))
		for i, x := range n.in {
			specs[i] = Spec{Shape: x.spec.Shape, DType: x.spec.DType}
		}
		out, err := buildLayer(ctx, n.layer, specs)
		if err != nil {
			if m.index != nil {
				return nil, errors.Wrapf(err, "%s with input shape %s", m.label(n.layer), fmtShape(specs[0].Shape))
			}
			return nil, errors.Wrapf(err, "%s on %s", m.label(n.layer), fmtSpecs(specs))
		}
		if len(out) != len(n.out) {
			return nil, errors.Errorf("layer %s (%s) gives %d outputs, %d expected", layerLabel(n.layer), n.layer.Type(), len(out), len(n.out))
		}
		for i, s := range out {
			n.out[i].spec.Shape = append([]int(nil), s.Shape...)
			n.out[i].spec.DType = s.DType
		}
	}
	return m.Outputs(), nil
}

func (m *Functional) checkInputSpecs(in []Spec) error {
	if len(in) != len(m.inputs) {
		return errors.Errorf("model %q takes %d inputs %s, applied to %d", m.Name(), len(m.inputs), fmtSpecs(m.Inputs()), len(in))
	}
	for i, t := range m.inputs {
		want := t.spec
		if !equalShapes(want.Shape, in[i].Shape) || (want.DType.Type != nil && want.DType != in[i].DType) {
			return errors.Errorf("model %q: input %q is %s, applied to %s", m.Name(), want.Name, want, in[i])
		}
	}
	return nil
}

// Built reports whether Build succeeded.
func (m *Functional) Built() bool { return m.built }

// DType is the model's float type (Float32 unless built WithDType).
func (m *Functional) DType() tensor.Dtype { return m.dtype }

// Inputs describes the inputs, in order: name, per-example shape, dtype (the float
// type is the model's once built).
func (m *Functional) Inputs() []Spec {
	out := make([]Spec, len(m.inputs))
	for i, t := range m.inputs {
		out[i] = t.spec.clone()
		out[i].Name = t.Layer().Name()
	}
	return out
}

// Outputs describes the outputs, in order: name (the producing layer's), per-example
// shape (nil before Build) and dtype.
func (m *Functional) Outputs() []Spec {
	out := make([]Spec, len(m.outputs))
	for i, t := range m.outputs {
		out[i] = t.spec.clone()
		out[i].Name = m.outNames[i]
	}
	return out
}

// InputShape is the shape of the first input.
func (m *Functional) InputShape() []int { return append([]int(nil), m.inputs[0].spec.Shape...) }

// OutputShape is the shape of the first output (nil before Build).
func (m *Functional) OutputShape() []int {
	if !m.built {
		return nil
	}
	return append([]int(nil), m.outputs[0].spec.Shape...)
}

// Params lists every layer's weights once, layer by layer in call order.
func (m *Functional) Params() []*graph.Param {
	var ps []*graph.Param
	seen := map[*graph.Param]bool{}
	for _, l := range m.layers {
		for _, p := range l.Params() {
			if !seen[p] {
				seen[p] = true
				ps = append(ps, p)
			}
		}
	}
	return ps
}

// Forward adds a model of one input and one output to g (see ForwardMulti).
func (m *Functional) Forward(g *graph.Graph, x *G.Node) (*G.Node, error) {
	if len(m.inputs) != 1 || len(m.outputs) != 1 {
		return nil, errors.Errorf("model %q has %d inputs and %d outputs: use ForwardMulti", m.Name(), len(m.inputs), len(m.outputs))
	}
	out, err := m.ForwardMulti(g, []*G.Node{x})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// ForwardMulti adds every layer call to g in order and returns the outputs. xs holds
// one node per input, of shape (batch, input shape...), in the order of Inputs. An
// input declared WithVariableSteps may be shorter on its first axis (1 <= T' <= the
// declared T); every tensor that keeps the sequence axis then follows T', and a
// layer whose output shape depends on it is an error naming the layer.
func (m *Functional) ForwardMulti(g *graph.Graph, xs []*G.Node) (outs []*G.Node, err error) {
	if !m.built {
		return nil, errors.Errorf("model %q is not built (call Build)", m.Name())
	}
	defer recoverTo(&err, "model "+m.Name()+": forward")
	if len(xs) != len(m.inputs) {
		return nil, errors.Errorf("model %q takes %d inputs, given %d", m.Name(), len(m.inputs), len(xs))
	}
	vals := make(map[*Tensor]*G.Node, len(m.nodes))
	seq := map[*Tensor]bool{} // tensors whose first axis is the variable sequence axis
	for i, t := range m.inputs {
		if in, ok := t.Layer().(*InputLayer); ok && in.variable {
			if err := checkSeqNode(xs[i], t.spec, true); err != nil {
				return nil, errors.Wrapf(err, "model %q: input %q (variable steps)", m.Name(), t.spec.Name)
			}
			seq[t] = xs[i].Shape()[1] != t.spec.Shape[0]
		} else if err := checkNode(xs[i], t.spec); err != nil {
			return nil, errors.Wrapf(err, "model %q: input %q", m.Name(), t.spec.Name)
		}
		vals[t] = xs[i]
	}
	for _, n := range m.nodes {
		if _, ok := n.layer.(*InputLayer); ok {
			continue
		}
		args := make([]*G.Node, len(n.in))
		for i, x := range n.in {
			args[i] = vals[x]
		}
		res, err := forwardNode(g, n, args, seq)
		if err != nil {
			return nil, err
		}
		for i, r := range res {
			vals[n.out[i]] = r
		}
	}
	outs = make([]*G.Node, len(m.outputs))
	for i, t := range m.outputs {
		if seq[t] {
			return nil, errors.Errorf("model %q: output %q has the sequence axis, at a length other than the declared one: variable steps need outputs of fixed shape (pool the sequence, or pad to the declared length)", m.Name(), m.outNames[i])
		}
		outs[i] = vals[t]
	}
	return outs, nil
}

// forwardNode adds one layer call to g, checking the shapes that go in and come out
// against those inferred at Build. seq marks the tensors that carry a sequence axis
// shorter than at Build (variable steps): their first axis may differ; the layer's
// outputs carry it too when they keep the rank of such an input (Embedding, Conv1D,
// an RNN's sequences), and must match their built shape otherwise (pooling).
func forwardNode(g *graph.Graph, n *node, args []*G.Node, seq map[*Tensor]bool) ([]*G.Node, error) {
	who := layerLabel(n.layer)
	seqRank := -1
	for i, a := range args {
		if seq[n.in[i]] {
			if err := checkSeqNode(a, n.in[i].spec, false); err != nil {
				return nil, errors.Wrapf(err, "layer %s input %d", who, i)
			}
			seqRank = max(seqRank, len(n.in[i].spec.Shape))
			continue
		}
		if err := checkNode(a, n.in[i].spec); err != nil {
			return nil, errors.Wrapf(err, "layer %s input %d", who, i)
		}
	}
	var res []*G.Node
	err := func() (err error) {
		if seqRank >= 0 {
			defer recoverTo(&err, "forward")
		}
		switch l := n.layer.(type) {
		case MultiLayer:
			res, err = l.ForwardMulti(g, args)
		case SingleLayer:
			var y *G.Node
			if y, err = l.Forward(g, args[0]); err == nil {
				res = []*G.Node{y}
			}
		}
		return err
	}()
	if err != nil {
		if seqRank >= 0 {
			return nil, errors.Wrapf(err, "layer %s (%s) cannot take a variable sequence length (it fails at a length other than the declared one)", who, n.layer.Type())
		}
		return nil, errors.Wrapf(err, "layer %s", who)
	}
	if len(res) != len(n.out) {
		return nil, errors.Errorf("layer %s gave %d outputs, %d expected", who, len(res), len(n.out))
	}
	for i, r := range res {
		s := n.out[i].spec
		if seqRank >= 0 && len(s.Shape) >= seqRank && len(s.Shape) > 0 && checkSeqNode(r, s, false) == nil {
			seq[n.out[i]] = r.Shape()[1] != s.Shape[0]
			continue
		}
		if err := checkNode(r, s); err != nil {
			if seqRank >= 0 {
				return nil, errors.Errorf("layer %s (%s) cannot take a variable sequence length: its output is %s at this length, %s at the declared one (it depends on the length; pool the sequence instead, or give it data of the declared length)", who, n.layer.Type(), fmtBatchShape(r.Shape()), fmtShape(s.Shape))
			}
			return nil, errors.Wrapf(err, "layer %s output %d", who, i)
		}
	}
	return res, nil
}

// checkNode checks that x has shape (batch, s.Shape...).
func checkNode(x *G.Node, s Spec) error {
	if x == nil {
		return errors.New("no node")
	}
	got := x.Shape()
	if len(got) < 1 || !equalShapes(got[1:], s.Shape) {
		return errors.Errorf("expects shape %s, got %s", fmtShape(s.Shape), fmtBatchShape(got))
	}
	return nil
}

// checkSeqNode checks that x has shape (batch, T', s.Shape[1:]...) with T' >= 1, and
// T' <= s.Shape[0] when atMost (a model input: the declared length is the maximum).
func checkSeqNode(x *G.Node, s Spec, atMost bool) error {
	if x == nil {
		return errors.New("no node")
	}
	got := x.Shape()
	if len(s.Shape) == 0 || len(got) != len(s.Shape)+1 || !equalShapes(got[2:], s.Shape[1:]) || got[1] < 1 {
		return errors.Errorf("expects shape (steps <= %d%s), got %s", s.Shape[0], trailing(s.Shape[1:]), fmtBatchShape(got))
	}
	if atMost && got[1] > s.Shape[0] {
		return errors.Errorf("a length of %d steps exceeds the declared maximum %d", got[1], s.Shape[0])
	}
	return nil
}

// trailing formats the dims after the sequence axis: ", 8, 3" (empty for none).
func trailing(dims []int) string {
	out := ""
	for _, d := range dims {
		out += fmt.Sprintf(", %d", d)
	}
	return out
}
