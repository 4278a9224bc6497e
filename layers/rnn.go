package layers

import (
	"fmt"
	"reflect"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// RNNLayer runs a cell over the steps of a sequence (batch, steps, features),
// channels last, as Keras' RNN: it unrolls the static number of steps into the
// graph. Its inputs are the sequence, then optionally one initial state per state
// of the cell (batch, size); without them the states start at zero. Its outputs are
// the last output (batch, units), or with WithReturnSequences every output (batch,
// steps, units) in the order the steps were processed; with WithReturnState the
// final states follow, in the cell's order (an LSTM: h then c).
//
// Masking: when the sequence carries a mask (batch, steps) of 1/0 (from Embedding
// with mask_zero or Masking), a step where it is 0 keeps the previous states and
// output: state_t = m·new + (1-m)·old. With WithReturnSequences the output carries
// the same mask.
type RNNLayer struct {
	Base
	kind        string // "RNN", "SimpleRNN", "LSTM", "GRU"
	cell        RNNCell
	returnSeq   bool
	returnState bool
	backwards   bool
	err         error
}

// RNN returns a layer running cell over time. Options: WithName,
// WithReturnSequences, WithReturnState, WithGoBackwards (all default false).
func RNN(cell RNNCell, opts ...Option) *RNNLayer { return newRNN("RNN", cell, opts) }

// SimpleRNN is RNN(SimpleRNNCell(units), opts...), saved as class SimpleRNN.
func SimpleRNN(units int, opts ...Option) *RNNLayer {
	return newRNN("SimpleRNN", SimpleRNNCell(units), opts)
}

// LSTM is RNN(LSTMCell(units), opts...), saved as class LSTM.
func LSTM(units int, opts ...Option) *RNNLayer { return newRNN("LSTM", LSTMCell(units), opts) }

// GRU is RNN(GRUCell(units), opts...), saved as class GRU; it also takes
// WithResetAfter (default true).
func GRU(units int, opts ...Option) *RNNLayer {
	cfg, _ := layerConfig("GRU", nil, opts)
	var cellOpts []Option
	if cfg.set["reset_after"] {
		cellOpts = append(cellOpts, WithResetAfter(cfg.rnn.resetAfter))
	}
	return newRNN("GRU", GRUCell(units, cellOpts...), opts)
}

func newRNN(kind string, cell RNNCell, opts []Option) *RNNLayer {
	allowed := []string{"return_sequences", "return_state", "go_backwards"}
	if kind == "GRU" {
		allowed = append(allowed, "reset_after")
	}
	cfg, err := layerConfig(kind, allowed, opts)
	if err == nil && (cell == nil || isNilPointer(cell)) {
		err = errors.Errorf("%s: no cell", kind)
		cell = nil
	}
	if err == nil {
		if ce := cellErr(cell); ce != nil {
			err = ce
		}
	}
	l := &RNNLayer{kind: kind, cell: cell, returnSeq: cfg.rnn.returnSeq, returnState: cfg.rnn.returnState, backwards: cfg.rnn.backwards, err: err}
	l.SetName(cfg.name)
	return l
}

// cellErr returns the construction error of one of this package's cells.
func cellErr(c RNNCell) error {
	if b, ok := c.(interface{ cellBaseOf() *cellBase }); ok {
		return b.cellBaseOf().err
	}
	return nil
}

func (c *cellBase) cellBaseOf() *cellBase { return c }

// Type returns the layer's class: "RNN", "SimpleRNN", "LSTM" or "GRU".
func (l *RNNLayer) Type() string { return l.kind }

// Cell is the layer's cell.
func (l *RNNLayer) Cell() RNNCell { return l.cell }

// ReturnSequences reports whether every step's output is returned.
func (l *RNNLayer) ReturnSequences() bool { return l.returnSeq }

// ReturnState reports whether the final states follow the output.
func (l *RNNLayer) ReturnState() bool { return l.returnState }

// GoBackwards reports whether the steps are processed last to first.
func (l *RNNLayer) GoBackwards() bool { return l.backwards }

// SetName names the layer and its cell ("<name>/<cell class in snake case>"), so
// that the cell's weights are "<name>/lstm_cell/kernel", ... as in Keras.
func (l *RNNLayer) SetName(name string) {
	l.Base.SetName(name)
	if l.cell != nil {
		l.cell.SetName(name + "/" + cellSnake(l.cell.Type()))
	}
}

func cellSnake(class string) string {
	switch class {
	case "SimpleRNNCell":
		return "simple_rnn_cell"
	case "LSTMCell":
		return "lstm_cell"
	case "GRUCell":
		return "gru_cell"
	}
	return "cell"
}

// Params are the cell's weights.
func (l *RNNLayer) Params() []*graph.Param {
	if l.cell == nil {
		return nil
	}
	return l.cell.Params()
}

// outputCount is 1, plus the cell's states with WithReturnState.
func (l *RNNLayer) outputCount() int {
	if l.returnState && l.cell != nil {
		return 1 + len(l.cell.StateSizes())
	}
	return 1
}

// Apply calls the layer on the sequence and optional initial states; it returns the
// output, then the states with WithReturnState.
func (l *RNNLayer) Apply(xs ...*Tensor) []*Tensor { return Apply(l, xs...) }

// BuildMulti checks the sequence (steps, features) and the initial states, builds
// the cell and returns the output specs.
func (l *RNNLayer) BuildMulti(ctx BuildContext, in []Spec) ([]Spec, error) {
	who := named(l.kind, l.Name())
	if l.err != nil {
		return nil, errors.Wrap(l.err, who)
	}
	if len(in) == 0 {
		return nil, errors.Errorf("%s: no input", who)
	}
	sizes := l.cell.StateSizes()
	if len(in) != 1 && len(in) != 1+len(sizes) {
		return nil, errors.Errorf("%s: %d inputs %s, want the sequence and either no initial states or %d", who, len(in), fmtSpecs(in), len(sizes))
	}
	seq := in[0]
	if !isFloatDType(seq.DType) || len(seq.Shape) != 2 || seq.Shape[0] < 1 || seq.Shape[1] < 1 {
		return nil, errors.Errorf("%s: input %s, want a float sequence (steps, features)", who, seq)
	}
	for i, s := range in[1:] {
		if !isFloatDType(s.DType) || len(s.Shape) != 1 || s.Shape[0] != sizes[i] {
			return nil, errors.Errorf("%s: initial state %d is %s, want (%d)", who, i, s, sizes[i])
		}
	}
	if err := l.cell.BuildCell(ctx, seq.Shape[1]); err != nil {
		return nil, errors.Wrap(err, who)
	}
	return l.outSpecs(seq), nil
}

func (l *RNNLayer) outSpecs(seq Spec) []Spec {
	u := l.cell.OutputSize()
	out := []Spec{{Shape: []int{u}, DType: seq.DType}}
	if l.returnSeq {
		out[0].Shape = []int{seq.Shape[0], u}
	}
	if l.returnState {
		for _, s := range l.cell.StateSizes() {
			out = append(out, Spec{Shape: []int{s}, DType: seq.DType})
		}
	}
	return out
}

// ForwardMulti unrolls the cell over the steps.
func (l *RNNLayer) ForwardMulti(g *graph.Graph, xs []*G.Node) (outs []*G.Node, err error) {
	who := named(l.kind, l.Name())
	defer recoverSeq(&err, who)
	mask, _ := g.Mask(xs[0])
	outs, err = runRNN(g, l.cell, xs[0], xs[1:], mask, l.backwards, l.returnSeq)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	if l.returnSeq && mask != nil {
		g.SetMask(outs[0], mask)
	}
	if !l.returnState {
		outs = outs[:1]
	}
	return outs, nil
}

// runRNN unrolls cell over x (B, T, D) from init (zeros when empty), keeping the
// previous states and output where mask (B, T) is 0. It returns the output (the
// last, or the sequence in processing order) and the final states.
func runRNN(g *graph.Graph, cell RNNCell, x *G.Node, init []*G.Node, mask *G.Node, backwards, returnSeq bool) ([]*G.Node, error) {
	s := x.Shape()
	if s.Dims() != 3 {
		return nil, errors.Errorf("input shape %v, want (batch, steps, features)", s)
	}
	batch, steps, feat := s[0], s[1], s[2]
	sizes := cell.StateSizes()
	states := append([]*G.Node(nil), init...)
	if len(states) == 0 {
		for _, n := range sizes {
			states = append(states, zerosNode(g, x.Dtype(), batch, n))
		}
	}
	if len(states) != len(sizes) {
		return nil, errors.Errorf("%d initial states, the cell has %d", len(states), len(sizes))
	}
	var out *G.Node
	if mask != nil {
		out = zerosNode(g, x.Dtype(), batch, cell.OutputSize())
	}
	var seq []*G.Node
	for i := 0; i < steps; i++ {
		t := i
		if backwards {
			t = steps - 1 - i
		}
		xt, err := graph.SliceAxis(x, 1, t, t+1)
		if err != nil {
			return nil, err
		}
		if xt, err = G.Reshape(xt, tensor.Shape{batch, feat}); err != nil {
			return nil, err
		}
		o, next, err := cell.Step(g, xt, states)
		if err != nil {
			return nil, errors.Wrapf(err, "step %d", t)
		}
		if len(next) != len(sizes) {
			return nil, errors.Errorf("step %d: the cell returned %d states, want %d", t, len(next), len(sizes))
		}
		if mask != nil {
			m, err := graph.SliceAxis(mask, 1, t, t+1) // (B, 1)
			if err != nil {
				return nil, err
			}
			if o, err = keepMasked(g, m, o, out); err != nil {
				return nil, err
			}
			for j := range next {
				if next[j], err = keepMasked(g, m, next[j], states[j]); err != nil {
					return nil, err
				}
			}
		}
		out, states = o, next
		if returnSeq {
			o3, err := G.Reshape(o, tensor.Shape{batch, 1, o.Shape()[1]})
			if err != nil {
				return nil, err
			}
			seq = append(seq, o3)
		}
	}
	if returnSeq {
		var err error
		if len(seq) == 1 {
			out = seq[0]
		} else if out, err = graph.Concat(1, seq...); err != nil {
			return nil, err
		}
	}
	return append([]*G.Node{out}, states...), nil
}

// keepMasked returns old + m·(cur - old) for m (B, 1) of 1/0 and cur, old (B, n).
func keepMasked(g *graph.Graph, m, cur, old *G.Node) (*G.Node, error) {
	n := cur.Shape()[1]
	ones := G.NewMatrix(g.ExprGraph(), cur.Dtype(), G.WithShape(1, n), G.WithName(fmt.Sprintf("rnn_ones_%d", n)),
		G.WithValue(tensor.New(tensor.Of(cur.Dtype()), tensor.WithShape(1, n), tensor.WithBacking(onesOf(cur.Dtype(), n)))))
	mm, err := G.Mul(m, ones) // (B, n)
	if err != nil {
		return nil, err
	}
	d, err := G.Sub(cur, old)
	if err != nil {
		return nil, err
	}
	if d, err = G.HadamardProd(mm, d); err != nil {
		return nil, err
	}
	return G.Add(old, d)
}

func onesOf(dt tensor.Dtype, n int) interface{} {
	if dt == tensor.Float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = 1
		}
		return v
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = 1
	}
	return v
}

