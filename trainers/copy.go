package trainers

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// copyValues copies n values from src at sOff to dst at dOff, converting between
// float32 and float64, and between the integer types int32, int64 and int.
func copyValues(dst *tensor.Dense, dOff int, src *tensor.Dense, sOff, n int) {
	switch d := dst.Data().(type) {
	case []float32:
		switch s := src.Data().(type) {
		case []float32:
			copy(d[dOff:dOff+n], s[sOff:sOff+n])
		case []float64:
			for i := 0; i < n; i++ {
				d[dOff+i] = float32(s[sOff+i])
			}
		}
	case []float64:
		switch s := src.Data().(type) {
		case []float32:
			for i := 0; i < n; i++ {
				d[dOff+i] = float64(s[sOff+i])
			}
		case []float64:
			copy(d[dOff:dOff+n], s[sOff:sOff+n])
		}
	case []int64:
		for i := 0; i < n; i++ {
			d[dOff+i] = intAt(src, sOff+i)
		}
	case []int32:
		for i := 0; i < n; i++ {
			d[dOff+i] = int32(intAt(src, sOff+i))
		}
	case []int:
		for i := 0; i < n; i++ {
			d[dOff+i] = int(intAt(src, sOff+i))
		}
	}
}

// intAt reads element i of an integer tensor.
func intAt(t *tensor.Dense, i int) int64 {
	switch s := t.Data().(type) {
	case []int64:
		return s[i]
	case []int32:
		return int64(s[i])
	case []int:
		return int64(s[i])
	}
	return 0
}

// checkValues returns an error naming the first NaN or Inf of a float tensor x (name
// says which tensor), an integer outside int32 for an int32 destination, or an
// unsupported dtype; a float64 value beyond float32's range for a float32 model is an
// error too. want is the model's dtype for the tensor.
func checkValues(name string, x *tensor.Dense, want tensor.Dtype) error {
	per := 1
	if x.Dims() > 1 {
		per = x.Shape().TotalSize() / x.Shape()[0]
	}
	bad := func(i int, v float64) error {
		return errors.Errorf("%s has %v in row %d at position %d", name, v, i/per, i%per)
	}
	if isIntType(want) {
		if !isIntType(x.Dtype()) {
			return errors.Errorf("%s is %v, the model takes integer ids (%v)", name, x.Dtype(), want)
		}
		if want == tensor.Int32 {
			for i := 0; i < x.Shape().TotalSize(); i++ {
				if v := intAt(x, i); v < math.MinInt32 || v > math.MaxInt32 {
					return errors.Errorf("%s has %d in row %d at position %d, beyond int32", name, v, i/per, i%per)
				}
			}
		}
		return nil
	}
	switch d := x.Data().(type) {
	case []float32:
		for i, v := range d {
			if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
				return bad(i, f)
			}
		}
	case []float64:
		for i, v := range d {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return bad(i, v)
			}
			if want == tensor.Float32 && math.Abs(v) > math.MaxFloat32 {
				return errors.Errorf("%s has %v in row %d at position %d, beyond the range of float32 (the model's dtype)", name, v, i/per, i%per)
			}
		}
	default:
		return errors.Errorf("%s is %v, want float32 or float64", name, x.Dtype())
	}
	return nil
}

// checkIDsOf checks every id of the integer inputs xs that feed an Embedding of model
// m against its vocabulary (see layers.Functional.IDLimits); label names input i.
func checkIDsOf(what string, m interface{}, label func(int) string, xs []*tensor.Dense) error {
	lm, ok := m.(idLimiter)
	if !ok {
		return nil
	}
	limits, readers := lm.IDLimits(), lm.IDReaders()
	for i, x := range xs {
		if i >= len(limits) || limits[i] == 0 || !isIntType(x.Dtype()) {
			continue
		}
		n := x.Shape().TotalSize()
		per := n / x.Shape()[0]
		for k := 0; k < n; k++ {
			if v := intAt(x, k); v < 0 || v >= int64(limits[i]) {
				return errors.Errorf("%s: %s row %d position %d holds id %d, out of range [0, %d) of embedding %q", what, label(i), k/per, k%per, v, limits[i], readers[i])
			}
		}
	}
	return nil
}
