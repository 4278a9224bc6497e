package trainers

import (
	"fmt"
	"math"
	"strings"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// checkData verifies, before any step runs, that ds fits the model and the loss:
// not empty, examples of the model's input shape, targets of the shape the loss
// wants, class ids and binary targets in range, and no NaN or Inf anywhere.
func (t *Trainer) checkData(what string, ds datasets.Dataset) error {
	if ds == nil || ds.Len() == 0 {
		return errors.Errorf("%s: the data set is empty", what)
	}
	if in, got := t.model.InputShape(), ds.XShape(); !sameInts(in, got) {
		return errors.Errorf("%s: %s expects examples of shape %s, the data has %s", what, t.inputLayerName(), fmtShape(in), fmtShape(got))
	}
	want := t.targetShape()
	if got := ds.YShape(); !sameInts(want, got) && !(isSparse(t.lossName) && len(got) == 0) {
		hint := ""
		if t.lossName == "categorical_crossentropy" && len(got) == 1 && got[0] == 1 {
			hint = "; for integer class ids use sparse_categorical_crossentropy"
		}
		if isSparse(t.lossName) {
			hint = " (one class id per example)"
		}
		return errors.Errorf("%s: loss %s needs targets of shape %s, the data has %s%s", what, t.lossName, fmtShape(want), fmtShape(got), hint)
	}
	if err := datasets.CheckFinite(ds); err != nil {
		return errors.Wrap(err, what)
	}
	switch {
	case isSparse(t.lossName):
		classes := t.model.OutputShape()[0]
		return scanTargets(what, ds, func(v float64) bool { return v == math.Trunc(v) && v >= 0 && v < float64(classes) },
			fmt.Sprintf("a class id in [0, %d)", classes))
	case t.lossName == "binary_crossentropy":
		return scanTargets(what, ds, func(v float64) bool { return v >= 0 && v <= 1 }, "in [0, 1]")
	}
	return nil
}

// scanTargets checks every target value with ok, in chunks.
func scanTargets(what string, ds datasets.Dataset, ok func(float64) bool, want string) error {
	const chunk = 1024
	xper, yper := prod(ds.XShape()), prod(ds.YShape())
	for start := 0; start < ds.Len(); start += chunk {
		n := min(chunk, ds.Len()-start)
		idx := make([]int, n)
		for i := range idx {
			idx[i] = start + i
		}
		x := tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(n*xper))
		y := tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(n*yper))
		if err := ds.Gather(idx, x, y); err != nil {
			return errors.Wrap(err, what)
		}
		for i, v := range y.Data().([]float64) {
			if !ok(v) {
				return errors.Errorf("%s: target %g of example %d is not %s", what, v, start+i/yper, want)
			}
		}
	}
	return nil
}

// inputLayerName names the model's first layer for error messages.
func (t *Trainer) inputLayerName() string {
	if s, ok := t.model.(interface{ Layers() []layers.Layer }); ok {
		if ls := s.Layers(); len(ls) > 0 {
			return fmt.Sprintf("layer 0 (%s)", ls[0].Name())
		}
	}
	return "the model's input"
}

func sameInts(a, b []int) bool {
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

func prod(s []int) int {
	p := 1
	for _, d := range s {
		p *= d
	}
	return p
}

func fmtShape(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
