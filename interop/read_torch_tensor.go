package interop

import (
	"fmt"
	"math/big"

	"github.com/nlpodyssey/gopickle/types"
	"github.com/pkg/errors"
)

// maxExpandedValues is how many values a view may hold beyond its storage's
// length (a view with zero strides, torch's expand): 16M.
const maxExpandedValues = 1 << 24

// maxDictDepth bounds the nesting of dicts flattened into names.
const maxDictDepth = 32

// checkpointKeys are the keys under which a checkpoint dict keeps its state
// dict, tried in this order when the top level holds no tensor.
var checkpointKeys = []string{"state_dict", "model_state_dict", "model"}

// countValues multiplies the dimensions of shape, failing beyond limit values.
func countValues(shape []int, limit int) (int, error) {
	n := 1
	for _, d := range shape {
		if d == 0 {
			return 0, nil
		}
	}
	for _, d := range shape {
		if d < 0 || n > limit/d {
			return 0, errors.Errorf("shape %v holds more than %d values", shape, limit)
		}
		n *= d
	}
	return n, nil
}

// materialize reads v's values, checking every index against its storage
// before any memory is allocated; *budget (values left for the whole file)
// is decreased.
func (v *torchView) materialize(name string, budget *int) (*Tensor, error) {
	st := v.storage
	limit := max(st.numel, maxExpandedValues)
	n, err := countValues(v.size, limit)
	if err != nil {
		return nil, errors.Wrapf(err, "tensor %q on storage %q of %d values", name, st.key, st.numel)
	}
	if n > 0 {
		last := v.offset
		if last >= st.numel {
			return nil, errors.Errorf("tensor %q: storage offset %d is outside storage %q of %d values", name, v.offset, st.key, st.numel)
		}
		for i, d := range v.size {
			if d <= 1 || v.stride[i] == 0 {
				continue
			}
			if d-1 > (st.numel-1-last)/v.stride[i] {
				return nil, errors.Errorf("tensor %q: size %v, stride %v and offset %d reach beyond storage %q of %d values",
					name, v.size, v.stride, v.offset, st.key, st.numel)
			}
			last += (d - 1) * v.stride[i]
		}
	}
	if n > *budget {
		return nil, errors.Errorf("tensor %q of shape %v: the file's views hold more values than its storages allow", name, v.size)
	}
	*budget -= n
	dec := decoder(st.dtype, st.order)
	item := dtypeSize(st.dtype)
	data := make([]float64, n)
	if n > 0 && v.contiguous() {
		raw := st.raw[v.offset*item:]
		for k := range data {
			data[k] = dec(raw[k*item:])
		}
		return &Tensor{Name: name, DType: st.dtype, Shape: append([]int{}, v.size...), Data: data}, nil
	}
	idx := make([]int, len(v.size))
	for k := 0; k < n; k++ {
		at := v.offset
		for i, j := range idx {
			at += j * v.stride[i]
		}
		data[k] = dec(st.raw[at*item:])
		for i := len(idx) - 1; i >= 0; i-- {
			idx[i]++
			if idx[i] < v.size[i] {
				break
			}
			idx[i] = 0
		}
	}
	return &Tensor{Name: name, DType: st.dtype, Shape: append([]int{}, v.size...), Data: data}, nil
}

// contiguous reports whether v's strides are the row-major ones of its size
// (dimensions of size 1 may have any stride).
func (v *torchView) contiguous() bool {
	want := 1
	for i := len(v.size) - 1; i >= 0; i-- {
		if v.size[i] != 1 && v.stride[i] != want {
			return false
		}
		want *= v.size[i]
	}
	return true
}

// dictEntry is one key and value of a pickled dict, in the file's order.
type dictEntry struct {
	key   interface{}
	value interface{}
}

// dictEntries lists a pickled dict's entries in order; ok is false for a value
// that is not a dict.
func dictEntries(v interface{}) ([]dictEntry, bool) {
	switch d := v.(type) {
	case *types.OrderedDict:
		out := make([]dictEntry, 0, d.Len())
		for e := d.List.Front(); e != nil; e = e.Next() {
			ent := e.Value.(*types.OrderedDictEntry)
			out = append(out, dictEntry{ent.Key, ent.Value})
		}
		return out, true
	case *types.Dict:
		out := make([]dictEntry, 0, d.Len())
		for _, e := range *d {
			out = append(out, dictEntry{e.Key, e.Value})
		}
		return out, true
	}
	return nil, false
}

// stateDict turns the unpickled root into a StateDict (see ReadTorch for the
// rules on checkpoints and nesting).
func (l *torchLoader) stateDict(root interface{}) (*StateDict, error) {
	entries, ok := dictEntries(root)
	if !ok {
		if _, isTensor := root.(*torchView); isTensor {
			return nil, errors.New("the file holds a single tensor, not a state dict: save {\"name\": tensor} instead")
		}
		return nil, errors.Errorf("the file holds %s, not a state dict (a dict of tensors)", pyType(root))
	}
	hasTensor := false
	for _, e := range entries {
		if _, ok := e.value.(*torchView); ok {
			hasTensor = true
			break
		}
	}
	if !hasTensor {
	keys:
		for _, k := range checkpointKeys {
			for _, e := range entries {
				if s, _ := e.key.(string); s == k {
					if sub, ok := dictEntries(e.value); ok {
						entries = sub
						break keys
					}
				}
			}
		}
	}
	sd := NewStateDict()
	budget := 2*l.stored + maxExpandedValues
	if err := l.flatten(sd, "", entries, 0, map[interface{}]bool{}, &budget); err != nil {
		return nil, err
	}
	if sd.Len() == 0 {
		return nil, errors.New("the file holds no tensors")
	}
	return sd, nil
}

// flatten adds the tensors of entries (and of dicts nested in them, their names
// joined with ".") to sd; a dict met twice is an error (it would multiply the
// names without end).
func (l *torchLoader) flatten(sd *StateDict, prefix string, entries []dictEntry, depth int, seen map[interface{}]bool, budget *int) error {
	if depth > maxDictDepth {
		return errors.Errorf("dict %q: nested more than %d deep", prefix, maxDictDepth)
	}
	for _, e := range entries {
		var key string
		switch k := e.key.(type) {
		case string:
			key = k
		case int:
			key = fmt.Sprint(k)
		default:
			return errors.Errorf("dict %q: a key is %s, want a str", prefix, pyType(e.key))
		}
		name := prefix + key
		if v, ok := e.value.(*torchView); ok {
			t, err := v.materialize(name, budget)
			if err != nil {
				return err
			}
			if err := sd.Add(t); err != nil {
				return err
			}
			continue
		}
		if sub, ok := dictEntries(e.value); ok {
			if seen[e.value] {
				return errors.Errorf("dict %q appears twice in the file", name)
			}
			seen[e.value] = true
			if err := l.flatten(sd, name+".", sub, depth+1, seen, budget); err != nil {
				return err
			}
			continue
		}
		if !plainValue(e.value) {
			return errors.Errorf("value %q is %s, which a state dict does not hold", name, pyType(e.value))
		}
	}
	return nil
}

// plainValue reports whether v is pickled data a checkpoint may carry beside
// its tensors (a number, a string, None, a list or tuple, bytes); gopickle's
// stand-ins for objects of other classes are not.
func plainValue(v interface{}) bool {
	switch v.(type) {
	case nil, bool, int, float64, string, *big.Int, *types.Tuple, *types.List, []byte, *types.ByteArray:
		return true
	}
	return false
}