// zerosNode is an input (rows, cols) bound to zeros (the executor runs no tensor
// constants).
func zerosNode(g *graph.Graph, dt tensor.Dtype, rows, cols int) *G.Node {
	return G.NewMatrix(g.ExprGraph(), dt, G.WithShape(rows, cols), G.WithName(fmt.Sprintf("rnn_zeros_%dx%d", rows, cols)),
		G.WithValue(tensor.New(tensor.Of(dt), tensor.WithShape(rows, cols))))
}

// Config returns the settings and, for RNN, the cell's class and config.
func (l *RNNLayer) Config() LayerConfig {
	c := map[string]interface{}{"return_sequences": l.returnSeq, "return_state": l.returnState, "go_backwards": l.backwards}
	switch cl := l.cell.(type) {
	case *SimpleRNNCellLayer:
		c["units"] = cl.units
	case *LSTMCellLayer:
		c["units"] = cl.units
	case *GRUCellLayer:
		c["units"] = cl.units
		c["reset_after"] = cl.resetAfter
	}
	if l.kind == "RNN" {
		delete(c, "units")
		delete(c, "reset_after")
		cc := LayerConfig{Class: l.cell.Type(), Name: l.cell.Name()}
		if cf, ok := l.cell.(Configurable); ok {
			cc = cf.Config()
		}
		c["cell"] = map[string]interface{}{"class_name": cc.Class, "config": cc.Config}
	}
	return LayerConfig{l.kind, l.Name(), c}
}

// isNilPointer reports whether v holds a nil pointer (a typed nil in an
// interface), which would panic when its methods run.
func isNilPointer(v interface{}) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Ptr && rv.IsNil()
}
