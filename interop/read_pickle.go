package interop

import (
	"bytes"
	"fmt"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"
	"github.com/pkg/errors"
)

// torchStorageClass stands for one of the allow-listed torch.*Storage classes:
// it only names a dtype; nothing of it is executed.
type torchStorageClass struct {
	name  string // "FloatStorage"
	dtype string // "float32"
}

// torchStorageDTypes maps the torch.*Storage classes a state dict may name to
// their dtypes in PyTorch's spelling.
var torchStorageDTypes = map[string]string{
	"HalfStorage":     "float16",
	"BFloat16Storage": "bfloat16",
	"FloatStorage":    "float32",
	"DoubleStorage":   "float64",
	"CharStorage":     "int8",
	"ShortStorage":    "int16",
	"IntStorage":      "int32",
	"LongStorage":     "int64",
	"ByteStorage":     "uint8",
	"BoolStorage":     "bool",
}

// torchRebuild stands for one of the allow-listed torch._utils functions that
// rebuild a tensor or a parameter; Call only records its arguments' meaning.
type torchRebuild struct{ name string }

// Call builds a *torchView from the pickled arguments, checking their types.
func (f *torchRebuild) Call(args ...interface{}) (interface{}, error) {
	switch f.name {
	case "_rebuild_tensor_v2", "_rebuild_tensor":
		if len(args) < 4 {
			return nil, errors.Errorf("torch._utils.%s: %d arguments, want at least 4", f.name, len(args))
		}
		st, ok := args[0].(*torchStorage)
		if !ok {
			return nil, errors.Errorf("torch._utils.%s: argument 0 is %s, want a storage", f.name, pyType(args[0]))
		}
		off, ok := args[1].(int)
		if !ok || off < 0 {
			return nil, errors.Errorf("torch._utils.%s: storage offset %v is not a non-negative int", f.name, args[1])
		}
		size, err := intTuple(args[2], "size")
		if err != nil {
			return nil, errors.Wrapf(err, "torch._utils.%s", f.name)
		}
		stride, err := intTuple(args[3], "stride")
		if err != nil {
			return nil, errors.Wrapf(err, "torch._utils.%s", f.name)
		}
		if len(size) != len(stride) {
			return nil, errors.Errorf("torch._utils.%s: size %v and stride %v differ in rank", f.name, size, stride)
		}
		return &torchView{storage: st, offset: off, size: size, stride: stride}, nil
	case "_rebuild_parameter", "_rebuild_parameter_with_state":
		if len(args) < 1 {
			return nil, errors.Errorf("torch._utils.%s: no arguments", f.name)
		}
		v, ok := args[0].(*torchView)
		if !ok {
			return nil, errors.Errorf("torch._utils.%s: argument 0 is %s, want a tensor", f.name, pyType(args[0]))
		}
		return v, nil
	}
	return nil, errors.Errorf("torch._utils.%s is not allowed", f.name)
}

// intTuple reads a pickled tuple of non-negative ints (a size or a stride).
func intTuple(v interface{}, what string) ([]int, error) {
	t, ok := v.(*types.Tuple)
	if !ok {
		return nil, errors.Errorf("%s is %s, want a tuple of ints", what, pyType(v))
	}
	out := make([]int, t.Len())
	for i := range out {
		n, ok := t.Get(i).(int)
		if !ok || n < 0 {
			return nil, errors.Errorf("%s[%d] = %v is not a non-negative int", what, i, t.Get(i))
		}
		out[i] = n
	}
	return out, nil
}

// pyType names the Go stand-in of a pickled value for error messages.
func pyType(v interface{}) string {
	switch v.(type) {
	case nil:
		return "None"
	case int:
		return "an int"
	case float64:
		return "a float"
	case string:
		return "a str"
	case *types.Tuple:
		return "a tuple"
	case *types.List:
		return "a list"
	case *types.Dict, *types.OrderedDict:
		return "a dict"
	case *torchView:
		return "a tensor"
	case *torchStorage:
		return "a storage"
	}
	return fmt.Sprintf("a %T", v)
}

// allowTorchClass is the unpickler's FindClass: it resolves exactly the classes
// and functions a state dict needs (collections.OrderedDict is resolved by
// gopickle itself) and refuses every other one by its module.name.
func allowTorchClass(module, name string) (interface{}, error) {
	switch module {
	case "torch._utils":
		switch name {
		case "_rebuild_tensor_v2", "_rebuild_tensor", "_rebuild_parameter", "_rebuild_parameter_with_state":
			return &torchRebuild{name: name}, nil
		}
	case "torch":
		if dt, ok := torchStorageDTypes[name]; ok {
			return &torchStorageClass{name: name, dtype: dt}, nil
		}
	}
	return nil, errors.Errorf("class %s.%s is not allowed: only tensors and dicts of tensors are read; "+
		"the file holds a pickled module or other object, save model.state_dict() instead", module, name)
}

// unpickleRestricted decodes the pickle in data with gopickle after scanPickle
// has checked every claimed length, resolving classes with allowTorchClass and
// persistent ids with load. gopickle panics on some malformed pickles (an odd
// number of SETITEMS operands, a short stack): such a panic becomes an error
// here, so that only panics of this package's own code reach the recover of
// the public API (and the fuzz targets, which call below it).
func unpickleRestricted(data []byte, load func(interface{}) (interface{}, error)) (v interface{}, err error) {
	if _, err := scanPickle(data); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, errors.Errorf("pickle: malformed (%v)", r)
		}
	}()
	u := pickle.NewUnpickler(bytes.NewReader(data))
	u.FindClass = allowTorchClass
	u.PersistentLoad = load
	u.GetExtension = func(code int) (interface{}, error) {
		return nil, errors.Errorf("pickle: extension code %d is not allowed", code)
	}
	return u.Load()
}
