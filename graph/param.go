package graph

import (
	"math"
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Param is a named tensor owned by a model: a weight, a bias, or a non-trainable
// statistic. Every compiled program binds its node for the Param to Value itself,
// so an in-place update by an optimizer is seen by all of them.
type Param struct {
	// Name is unique within a model, "layer/weight" (e.g. "dense_1/kernel").
	Name string
	// Value holds the data; its shape never changes once created.
	Value *tensor.Dense
	// Trainable is false for statistics that the optimizer must not touch.
	Trainable bool
	// Scope is the prefix of Name given by the models the weight was built inside
	// ("tower/" for a model applied as a layer named tower); Name without it is the
	// weight's name within the model that made it.
	Scope string
	// Regularizer is the penalty on the weight added to the training loss (zero:
	// none). Trainers collect it from every parameter a training program uses.
	Regularizer Regularizer
}

// NewParam creates a trainable parameter of the given dtype (Float32 or Float64)
// and shape, filled by init. fanIn and fanOut are the initializer's fans (for a
// Dense kernel of shape (in, out): in and out).
func NewParam(name string, dt tensor.Dtype, shape []int, init Initializer, fanIn, fanOut int, rng *rand.Rand) (*Param, error) {
	if err := checkFloat("param "+name, dt); err != nil {
		return nil, err
	}
	size := 1
	for _, d := range shape {
		if d <= 0 {
			return nil, errors.Errorf("param %s: shape %v has a dimension <= 0", name, shape)
		}
		if size > math.MaxInt/d {
			return nil, errors.Errorf("param %s: shape %v has more values than an int counts", name, shape)
		}
		size *= d
	}
	if bytes, limit := float64(size)*float64(dt.Size()), memoryLimit(); bytes > limit {
		return nil, errors.Errorf("param %s: shape %v takes %.3g GB, more than this machine's %.3g GB of memory (a vocabulary too large? hash it into fewer bins)",
			name, shape, bytes/1e9, limit/1e9)
	}
	if init == nil {
		return nil, errors.Errorf("param %s: no initializer", name)
	}
	if dt == tensor.Float32 && size > fillChunk && chunkable(init) {
		data := make([]float32, size)
		if err := fillFloat32(init, rng, fanIn, fanOut, data); err != nil {
			return nil, errors.Wrapf(err, "param %s", name)
		}
		t := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
		return &Param{Name: name, Value: t, Trainable: true}, nil
	}
	vals := make([]float64, size)
	if err := init.Fill(rng, fanIn, fanOut, vals); err != nil {
		return nil, errors.Wrapf(err, "param %s", name)
	}
	var t *tensor.Dense
	if dt == tensor.Float32 {
		data := make([]float32, size)
		for i, v := range vals {
			data[i] = float32(v)
		}
		t = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
	} else {
		t = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(vals))
	}
	return &Param{Name: name, Value: t, Trainable: true}, nil
}

// Size is the number of elements of the parameter.
func (p *Param) Size() int { return p.Value.Shape().TotalSize() }

// Float64s returns a copy of the parameter's values as float64.
func (p *Param) Float64s() []float64 {
	switch d := p.Value.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	}
	return nil
}

// SetFloat64s overwrites the parameter's values in place; len(v) must equal Size.
func (p *Param) SetFloat64s(v []float64) error {
	if len(v) != p.Size() {
		return errors.Errorf("param %s: %d values for %d elements (shape %v)", p.Name, len(v), p.Size(), p.Value.Shape())
	}
	switch d := p.Value.Data().(type) {
	case []float32:
		for i, x := range v {
			d[i] = float32(x)
		}
	case []float64:
		copy(d, v)
	}
	return nil
}
