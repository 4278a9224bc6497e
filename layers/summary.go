package layers

import (
	"fmt"
)

// Summary returns a Keras-style table: each layer with its type, output shape
// (None for the batch) and parameter count, then the totals, trainable and not. An
// unbuilt model is built first with the default seed; if that fails the summary
// says why.
func (s *Sequential) Summary() string {
	if err := s.Build(); err != nil {
		return fmt.Sprintf("Model: %q (not built: %v)\n", s.Name(), err)
	}
	rows := [][]string{{"Layer (type)", "Output Shape", "Param #"}}
	total, trainable := 0, 0
	shapes := s.shapes()
	for i, l := range s.layers {
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

// commas formats n with thousands separators, as Keras does.
func commas(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
