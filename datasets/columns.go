package datasets

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// column is the contiguous storage of a dense tensor of one of the dtypes a
// Multi data set holds: dt says which one of the slices is in use.
type column struct {
	dt   tensor.Dtype
	f32  []float32
	f64  []float64
	i32  []int32
	i64  []int64
	ints []int
	strs []string
}

// number is the set of element types a column holds.
type number interface {
	~float32 | ~float64 | ~int32 | ~int64 | ~int
}

// isMultiDtype reports whether dt is a storage dtype of Tensors: Float32,
// Float64, Int32, Int64, Int or String.
func isMultiDtype(dt tensor.Dtype) bool {
	return isNumericDtype(dt) || dt == tensor.String
}

// isNumericDtype reports whether dt is Float32, Float64, Int32, Int64 or
// Int: the dtypes a number can be gathered into.
func isNumericDtype(dt tensor.Dtype) bool {
	return isFloat(dt) || isIntDtype(dt)
}

// isIntDtype reports whether dt is Int32, Int64 or Int.
func isIntDtype(dt tensor.Dtype) bool {
	return dt == tensor.Int32 || dt == tensor.Int64 || dt == tensor.Int
}

// denseColumn returns the storage of a contiguous dense tensor d of a dtype
// accepted by isMultiDtype, trimmed to its total size.
func denseColumn(d *tensor.Dense) column {
	size := d.Shape().TotalSize()
	c := column{dt: d.Dtype()}
	switch c.dt {
	case tensor.Float32:
		c.f32 = d.Float32s()[:size]
	case tensor.Float64:
		c.f64 = d.Float64s()[:size]
	case tensor.Int32:
		c.i32 = d.Int32s()[:size]
	case tensor.Int64:
		c.i64 = d.Int64s()[:size]
	case tensor.Int:
		c.ints = d.Ints()[:size]
	case tensor.String:
		c.strs = d.Strings()[:size]
	}
	return c
}

// floatsColumn returns the column over the storage of f.
func floatsColumn(f floats) column {
	if f.f32 != nil {
		return column{dt: tensor.Float32, f32: f.f32}
	}
	return column{dt: tensor.Float64, f64: f.f64}
}

// destDtypes describes the destination dtypes a source of dtype src may be
// gathered into, for error messages.
func destDtypes(src tensor.Dtype) string {
	switch {
	case isFloat(src):
		return "float32 or float64"
	case src == tensor.String:
		return "string"
	}
	return "int32, int64, int, float32 or float64"
}

// canConvert reports whether values of dtype src may be gathered into a
// destination of dtype dst: a float source into Float32 or Float64, an
// integer source into any dtype of isNumericDtype, a String source into
// String only.
func canConvert(src, dst tensor.Dtype) bool {
	switch {
	case isFloat(src):
		return isFloat(dst)
	case src == tensor.String:
		return dst == tensor.String
	}
	return isIntDtype(src) && isNumericDtype(dst)
}

// destColumn checks that d, the destination for the tensor labelled label
// (e.g. `input "user_id"`), can receive want values from a source of dtype
// src: non-nil, of a dtype canConvert allows, contiguous and of total size
// want. It returns the storage to write into.
func destColumn(label string, d *tensor.Dense, src tensor.Dtype, want int) (column, error) {
	if d == nil {
		return column{}, errors.Errorf("destination for %s is nil", label)
	}
	if !canConvert(src, d.Dtype()) {
		return column{}, errors.Errorf("destination for %s has dtype %v, want %s for a %v source",
			label, d.Dtype(), destDtypes(src), src)
	}
	if d.Shape().IsScalar() {
		return column{}, errors.Errorf("destination for %s is a scalar, want %d values", label, want)
	}
	if d.RequiresIterator() {
		return column{}, errors.Errorf("destination for %s is not contiguous (a transposed or strided view)", label)
	}
	if got := d.Shape().TotalSize(); got != want || d.DataSize() < want {
		return column{}, errors.Errorf("destination for %s has %d values (shape %v), want %d", label, got, d.Shape(), want)
	}
	return denseColumn(d), nil
}

// gatherColumn copies the examples idx of src, per values each, into
// consecutive examples of dst, converting to dst's dtype. The caller has
// checked the indices and the sizes. An integer value that does not fit an
// integer destination (int64 into int32) is an error naming label, the
// example, the flat position and the value; so is a pair of dtypes that
// canConvert refuses (a String source and a numeric destination, or the
// reverse).
func gatherColumn(label string, dst, src column, idx []int, per int) error {
	if !canConvert(src.dt, dst.dt) {
		return errors.Errorf("destination for %s has dtype %v, want %s for a %v source",
			label, dst.dt, destDtypes(src.dt), src.dt)
	}
	switch dst.dt {
	case tensor.Float32:
		return gatherTo(label, dst.f32, src, idx, per, false)
	case tensor.Float64:
		return gatherTo(label, dst.f64, src, idx, per, false)
	case tensor.Int32:
		return gatherTo(label, dst.i32, src, idx, per, true)
	case tensor.Int64:
		return gatherTo(label, dst.i64, src, idx, per, true)
	case tensor.Int:
		return gatherTo(label, dst.ints, src, idx, per, true)
	case tensor.String:
		for k, i := range idx {
			copy(dst.strs[k*per:(k+1)*per], src.strs[i*per:(i+1)*per])
		}
		return nil
	}
	return errors.Errorf("destination for %s has dtype %v, which a data set cannot gather into", label, dst.dt)
}

// gatherTo dispatches gatherColumn on the source dtype. intDst is set when
// dst holds integers, so that integer-to-integer copies check for overflow.
func gatherTo[D number](label string, dst []D, src column, idx []int, per int, intDst bool) error {
	switch src.dt {
	case tensor.Float32:
		return gatherRows(label, dst, src.f32, idx, per, false)
	case tensor.Float64:
		return gatherRows(label, dst, src.f64, idx, per, false)
	case tensor.Int32:
		return gatherRows(label, dst, src.i32, idx, per, intDst)
	case tensor.Int64:
		return gatherRows(label, dst, src.i64, idx, per, intDst)
	case tensor.Int:
		return gatherRows(label, dst, src.ints, idx, per, intDst)
	}
	return errors.Errorf("%s has dtype %v, which cannot be gathered into numbers", label, src.dt)
}

// gatherRows copies example idx[k] of src (per values) to example k of dst.
// With checkFit set, a value that changes when converted to D and back (an
// integer out of D's range) is an error.
func gatherRows[D, S number](label string, dst []D, src []S, idx []int, per int, checkFit bool) error {
	if same, ok := any(dst).([]S); ok {
		for k, i := range idx {
			copy(same[k*per:(k+1)*per], src[i*per:(i+1)*per])
		}
		return nil
	}
	for k, i := range idx {
		d := dst[k*per : (k+1)*per]
		for j, v := range src[i*per : (i+1)*per] {
			d[j] = D(v)
			if checkFit && S(d[j]) != v {
				return errors.Errorf("%s of example %d has %v at flat position %d, which does not fit the destination's %T",
					label, i, v, j, d[j])
			}
		}
	}
	return nil
}
