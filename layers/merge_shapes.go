package layers

import (
	"github.com/pkg/errors"
)

// outShape is the merge's output shape for inputs of the given shapes (no batch
// axis).
func (l *MergeLayer) outShape(in [][]int) ([]int, error) {
	n := len(in)
	switch {
	case n == 0:
		return nil, errors.New("no inputs")
	case (l.kind == "Subtract" || l.kind == "Dot") && n != 2:
		return nil, errors.Errorf("takes exactly 2 inputs, got %d with shapes %s", n, fmtShapes(in))
	}
	switch l.kind {
	case "Concatenate":
		return concatShape(l.axis, in)
	case "Dot":
		return dotShape(l.axes, in[0], in[1])
	}
	for _, s := range in[1:] {
		if !equalShapes(s, in[0]) {
			return nil, errors.Errorf("inputs must have equal shapes, got %s", fmtShapes(in))
		}
	}
	return append([]int(nil), in[0]...), nil
}

// kerasAxis turns a Keras axis (batch axis 0, negative from the end) of a tensor of
// rank (with batch) into an index into the per-example shape.
func kerasAxis(axis, rank int) (int, error) {
	a := axis
	if a < 0 {
		a += rank
	}
	if a <= 0 || a >= rank {
		return 0, errors.Errorf("axis %d is out of range for inputs of rank %d (the batch axis 0 cannot be used)", axis, rank)
	}
	return a - 1, nil
}

func concatShape(axis int, in [][]int) ([]int, error) {
	rank := len(in[0]) + 1
	a, err := kerasAxis(axis, rank)
	if err != nil {
		return nil, err
	}
	out := append([]int(nil), in[0]...)
	out[a] = 0
	for _, s := range in {
		if len(s) != len(in[0]) {
			return nil, errors.Errorf("inputs must have equal ranks, got %s", fmtShapes(in))
		}
		for i := range s {
			if i != a && s[i] != in[0][i] {
				return nil, errors.Errorf("inputs must agree on every axis but %d, got %s", axis, fmtShapes(in))
			}
		}
		out[a] += s[a]
	}
	return out, nil
}

func dotShape(axes [2]int, a, b []int) ([]int, error) {
	if len(a) != len(b) || len(a) < 1 || len(a) > 2 {
		return nil, errors.Errorf("takes two inputs of rank 2 or 3 (with the batch), got %s", fmtShapes([][]int{a, b}))
	}
	ia, err := kerasAxis(axes[0], len(a)+1)
	if err != nil {
		return nil, err
	}
	ib, err := kerasAxis(axes[1], len(b)+1)
	if err != nil {
		return nil, err
	}
	if a[ia] != b[ib] {
		return nil, errors.Errorf("axes %v: sizes %d and %d differ (shapes %s)", axes, a[ia], b[ib], fmtShapes([][]int{a, b}))
	}
	var out []int
	for i, d := range a {
		if i != ia {
			out = append(out, d)
		}
	}
	for i, d := range b {
		if i != ib {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		out = []int{1}
	}
	return out, nil
}

func fmtShapes(ss [][]int) string {
	s := ""
	for i, x := range ss {
		if i > 0 {
			s += " and "
		}
		s += fmtShape(x)
	}
	return s
}
