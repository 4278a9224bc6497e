package layers

import (
	"fmt"
	"strings"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
)

// ToDot returns the model as a Graphviz DOT digraph named after the model: one box
// per layer, top to bottom, labelled with the layer's name and type, its output
// shape (None for the batch) and, when it has any, its parameter count, with an
// edge from each layer to the next. Render it with `dot -Tsvg model.dot -o
// model.svg`. Like Summary, it never builds the model: an unbuilt model is drawn
// from a copy built from its configuration; if the layers do not fit together, or
// no copy can be made, the graph lists the layers by type and a note says why.
func (s *Sequential) ToDot() string {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n", dotQuote(s.Name()))
	b.WriteString("\trankdir=TB;\n")
	b.WriteString("\tnode [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", fontname=\"Helvetica\"];\n")
	target := s
	d, copyErr, err := describeTarget(s)
	if d != nil {
		target = d.(*Sequential)
	} else if err == nil {
		err = errors.Wrap(copyErr, "shapes are shown once the model is built")
	}
	shapes := target.shapes()
	for i, l := range target.layers {
		var lines []string
		if err != nil {
			lines = []string{fmt.Sprintf("%s (%s)", l.Name(), l.Type())}
			if l.Name() == "" {
				lines[0] = l.Type()
			}
		} else {
			lines = []string{
				fmt.Sprintf("%s (%s)", l.Name(), l.Type()),
				"output: (None, " + strings.TrimPrefix(fmtShape(shapes[i]), "("),
			}
			n := 0
			for _, p := range l.Params() {
				n += p.Size()
			}
			if n > 0 {
				lines = append(lines, "params: "+commas(n))
			}
		}
		fmt.Fprintf(&b, "\tlayer%d [label=%s];\n", i, dotLabel(lines))
	}
	for i := 1; i < len(target.layers); i++ {
		fmt.Fprintf(&b, "\tlayer%d -> layer%d;\n", i-1, i)
	}
	if err != nil {
		fmt.Fprintf(&b, "\tnot_built [shape=note, fillcolor=\"#fde8e8\", label=%s];\n", dotLabel([]string{"not built: " + err.Error()}))
	}
	b.WriteString("}\n")
	return b.String()
}

// ExprDot builds the model (with the default seed if it is not built yet), adds it
// to a fresh inference graph at batch 1 with an input node named "x", and returns
// Gorgonia's own DOT rendering of that expression graph (ExprGraph().ToDot()):
// every operation, parameter and constant, as Gorgonia sees them. Node order in the
// text may differ between calls. Building graphs is not safe to run concurrently
// with other graph building (a Gorgonia limitation).
func (s *Sequential) ExprDot() (dot string, err error) {
	defer recoverTo(&err, "sequential: expression graph to DOT")
	if err := s.Build(); err != nil {
		return "", err
	}
	g, err := graph.New(graph.Infer, s.DType(), 1)
	if err != nil {
		return "", errors.Wrap(err, "sequential: expression graph")
	}
	x, _, err := g.Input("x", s.InputShape()...)
	if err != nil {
		return "", errors.Wrap(err, "sequential: expression graph input")
	}
	if _, err := s.Forward(g, x); err != nil {
		return "", errors.Wrap(err, "sequential: expression graph")
	}
	return g.ExprGraph().ToDot(), nil
}

// dotLabel joins lines into one quoted DOT label, one line each.
func dotLabel(lines []string) string {
	esc := make([]string, len(lines))
	for i, l := range lines {
		esc[i] = dotEscape(l)
	}
	return `"` + strings.Join(esc, `\n`) + `"`
}

// dotQuote quotes s as a DOT identifier.
func dotQuote(s string) string { return `"` + dotEscape(s) + `"` }

// dotEscape escapes backslashes and quotes and turns line breaks into spaces, so
// that s is literal text inside a quoted DOT string.
func dotEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\r", " ", "\n", " ").Replace(s)
}
