package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// checkPredictLines checks the text lines of demo predict for stringModel against
// trainers' outputs y (3 per row) and classes.
func checkPredictLines(t *testing.T, out string, y []float32, classes []int) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != len(classes) {
		t.Fatalf("%d lines for %d rows:\n%s", len(lines), len(classes), out)
	}
	for i, line := range lines {
		vals, class, ok := strings.Cut(line, "\t")
		if !ok || class != strconv.Itoa(classes[i]) {
			t.Errorf("line %d %q: want class %d", i, line, classes[i])
			continue
		}
		for j, f := range strings.Split(vals, ",") {
			if v, err := strconv.ParseFloat(f, 32); err != nil || j >= 3 || float32(v) != y[i*3+j] {
				t.Errorf("line %d %q: value %d, want %v", i, line, j, y[i*3:i*3+3])
				break
			}
		}
	}
}

// TestPredictStringModel: demo predict on a CSV file with strings gives, row by
// row, the outputs and classes of trainers.PredictNamed on the same values: a
// String input takes its column's text as demo csv's training read it (trimmed, a
// missing value as "", numbers-looking text as text), whether the column stands
// where the input's values fall in input order, or elsewhere under the input's
// name, or in a file without a header.
func TestPredictStringModel(t *testing.T) {
	path := saveModel(t, stringModel(t, 1))
	numeric := []float64{1.5, -2, -1, 0, 0.25, 3, 2, 2, -3, 1, 4, 0, 1, 1, -1, -1}
	fields := []string{"red", " green ", "blue", "mauve", "", "NA", "01", "Blue"}
	colors := []string{"red", "green", "blue", "mauve", "", "", "01", "Blue"}
	y, classes := stringWant(t, path, numeric, colors)
	if classes[0] != 0 || classes[1] != 1 || classes[2] != 2 || classes[3] != 2 || classes[7] != 0 {
		t.Fatalf("classes %v: the colors do not reach the model as built", classes)
	}
	file := func(header string, order func(a, b, c, label string) []string) string {
		var sb strings.Builder
		if header != "" {
			sb.WriteString(header + "\n")
		}
		for i, c := range fields {
			a, b := strconv.FormatFloat(numeric[2*i], 'g', -1, 64), strconv.FormatFloat(numeric[2*i+1], 'g', -1, 64)
			sb.WriteString(strings.Join(order(a, b, strconv.Quote(c), "x"), ",") + "\n")
		}
		p := filepath.Join(t.TempDir(), "in.csv")
		if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	inOrder := func(a, b, c, label string) []string { return []string{a, b, c, label} }
	cases := []struct {
		name string
		csv  string
		args []string
	}{
		{"input order", file("a,b,color,label", inOrder), []string{"-target", "label"}},
		{"string column by name", file("label,a,color,b", func(a, b, c, label string) []string { return []string{label, a, c, b} }), []string{"-target", "label"}},
		{"no header", file("", func(a, b, c, _ string) []string { return []string{a, b, c} }), nil},
		{"no header, target by index name", file("", inOrder), []string{"-target", "col3"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runDemo(append([]string{"predict", "-model", path, "-csv", c.csv}, c.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			checkPredictLines(t, out, y, classes)
		})
	}
}

// TestPredictStringErrors: what demo predict refuses in a file for a model with a
// String input, naming the row and the column.
func TestPredictStringErrors(t *testing.T) {
	oov1 := saveModel(t, stringModel(t, 1))
	oov0 := saveModel(t, stringModel(t, 0))
	long := strings.Repeat("x", maxStringBytes+1)
	cases := []struct {
		name, model, text string
		args              []string
		want              string
	}{
		{"text for a number", oov1, "a,b,color\n1,2,red\n1,abc,blue\n", nil, `row 1 column b (input "numeric"): "abc" is not a finite number`},
		{"missing number", oov1, "a,b,color\n1,2,red\n1,NA,blue\n", nil, `row 1 column b (input "numeric"): the value is missing ("NA")`},
		{"infinite number", oov1, "a,b,color\n1e999,2,red\n", nil, `row 0 column a (input "numeric"): 1e999 is not a finite number (beyond the range of float64)`},
		{"beyond float32", oov1, "a,b,color\n1,2,red\n1e39,2,red\n", nil, `row 1 column a (input "numeric"): 1e+39 is beyond the range of float32`},
		{"long string", oov1, "a,b,color\n1,2,red\n1,2," + long + "\n", nil, `row 1 column color (input "color"): the string "xxx`},
		{"unknown string without oov ids", oov0, "a,b,color\n1,2,red\n1,2,blue\n3,4,mauve\n", nil,
			`row 2 column color (input "color"): "mauve" is not in the vocabulary of lookup "color_lookup", which has no out-of-vocabulary ids`},
		{"empty string without oov ids", oov0, "a,b,color\n1,2,\n", nil, `row 0 column color (input "color"): "" is not in the vocabulary`},
		{"too many columns", oov1, "a,b,color,label\n1,2,red,x\n", nil, `has 4 feature columns (a, b, color, label), the model takes 3 values per row (numeric: 2, color: 1, in this order): leave the target out with -target COL`},
		{"no such target", oov1, "a,b,color\n1,2,red\n", []string{"-target", "label"}, `no column "label" to leave out with -target`},
		{"ragged row", oov1, "a,b,color\n1,2,red\n1,2\n", nil, `line 3 has 2 fields, the first row has 3`},
		{"only a header", oov1, "a,b,color\n", nil, `no data rows`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "in.csv")
			if err := os.WriteFile(p, []byte(c.text), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runDemo(append([]string{"predict", "-model", c.model, "-csv", p}, c.args...)...)
			if code != exitFailure || out != "" || !strings.Contains(errOut, c.want) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 1 and %q", code, out, errOut, c.want)
			}
			if strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
				t.Errorf("the error takes more than one line: %q", errOut)
			}
		})
	}
}
