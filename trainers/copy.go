package trainers

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// copyValues copies n values from src at sOff to dst at dOff, converting between
// float32 and float64, between the integer types int32, int64 and int, and from
// those integer types to floats; strings are copied into strings. Callers check
// the dtypes first (checkValues, checkData): other pairs copy nothing.
func copyValues(dst *tensor.Dense, dOff int, src *tensor.Dense, sOff, n int) {
	switch d := dst.Data().(type) {
	case []string:
		if s, ok := src.Data().([]string); ok {
			copy(d[dOff:dOff+n], s[sOff:sOff+n])
		}
	case []float32:
		switch s := src.Data().(type) {
		case []float32:
			copy(d[dOff:dOff+n], s[sOff:sOff+n])
		case []float64:
			for i := 0; i < n; i++ {
				d[dOff+i] = float32(s[sOff+i])
			}
		case []int64, []int32, []int:
			for i := 0; i < n; i++ {
				d[dOff+i] = float32(intAt(src, sOff+i))
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
		case []int64, []int32, []int:
			for i := 0; i < n; i++ {
				d[dOff+i] = float64(intAt(src, sOff+i))
			}
		}
	case []int64:
		if !isIntType(src.Dtype()) {
			return
		}
		for i := 0; i < n; i++ {
			d[dOff+i] = intAt(src, sOff+i)
		}
	case []int32:
		if !isIntType(src.Dtype()) {
			return
		}
		for i := 0; i < n; i++ {
			d[dOff+i] = int32(intAt(src, sOff+i))
		}
	case []int:
		if !isIntType(src.Dtype()) {
			return
		}
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
// says which tensor), an integer outside int32 for an int32 destination, or a dtype
// that does not fit want, the model's dtype for the tensor (see checkDType); a
// float64 value beyond float32's range for a float32 model is an error too. String
// tensors (raw categories for a StringLookup) hold no numbers: only their dtype is
// checked.
func checkValues(name string, x *tensor.Dense, want tensor.Dtype) error {
	if err := checkDType(name, x.Dtype(), want); err != nil {
		return err
	}
	per := 1
	if x.Dims() > 1 {
		per = x.Shape().TotalSize() / x.Shape()[0]
	}
	bad := func(i int, v float64) error {
		return errors.Errorf("%s has %v in row %d at position %d", name, v, i/per, i%per)
	}
	if want == tensor.String {
		return nil
	}
	if isIntType(want) {
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
		if i := firstNonFinite32(d); i >= 0 {
			return bad(i, float64(d[i]))
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
	}
	return nil
}

// checkDType returns an error naming the tensor (name) when data of dtype got
// cannot feed a model input of dtype want: a String input takes String data only
// (raw categories, which a StringLookup inside the model maps to ids), and String
// data feeds nothing else; an integer input takes int32, int64 or int ids; a float
// input takes float32 or float64 data.
func checkDType(name string, got, want tensor.Dtype) error {
	switch {
	case want == tensor.String && got != tensor.String:
		return errors.Errorf("%s is %v, the model takes strings (a String input, read by a StringLookup)", name, got)
	case want == tensor.String:
		return nil
	case got == tensor.String && isIntType(want):
		return errors.Errorf("%s is string, the model takes integer ids (%v): only a String input takes strings", name, want)
	case got == tensor.String:
		return errors.Errorf("%s is string, the model takes numbers (%v): only a String input takes strings", name, want)
	case isIntType(want) && !isIntType(got):
		return errors.Errorf("%s is %v, the model takes integer ids (%v)", name, got, want)
	case !isIntType(want) && got != tensor.Float32 && got != tensor.Float64:
		return errors.Errorf("%s is %v, want float32 or float64", name, got)
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
