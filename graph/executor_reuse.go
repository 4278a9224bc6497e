package graph

import (
	"unsafe"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ExecutorOption sets an option of NewExecutor.
type ExecutorOption func(*Executor)

// ReuseBuffers lets the Executor hand a node's output memory to a later node
// of the same float type that fits in it (the smallest free block that does)
// once every consumer of the first has run, as PyTorch frees a tensor when its
// last reference goes: the peak memory of a run becomes that of the values
// alive at the same time, not of all of them.
// Only the nodes in keep (the outputs the caller reads) are guaranteed to hold
// their values after Run; Value of any other node is then undefined. A node
// whose output is a view of, or shares memory with, an input keeps that input
// alive as long as itself. Default (without this option): every value is kept.
func ReuseBuffers(keep ...*G.Node) ExecutorOption {
	return func(e *Executor) {
		e.reuse = true
		e.keep = make(map[*G.Node]bool, len(keep))
		for _, n := range keep {
			e.keep[n] = true
		}
	}
}

// reuseState is the bookkeeping of ReuseBuffers: static use counts, the
// references of the current run and the pool of free memory blocks.
type reuseState struct {
	reuse bool
	keep  map[*G.Node]bool
	// step is the index of the step that computes each non-input node.
	step map[*G.Node]int
	// uses is the number of references each step's output starts a run with:
	// one per consumer argument, one more when kept.
	uses []int
	// refs are the references left in the current run; holds lists, per step,
	// the steps whose outputs it keeps alive by sharing their memory.
	refs  []int
	holds [][]int
	// owns tells, per step, whether its last output is a tensor of its own
	// (not a view of, nor the memory of, an input): only those are pooled.
	owns []bool
	// pool holds the free float32 and float64 memory, lent holds, per step,
	// the memory its current output was given from the pool (nil when the op
	// allocated its own).
	pool []mem
	lent []mem
	// made holds, per step, the tensor takeBuffer last made for it, reused
	// when the step gets the same block again (as it does run after run).
	made []*tensor.Dense
	// reused counts the outputs made on pooled memory, over all runs.
	reused int
}

// mem is a block of free float32 or float64 memory (one of the two is set).
type mem struct {
	f32 []float32
	f64 []float64
}

// size is the number of elements of m; 0 for none.
func (m mem) size() int { return max(len(m.f32), len(m.f64)) }

// addr is the address of m's first element (m is not empty).
func (m mem) addr() uintptr {
	if m.f32 != nil {
		return uintptr(unsafe.Pointer(&m.f32[0]))
	}
	return uintptr(unsafe.Pointer(&m.f64[0]))
}

// planReuse counts the uses of each step's output; called by NewExecutor.
func (e *Executor) planReuse() {
	if !e.reuse {
		return
	}
	e.step = make(map[*G.Node]int, len(e.steps))
	for i := range e.steps {
		e.step[e.steps[i].node] = i
	}
	e.uses = make([]int, len(e.steps))
	for i := range e.steps {
		for _, a := range e.steps[i].args {
			if j, ok := e.step[a]; ok {
				e.uses[j]++
			}
		}
		if e.keep[e.steps[i].node] {
			e.uses[i]++
		}
	}
	e.refs = make([]int, len(e.steps))
	e.holds = make([][]int, len(e.steps))
	e.owns = make([]bool, len(e.steps))
	e.lent = make([]mem, len(e.steps))
	e.made = make([]*tensor.Dense, len(e.steps))
}

// beginRun resets the references of a run.
func (e *Executor) beginRun() {
	if e.reuse {
		copy(e.refs, e.uses)
	}
}

// takeBuffer returns a tensor of step i's output type and shape made on the
// smallest free block that holds it, or nil (then the op allocates). A kept
// node gets none: it holds its output from one run to the next, and a large
// block lent to a small output would be lost to the pool.
func (e *Executor) takeBuffer(i int) *tensor.Dense {
	n := e.steps[i].node
	if !e.reuse || e.keep[n] {
		return nil
	}
	size, dt := n.Shape().TotalSize(), n.Dtype()
	if size == 0 || n.Shape().Dims() == 0 || (dt != tensor.Float32 && dt != tensor.Float64) {
		return nil
	}
	best := -1
	for j, m := range e.pool {
		if (m.f32 != nil) != (dt == tensor.Float32) || m.size() < size {
			continue
		}
		if best < 0 || m.size() < e.pool[best].size() {
			best = j
		}
	}
	if best < 0 {
		return nil
	}
	m := e.pool[best]
	e.pool[best] = e.pool[len(e.pool)-1]
	e.pool = e.pool[:len(e.pool)-1]
	e.lent[i] = m
	e.reused++
	if d := e.made[i]; d != nil && d.Uintptr() == m.addr() && d.Shape().Eq(n.Shape()) {
		return d
	}
	shape := tensor.WithShape(n.Shape().Clone()...)
	if m.f32 != nil {
		e.made[i] = tensor.New(shape, tensor.WithBacking(m.f32[:size]))
	} else {
		e.made[i] = tensor.New(shape, tensor.WithBacking(m.f64[:size]))
	}
	return e.made[i]
}

// putBack returns the block lent to step i to the pool.
func (e *Executor) putBack(i int) {
	if m := e.lent[i]; m.size() > 0 {
		e.pool = append(e.pool, m)
	}
	e.lent[i] = mem{}
}

// produced records step i's output: an output that shares memory with its
// inputs holds a reference on each of them. A step nobody reads is released
// at once.
func (e *Executor) produced(i int, out G.Value, in []G.Value) {
	if !e.reuse {
		return
	}
	e.holds[i] = e.holds[i][:0]
	_, dense := out.(*tensor.Dense)
	e.owns[i] = dense && ownsMemory(out, in)
	if dense && !e.owns[i] {
		for _, a := range e.steps[i].args {
			if j, ok := e.step[a]; ok {
				e.refs[j]++
				e.holds[i] = append(e.holds[i], j)
			}
		}
	}
	if e.refs[i] == 0 {
		e.release(i)
	}
}

// consumed drops step i's references on its arguments' outputs.
func (e *Executor) consumed(i int) {
	if !e.reuse {
		return
	}
	for _, a := range e.steps[i].args {
		if j, ok := e.step[a]; ok {
			e.refs[j]--
			if e.refs[j] == 0 {
				e.release(j)
			}
		}
	}
}

// release frees step j's output: its memory goes to the pool when the step
// owns it, and the outputs it shared memory with lose a reference.
func (e *Executor) release(j int) {
	s := &e.steps[j]
	v := e.vals[s.node]
	delete(e.vals, s.node)
	switch d, ok := v.(*tensor.Dense); {
	case e.lent[j].size() > 0:
		// The output was made on a pooled block: return the whole block.
		e.putBack(j)
	case ok && s.prealloc && e.owns[j]:
		switch data := d.Data().(type) {
		case []float32:
			if len(data) > 0 {
				e.pool = append(e.pool, mem{f32: data})
			}
		case []float64:
			if len(data) > 0 {
				e.pool = append(e.pool, mem{f64: data})
			}
		}
	}
	for _, h := range e.holds[j] {
		e.refs[h]--
		if e.refs[h] == 0 {
			e.release(h)
		}
	}
}
