package interop

import (
	"fmt"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// cellWeights are the three weights of this package's cells.
type cellWeights interface {
	Kernel() *graph.Param
	RecurrentKernel() *graph.Param
	Bias() *graph.Param
}

// gateOrder is, for each gokeras gate block, the torch gate block that fills it:
// LSTM i,f,g,o is gokeras' (Keras') i,f,c,o; GRU r,z,n becomes z,r,h.
func gateOrder(kind string) (order []int, desc string) {
	switch kind {
	case "LSTM":
		return []int{0, 1, 2, 3}, "gates i,f,g,o (the same order)"
	case "GRU":
		return []int{1, 0, 2}, "gates r,z,n→z,r,h"
	}
	return []int{0}, "one gate"
}

// mapRNN maps layer md.layer of an nn.LSTM/GRU/RNN (direction sfx: "" or
// "_reverse") onto the cell of l: kernel = W_ih^T, recurrent_kernel = W_hh^T (gate
// blocks reordered), bias = b_ih + b_hh (LSTM, RNN) or the rows (b_ih, b_hh) of a
// (2, 3H) bias (GRU, reset_after). A GRU without reset_after is refused: PyTorch's
// GRU applies the reset gate after the recurrent product.
func mapRNN(u *unit, l *layers.RNNLayer, md *module, sfx string) ([]*assign, error) {
	kind := rnnKind(l)
	if l == nil || kind == "" {
		return nil, errors.Errorf("%s: its cell has no PyTorch counterpart", u.who())
	}
	cell, ok := l.Cell().(cellWeights)
	if !ok || cell.Kernel() == nil {
		return nil, errors.Errorf("%s: the cell is not built", u.who())
	}
	if g, ok := l.Cell().(*layers.GRUCellLayer); ok && !g.ResetAfter() {
		return nil, errors.Errorf("%s has reset_after false, but PyTorch's nn.GRU (%s) is reset_after=True (the reset gate multiplies the recurrent product): build the layer with layers.WithResetAfter(true)", u.who(), md.describe())
	}
	order, gdesc := gateOrder(kind)
	name := func(w string) string { return fmt.Sprintf("%s_l%d%s", w, md.layer, sfx) }
	kconv := one(gdesc+", transposed", func(t *Tensor) (*Tensor, error) {
		p, err := permuteBlocks(t, order)
		if err != nil {
			return nil, err
		}
		return transpose2(p)
	})
	out := []*assign{
		newAssign(u, cell.Kernel(), md, []string{name("weight_ih")}, kconv),
		newAssign(u, cell.RecurrentKernel(), md, []string{name("weight_hh")}, kconv),
	}
	switch {
	case kind == "RNN":
		out[0].Note = "SimpleRNN is tanh: the torch module's nonlinearity (not in the state dict) must be tanh"
	case u.kind == "Bidirectional" && sfx == "":
		if b, ok := u.layer.(*layers.BidirectionalLayer); ok && b.MergeMode() != "concat" {
			out[0].Note = fmt.Sprintf("merge mode %q here; PyTorch concatenates the two directions", b.MergeMode())
		}
	}
	if cell.Bias() == nil {
		return out, nil
	}
	bi, bh := name("bias_ih"), name("bias_hh")
	if md.tensors[bi] == nil && md.tensors[bh] == nil { // bias=False in torch
		a := newAssign(u, cell.Bias(), md, nil, conversion{desc: "zeros (the torch module has no bias)", fn: func([]*Tensor) (*Tensor, error) {
			shape := cell.Bias().Value.Shape()
			return &Tensor{Name: "zeros", Shape: append([]int(nil), shape...), Data: make([]float64, shape.TotalSize())}, nil
		}})
		return append(out, a), nil
	}
	var bconv conversion
	if kind == "GRU" {
		bconv = conversion{desc: gdesc + ", stacked (bias_ih, bias_hh)", fn: func(src []*Tensor) (*Tensor, error) {
			a, err := permuteBlocks(src[0], order)
			if err != nil {
				return nil, err
			}
			b, err := permuteBlocks(src[1], order)
			if err != nil {
				return nil, err
			}
			return stackTensors(a, b)
		}}
	} else {
		bconv = conversion{desc: "bias_ih + bias_hh, " + gdesc, fn: func(src []*Tensor) (*Tensor, error) {
			s, err := sumTensors(src[0], src[1])
			if err != nil {
				return nil, err
			}
			return permuteBlocks(s, order)
		}}
	}
	return append(out, newAssign(u, cell.Bias(), md, []string{bi, bh}, bconv)), nil
}
