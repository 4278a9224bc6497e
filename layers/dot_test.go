package layers_test

import (
	"bytes"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/layers"
)

var (
	dotNode = regexp.MustCompile(`^\t(layer\d+|not_built) \[.*label="((?:[^"\\]|\\.)*)".*\];$`)
	dotEdge = regexp.MustCompile(`^\t(layer\d+) -> (layer\d+);$`)
)

// checkDot does a structural check of a DOT digraph: a "digraph" header, balanced
// braces and quotes, and every edge between declared nodes. It returns the node
// labels by id and the edges in order.
func checkDot(t *testing.T, dot string) (labels map[string]string, edges [][2]string) {
	t.Helper()
	if !strings.HasPrefix(dot, "digraph ") || !strings.HasSuffix(dot, "}\n") {
		t.Fatalf("not a digraph:\n%s", dot)
	}
	depth, inQuote, escaped := 0, false, false
	for _, r := range dot {
		switch {
		case escaped:
			escaped = false
		case r == '\\':
			escaped = true
		case r == '"':
			inQuote = !inQuote
		case !inQuote && r == '{':
			depth++
		case !inQuote && r == '}':
			depth--
			if depth < 0 {
				t.Fatalf("unbalanced braces:\n%s", dot)
			}
		}
	}
	if depth != 0 || inQuote {
		t.Fatalf("unbalanced braces or quotes:\n%s", dot)
	}
	labels = map[string]string{}
	lines := strings.Split(strings.TrimSuffix(dot, "\n"), "\n")
	for _, l := range lines[1 : len(lines)-1] {
		if m := dotNode.FindStringSubmatch(l); m != nil {
			labels[m[1]] = m[2]
		} else if m := dotEdge.FindStringSubmatch(l); m != nil {
			edges = append(edges, [2]string{m[1], m[2]})
		}
	}
	for _, e := range edges {
		if _, ok := labels[e[0]]; !ok {
			t.Errorf("edge from undeclared node %s", e[0])
		}
		if _, ok := labels[e[1]]; !ok {
			t.Errorf("edge to undeclared node %s", e[1])
		}
	}
	return labels, edges
}

// runDot renders dot with Graphviz when it is installed, to prove it parses.
func runDot(t *testing.T, dot string) {
	t.Helper()
	bin, err := exec.LookPath("dot")
	if err != nil {
		t.Log("Graphviz dot not on PATH (apt-get install graphviz): structural check only")
		return
	}
	cmd := exec.Command(bin, "-Tsvg")
	cmd.Stdin = strings.NewReader(dot)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("dot rejects the graph: %v\n%s\n%s", err, stderr.String(), dot)
	}
	if !strings.Contains(out.String(), "<svg") {
		t.Fatalf("dot gave no SVG: %s", out.String())
	}
}

// TestToDot: one box per layer with name, type and output shape, edges in order,
// and a note (no panic) for a model that cannot be built.
func TestToDot(t *testing.T) {
	cases := []struct {
		name   string
		model  *layers.Sequential
		labels []string // per layer, in order
		note   string
	}{
		{
			name: "mlp",
			model: layers.NewSequential(layers.Input(28, 28), layers.Flatten(),
				layers.Dense(16, layers.WithActivation("relu")), layers.Dropout(0.2), layers.Dense(10)),
			labels: []string{
				`input_layer (InputLayer)\noutput: (None, 28, 28)`,
				`flatten (Flatten)\noutput: (None, 784)`,
				`dense (Dense)\noutput: (None, 16)\nparams: 12,560`,
				`dropout (Dropout)\noutput: (None, 16)`,
				`dense_1 (Dense)\noutput: (None, 10)\nparams: 170`,
			},
		},
		{
			name:   "quotes in names",
			model:  layers.NewSequential(layers.Input(2), layers.Dense(1, layers.WithName(`my "out"\put`))),
			labels: []string{`input_layer (InputLayer)\noutput: (None, 2)`, `my \"out\"\\put (Dense)\noutput: (None, 1)\nparams: 3`},
		},
		{
			name:   "not built",
			model:  layers.NewSequential(layers.Dense(3), layers.Dense(1)),
			labels: []string{"Dense", "Dense"},
			note:   "not built: sequential: layer 0 (Dense) must be an Input",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dot := c.model.ToDot()
			labels, edges := checkDot(t, dot)
			for i, want := range c.labels {
				if got := labels[fmt.Sprintf("layer%d", i)]; got != want {
					t.Errorf("layer %d label %q, want %q", i, got, want)
				}
			}
			wantNodes := len(c.labels)
			if c.note != "" {
				wantNodes++
				if !strings.HasPrefix(labels["not_built"], c.note) {
					t.Errorf("note %q, want %q", labels["not_built"], c.note)
				}
			}
			if len(labels) != wantNodes {
				t.Errorf("%d nodes, want %d:\n%s", len(labels), wantNodes, dot)
			}
			if len(edges) != len(c.labels)-1 {
				t.Errorf("%d edges, want %d", len(edges), len(c.labels)-1)
			}
			for i, e := range edges {
				if e != [2]string{fmt.Sprintf("layer%d", i), fmt.Sprintf("layer%d", i+1)} {
					t.Errorf("edge %d: %v", i, e)
				}
			}
			runDot(t, dot)
		})
	}
}

// TestExprDot: Gorgonia's DOT of the inference graph at batch 1 names the input,
// the parameters and the operations, and parses; an unbuildable model is an error.
func TestExprDot(t *testing.T) {
	model := layers.NewSequential(layers.Input(4), layers.Dense(3, layers.WithActivation("relu")), layers.Dropout(0.5), layers.Dense(2))
	dot, err := model.ExprDot()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(strings.TrimSpace(dot), "digraph") {
		t.Fatalf("not a digraph:\n%s", dot)
	}
	if strings.Count(dot, "{") != strings.Count(dot, "}") {
		t.Errorf("unbalanced braces")
	}
	for _, want := range []string{"x", "1, 4", "->"} {
		if !strings.Contains(dot, want) {
			t.Errorf("DOT lacks %q", want)
		}
	}
	for _, p := range model.Params() {
		if !strings.Contains(dot, p.Name) {
			t.Errorf("DOT lacks parameter %q", p.Name)
		}
	}
	runDot(t, dot)

	if _, err := layers.NewSequential(layers.Dense(1)).ExprDot(); err == nil {
		t.Error("unbuildable model: no error")
	}
}

func ExampleSequential_ToDot() {
	model := layers.NewSequential(
		layers.Input(2),
		layers.Dense(10, layers.WithActivation("relu")),
		layers.Dense(1, layers.WithActivation("sigmoid")),
	)
	fmt.Print(model.ToDot())
	// Output:
	// digraph "sequential" {
	// 	rankdir=TB;
	// 	node [shape=box, style="rounded,filled", fillcolor="#eef3fb", fontname="Helvetica"];
	// 	layer0 [label="input_layer (InputLayer)\noutput: (None, 2)"];
	// 	layer1 [label="dense (Dense)\noutput: (None, 10)\nparams: 30"];
	// 	layer2 [label="dense_1 (Dense)\noutput: (None, 1)\nparams: 11"];
	// 	layer0 -> layer1;
	// 	layer1 -> layer2;
	// }
}
