package datasets

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// floats is the contiguous storage of a Float32 or Float64 dense tensor:
// exactly one of f32 and f64 is non-nil.
type floats struct {
	f32 []float32
	f64 []float64
}

// len returns the number of values in the storage.
func (f floats) len() int {
	if f.f32 != nil {
		return len(f.f32)
	}
	return len(f.f64)
}

// at returns the value at flat position i as a float64.
func (f floats) at(i int) float64 {
	if f.f32 != nil {
		return float64(f.f32[i])
	}
	return f.f64[i]
}

// copyFloats copies n values from src[sOff:] to dst[dOff:], converting
// between float32 and float64 as needed. Offsets must be in range.
func copyFloats(dst floats, dOff int, src floats, sOff, n int) {
	switch {
	case dst.f64 != nil && src.f64 != nil:
		copy(dst.f64[dOff:dOff+n], src.f64[sOff:sOff+n])
	case dst.f32 != nil && src.f32 != nil:
		copy(dst.f32[dOff:dOff+n], src.f32[sOff:sOff+n])
	case dst.f64 != nil:
		d, s := dst.f64[dOff:dOff+n], src.f32[sOff:sOff+n]
		for i, v := range s {
			d[i] = float64(v)
		}
	default:
		d, s := dst.f32[dOff:dOff+n], src.f64[sOff:sOff+n]
		for i, v := range s {
			d[i] = float32(v)
		}
	}
}

// isFloat reports whether dt is Float32 or Float64.
func isFloat(dt tensor.Dtype) bool {
	return dt == tensor.Float32 || dt == tensor.Float64
}

// rawFloats returns the storage of a contiguous float dense tensor d,
// trimmed to its total size.
func rawFloats(d *tensor.Dense) floats {
	size := d.Shape().TotalSize()
	if d.Dtype() == tensor.Float32 {
		return floats{f32: d.Float32s()[:size]}
	}
	return floats{f64: d.Float64s()[:size]}
}

// destFloats checks that d (named name in errors) can receive want values:
// non-nil, Float32 or Float64, contiguous and of total size want. It returns
// the storage to write into.
func destFloats(name string, d *tensor.Dense, want int) (floats, error) {
	if d == nil {
		return floats{}, errors.Errorf("%s is nil", name)
	}
	if !isFloat(d.Dtype()) {
		return floats{}, errors.Errorf("%s has dtype %v, want float32 or float64", name, d.Dtype())
	}
	if d.Shape().IsScalar() {
		return floats{}, errors.Errorf("%s is a scalar, want %d values", name, want)
	}
	if d.RequiresIterator() {
		return floats{}, errors.Errorf("%s is not contiguous (a transposed or strided view)", name)
	}
	if got := d.Shape().TotalSize(); got != want || d.DataSize() < want {
		return floats{}, errors.Errorf("%s has %d values (shape %v), want %d", name, got, d.Shape(), want)
	}
	return rawFloats(d), nil
}

// prod returns the product of the dimensions in shape (1 for an empty shape).
func prod(shape []int) int {
	p := 1
	for _, d := range shape {
		p *= d
	}
	return p
}

// cloneInts returns a copy of s that shares no memory with it.
func cloneInts(s []int) []int {
	return append([]int(nil), s...)
}
