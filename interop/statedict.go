package interop

import (
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Tensor is one named array of a state dict, as another framework stored it:
// Shape in that framework's layout (a torch.nn.Linear weight is (out, in)), values
// widened to float64 row-major in Data (integer tensors such as BatchNorm's
// num_batches_tracked keep their values exactly up to 2^53). DType names the stored
// type in PyTorch's spelling ("float32", "float16", "bfloat16", "float64",
// "int64", ...).
type Tensor struct {
	Name  string
	DType string
	Shape []int
	Data  []float64
}

// Size is the number of values the shape holds (1 for a scalar of shape ()).
func (t *Tensor) Size() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// StateDict is an ordered set of named tensors: a PyTorch state_dict, the tensors
// of a safetensors file, or Keras' get_weights() saved by NumPy. Order is the
// file's order (a state_dict's order is the module's registration order).
type StateDict struct {
	names   []string
	tensors map[string]*Tensor
}

// NewStateDict returns an empty state dict.
func NewStateDict() *StateDict { return &StateDict{tensors: map[string]*Tensor{}} }

// Add appends t; a second tensor of the same name, a negative dimension or a
// data length that does not match the shape is an error naming the tensor.
func (s *StateDict) Add(t *Tensor) error {
	if t == nil {
		return errors.New("state dict: nil tensor")
	}
	if _, dup := s.tensors[t.Name]; dup {
		return errors.Errorf("state dict: two tensors are named %q", t.Name)
	}
	for _, d := range t.Shape {
		if d < 0 {
			return errors.Errorf("state dict: tensor %q has shape %v with a negative dimension", t.Name, t.Shape)
		}
	}
	if t.Size() != len(t.Data) {
		return errors.Errorf("state dict: tensor %q of shape %v holds %d values, want %d", t.Name, t.Shape, len(t.Data), t.Size())
	}
	s.names = append(s.names, t.Name)
	s.tensors[t.Name] = t
	return nil
}

// Names lists the tensors' names in file order.
func (s *StateDict) Names() []string { return append([]string(nil), s.names...) }

// Len is the number of tensors.
func (s *StateDict) Len() int { return len(s.names) }

// Get returns the tensor called name, or nil.
func (s *StateDict) Get(name string) *Tensor { return s.tensors[name] }

// SortedNames lists the tensors' names in lexical order.
func (s *StateDict) SortedNames() []string {
	n := s.Names()
	sort.Strings(n)
	return n
}

// Dense returns t's values as a tensor of dtype dt (tensor.Float32 or
// tensor.Float64) and t's own shape (a scalar becomes shape (1)).
func (t *Tensor) Dense(dt tensor.Dtype) (*tensor.Dense, error) {
	shape := t.Shape
	if len(shape) == 0 {
		shape = []int{1}
	}
	switch dt {
	case tensor.Float32:
		v := make([]float32, len(t.Data))
		for i, x := range t.Data {
			v[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v)), nil
	case tensor.Float64:
		v := append([]float64(nil), t.Data...)
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v)), nil
	}
	return nil, errors.Errorf("tensor %q: dtype %v is not float32 or float64", t.Name, dt)
}
