package trainers

import (
	"math"
	"strconv"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/plots"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// PredictedClasses turns a classifier's outputs, shape (N, classes) or (N, 1),
// into class ids: the largest output of each row (softmax), or 1 where the single
// output is at least 0.5 and 0 below (sigmoid). A NaN output is an error naming
// the row.
func PredictedClasses(pred *tensor.Dense) ([]int, error) {
	rows, width, vals, err := rowsOf(pred, "predictions")
	if err != nil {
		return nil, err
	}
	out := make([]int, rows)
	for i := range out {
		row := vals[i*width : (i+1)*width]
		for _, v := range row {
			if math.IsNaN(v) {
				return nil, errors.Errorf("predictions: row %d holds NaN", i)
			}
		}
		if width == 1 {
			if row[0] >= 0.5 {
				out[i] = 1
			}
			continue
		}
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		out[i] = best
	}
	return out, nil
}

// ClassLabels returns, for each row of pred (the output of model), the name of its
// predicted class (PredictedClasses) from the model's class names
// (layers.SetClassNames), or the class id as text when the model has none.
func ClassLabels(model layers.Model, pred *tensor.Dense) ([]string, error) {
	ids, err := PredictedClasses(pred)
	if err != nil {
		return nil, err
	}
	names, err := layers.ClassNames(model)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		if id < len(names) {
			out[i] = names[id]
		} else {
			out[i] = strconv.Itoa(id)
		}
	}
	return out, nil
}

// ConfusionMatrix predicts x with a classifier of one input and one output and
// counts the predicted classes (PredictedClasses) against the true ones in y: class
// ids of shape (N, 1) (sparse_categorical_crossentropy, or 0/1 targets of a sigmoid
// output) or one-hot rows of shape (N, classes). The classes are named by the
// model's class names (layers.SetClassNames) when it has them, "0", "1", ...
// otherwise. It takes BatchSize.
func (t *Trainer) ConfusionMatrix(x, y *tensor.Dense, opts ...FitOption) (*plots.Confusion, error) {
	pred, err := t.Predict(x, opts...)
	if err != nil {
		return nil, errors.Wrap(err, "confusion matrix")
	}
	guess, err := PredictedClasses(pred)
	if err != nil {
		return nil, errors.Wrap(err, "confusion matrix")
	}
	width := prod(t.model.Outputs()[0].Shape)
	truth, err := trueClasses(y, len(guess), width)
	if err != nil {
		return nil, errors.Wrap(err, "confusion matrix")
	}
	names, err := layers.ClassNames(t.model)
	if err != nil {
		return nil, errors.Wrap(err, "confusion matrix")
	}
	if names == nil {
		names = make([]string, max(width, 2))
		for i := range names {
			names[i] = strconv.Itoa(i)
		}
	}
	return plots.ConfusionMatrix(truth, guess, names)
}

// ConfusionMatrixDataset is ConfusionMatrix on a data set (its X and Y).
func (t *Trainer) ConfusionMatrixDataset(ds datasets.Dataset, opts ...FitOption) (*plots.Confusion, error) {
	if ds == nil {
		return nil, errors.New("confusion matrix: no data")
	}
	m, err := datasets.Materialize(ds)
	if err != nil {
		return nil, errors.Wrap(err, "confusion matrix")
	}
	return t.ConfusionMatrix(m.X(), m.Y(), opts...)
}

// trueClasses reads class ids from targets y: (N, 1) ids (or 0/1), or (N, width)
// one-hot rows.
func trueClasses(y *tensor.Dense, n, width int) ([]int, error) {
	rows, yw, vals, err := rowsOf(y, "targets")
	if err != nil {
		return nil, err
	}
	if rows != n {
		return nil, errors.Errorf("targets: %d rows for %d examples", rows, n)
	}
	classes := max(width, 2)
	out := make([]int, n)
	for i := range out {
		row := vals[i*yw : (i+1)*yw]
		switch {
		case yw == 1:
			v := row[0]
			if v != math.Trunc(v) || v < 0 || v >= float64(classes) {
				return nil, errors.Errorf("targets: example %d: %g is not a class id in [0, %d)", i, v, classes)
			}
			out[i] = int(v)
		case yw == width:
			best := 0
			for j, v := range row {
				if v > row[best] {
					best = j
				}
			}
			out[i] = best
		default:
			return nil, errors.Errorf("targets of shape (%d, %d) for an output of %d classes: want class ids (N, 1) or one-hot rows (N, %d)", rows, yw, width, width)
		}
	}
	return out, nil
}

// rowsOf reads a 2-D (or 1-D: one column) tensor of any number type as float64
// rows.
func rowsOf(d *tensor.Dense, what string) (rows, width int, vals []float64, err error) {
	if d == nil || d.Dims() < 1 || d.Dims() > 2 || d.Shape()[0] == 0 {
		return 0, 0, nil, errors.Errorf("%s: want a tensor of shape (N, width) with N >= 1", what)
	}
	rows, width = d.Shape()[0], 1
	if d.Dims() == 2 {
		width = d.Shape()[1]
	}
	if width == 0 {
		return 0, 0, nil, errors.Errorf("%s: rows of width 0", what)
	}
	switch v := d.Data().(type) {
	case []float32, []float64:
		vals = toFloat64s(d, nil)
	case []int:
		vals = make([]float64, len(v))
		for i, x := range v {
			vals[i] = float64(x)
		}
	case []int32:
		vals = make([]float64, len(v))
		for i, x := range v {
			vals[i] = float64(x)
		}
	case []int64:
		vals = make([]float64, len(v))
		for i, x := range v {
			vals[i] = float64(x)
		}
	default:
		return 0, 0, nil, errors.Errorf("%s: dtype %v is not a number type", what, d.Dtype())
	}
	if len(vals) != rows*width {
		return 0, 0, nil, errors.Errorf("%s: %d values for shape %v", what, len(vals), d.Shape())
	}
	return rows, width, vals, nil
}
