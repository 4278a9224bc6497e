package datasets

import (
	"testing"

	"gorgonia.org/tensor"
)

// anyDense returns a tensor of any Multi dtype and the given shape holding
// vals (truncated towards zero for integer dtypes).
func anyDense(dt tensor.Dtype, vals []float64, shape ...int) *tensor.Dense {
	switch dt {
	case tensor.Int32:
		v := make([]int32, len(vals))
		for i, x := range vals {
			v[i] = int32(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	case tensor.Int64:
		v := make([]int64, len(vals))
		for i, x := range vals {
			v[i] = int64(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	case tensor.Int:
		v := make([]int, len(vals))
		for i, x := range vals {
			v[i] = int(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	}
	return dense(dt, vals, shape...)
}

// anyValues returns the values of a tensor of any Multi dtype as float64.
func anyValues(t *testing.T, d *tensor.Dense) []float64 {
	t.Helper()
	v, err := denseValues(d)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// gatherMulti returns examples idx of every input and target of m,
// gathered into float64 tensors.
func gatherMulti(t *testing.T, m Multi, idx []int) (xs, ys [][]float64) {
	t.Helper()
	xd := scratchFor(m.Inputs(), len(idx))
	yd := scratchFor(m.Targets(), len(idx))
	if err := m.GatherMulti(idx, xd, yd); err != nil {
		t.Fatalf("GatherMulti(%v): %v", idx, err)
	}
	for _, d := range xd {
		xs = append(xs, d.Float64s())
	}
	for _, d := range yd {
		ys = append(ys, d.Float64s())
	}
	return xs, ys
}

// gatherMultiAll returns every example of m gathered into float64.
func gatherMultiAll(t *testing.T, m Multi) (xs, ys [][]float64) {
	t.Helper()
	return gatherMulti(t, m, identity(m.Len()))
}

// f64 returns a zeroed Float64 tensor of the given shape.
func f64(shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float64))
}

// zeros returns a zeroed tensor of dtype dt and the given shape.
func zeros(dt tensor.Dtype, shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.Of(dt))
}

// userTensors returns 5 examples: input "user_id" (int64, [1]) = 100+i,
// input "features" (float32, [2]) = (10i, 10i+1), target "click" (float64,
// [1]) = i%2.
func userTensors(t *testing.T) *Tensors {
	t.Helper()
	ids, feats, clicks := make([]float64, 5), make([]float64, 10), make([]float64, 5)
	for i := range 5 {
		ids[i] = float64(100 + i)
		feats[2*i], feats[2*i+1] = float64(10*i), float64(10*i+1)
		clicks[i] = float64(i % 2)
	}
	m, err := NewTensors([]string{"user_id", "features"},
		[]*tensor.Dense{anyDense(tensor.Int64, ids, 5), dense(tensor.Float32, feats, 5, 2)},
		[]string{"click"}, []*tensor.Dense{dense(tensor.Float64, clicks, 5, 1)})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// spyMulti counts the calls to the gathering methods of a *Tensors.
type spyMulti struct {
	*Tensors
	multi, input, target int
}

func (s *spyMulti) GatherMulti(idx []int, xs, ys []*tensor.Dense) error {
	s.multi++
	return s.Tensors.GatherMulti(idx, xs, ys)
}

func (s *spyMulti) GatherInput(idx []int, i int, dst *tensor.Dense) error {
	s.input++
	return s.Tensors.GatherInput(idx, i, dst)
}

func (s *spyMulti) GatherTarget(idx []int, j int, dst *tensor.Dense) error {
	s.target++
	return s.Tensors.GatherTarget(idx, j, dst)
}

// plainMulti hides every method of m but those of Multi (no
// TensorGatherer).
type plainMulti struct{ m Multi }

func (p plainMulti) Len() int        { return p.m.Len() }
func (p plainMulti) Inputs() []Spec  { return p.m.Inputs() }
func (p plainMulti) Targets() []Spec { return p.m.Targets() }
func (p plainMulti) GatherMulti(idx []int, xs, ys []*tensor.Dense) error {
	return p.m.GatherMulti(idx, xs, ys)
}

// plainDataset hides every method of ds but those of Dataset.
type plainDataset struct{ ds Dataset }

func (p plainDataset) Len() int                                   { return p.ds.Len() }
func (p plainDataset) XShape() []int                              { return p.ds.XShape() }
func (p plainDataset) YShape() []int                              { return p.ds.YShape() }
func (p plainDataset) Gather(idx []int, x, y *tensor.Dense) error { return p.ds.Gather(idx, x, y) }
