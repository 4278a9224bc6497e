package datasets

import (
	"math"
	"strconv"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// MaxClasses is the most classes that CountClasses and CSVData.NumClasses
// accept unless told otherwise: 10,000. The number of classes is the width of a
// classifier's output layer, so a stray large number in a target column (a
// price, a record id, 2e9) must not be taken for a class id and ask for a
// softmax of billions of units.
const MaxClasses = 10000

// CountClasses checks that y, a float32 or float64 tensor of one value per
// example (shape (N) or (N, 1)), holds class ids, and returns the number of
// classes: the largest id plus one. Every value must be a whole number in
// [0, limit) (limit <= 0 means MaxClasses), and at least two distinct ids must
// be present: a target that holds one class only teaches nothing (a model
// that always answers it scores accuracy 1.0). Errors name the row (0-based)
// and the value, or the only class present.
func CountClasses(y *tensor.Dense, limit int) (int, error) {
	const fn = "datasets.CountClasses"
	if y == nil {
		return 0, errors.Errorf("%s: nil tensor", fn)
	}
	if !isFloat(y.Dtype()) {
		return 0, errors.Errorf("%s: dtype %v, want float32 or float64", fn, y.Dtype())
	}
	if s := y.Shape(); s.IsScalar() || len(s) > 2 || (len(s) == 2 && s[1] != 1) {
		return 0, errors.Errorf("%s: shape %v, want (N) or (N, 1): one class id per example", fn, y.Shape())
	}
	if y.RequiresIterator() {
		return 0, errors.Errorf("%s: the tensor is not contiguous (a transposed or strided view)", fn)
	}
	n, err := countClasses(rawFloats(y), limit, "examples", func(i int) string { return "row " + strconv.Itoa(i) })
	return n, errors.Wrap(err, fn)
}

// countClasses implements CountClasses on the values of f; row names value i
// in errors and noun all of them.
func countClasses(f floats, limit int, noun string, row func(i int) string) (int, error) {
	if limit <= 0 {
		limit = MaxClasses
	}
	if f.len() == 0 {
		return 0, errors.New("no examples")
	}
	seen := make(map[int]bool)
	classes, first := 0, -1
	for i := 0; i < f.len(); i++ {
		v := f.at(i)
		if v != math.Trunc(v) || v < 0 { // NaN fails v == Trunc(v)
			return 0, errors.Errorf("%s: %v is not a class id (a whole number >= 0)", row(i), v)
		}
		if v >= float64(limit) {
			return 0, errors.Errorf("%s: class id %v is not below %d, the most classes allowed", row(i), v, limit)
		}
		k := int(v)
		if first < 0 {
			first = k
		}
		if len(seen) < 2 {
			seen[k] = true
		}
		classes = max(classes, k+1)
	}
	if len(seen) < 2 {
		return 0, errors.Errorf("every one of the %d %s is of class %d: classification needs at least two classes present", f.len(), noun, first)
	}
	return classes, nil
}

// NumClasses returns the number of classes of the target, checked as
// CountClasses checks it: for a string target, its categories (each coded 0,
// 1, ... by ReadCSV) of which at least two must appear in the rows; for a
// numeric target, the largest class id plus one, every value being a whole
// number in [0, MaxClasses) and at least two distinct ones present. Errors
// name the offending data row (1-based, the header not counted) and value,
// or the only class present.
func (d *CSVData) NumClasses() (int, error) {
	const fn = "datasets.CSVData.NumClasses"
	if d == nil || d.Y == nil {
		return 0, errors.Errorf("%s: no target", fn)
	}
	y := rawFloats(d.Y)
	row := func(i int) string { return "data row " + strconv.Itoa(i+1) }
	if cats := d.Classes(); cats != nil {
		if len(cats) > MaxClasses {
			return 0, errors.Errorf("%s: target %q: %d categories, more than %d (MaxClasses): is it a class?",
				fn, d.TargetName, len(cats), MaxClasses)
		}
		if y.len() == 0 {
			return 0, errors.Errorf("%s: target %q: no rows", fn, d.TargetName)
		}
		first := y.at(0)
		for i := 1; i < y.len(); i++ {
			if y.at(i) != first {
				return len(cats), nil
			}
		}
		name := strconv.FormatFloat(first, 'g', -1, 64)
		if k := int(first); first == float64(k) && k >= 0 && k < len(cats) {
			name = strconv.Quote(cats[k])
		}
		return 0, errors.Errorf("%s: target %q: every one of the %d rows is of class %s: classification needs at least two classes present",
			fn, d.TargetName, y.len(), name)
	}
	n, err := countClasses(y, MaxClasses, "rows", row)
	return n, errors.Wrapf(err, "%s: target %q", fn, d.TargetName)
}
