package tensorvals

import "gorgonia.org/tensor"

// Floats returns a copy of t's values as float64 when t holds float32 or
// float64, nil for other dtypes.
func Floats(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case []float64:
		return append([]float64(nil), d...)
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	}
	return nil
}

// Ints returns t's values as float64 when t holds int, int64 or int32, nil for
// other dtypes.
func Ints(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case []int:
		return convert(d)
	case []int64:
		return convert(d)
	case []int32:
		return convert(d)
	}
	return nil
}

func convert[T int | int64 | int32](d []T) []float64 {
	out := make([]float64, len(d))
	for i, v := range d {
		out[i] = float64(v)
	}
	return out
}
