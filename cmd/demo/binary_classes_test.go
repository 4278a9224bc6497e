package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"gorgonia.org/tensor"
)

// binaryRows are inputs of the identity models below, which answer them as they
// are (float32): x is the input's text and the output's, class the class of a
// binary classifier (1 from 0.5 up, 0.5 itself included).
var binaryRows = []struct {
	x     string
	class int
}{
	{"0.5", 1},
	{"0.49999997", 0}, // the float32 just below 0.5
	{"0.50000006", 1}, // and just above
	{"0.9", 1},
	{"0.1", 0},
	{"0", 0},
	{"1", 1},
	{"-2", 0},
	{"7", 1},
}

// binaryNameCases are the class names of a one-unit output: none (a regression or
// an unnamed sigmoid: values only, as before), or two (a binary classifier), as
// demo predict's text lines print them and as JSON writes them.
var binaryNameCases = []struct {
	name  string
	names []string // nil: none
	text  []string // the names in demo predict's text lines
	json  []string // the names in JSON
}{
	{"unnamed", nil, nil, nil},
	{"named", []string{"no", "yes"}, []string{"no", "yes"}, []string{`"no"`, `"yes"`}},
	{"escaped", []string{"<no>", "ye\ts"}, []string{"<no>", `"ye\ts"`}, []string{`"\u003cno\u003e"`, `"ye\ts"`}},
}

// identity is a Dense(1) without bias whose kernel is 1: its output is its input.
func identity(name string) *layers.DenseLayer {
	return layers.Dense(1, layers.WithKernelInitializer(graph.Constant{V: 1}), layers.WithBias(false), layers.WithName(name))
}

// binaryModel saves a model of one input of shape (1) and one output of shape
// (1), "p", equal to the input, naming its classes names (none when nil), and
// returns its path.
func binaryModel(t *testing.T, names []string) string {
	t.Helper()
	m := layers.NewSequential(layers.Input(1), identity("p"))
	if err := m.Build(layers.WithSeed(1)); err != nil {
		t.Fatal(err)
	}
	if names != nil {
		if err := layers.SetClassNames(m, names...); err != nil {
			t.Fatal(err)
		}
	}
	return saveModel(t, m)
}

