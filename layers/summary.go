package layers

import (
	"fmt"
)

// Summary returns a Keras-style table: each layer with its type, output shape
// (None for the batch) and parameter count, then the totals, trainable and not.
// Summary never builds the model: an unbuilt model is described through a copy
// built from its configuration and thrown away, so that its own Build (or
// trainers.New, with WithSeed and WithDType) still decides its seed and dtype. If
// the layers do not fit together the summary says why; if no copy can be made (a
// layer without Config) the layers are listed without shapes.
func (s *Sequential) Summary() string {
	d, copyErr, err := describeTarget(s)
	header := []string{"Layer (type)", "Output Shape", "Param #"}
	switch {
	case copyErr != nil:
		return unknownTable(s.Name(), header, s.layers, copyErr)
	case err != nil:
		return fmt.Sprintf("Model: %q (not built: %v)\n", s.Name(), err)
	}
	ds := d.(*Sequential)
	rows := [][]string{header}
	total, trainable := 0, 0
	shapes := ds.shapes()
	for i, l := range ds.layers {
		if _, ok := l.(*InputLayer); ok {
			continue
		}
		n, tr := paramCounts(l)
		total += n
		trainable += tr
		rows = append(rows, []string{fmt.Sprintf("%s (%s)", l.Name(), l.Type()), batchShape(shapes[i]), fmt.Sprint(n)})
	}
	return summaryTable(s.Name(), rows, total, trainable)
}

// commas formats n with thousands separators, as Keras does; "?" when n is
// negative (unknown).
func commas(n int) string {
	if n < 0 {
		return "?"
	}
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
