package onnx

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// rnnCell is what the exporter reads of one of gokeras' three cells: the ONNX
// operator that runs it, its weights and how its gates map to ONNX's.
type rnnCell struct {
	op                      string // "RNN", "LSTM" or "GRU"
	units                   int
	kernel, recurrent, bias *graph.Param
	resetAfter              bool  // GRU only
	perm                    []int // ONNX gate slot s holds gokeras gate perm[s]
	states                  int   // 1, or 2 for an LSTM (h, c)
	name                    string
}

// cellOf describes the cell of an RNN layer, or refuses a cell this package does
// not know (a custom RNNCell).
func cellOf(l *layers.RNNLayer) (rnnCell, error) {
	switch cl := l.Cell().(type) {
	case *layers.SimpleRNNCellLayer:
		return rnnCell{op: "RNN", units: cl.Units(), kernel: cl.Kernel(), recurrent: cl.RecurrentKernel(), bias: cl.Bias(),
			perm: []int{0}, states: 1, name: cl.Name()}, nil
	case *layers.LSTMCellLayer:
		// gokeras (Keras) orders the gates i, f, c, o; ONNX i, o, f, c.
		return rnnCell{op: "LSTM", units: cl.Units(), kernel: cl.Kernel(), recurrent: cl.RecurrentKernel(), bias: cl.Bias(),
			perm: []int{0, 3, 1, 2}, states: 2, name: cl.Name()}, nil
	case *layers.GRUCellLayer:
		// Both order the gates z (update), r (reset), h (candidate).
		return rnnCell{op: "GRU", units: cl.Units(), kernel: cl.Kernel(), recurrent: cl.RecurrentKernel(), bias: cl.Bias(),
			resetAfter: cl.ResetAfter(), perm: []int{0, 1, 2}, states: 1, name: cl.Name()}, nil
	}
	return rnnCell{}, errors.Errorf("cell %T has no ONNX form (only SimpleRNNCell, LSTMCell and GRUCell)", l.Cell())
}

// gates is the number of gate blocks of the cell's kernels.
func (r rnnCell) gates() int { return len(r.perm) }

// onnxMatrix turns a gokeras kernel (rows, gates·units) into ONNX's (1,
// gates·units, rows), transposed and with the gate blocks reordered.
func (r rnnCell) onnxMatrix(shape []int, data []float64) ([]int, []float64, error) {
	gu := r.gates() * r.units
	if len(shape) != 2 || shape[1] != gu {
		return nil, nil, errors.Errorf("kernel shape %v, want (rows, %d)", shape, gu)
	}
	rows := shape[0]
	out := make([]float64, gu*rows)
	for s, g := range r.perm {
		for u := 0; u < r.units; u++ {
			for k := 0; k < rows; k++ {
				out[(s*r.units+u)*rows+k] = data[k*gu+g*r.units+u]
			}
		}
	}
	return []int{1, gu, rows}, out, nil
}

// onnxBias turns the gokeras bias into ONNX's (1, 2·gates·units): the input bias
// (reordered) then the recurrent bias (a GRU with reset_after has one; the other
// cells have none: zeros).
func (r rnnCell) onnxBias(shape []int, data []float64) ([]int, []float64, error) {
	gu := r.gates() * r.units
	out := make([]float64, 2*gu)
	switch {
	case r.op == "GRU" && r.resetAfter:
		if len(data) != 2*gu {
			return nil, nil, errors.Errorf("bias shape %v, want (2, %d)", shape, gu)
		}
		copy(out, data) // rows: input bias, recurrent bias; gate order already ONNX's
	case len(data) == gu:
		for s, g := range r.perm {
			copy(out[s*r.units:(s+1)*r.units], data[g*r.units:(g+1)*r.units])
		}
	default:
		return nil, nil, errors.Errorf("bias shape %v, want (%d)", shape, gu)
	}
	return []int{1, 2 * gu}, out, nil
}

// columns returns the gokeras matrix (rows, n) restricted to columns [from, to).
func kernelColumns(from, to int) func([]int, []float64) ([]int, []float64, error) {
	return func(shape []int, data []float64) ([]int, []float64, error) {
		if len(shape) != 2 || to > shape[1] || from < 0 || from >= to {
			return nil, nil, errors.Errorf("matrix %v has no columns [%d, %d)", shape, from, to)
		}
		out := make([]float64, 0, shape[0]*(to-from))
		for i := 0; i < shape[0]; i++ {
			out = append(out, data[i*shape[1]+from:i*shape[1]+to]...)
		}
		return []int{shape[0], to - from}, out, nil
	}
}

// rows returns row i of a (2, n) matrix as a vector (n).
func biasRow(i int) func([]int, []float64) ([]int, []float64, error) {
	return func(shape []int, data []float64) ([]int, []float64, error) {
		if len(shape) != 2 || i >= shape[0] {
			return nil, nil, errors.Errorf("matrix %v has no row %d", shape, i)
		}
		return []int{shape[1]}, data[i*shape[1] : (i+1)*shape[1]], nil
	}
}