// binaryCSV writes the inputs of binaryRows as a CSV file with a header "x".
func binaryCSV(t *testing.T) string {
	t.Helper()
	var sb strings.Builder
	sb.WriteString("x\n")
	for _, r := range binaryRows {
		sb.WriteString(r.x + "\n")
	}
	path := filepath.Join(t.TempDir(), "x.csv")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// binaryJSONLists returns binaryRows as the JSON lists of an answer: the rows
// ([[0.5],[0.49999997],...]), the classes ([1,0,...]) and the labels
// (["yes","no",...]) with jsonNames, the JSON of the two class names ("[]" when
// nil).
func binaryJSONLists(jsonNames []string) (rows, classes, labels string) {
	var r, c, l []string
	for _, row := range binaryRows {
		r = append(r, "["+row.x+"]")
		c = append(c, fmt.Sprint(row.class))
		if jsonNames != nil {
			l = append(l, jsonNames[row.class])
		}
	}
	return "[" + strings.Join(r, ",") + "]", "[" + strings.Join(c, ",") + "]", "[" + strings.Join(l, ",") + "]"
}

// TestBinaryClassifierPredict: demo predict prints, for an output of shape (1)
// with two class names, the value, a tab, the class (1 from 0.5 up) and a tab and
// its name (quoted as a Go string when it holds a tab); with -json "class" and
// "label". Without names the lines are the value alone, {"row":i,"output":[v]}.
func TestBinaryClassifierPredict(t *testing.T) {
	csvPath := binaryCSV(t)
	for _, tc := range binaryNameCases {
		t.Run(tc.name, func(t *testing.T) {
			path := binaryModel(t, tc.names)
			var wantText, wantJSON strings.Builder
			for i, r := range binaryRows {
				if tc.names == nil {
					fmt.Fprintf(&wantText, "%s\n", r.x)
					fmt.Fprintf(&wantJSON, `{"row":%d,"output":[%s]}`+"\n", i, r.x)
					continue
				}
				fmt.Fprintf(&wantText, "%s\t%d\t%s\n", r.x, r.class, tc.text[r.class])
				fmt.Fprintf(&wantJSON, `{"row":%d,"output":[%s],"class":%d,"label":%s}`+"\n", i, r.x, r.class, tc.json[r.class])
			}
			code, out, errOut := runDemo("predict", "-model", path, "-csv", csvPath)
			if code != exitOK || out != wantText.String() {
				t.Errorf("text: exit %d %s\n got %q\nwant %q", code, errOut, out, wantText.String())
			}
			code, out, errOut = runDemo("predict", "-json", "-model", path, "-csv", csvPath)
			if code != exitOK || out != wantJSON.String() {
				t.Errorf("-json: exit %d %s\n got %s\nwant %s", code, errOut, out, wantJSON.String())
			}
		})
	}
}

// TestBinaryClassifierServe: demo serve answers, for an output of shape (1) with
// two class names, "classes" (1 from 0.5 up) and "labels" in the rows form (the
// fast path, and encoding/json's rowsResponse, byte for byte the same) and in the
// named form, and "classes": true in /v1/model; without names, the values only
// and "classes": false, as before.
func TestBinaryClassifierServe(t *testing.T) {
	for _, tc := range binaryNameCases {
		t.Run(tc.name, func(t *testing.T) {
			sm := testServing(t, binaryModel(t, tc.names))
			h := newHandler(sm, handlerConfig{maxBody: defaultMaxBody})
			in, out := sm.ins[0].Name, sm.outs[0].Name
			rows, classes, labels := binaryJSONLists(tc.json)

			wantRows := `{"predictions":` + rows + "}\n"
			wantNamed := fmt.Sprintf(`{"outputs":{%q:%s}}`+"\n", out, rows)
			if tc.names != nil {
				wantRows = fmt.Sprintf(`{"predictions":%s,"classes":%s,"labels":%s}`+"\n", rows, classes, labels)
				wantNamed = fmt.Sprintf(`{"outputs":{%q:%s},"classes":{%q:%s},"labels":{%q:%s}}`+"\n", out, rows, out, classes, out, labels)
			}
			if status, b := post(t, h, `{"rows": `+rows+`}`); status != 200 || string(b) != wantRows {
				t.Errorf("rows form: %d\n got %s\nwant %s", status, b, wantRows)
			}
			if status, b := post(t, h, fmt.Sprintf(`{"inputs": {%q: %s}}`, in, rows)); status != 200 || string(b) != wantNamed {
				t.Errorf("named form: %d\n got %s\nwant %s", status, b, wantNamed)
			}

			// The fast path and encoding/json, on the model's own output.
			var xs []float32
			for _, r := range binaryRows {
				var v float32
				fmt.Sscan(r.x, &v)
				xs = append(xs, v)
			}
			y := tensor.New(tensor.WithShape(len(xs), 1), tensor.WithBacking(xs))
			o := sm.outs[0]
			if got := mustJSON(t, rowsResponse(o, outputRows(y))); got != wantRows {
				t.Errorf("rowsResponse:\n got %s\nwant %s", got, wantRows)
			}
			if got, ok := appendPredictions(nil, y, o.width > 1 || o.binary, o.names); !ok || string(got) != wantRows {
				t.Errorf("appendPredictions:\n got %s\nwant %s", got, wantRows)
			}
			if got := mustJSON(t, sm.namedAnswer([]*tensor.Dense{y})); got != wantNamed {
				t.Errorf("namedAnswer:\n got %s\nwant %s", got, wantNamed)
			}

			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/model", nil))
			var info modelResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &info); err != nil || len(info.Outputs) != 1 {
				t.Fatalf("/v1/model: %v %s", err, rec.Body)
			}
			if o := info.Outputs[0]; o.Classes != (tc.names != nil) || fmt.Sprintf("%q", o.ClassNames) != fmt.Sprintf("%q", tc.names) {
				t.Errorf("/v1/model: output %+v, want classes %v and class names %q", o, tc.names != nil, tc.names)
			}
		})
	}
}

// TestBinaryClassifierNaN: a binary classifier's NaN (null) answers class 1, as
// argmax answers the last class of a row of NaNs, the same in the fast path and
// with encoding/json, float32 and float64; an unnamed output answers no class.
func TestBinaryClassifierNaN(t *testing.T) {
	nan := math.NaN()
	if c := argmax([]outValue{{nan, 64}, {nan, 64}}); c != 1 {
		t.Fatalf("argmax of a row of 2 NaNs is %d; binaryClass follows it, want 1", c)
	}
	for _, y := range []*tensor.Dense{
		tensor.New(tensor.WithShape(3, 1), tensor.WithBacking([]float32{float32(nan), 0.25, float32(math.Inf(1))})),
		tensor.New(tensor.WithShape(3, 1), tensor.WithBacking([]float64{nan, 0.25, math.Inf(1)})),
	} {
		for _, names := range [][]string{nil, {"no", "yes"}} {
			o := newOutputSpec(layers.Spec{Name: "p", Shape: []int{1}}, names)
			want := `{"predictions":[[null],[0.25],[null]]}` + "\n"
			if names != nil {
				want = `{"predictions":[[null],[0.25],[null]],"classes":[1,0,1],"labels":["yes","no","yes"]}` + "\n"
			}
			if got := mustJSON(t, rowsResponse(o, outputRows(y))); got != want {
				t.Errorf("%v names %q: rowsResponse\n got %s\nwant %s", y.Dtype(), names, got, want)
			}
			if got, ok := appendPredictions(nil, y, o.width > 1 || o.binary, o.names); !ok || string(got) != want {
				t.Errorf("%v names %q: appendPredictions\n got %s\nwant %s", y.Dtype(), names, got, want)
			}
		}
	}
}

