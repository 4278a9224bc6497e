package poison

import (
	"math"
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Labels returns the class indices held by y, (N) or (N, 1), of dtype float32,
// float64 or int; every value must be a whole number >= 0.
func Labels(y *tensor.Dense) ([]int, error) {
	if y == nil {
		return nil, errors.New("poison: labels are nil")
	}
	sh := y.Shape()
	if len(sh) < 1 || len(sh) > 2 || (len(sh) == 2 && sh[1] != 1) {
		return nil, errors.Errorf("poison: labels of shape %v, want (N) or (N, 1)", sh)
	}
	y, err := materialized(y)
	if err != nil {
		return nil, err
	}
	var vals []float64
	switch d := y.Data().(type) {
	case []float32:
		vals = make([]float64, len(d))
		for i, v := range d {
			vals[i] = float64(v)
		}
	case []float64:
		vals = d
	case []int:
		vals = make([]float64, len(d))
		for i, v := range d {
			vals[i] = float64(v)
		}
	default:
		return nil, errors.Errorf("poison: labels of dtype %v, want float32, float64 or int", y.Dtype())
	}
	out := make([]int, len(vals))
	for i, v := range vals {
		if v < 0 || v != math.Trunc(v) || v > math.MaxInt32 {
			return nil, errors.Errorf("poison: label %g of row %d is not a class index", v, i)
		}
		out[i] = int(v)
	}
	return out, nil
}

// labelSetter returns a function writing class c at row i of labels y.
func labelSetter(y *tensor.Dense) (func(i, c int), error) {
	switch d := y.Data().(type) {
	case []float32:
		return func(i, c int) { d[i] = float32(c) }, nil
	case []float64:
		return func(i, c int) { d[i] = float64(c) }, nil
	case []int:
		return func(i, c int) { d[i] = c }, nil
	}
	return nil, errors.Errorf("labels of dtype %v, want float32, float64 or int", y.Dtype())
}

// byClassOf reads reps (N, ...) as N rows of dim values and groups the row
// indices by label: the classes in increasing order and each class's rows.
func byClassOf(reps *tensor.Dense, labels []int) (rows, dim int, data []float64, classes []int, byClass map[int][]int, err error) {
	rows, dim, data, err = matrix(reps)
	if err != nil {
		return 0, 0, nil, nil, nil, err
	}
	if rows != len(labels) {
		return 0, 0, nil, nil, nil, errors.Errorf("%d representations (shape %v) but %d labels", rows, reps.Shape(), len(labels))
	}
	byClass = map[int][]int{}
	for i, l := range labels {
		byClass[l] = append(byClass[l], i)
	}
	classes = make([]int, 0, len(byClass))
	for l := range byClass {
		classes = append(classes, l)
	}
	sort.Ints(classes)
	return rows, dim, data, classes, byClass, nil
}
