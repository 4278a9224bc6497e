package graph

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// opBase holds the boilerplate every op of this package shares. Ops embed it and
// supply name (used for String and the hash that Gorgonia deduplicates nodes by).
type opBase struct {
	name  string
	arity int
}

func (o opBase) Arity() int            { return o.arity }
func (o opBase) ReturnsPtr() bool      { return false }
func (o opBase) CallsExtern() bool     { return false }
func (o opBase) OverwritesInput() int  { return -1 }
func (o opBase) String() string        { return o.name }
func (o opBase) WriteHash(h hash.Hash) { fmt.Fprint(h, o.name) }
func (o opBase) Hashcode() uint32      { h := fnv.New32a(); o.WriteHash(h); return h.Sum32() }
func (o opBase) sameTypeFn() hm.Type   { return sameType(o.arity) }
func (o opBase) firstShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != o.arity {
		return nil, errors.Errorf("%s: expected %d inputs, got %d", o.name, o.arity, len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, errors.Errorf("%s: input 0 has no shape", o.name)
	}
	return s.Clone(), nil
}

// sameType is the Hindley-Milner type a -> a -> ... -> a of an op of n inputs.
func sameType(n int) hm.Type {
	a := hm.TypeVariable('a')
	ts := make([]hm.Type, n+1)
	for i := range ts {
		ts[i] = a
	}
	return hm.NewFnType(ts...)
}

// denseArgs converts the op's input values to dense tensors, checking the count.
func denseArgs(name string, want int, in []G.Value) ([]*tensor.Dense, error) {
	if len(in) != want {
		return nil, errors.Errorf("%s: expected %d inputs, got %d", name, want, len(in))
	}
	out := make([]*tensor.Dense, want)
	for i, v := range in {
		d, ok := v.(*tensor.Dense)
		if !ok {
			return nil, errors.Errorf("%s: input %d is %T, want a dense tensor", name, i, v)
		}
		out[i] = d
	}
	return out, nil
}

// outputLike returns prealloc when it is a dense tensor of the right size and dtype,
// and a new tensor of the given shape otherwise.
func outputLike(prealloc G.Value, dt tensor.Dtype, shape tensor.Shape) *tensor.Dense {
	if p, ok := prealloc.(*tensor.Dense); ok && p.Dtype() == dt && p.Shape().TotalSize() == shape.TotalSize() {
		if !p.Shape().Eq(shape) {
			if err := p.Reshape(shape...); err != nil {
				return tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
			}
		}
		return p
	}
	return tensor.New(tensor.Of(dt), tensor.WithShape(shape.Clone()...))
}

// checkFloat returns an error unless dt is Float32 or Float64.
func checkFloat(name string, dt tensor.Dtype) error {
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return errors.Errorf("%s: dtype %v is not supported (want float32 or float64)", name, dt)
	}
	return nil
}

// noDiff marks an op as not differentiable with respect to any input. Gorgonia's
// gradient analysis asks every op between the parameters and the cost.
type noDiff struct{}

func (noDiff) DiffWRT(n int) []bool { return make([]bool, n) }
func (noDiff) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, errors.New("op is not differentiable")
}

// recoverOp turns a panic inside Gorgonia (it panics on some shape errors) into an
// error, so that none escapes this package.
func recoverOp(err *error, name string) {
	if r := recover(); r != nil {
		*err = errors.Errorf("%s: %v", name, r)
	}
}
