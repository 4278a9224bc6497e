package layers

import (
	"fmt"
	"strings"
)

// Summary returns a Keras-style table: each layer with its type, output shape
// (None for the batch) and parameter count, then the totals, trainable and not. An
// unbuilt model is built first with the default seed; if that fails the summary
// says why.
func (s *Sequential) Summary() string {
	if err := s.Build(); err != nil {
		return fmt.Sprintf("Model: %q (not built: %v)\n", s.name, err)
	}
	const w1, w2 = 29, 26
	var b strings.Builder
	line := strings.Repeat("_", w1+w2+10) + "\n"
	fmt.Fprintf(&b, "Model: %q\n", s.name)
	b.WriteString(line)
	fmt.Fprintf(&b, " %-*s%-*s%s\n", w1-1, "Layer (type)", w2, "Output Shape", "Param #")
	b.WriteString(strings.Repeat("=", w1+w2+10) + "\n")
	total, trainable := 0, 0
	first := true
	for i, l := range s.layers {
		if _, ok := l.(*InputLayer); ok {
			continue
		}
		if !first {
			b.WriteString(line)
		}
		first = false
		n := 0
		for _, p := range l.Params() {
			n += p.Size()
			if p.Trainable {
				trainable += p.Size()
			}
		}
		total += n
		shape := "(None, " + strings.TrimPrefix(fmtShape(s.shapes[i]), "(")
		fmt.Fprintf(&b, " %-*s%-*s%d\n", w1-1, fmt.Sprintf("%s (%s)", l.Name(), l.Type()), w2, shape, n)
	}
	b.WriteString(strings.Repeat("=", w1+w2+10) + "\n")
	fmt.Fprintf(&b, "Total params: %s\n", commas(total))
	fmt.Fprintf(&b, "Trainable params: %s\n", commas(trainable))
	fmt.Fprintf(&b, "Non-trainable params: %s\n", commas(total-trainable))
	b.WriteString(line)
	return b.String()
}

// commas formats n with thousands separators, as Keras does.
func commas(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
