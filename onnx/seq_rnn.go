package onnx

import (
	pb "github.com/advancedclimatesystems/gonnx/onnx"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// seqRNN is SimpleRNN, LSTM, GRU and RNN of one of those cells: outputs the last
// output (batch, units) or with return_sequences every output (batch, steps,
// units) in processing order, then with return_state the final states (an LSTM:
// h, c). Optional inputs after the sequence are the initial states. Without a
// mask the ONNX RNN, LSTM or GRU operator runs the sequence; with one (Embedding
// mask_zero, Masking) the steps are unrolled so that a padded step keeps the
// previous states and output, as gokeras does, wherever the padding is (ONNX's
// sequence_lens would only be faithful for padding at the end, and gives zeros,
// not the held output, on padded steps). Float64 models are unrolled too: ONNX
// Runtime runs its RNN operators in float32 only.
func seqRNN(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.RNNLayer)
	if !ok {
		return nil, errors.Errorf("not a recurrent layer (%T)", c.Layer())
	}
	ins := c.Inputs()
	mask := inputMask(c, 0)
	out, states, err := runDirection(c, l, ins[0], c.InputSpecs()[0].Shape, ins[1:], mask)
	if err != nil {
		return nil, err
	}
	if l.ReturnSequences() {
		setMask(c, out, mask)
	}
	outs := []string{out}
	if l.ReturnState() {
		outs = append(outs, states...)
	}
	return outs, nil
}

// seqBidirectional is Bidirectional: the wrapped layer forward and a copy of it
// backward, the backward sequence put back in time order, merged by merge_mode
// (concat on the last axis, sum, ave, mul); then with return_state the forward
// states and the backward states. Initial states: forward ones then backward ones.
func seqBidirectional(c *Context) ([]string, error) {
	l, ok := c.Layer().(*layers.BidirectionalLayer)
	if !ok {
		return nil, errors.Errorf("not a Bidirectional layer (%T)", c.Layer())
	}
	f, b := l.Forward(), l.Backward()
	if f == nil || b == nil {
		return nil, errors.New("no forward or backward layer")
	}
	cell, err := cellOf(f)
	if err != nil {
		return nil, err
	}
	ins, shape := c.Inputs(), c.InputSpecs()[0].Shape
	n := cell.states
	var fi, bi []string
	if len(ins) > 1 {
		if len(ins) != 1+2*n {
			return nil, errors.Errorf("%d inputs, want the sequence and 0 or %d initial states", len(ins), 2*n)
		}
		fi, bi = ins[1:1+n], ins[1+n:]
	}
	mask := inputMask(c, 0)
	fo, fs, err := runDirection(c, f, ins[0], shape, fi, mask)
	if err != nil {
		return nil, errors.Wrap(err, "forward")
	}
	bo, bs, err := runDirection(c, b, ins[0], shape, bi, mask)
	if err != nil {
		return nil, errors.Wrap(err, "backward")
	}
	if b.ReturnSequences() {
		bo = reverseSteps(c, bo, shape[0])
	}
	var y string
	switch l.MergeMode() {
	case "concat":
		y = c.Op("Concat", []string{fo, bo}, AttrInt("axis", -1))
	case "sum":
		y = c.Op("Add", []string{fo, bo})
	case "ave":
		y = c.Op("Mul", []string{c.Op("Add", []string{fo, bo}), c.Scalar("half", 0.5)})
	case "mul":
		y = c.Op("Mul", []string{fo, bo})
	default:
		return nil, errors.Errorf("merge mode %q has no ONNX form", l.MergeMode())
	}
	if f.ReturnSequences() {
		setMask(c, y, mask)
	}
	outs := []string{y}
	if f.ReturnState() {
		outs = append(append(outs, fs...), bs...)
	}
	return outs, nil
}

// reverseSteps reverses axis 1 of x (batch, steps, ...).
func reverseSteps(c *Context, x string, steps int) string {
	return c.Op("Gather", []string{x, c.Ints("reversed", reversedSteps(steps)...)}, AttrInt("axis", 1))
}

// runDirection runs layer l's cell over x (batch, steps, features) (shape is
// (steps, features)) from the initial states init (none: zeros), the steps in
// l's direction. It returns the output (the last, or with return_sequences the
// sequence in processing order) and the final states.
func runDirection(c *Context, l *layers.RNNLayer, x string, shape []int, init []string, mask string) (string, []string, error) {
	cell, err := cellOf(l)
	if err != nil {
		return "", nil, err
	}
	if len(shape) != 2 {
		return "", nil, errors.Errorf("input shape %v is not (steps, features)", shape)
	}
	if len(init) != 0 && len(init) != cell.states {
		return "", nil, errors.Errorf("%d initial states, the cell has %d", len(init), cell.states)
	}
	steps := shape[0]
	if l.GoBackwards() {
		x = reverseSteps(c, x, steps)
		if mask != "" {
			mask = reverseSteps(c, mask, steps)
		}
	}
	// ONNX Runtime's RNN operators are float32 only ("LSTM operator does not
	// support double yet"): float64 models take the unrolled form too.
	if mask != "" || c.DType() == tensor.Float64 {
		return seqUnrolled(c, cell, x, steps, init, mask, l.ReturnSequences())
	}
	w, err := c.ParamFunc(cell.kernel, "onnx_W", cell.onnxMatrix)
	if err != nil {
		return "", nil, err
	}
	r, err := c.ParamFunc(cell.recurrent, "onnx_R", cell.onnxMatrix)
	if err != nil {
		return "", nil, err
	}
	b, err := c.ParamFunc(cell.bias, "onnx_B", cell.onnxBias)
	if err != nil {
		return "", nil, err
	}
	// ONNX Runtime runs only layout 0 (time major): (steps, batch, features).
	in := []string{c.Op("Transpose", []string{x}, AttrInts("perm", 1, 0, 2)), w, r, b}
	if len(init) > 0 {
		in = append(in, "")
		for _, s := range init {
			in = append(in, seqUnsqueeze(c, s, 0)) // (1, batch, units)
		}
	}
	attrs := []*pb.AttributeProto{AttrInt("hidden_size", cell.units)}
	if cell.op == "GRU" && cell.resetAfter {
		attrs = append(attrs, AttrInt("linear_before_reset", 1))
	}
	outs := c.Node(cell.op, in, 1+cell.states, attrs...)
	var out string
	if l.ReturnSequences() { // Y (steps, 1, batch, units)
		out = c.Op("Transpose", []string{seqSqueeze(c, outs[0], 1)}, AttrInts("perm", 1, 0, 2))
	}
	states := make([]string, cell.states)
	for i := range states {
		states[i] = seqSqueeze(c, outs[1+i], 0)
	}
	if out == "" {
		out = states[0]
	}
	return out, states, nil
}

func reversedSteps(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = n - 1 - i
	}
	return idx
}
