package onnx

import (
	pb "github.com/advancedclimatesystems/gonnx/onnx"
	"github.com/pkg/errors"
)

// unrolled writes the cell's steps one by one over x (batch, steps, features)
// (already in processing order), as gokeras' RNN does with a mask (batch, steps):
// where the mask is 0 the states and the output keep their previous values,
// state = old + m·(new - old), the output starting at zeros and the states at
// init (zeros when empty). Without a mask ("") every step counts. It returns the output (the last, or the sequence) and
// the final states.
func seqUnrolled(c *Context, cell rnnCell, x string, steps int, init []string, mask string, returnSeq bool) (string, []string, error) {
	k, err := c.Param(cell.kernel)
	if err != nil {
		return "", nil, err
	}
	gru2 := cell.op == "GRU" && cell.resetAfter
	var bx, bh string
	if gru2 {
		if bx, err = c.ParamFunc(cell.bias, "input_bias", biasRow(0)); err != nil {
			return "", nil, err
		}
		if bh, err = c.ParamFunc(cell.bias, "recurrent_bias", biasRow(1)); err != nil {
			return "", nil, err
		}
	} else if bx, err = c.Param(cell.bias); err != nil {
		return "", nil, err
	}
	xw := c.Op("Add", []string{c.Op("MatMul", []string{x, k}), bx}) // (B, T, G·H)
	ones := make([]int, steps)
	for i := range ones {
		ones[i] = 1
	}
	xs := c.Node("Split", []string{xw, c.Ints("split", ones...)}, steps, AttrInt("axis", 1))
	var ms []string // (B, 1) each
	if mask != "" {
		ms = c.Node("Split", []string{mask, c.Ints("split", ones...)}, steps, AttrInt("axis", 1))
	}
	zero, err := seqZeros(c, x, cell.units)
	if err != nil {
		return "", nil, err
	}
	states := append([]string(nil), init...)
	for len(states) < cell.states {
		states = append(states, zero)
	}
	out := zero
	st := seqStepper{c: c, cell: cell, bh: bh}
	if err := st.weights(); err != nil {
		return "", nil, err
	}
	var seq []string
	for t := 0; t < steps; t++ {
		xt := seqSqueeze(c, xs[t], 1)
		h, next := st.step(xt, states)
		keep := func(cur, old string) string {
			if ms == nil {
				return cur
			}
			return c.Op("Add", []string{old, c.Op("Mul", []string{ms[t], c.Op("Sub", []string{cur, old})})})
		}
		out = keep(h, out)
		for i := range next {
			next[i] = keep(next[i], states[i])
		}
		states = next
		if returnSeq {
			seq = append(seq, seqUnsqueeze(c, out, 1))
		}
	}
	if returnSeq {
		if len(seq) == 1 {
			return seq[0], states, nil
		}
		return c.Op("Concat", seq, AttrInt("axis", 1)), states, nil
	}
	return out, states, nil
}

// zerosLike returns zeros (batch, n), the batch taken from x's first axis.
func seqZeros(c *Context, x string, n int) (string, error) {
	batch := c.Op("Gather", []string{c.Op("Shape", []string{x}), c.Ints("first", 0)}, AttrInt("axis", 0))
	shape := c.Op("Concat", []string{batch, c.Ints("units", n)}, AttrInt("axis", 0))
	v, err := floatTensor("value", c.DType(), []int{1}, []float64{0})
	if err != nil {
		return "", errors.Wrap(err, "zeros")
	}
	return c.Op("ConstantOfShape", []string{shape}, &pb.AttributeProto{Name: "value", Type: pb.AttributeProto_TENSOR, T: v}), nil
}

// seqStepper writes one step of a cell on primitive operators, in gokeras' order of
// operations (see layers' cells).
type seqStepper struct {
	c         *Context
	cell      rnnCell
	bh        string // GRU with reset_after: the recurrent bias
	r, rz, rh string // recurrent kernel; GRU without reset_after: its z·r and h blocks
}

func (s *seqStepper) weights() error {
	var err error
	u := s.cell.units
	if s.cell.op == "GRU" && !s.cell.resetAfter {
		if s.rz, err = s.c.ParamFunc(s.cell.recurrent, "zr_columns", kernelColumns(0, 2*u)); err != nil {
			return err
		}
		s.rh, err = s.c.ParamFunc(s.cell.recurrent, "h_columns", kernelColumns(2*u, 3*u))
		return err
	}
	s.r, err = s.c.Param(s.cell.recurrent)
	return err
}

// step returns the output and the new states for input xw = x·W + b (batch,
// gates·units) and the states.
func (s *seqStepper) step(xw string, states []string) (string, []string) {
	c := s.c
	op := func(name string, in ...string) string { return c.Op(name, in) }
	h := states[0]
	switch s.cell.op {
	case "RNN":
		n := op("Tanh", op("Add", xw, op("MatMul", h, s.r)))
		return n, []string{n}
	case "LSTM":
		z := op("Add", xw, op("MatMul", h, s.r))
		g := c.Node("Split", []string{z}, 4, AttrInt("axis", 1))
		i, f, cc, o := op("Sigmoid", g[0]), op("Sigmoid", g[1]), op("Tanh", g[2]), op("Sigmoid", g[3])
		cNew := op("Add", op("Mul", f, states[1]), op("Mul", i, cc))
		hNew := op("Mul", o, op("Tanh", cNew))
		return hNew, []string{hNew, cNew}
	}
	gx := c.Node("Split", []string{xw}, 3, AttrInt("axis", 1))
	var z, r, pre string
	if s.cell.resetAfter {
		zh := op("Add", op("MatMul", h, s.r), s.bh)
		gh := c.Node("Split", []string{zh}, 3, AttrInt("axis", 1))
		z, r = op("Sigmoid", op("Add", gx[0], gh[0])), op("Sigmoid", op("Add", gx[1], gh[1]))
		pre = op("Add", gx[2], op("Mul", r, gh[2]))
	} else {
		gh := c.Node("Split", []string{op("MatMul", h, s.rz)}, 2, AttrInt("axis", 1))
		z, r = op("Sigmoid", op("Add", gx[0], gh[0])), op("Sigmoid", op("Add", gx[1], gh[1]))
		pre = op("Add", gx[2], op("MatMul", op("Mul", r, h), s.rh))
	}
	cand := op("Tanh", pre)
	hNew := op("Add", cand, op("Mul", z, op("Sub", h, cand)))
	return hNew, []string{hNew}
}
