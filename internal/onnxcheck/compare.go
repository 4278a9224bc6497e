package onnxcheck

import (
	"fmt"
	"math"
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Compare checks ONNX Runtime's outputs against the expected tensors by name
// (gokeras' predictions): the same names, the same shapes and every value
// within atol + rtol*|want|. It returns the largest absolute difference over all
// outputs, and an error naming the first output, index and values that differ.
// The expected tensors may be Float32, Float64, Int64, Int32 or Int.
func Compare(got []Output, want map[string]*tensor.Dense, atol, rtol float64) (float64, error) {
	if len(got) != len(want) {
		return 0, errors.Errorf("onnxcheck: %d outputs %v, want %d %v", len(got), outputNames(got), len(want), sortedKeys(want))
	}
	maxAbs := 0.0
	for _, o := range got {
		w, ok := want[o.Name]
		if !ok {
			return 0, errors.Errorf("onnxcheck: output %q is not among the expected %v", o.Name, sortedKeys(want))
		}
		if !sameShape(o.Shape, w.Shape()) {
			return 0, errors.Errorf("onnxcheck: output %q has shape %v, want %v", o.Name, o.Shape, []int(w.Shape()))
		}
		wv, err := Float64s(w)
		if err != nil {
			return 0, errors.Wrapf(err, "onnxcheck: output %q", o.Name)
		}
		if len(wv) != len(o.Data) {
			return 0, errors.Errorf("onnxcheck: output %q has %d values, want %d", o.Name, len(o.Data), len(wv))
		}
		for i, g := range o.Data {
			d := math.Abs(g - wv[i])
			if math.IsNaN(d) && !(math.IsNaN(g) && math.IsNaN(wv[i])) {
				return maxAbs, errors.Errorf("onnxcheck: output %q value %d: got %v, want %v", o.Name, i, g, wv[i])
			}
			if d > maxAbs {
				maxAbs = d
			}
			if d > atol+rtol*math.Abs(wv[i]) {
				return maxAbs, errors.Errorf("onnxcheck: output %q value %d (of shape %v): got %v, want %v (difference %.3g > %g + %g*|want|)",
					o.Name, i, o.Shape, g, wv[i], d, atol, rtol)
			}
		}
	}
	return maxAbs, nil
}

// Float64s returns the values of x as float64, for Float32, Float64, Int64,
// Int32 and Int tensors.
func Float64s(x *tensor.Dense) ([]float64, error) {
	var out []float64
	switch d := x.Data().(type) {
	case []float32:
		for _, v := range d {
			out = append(out, float64(v))
		}
	case []float64:
		out = append(out, d...)
	case []int64:
		for _, v := range d {
			out = append(out, float64(v))
		}
	case []int32:
		for _, v := range d {
			out = append(out, float64(v))
		}
	case []int:
		for _, v := range d {
			out = append(out, float64(v))
		}
	default:
		return nil, errors.Errorf("dtype %v is not float32, float64, int64, int32 or int", x.Dtype())
	}
	return out, nil
}

func sameShape(a []int, b tensor.Shape) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func outputNames(outs []Output) []string {
	names := make([]string, len(outs))
	for i, o := range outs {
		names[i] = o.Name
	}
	return names
}

func sortedKeys(m map[string]*tensor.Dense) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// String formats o as `name float32 [2 10]`.
func (o Output) String() string { return fmt.Sprintf("%s %s %v", o.Name, o.DType, o.Shape) }
