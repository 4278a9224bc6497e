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

// checkData verifies, before any step runs, that ds fits the model and the losses,
// tensor by tensor: not empty, examples of each input's shape and kind (integer ids
// for integer inputs, strings for String inputs and only there; no string
// targets), targets of the shape each loss wants (for ctc a label sequence (S) of
// the trainer's S, see ctcTarget), class ids and binary targets in range, and no
// NaN or Inf anywhere. It returns how ds feeds the model.
func (t *Trainer) checkData(what string, ds datasets.Multi) (*binding, error) {
	if err := t.checkLoss(what); err != nil {
		return nil, err
	}
	b, err := t.bind(what, ds, true)
	if err != nil {
		return nil, err
	}
	ins := t.model.Inputs()
	for j, s := range ds.Inputs() {
		in := ins[b.in[j]]
		if b.steps, err = t.stepsOf(what, b.in[j], s.Shape, b.steps); err != nil {
			return nil, err
		}
		if err := checkDataDType(t.inputLabel(b.in[j]), s.DType, in.DType); err != nil {
			return nil, errors.Wrap(err, what)
		}
	}
	for j, s := range ds.Targets() {
		h := &t.heads[b.out[j]]
		if s.DType == tensor.String {
			return nil, errors.Errorf("%s: %starget %s is string: loss %s needs numbers (map categories to class ids first)", what, t.outputLabel(h), targetName(s, j), h.lossName)
		}
		if isCTC(h.lossName) {
			if err := t.ctcTarget(what, h, s.Shape); err != nil {
				return nil, err
			}
			continue
		}
		want := h.targetShape()
		if got := s.Shape; !sameInts(want, got) && !(isSparse(h.lossName) && len(got) == 0) {
			hint := ""
			if h.lossName == "categorical_crossentropy" && len(got) == 1 && got[0] == 1 {
				hint = "; for integer class ids use sparse_categorical_crossentropy"
			}
			if isSparse(h.lossName) {
				hint = " (one class id per example)"
				if len(h.out.Shape) > 1 {
					hint = " (one class id per position)"
				}
			}
			return nil, errors.Errorf("%s: %sloss %s needs targets of shape %s, the data has %s%s", what, t.outputLabel(h), h.lossName, fmtShape(want), fmtShape(got), hint)
		}
	}
	if err := datasets.CheckFiniteMulti(ds); err != nil {
		return nil, errors.Wrap(err, what)
	}
	if err := t.checkIDs(what, ds, b); err != nil {
		return nil, err
	}
	for j := range ds.Targets() {
		h := &t.heads[b.out[j]]
		var ok func(float64) bool
		var want string
		switch {
		case isSparse(h.lossName) && len(h.out.Shape) > 1:
			// Sequence targets: a negative id marks a position the loss ignores.
			classes := h.out.Shape[len(h.out.Shape)-1]
			ok = func(v float64) bool { return v == math.Trunc(v) && v < float64(classes) }
			want = fmt.Sprintf("a class id in [0, %d) or negative (ignored)", classes)
		case isSparse(h.lossName):
			classes := h.out.Shape[0]
			ok = func(v float64) bool { return v == math.Trunc(v) && v >= 0 && v < float64(classes) }
			want = fmt.Sprintf("a class id in [0, %d)", classes)
		case h.lossName == "binary_crossentropy":
			ok = func(v float64) bool { return v >= 0 && v <= 1 }
			want = "in [0, 1]"
		default:
			continue
		}
		ex, v, found, err := datasets.ScanTargetMulti(ds, j, ok)
		if err != nil {
			return nil, errors.Wrap(err, what)
		}
		if found {
			return nil, errors.Errorf("%s: %starget %g of example %d is not %s", what, t.outputLabel(h), v, ex, want)
		}
	}
	t.setLabelLens(ds.Targets(), b)
	return b, nil
}

// idLimiter is a model that knows which inputs feed an Embedding (layers.Functional
// and layers.Sequential).
type idLimiter interface {
	IDLimits() []int
	IDReaders() []string
}

// checkIDs checks, before any step, that every id of an input read by an Embedding
// is within its vocabulary, so that a bad id is an error naming the input, the
// layer, the example and the value, not a failure halfway through an epoch.
func (t *Trainer) checkIDs(what string, ds datasets.Multi, b *binding) error {
	lm, ok := t.model.(idLimiter)
	if !ok {
		return nil
	}
	limits, readers := lm.IDLimits(), lm.IDReaders()
	for j, s := range ds.Inputs() {
		i := b.in[j]
		if i >= len(limits) || limits[i] == 0 || s.DType == tensor.String {
			continue
		}
		limit := float64(limits[i])
		ex, v, found, err := datasets.ScanInputMulti(ds, j, func(v float64) bool { return v >= 0 && v < limit })
		if err != nil {
			return errors.Wrap(err, what)
		}
		if found {
			return errors.Errorf("%s: %s of example %d holds id %g, out of range [0, %d) of embedding %q", what, t.inputLabel(i), ex, v, limits[i], readers[i])
		}
	}
	return nil
}

// checkDataDType returns an error naming the input (label) when data of dtype got
// cannot feed a model input of dtype want in Fit or Evaluate: a String input takes
// String data only, String data feeds only a String input, an integer input takes
// integer ids; a float input takes float or integer data (converted).
func checkDataDType(label string, got, want tensor.Dtype) error {
	switch {
	case want == tensor.String && got != tensor.String:
		return errors.Errorf("%s takes strings (a String input, read by a StringLookup), the data is %v", label, got)
	case want != tensor.String && got == tensor.String && isIntType(want):
		return errors.Errorf("%s takes integer ids (%v), the data is string: only a String input takes strings", label, want)
	case want != tensor.String && got == tensor.String:
		return errors.Errorf("%s takes numbers (%v), the data is string: only a String input takes strings", label, want)
	case isIntType(want) && !isIntType(got):
		return errors.Errorf("%s takes integer ids (%v), the data is %v", label, want, got)
	}
	return nil
}

// targetName is `"name"` for a named target of a data set, its position otherwise.
func targetName(s datasets.Spec, j int) string {
	if s.Name != "" {
		return fmt.Sprintf("%q", s.Name)
	}
	return fmt.Sprint(j)
}

// inputLabel names model input i for error messages: its first layer for a
// Sequential, the input's name otherwise.
func (t *Trainer) inputLabel(i int) string {
	if s, ok := t.model.(*layers.Sequential); ok {
		if ls := s.Layers(); len(ls) > 0 {
			return fmt.Sprintf("layer 0 (%s)", ls[0].Name())
		}
	}
	return fmt.Sprintf("input %q", t.model.Inputs()[i].Name)
}

// outputLabel is "output NAME: " for a model of several outputs, "" for one.
func (t *Trainer) outputLabel(h *head) string {
	if len(t.heads) == 1 {
		return ""
	}
	return fmt.Sprintf("output %q: ", h.out.Name)
}

func isIntType(dt tensor.Dtype) bool {
	return dt == tensor.Int32 || dt == tensor.Int64 || dt == tensor.Int
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
