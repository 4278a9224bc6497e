package layers

import (
	"fmt"
	"strings"
)

// Summary returns a Keras-style table of the model: each layer with its type, output
// shape (None for the batch), parameter count and the tensors it is connected to
// (layer[call][output]), then the totals, trainable and not. Columns widen to fit
// long names. Summary never builds the model: an unbuilt model is described through
// a copy built from its configuration and thrown away, so that its own Build (or
// trainers.New, with WithSeed and WithDType) still decides its seed and dtype. If
// the layers do not fit together the summary says why; if no copy can be made (a
// layer without Config) the layers are listed without shapes.
func (m *Functional) Summary() string {
	header := []string{"Layer (type)", "Output Shape", "Param #", "Connected to"}
	d, copyErr, err := describeTarget(m)
	switch {
	case copyErr != nil:
		return unknownTable(m.Name(), header, m.layers, copyErr)
	case err != nil:
		return fmt.Sprintf("Model: %q (not built: %v)\n", m.Name(), err)
	}
	dm := d.(*Functional)
	nodeIndex := map[*node]int{}
	count := map[Layer]int{}
	for _, n := range dm.nodes {
		nodeIndex[n] = count[n.layer]
		count[n.layer]++
	}
	rows := [][]string{header}
	total, trainable := 0, 0
	for _, l := range dm.layers {
		var shapes, conns []string
		for _, n := range dm.nodes {
			if n.layer != l {
				continue
			}
			for _, t := range n.out {
				if s := batchShape(t.spec.Shape); !contains(shapes, s) {
					shapes = append(shapes, s)
				}
			}
			for _, x := range n.in {
				conns = append(conns, fmt.Sprintf("%s[%d][%d]", x.Layer().Name(), nodeIndex[x.node], x.index))
			}
		}
		n, tr := paramCounts(l)
		total += n
		trainable += tr
		shape := "multiple"
		if len(shapes) == 1 {
			shape = shapes[0]
		}
		if len(conns) == 0 {
			conns = []string{"-"}
		}
		rows = append(rows, []string{fmt.Sprintf("%s (%s)", l.Name(), l.Type()), shape, fmt.Sprint(n), conns[0]})
		for _, c := range conns[1:] {
			rows = append(rows, []string{"", "", "", c})
		}
	}
	return summaryTable(m.Name(), rows, total, trainable)
}

// paramCounts counts a layer's weights, all and trainable.
func paramCounts(l Layer) (total, trainable int) {
	for _, p := range l.Params() {
		total += p.Size()
		if p.Trainable {
			trainable += p.Size()
		}
	}
	return total, trainable
}

// summaryTable lays out rows (the first is the header; a row whose first cell is
// empty continues the previous layer) with columns as wide as their widest cell.
func summaryTable(name string, rows [][]string, total, trainable int) string {
	widths := make([]int, len(rows[0]))
	mins := []int{28, 26, 10, 20}
	for c := range widths {
		widths[c] = mins[c%len(mins)]
		for _, r := range rows {
			if n := len([]rune(r[c])) + 2; n > widths[c] {
				widths[c] = n
			}
		}
	}
	full := 1
	for _, w := range widths {
		full += w
	}
	var b strings.Builder
	line := strings.Repeat("_", full) + "\n"
	fmt.Fprintf(&b, "Model: %q\n", name)
	b.WriteString(line)
	for i, r := range rows {
		if i == 1 {
			b.WriteString(strings.Repeat("=", full) + "\n")
		} else if i > 1 && r[0] != "" {
			b.WriteString(line)
		}
		var cells []string
		for c, cell := range r {
			cells = append(cells, cell+strings.Repeat(" ", widths[c]-len([]rune(cell))))
		}
		b.WriteString(strings.TrimRight(" "+strings.Join(cells, ""), " ") + "\n")
	}
	b.WriteString(strings.Repeat("=", full) + "\n")
	fmt.Fprintf(&b, "Total params: %s\n", commas(total))
	fmt.Fprintf(&b, "Trainable params: %s\n", commas(trainable))
	nonTrainable := total - trainable
	if total < 0 || trainable < 0 {
		nonTrainable = -1
	}
	fmt.Fprintf(&b, "Non-trainable params: %s\n", commas(nonTrainable))
	b.WriteString(line)
	return b.String()
}

func batchShape(s []int) string { return "(None, " + strings.TrimPrefix(fmtShape(s), "(") }

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// ToDot returns the model as a Graphviz DOT digraph: one box per layer (name, type,
// output shape, parameter count) and an edge for every connection, labelled with
// the call index when a layer is shared. Like Summary, it never builds the model:
// an unbuilt model is drawn from a copy built from its configuration; if the
// layers do not fit together, or no copy can be made, the boxes have no shapes and
// a note says why.
func (m *Functional) ToDot() string {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n", dotQuote(m.Name()))
	b.WriteString("\trankdir=TB;\n")
	b.WriteString("\tnode [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", fontname=\"Helvetica\"];\n")
	target := m
	d, copyErr, err := describeTarget(m)
	if d != nil {
		target = d.(*Functional)
	}
	id := map[Layer]int{}
	for i, l := range target.layers {
		id[l] = i
		lines := []string{fmt.Sprintf("%s (%s)", l.Name(), l.Type())}
		if d != nil {
			for _, n := range target.nodes {
				if n.layer == l {
					lines = append(lines, "output: "+batchShape(n.out[0].spec.Shape))
					break
				}
			}
			if n, _ := paramCounts(l); n > 0 {
				lines = append(lines, "params: "+commas(n))
			}
		}
		fill := ""
		if _, ok := l.(*InputLayer); ok {
			fill = ", fillcolor=\"#e8f5e9\""
		}
		fmt.Fprintf(&b, "\tlayer%d [label=%s%s];\n", i, dotLabel(lines), fill)
	}
	count := map[Layer]int{}
	for _, n := range target.nodes {
		k := count[n.layer]
		count[n.layer]++
		for _, x := range n.in {
			label := ""
			if len(n.layer.LayerBase().nodes) > 1 && k > 0 {
				label = fmt.Sprintf(" [label=\"call %d\"]", k)
			}
			fmt.Fprintf(&b, "\tlayer%d -> layer%d%s;\n", id[x.Layer()], id[n.layer], label)
		}
	}
	switch {
	case err != nil:
		fmt.Fprintf(&b, "\tnot_built [shape=note, fillcolor=\"#fde8e8\", label=%s];\n", dotLabel([]string{"not built: " + err.Error()}))
	case copyErr != nil:
		fmt.Fprintf(&b, "\tnot_built [shape=note, fillcolor=\"#fde8e8\", label=%s];\n", dotLabel([]string{"shapes are shown once the model is built: " + copyErr.Error()}))
	}
	b.WriteString("}\n")
	return b.String()
}