// TestNewOutputSpec: which outputs have classes: shape (k), k > 1 (named or
// not), and shape (1) with exactly two class names; not shape (1) without names
// nor other shapes.
func TestNewOutputSpec(t *testing.T) {
	for _, tc := range []struct {
		shape           []int
		names           []string
		classes, binary bool
	}{
		{[]int{1}, []string{"no", "yes"}, true, true},
		{[]int{1}, nil, false, false},
		{[]int{3}, nil, true, false},
		{[]int{3}, []string{"a", "b", "c"}, true, false},
		{[]int{2}, []string{"a", "b"}, true, false},
		{[]int{1, 1}, []string{"no", "yes"}, false, false},
		{[]int{2, 2}, nil, false, false},
	} {
		o := newOutputSpec(layers.Spec{Name: "out", Shape: tc.shape}, tc.names)
		if o.classes != tc.classes || o.binary != tc.binary || o.width != product(tc.shape) {
			t.Errorf("shape %v names %q: classes %v binary %v width %d, want %v %v %d",
				tc.shape, tc.names, o.classes, o.binary, o.width, tc.classes, tc.binary, product(tc.shape))
		}
	}
	bin := newOutputSpec(layers.Spec{Name: "p", Shape: []int{1}}, []string{"no", "yes"})
	for _, tc := range []struct {
		p    float64
		want int
	}{
		{0.5, 1}, {math.Nextafter(0.5, 0), 0}, {math.Nextafter(0.5, 1), 1}, {0, 0}, {1, 1},
		{-1, 0}, {2, 1}, {math.Inf(1), 1}, {math.Inf(-1), 0}, {math.NaN(), 1},
	} {
		if got := bin.class([]outValue{{tc.p, 64}}); got != tc.want {
			t.Errorf("class of %v: %d, want %d", tc.p, got, tc.want)
		}
	}
}

// TestBinaryClassifierNamedOutputs: of a model of two outputs of shape (1) equal
// to its input, "p" with two class names and "q" without, demo predict and demo
// serve give a class and a label for "p" only (1 from 0.5 up), and /v1/model
// says so.
func TestBinaryClassifierNamedOutputs(t *testing.T) {
	x := layers.NewInput("x", layers.Shape(1))
	m, err := layers.NewModel([]*layers.Tensor{x}, []*layers.Tensor{identity("p").Apply(x), identity("q").Apply(x)})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(layers.WithSeed(1)); err != nil {
		t.Fatal(err)
	}
	if err := layers.SetOutputClassNames(m, "p", "no", "yes"); err != nil {
		t.Fatal(err)
	}
	path := saveModel(t, m)
	csvPath := binaryCSV(t)
	names := []string{"no", "yes"}

	var wantText, wantJSON strings.Builder
	for i, r := range binaryRows {
		fmt.Fprintf(&wantText, "p=%s\tq=%s\tp.class=%d\tp.label=%s\n", r.x, r.x, r.class, names[r.class])
		fmt.Fprintf(&wantJSON, `{"row":%d,"outputs":{"p":[%s],"q":[%s]},"classes":{"p":%d},"labels":{"p":%q}}`+"\n", i, r.x, r.x, r.class, names[r.class])
	}
	code, out, errOut := runDemo("predict", "-model", path, "-csv", csvPath)
	if code != exitOK || out != wantText.String() {
		t.Errorf("text: exit %d %s\n got %q\nwant %q", code, errOut, out, wantText.String())
	}
	code, out, errOut = runDemo("predict", "-json", "-model", path, "-csv", csvPath)
	if code != exitOK || out != wantJSON.String() {
		t.Errorf("-json: exit %d %s\n got %s\nwant %s", code, errOut, out, wantJSON.String())
	}

	h := newHandler(testServing(t, path), handlerConfig{maxBody: defaultMaxBody})
	rows, classes, labels := binaryJSONLists([]string{`"no"`, `"yes"`})
	want := fmt.Sprintf(`{"outputs":{"p":%s,"q":%s},"classes":{"p":%s},"labels":{"p":%s}}`+"\n", rows, rows, classes, labels)
	for form, body := range map[string]string{"rows": `{"rows": ` + rows + `}`, "named": `{"inputs": {"x": ` + rows + `}}`} {
		if status, b := post(t, h, body); status != 200 || string(b) != want {
			t.Errorf("%s form: %d\n got %s\nwant %s", form, status, b, want)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/model", nil))
	var info modelResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &info); err != nil || len(info.Outputs) != 2 {
		t.Fatalf("/v1/model: %v %s", err, rec.Body)
	}
	for _, o := range info.Outputs {
		if o.Classes != (o.Name == "p") {
			t.Errorf("/v1/model: output %s has classes %v", o.Name, o.Classes)
		}
	}
}
