package graph

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Executor runs a Gorgonia graph node by node, keeping every node's output tensor
// from one run to the next and handing it back to the op as its destination
// (UsePreallocDo). A TapeMachine must be Reset after every run, which drops its
// registers, so every run allocates every intermediate tensor afresh; an Executor
// allocates them once. By default it keeps every value alive (no register
// reuse): more resident memory for no garbage per step; ReuseBuffers shares
// memory between values that are not alive at the same time, ComputeOnly
// skips what nothing reads.
//
// Values are read with Value after Run. An Executor is not safe for concurrent use;
// separate Executors on separate graphs may run in parallel.
type Executor struct {
	steps []execStep
	vals  map[*G.Node]G.Value
	only  []*G.Node // ComputeOnly's nodes; nil: every node
	reuseState
}

type execStep struct {
	node     *G.Node
	op       G.Op
	args     []*G.Node
	in       []G.Value
	prealloc bool
}

// NewExecutor orders the nodes of g for execution. Input nodes must be bound to
// values (G.WithValue); statement nodes (G.Read) are not supported. Options:
// ComputeOnly, ReuseBuffers.
func NewExecutor(g *G.ExprGraph, opts ...ExecutorOption) (*Executor, error) {
	sorted, err := G.Sort(g)
	if err != nil {
		return nil, errors.Wrap(err, "executor: sort graph")
	}
	e := &Executor{vals: make(map[*G.Node]G.Value, len(sorted))}
	for _, o := range opts {
		o(e)
	}
	var need map[*G.Node]bool
	if e.only != nil {
		need = ancestorsOf(g, e.only)
	}
	for i := len(sorted) - 1; i >= 0; i-- {
		n := sorted[i]
		if need != nil && !need[n] {
			continue
		}
		op := n.Op()
		if op == nil { // an input: bound to its value
			if n.Value() == nil {
				return nil, errors.Errorf("executor: input %s has no value", n.Name())
			}
			continue
		}
		var args []*G.Node
		for it := g.From(n.ID()); it.Next(); {
			args = append(args, it.Node().(*G.Node))
		}
		if op.Arity() >= 0 && op.Arity() != len(args) {
			return nil, errors.Errorf("executor: node %s: op %v takes %d inputs, has %d", n.Name(), op, op.Arity(), len(args))
		}
		_, pre := op.(G.UsePreallocDoer)
		e.steps = append(e.steps, execStep{node: n, op: op, args: args, in: make([]G.Value, len(args)), prealloc: pre})
	}
	e.planReuse()
	return e, nil
}

// Run computes every node once.
func (e *Executor) Run() (err error) {
	defer recoverOp(&err, "executor")
	e.beginRun()
	for i := range e.steps {
		s := &e.steps[i]
		for j, a := range s.args {
			v, ok := e.vals[a]
			if !ok {
				v = a.Value()
			}
			s.in[j] = v
		}
		var out G.Value
		prev, had := e.vals[s.node]
		var pooled *tensor.Dense
		if !had && s.prealloc {
			if pooled = e.takeBuffer(i); pooled != nil {
				prev, had = pooled, true
			}
		}
		if had && s.prealloc {
			out, err = s.op.(G.UsePreallocDoer).UsePreallocDo(prev, s.in...)
			if err != nil && pooled != nil {
				// The node's static shape may not be the one the op
				// computes: let it allocate its own.
				e.putBack(i)
				pooled = nil
				out, err = s.op.Do(s.in...)
			}
		} else {
			out, err = s.op.Do(s.in...)
		}
		if err != nil {
			return errors.Wrapf(err, "executor: node %s (%v)", s.node.Name(), s.op)
		}
		if pooled != nil {
			if d, ok := out.(*tensor.Dense); !ok || d.Uintptr() != pooled.Uintptr() {
				e.putBack(i) // the op did not write into it
			}
		}
		if (!had || pooled != nil) && s.prealloc {
			// Reuse the output next time only if it is a tensor of its own, not a
			// view of an input (Reshape, Transpose) that the op would write into.
			s.prealloc = ownsMemory(out, s.in)
		}
		e.vals[s.node] = out
		e.produced(i, out, s.in)
		e.consumed(i)
	}
	return nil
}

// Value is n's value after the last Run (an input's bound value for inputs).
func (e *Executor) Value(n *G.Node) G.Value {
	if v, ok := e.vals[n]; ok {
		return v
	}
	return n.Value()
}

// Dense is Value as a dense tensor, or nil if it is not one.
func (e *Executor) Dense(n *G.Node) *tensor.Dense {
	d, _ := e.Value(n).(*tensor.Dense)
	return d
}

// ownsMemory reports whether out is a dense tensor whose memory is not that of any
// input.
func ownsMemory(out G.Value, in []G.Value) bool {
	d, ok := out.(*tensor.Dense)
	if !ok || d.IsView() {
		return false
	}
	for _, v := range in {
		if t, ok := v.(*tensor.Dense); ok && t.Uintptr() == d.Uintptr() {
			return false
		}
	}
	return true
}
