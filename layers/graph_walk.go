package layers

// Call is one application of a layer inside a functional model (Keras' node): the
// layer, the tensors it was applied to and the tensors it gave, in order. An Input
// is a call with no inputs and one output. Exporters (package onnx) walk a model
// through its calls.
type Call struct {
	// Layer is the layer applied (a model applied as a layer is a Model).
	Layer Layer
	// Inputs are the tensors the layer was applied to; Outputs are its results.
	// Each *Tensor is the same pointer wherever it appears, so it identifies a
	// tensor of the graph.
	Inputs, Outputs []*Tensor
}

// Calls returns every layer call of the model in topological order, its Input
// calls first (in the order of the model's inputs). Each layer appears once per
// call: a shared layer appears several times with the same Layer. The slices are
// copies; the tensors are the model's own.
func (m *Functional) Calls() []Call {
	out := make([]Call, 0, len(m.nodes))
	for _, n := range m.nodes {
		out = append(out, Call{
			Layer:   n.layer,
			Inputs:  append([]*Tensor(nil), n.in...),
			Outputs: append([]*Tensor(nil), n.out...),
		})
	}
	return out
}

// BuiltSpecs returns the input and output specs (shapes without the batch axis,
// dtypes) the layer was built for, or nils before it is built. A layer used inside
// a wrapper (Residual, TimeDistributed) has no calls of its own; its specs come
// from here.
func (b *Base) BuiltSpecs() (in, out []Spec) {
	if !b.built {
		return nil, nil
	}
	for _, s := range b.in {
		in = append(in, s.clone())
	}
	for _, s := range b.out {
		out = append(out, s.clone())
	}
	return in, out
}
