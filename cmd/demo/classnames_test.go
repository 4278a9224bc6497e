package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"gorgonia.org/tensor"
)

// The rows of predictCSVText, for the 4-8-3 test model.
var labelRows = []float64{5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3, 5.9, 3.0, 4.2, 1.5}

// namedTestModel returns testModel (4-8-3 softmax) naming its classes names
// (none when nil), saved to a temporary file, and that file's path.
func namedTestModel(t *testing.T, names []string) string {
	t.Helper()
	m := testModel(t, false)
	if names != nil {
		if err := layers.SetClassNames(m, names...); err != nil {
			t.Fatal(err)
		}
	}
	return saveModel(t, m)
}

// wantRows predicts rows (4 values each) with sm directly: the output rows and
// the argmax of each.
func wantRows(t *testing.T, sm *servingModel, rows []float64) ([][]outValue, []int) {
	t.Helper()
	where := func(in, row, col int) string { return fmt.Sprintf("row %d value %d", row, col) }
	ys, err := sm.predict(context.Background(), []inputValues{{n: len(rows) / 4, floats: append([]float64(nil), rows...)}}, where)
	if err != nil {
		t.Fatal(err)
	}
	out := outputRows(ys[0])
	classes := make([]int, len(out))
	for i, row := range out {
		classes[i] = argmax(row)
	}
	return out, classes
}

// labelsOf returns names[c] for every class c, or nil without names.
func labelsOf(names []string, classes []int) []string {
	if names == nil {
		return nil
	}
	labels := make([]string, len(classes))
	for i, c := range classes {
		labels[i] = names[c]
	}
	return labels
}

// mustJSON encodes v as writeJSON200 does (HTML characters escaped), with its
// newline.
func mustJSON(t *testing.T, v interface{}) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

var classNameCases = []struct {
	name  string
	names []string // nil: the model has none
}{
	{"no names", nil},
	{"iris", []string{"setosa", "versicolor", "virginica"}},
	{"escaped", []string{"<a&b>", "tab\there \"q\"", "é ünï\u2028"}},
}

// TestServeClassNames: a model of one output that names its classes answers
// "labels" (the name of each row's class) beside "classes" in the rows form (the
// fast path) and in the named form, and lists them in /v1/model; one without
// names answers as before, without a "labels" key. The answers are compared byte
// for byte with what is built here from the model's outputs.
func TestServeClassNames(t *testing.T) {
	for _, tc := range classNameCases {
		t.Run(tc.name, func(t *testing.T) {
			sm := testServing(t, namedTestModel(t, tc.names))
			h := newHandler(sm, handlerConfig{maxBody: defaultMaxBody})
			rows, classes := wantRows(t, sm, labelRows)
			labels := labelsOf(tc.names, classes)
			x := make([][]float64, 3)
			for i := range x {
				x[i] = labelRows[4*i : 4*i+4]
			}
			xb, _ := json.Marshal(x)

			status, b := post(t, h, fmt.Sprintf(`{"rows": %s}`, xb))
			want := mustJSON(t, struct {
				Predictions [][]outValue `json:"predictions"`
				Classes     []int        `json:"classes"`
				Labels      []string     `json:"labels,omitempty"`
			}{rows, classes, labels})
			if status != 200 || string(b) != want {
				t.Errorf("rows form: %d\n got %s\nwant %s", status, b, want)
			}

			out := sm.outs[0].Name
			status, b = post(t, h, fmt.Sprintf(`{"inputs": {%q: %s}}`, sm.ins[0].Name, xb))
			named := struct {
				Outputs map[string][][]outValue `json:"outputs"`
				Classes map[string][]int        `json:"classes"`
				Labels  map[string][]string     `json:"labels,omitempty"`
			}{Outputs: map[string][][]outValue{out: rows}, Classes: map[string][]int{out: classes}}
			if labels != nil {
				named.Labels = map[string][]string{out: labels}
			}
			if want := mustJSON(t, named); status != 200 || string(b) != want {
				t.Errorf("named form: %d\n got %s\nwant %s", status, b, want)
			}
			if tc.names == nil && strings.Contains(string(b), `"labels"`) {
				t.Errorf("named form without names: %s", b)
			}

			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/model", nil))
			var info struct {
				Outputs []map[string]json.RawMessage `json:"outputs"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &info); err != nil || len(info.Outputs) != 1 {
				t.Fatalf("/v1/model: %v %s", err, rec.Body)
			}
			got, has := info.Outputs[0]["class_names"]
			switch {
			case tc.names == nil && has:
				t.Errorf("/v1/model lists class names %s for a model without them", got)
			case tc.names != nil && string(got) != strings.TrimSuffix(mustJSON(t, tc.names), "\n"):
				t.Errorf("/v1/model: class_names %s, want %q", got, tc.names)
			}
		})
	}
}

// TestServeNamedOutputsClassNames: of a model of two outputs, "click" (one
// sigmoid unit: no classes in the answers without names; with two names a binary
// classifier, its class 1 from 0.5 up) and "kind" (three classes), the answers
// carry labels for the outputs whose classes have names, in the named form and in
// the rows form (which answers the named form for several outputs); /v1/model
// lists the names of each output that has them, and which outputs have classes.
func TestServeNamedOutputsClassNames(t *testing.T) {
	kind := []string{"bird", "cat", "dog"}
	ids := []int64{3, 7, 0, 9}
	feats := []float64{0.5, -1, 2, 1, 1, 1, -3, 0.25, 10, 0, 0, 0}
	rowsBody := `{"rows": [[3, 0.5, -1, 2], [7, 1, 1, 1], [0, -3, 0.25, 10], [9, 0, 0, 0]]}`
	for _, tc := range []struct {
		name        string
		kind, click []string
	}{
		{"no names", nil, nil},
		{"kind", kind, nil},
		{"kind and click", kind, []string{"stay", "click"}},
		{"click only", nil, []string{"stay", "click"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := testFunctional(t)
			if tc.kind != nil {
				if err := layers.SetOutputClassNames(m, "kind", tc.kind...); err != nil {
					t.Fatal(err)
				}
			}
			if tc.click != nil {
				if err := layers.SetOutputClassNames(m, "click", tc.click...); err != nil {
					t.Fatal(err)
				}
			}
			path := saveModel(t, m)
			want := namedWant(t, path, ids, feats)
			h := newHandler(testServing(t, path), handlerConfig{maxBody: defaultMaxBody})
			classes := make([]int, len(ids))
			clicks := make([]int, len(ids))
			for i := range classes {
				classes[i] = argmax32(want["kind"][3*i : 3*i+3])
				if want["click"][i] >= 0.5 {
					clicks[i] = 1
				}
			}
			for form, body := range map[string]string{"named": namedBody(ids, feats), "rows": rowsBody} {
				status, b := post(t, h, body)
				var got struct {
					namedAnswer
					Labels map[string][]string `json:"labels"`
				}
				if status != 200 || json.Unmarshal(b, &got) != nil {
					t.Fatalf("%s form: %d %s", form, status, b)
				}
				switch gotClicks, has := got.Classes["click"]; {
				case has != (tc.click != nil):
					t.Errorf("%s form: click classes %v: want them with names only", form, gotClicks)
				case has && fmt.Sprint(gotClicks) != fmt.Sprint(clicks):
					t.Errorf("%s form: click classes %v, want %v", form, gotClicks, clicks)
				}
				delete(got.Classes, "click") // checkNamed: classes for kind only
				checkNamed(t, got.namedAnswer, want, len(ids))
				if fmt.Sprint(got.Classes["kind"]) != fmt.Sprint(classes) {
					t.Errorf("%s form: classes %v, want %v", form, got.Classes["kind"], classes)
				}
				var wantLabels map[string][]string
				if tc.kind != nil {
					wantLabels = map[string][]string{"kind": labelsOf(tc.kind, classes)}
				}
				if tc.click != nil {
					if wantLabels == nil {
						wantLabels = map[string][]string{}
					}
					wantLabels["click"] = labelsOf(tc.click, clicks)
				}
				if fmt.Sprint(got.Labels) != fmt.Sprint(wantLabels) || (wantLabels == nil) == strings.Contains(string(b), `"labels"`) {
					t.Errorf("%s form: %s, want labels %v", form, b, wantLabels)
				}
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/model", nil))
			var info modelResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &info); err != nil || len(info.Outputs) != 2 {
				t.Fatalf("/v1/model: %v %s", err, rec.Body)
			}
			for _, o := range info.Outputs {
				wantNames := map[string][]string{"kind": tc.kind, "click": tc.click}[o.Name]
				if fmt.Sprintf("%q", o.ClassNames) != fmt.Sprintf("%q", wantNames) {
					t.Errorf("/v1/model: output %s has class names %q, want %q", o.Name, o.ClassNames, wantNames)
				}
				if wantClasses := o.Name == "kind" || tc.click != nil; o.Classes != wantClasses {
					t.Errorf("/v1/model: output %s has classes %v, want %v", o.Name, o.Classes, wantClasses)
				}
			}
		})
	}
}

// TestAppendPredictionsLabels: the fast answer with labels is byte for byte what
// encoding/json writes for rowsResponse: names with characters that JSON escapes
// (HTML ones, quotes, control characters, U+2028, invalid UTF-8), rows of NaN,
// ties, float32 and float64, and one-value rows (classes and labels with two
// names, a binary classifier's; none without names).
func TestAppendPredictionsLabels(t *testing.T) {
	nan := math.NaN()
	cases := []*tensor.Dense{
		tensor.New(tensor.WithShape(3, 3), tensor.WithBacking([]float32{0.1, 0.7, 0.2, 1, 1, 0, 0, 0.2, 0.8})),
		tensor.New(tensor.WithShape(3, 3), tensor.WithBacking([]float64{nan, 1, 2, nan, nan, nan, 3, 2, 1})),
		tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float32{0.2, 0.9})),
		tensor.New(tensor.WithShape(5, 1), tensor.WithBacking([]float64{0.5, nan, math.Nextafter(0.5, 0), math.Inf(1), math.Inf(-1)})),
	}
	nameSets := [][]string{nil, {"a", "b", "c"}, {"<a&b>", "\"q\"\t\\", "\xff\u2028é"}, {"no", "yes"}}
	for _, y := range cases {
		w := y.Shape()[1]
		for _, names := range nameSets {
			if names != nil && len(names) != w && (w != 1 || len(names) != 2) {
				continue // a model's names are one per value (two for one value)
			}
			o := newOutputSpec(layers.Spec{Name: "out", Shape: []int{w}}, names)
			want := mustJSON(t, rowsResponse(o, outputRows(y)))
			got, ok := appendPredictions(nil, y, o.width > 1 || o.binary, names)
			if !ok || string(got) != want {
				t.Errorf("%v names %q:\n got %s\nwant %s", y.Data(), names, got, want)
			}
			if hasLabels := strings.Contains(want, `"labels"`); hasLabels != (names != nil) {
				t.Errorf("%v names %q: labels %v in %s", y.Data(), names, hasLabels, want)
			}
		}
	}
}

// TestPredictClassNames: demo predict prints, after the tab and the class id, a
// tab and the class's name when the model has names (quoted when it holds a tab),
// and "label" in JSON; without names, the lines are as before: values and class.
func TestPredictClassNames(t *testing.T) {
	csvPath := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(csvPath, []byte(predictCSVText), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range append(classNameCases, struct {
		name  string
		names []string
	}{"tab", []string{"a\tb", "c", `"d"`}}) {
		t.Run(tc.name, func(t *testing.T) {
			path := namedTestModel(t, tc.names)
			_, classes := wantRows(t, testServing(t, path), labelRows)
			code, out, errOut := runDemo("predict", "-model", path, "-csv", csvPath, "-target", "label")
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			if len(lines) != len(classes) {
				t.Fatalf("%d lines for %d rows:\n%s", len(lines), len(classes), out)
			}
			for i, line := range lines {
				fields := strings.Split(line, "\t")
				want := []string{fields[0], strconv.Itoa(classes[i])}
				if tc.names != nil {
					name := tc.names[classes[i]]
					if strings.ContainsAny(name, "\t\n\u2028") || strings.HasPrefix(name, `"`) {
						name = strconv.Quote(name)
					}
					want = append(want, name)
				}
				if fmt.Sprintf("%q", fields) != fmt.Sprintf("%q", want) {
					t.Errorf("line %d: fields %q, want %q", i, fields, want)
				}
			}
			code, out, errOut = runDemo("predict", "-json", "-model", path, "-csv", csvPath, "-target", "label")
			if code != exitOK {
				t.Fatalf("-json: exit %d: %s", code, errOut)
			}
			for i, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
				var got map[string]json.RawMessage
				if err := json.Unmarshal([]byte(line), &got); err != nil {
					t.Fatalf("line %q: %v", line, err)
				}
				label, has := got["label"]
				switch {
				case string(got["class"]) != strconv.Itoa(classes[i]):
					t.Errorf("line %q: want class %d", line, classes[i])
				case tc.names == nil && has:
					t.Errorf("line %q: a label without names", line)
				case tc.names != nil && string(label) != strings.TrimSuffix(mustJSON(t, tc.names[classes[i]]), "\n"):
					t.Errorf("line %q: want label %q", line, tc.names[classes[i]])
				}
			}
		})
	}
}

// TestPredictNamedOutputsClassNames: for a model of several outputs, demo
// predict adds NAME.label=CLASS after NAME.class=K (text) and "labels" (JSON) for
// the outputs with classes that have names, and nothing without names.
func TestPredictNamedOutputsClassNames(t *testing.T) {
	csvPath := filepath.Join(t.TempDir(), "in.csv")
	text := "user_id,f1,f2,f3,label\n3,0.5,-1,2,a\n7,1,1,1,b\n0,-3,0.25,10,a\n9.0,0,0,0,c\n"
	if err := os.WriteFile(csvPath, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, names := range [][]string{nil, {"bird", "cat", "dog"}} {
		t.Run(fmt.Sprint(names != nil), func(t *testing.T) {
			m := testFunctional(t)
			if names != nil {
				if err := layers.SetOutputClassNames(m, "kind", names...); err != nil {
					t.Fatal(err)
				}
			}
			path := saveModel(t, m)
			want := namedWant(t, path, []int64{3, 7, 0, 9}, []float64{0.5, -1, 2, 1, 1, 1, -3, 0.25, 10, 0, 0, 0})
			code, out, errOut := runDemo("predict", "-model", path, "-csv", csvPath, "-target", "label")
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			if len(lines) != 4 {
				t.Fatalf("%d lines:\n%s", len(lines), out)
			}
			for i, line := range lines {
				c := argmax32(want["kind"][3*i : 3*i+3])
				fields := strings.Split(line, "\t")
				wantTail := []string{"kind.class=" + strconv.Itoa(c)}
				if names != nil {
					wantTail = append(wantTail, "kind.label="+names[c])
				}
				if len(fields) != 2+len(wantTail) || fmt.Sprint(fields[2:]) != fmt.Sprint(wantTail) {
					t.Errorf("line %q: want fields click=..., kind=..., %q", line, wantTail)
				}
			}
			code, out, errOut = runDemo("predict", "-json", "-model", path, "-csv", csvPath, "-target", "label")
			if code != exitOK {
				t.Fatalf("-json: exit %d: %s", code, errOut)
			}
			for i, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
				c := argmax32(want["kind"][3*i : 3*i+3])
				var got struct {
					Classes map[string]int    `json:"classes"`
					Labels  map[string]string `json:"labels"`
				}
				if err := json.Unmarshal([]byte(line), &got); err != nil {
					t.Fatalf("line %q: %v", line, err)
				}
				var wantLabels map[string]string
				if names != nil {
					wantLabels = map[string]string{"kind": names[c]}
				}
				if got.Classes["kind"] != c || fmt.Sprint(got.Labels) != fmt.Sprint(wantLabels) ||
					(names == nil) == strings.Contains(line, `"labels"`) {
					t.Errorf("line %q: want class %d and labels %v", line, c, wantLabels)
				}
			}
		})
	}
}

func TestTextLabel(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"setosa", "setosa"},
		{"two words", "two words"},
		{"é ünï", "é ünï"},
		{"7", "7"},
		{"a\tb", `"a\tb"`},
		{"line\nbreak", `"line\nbreak"`},
		{"cr\r", `"cr\r"`},
		{`"quoted"`, `"\"quoted\""`},
		{`mid"quote`, `mid"quote`},
		{"\xff", `"\xff"`},
		{"nb\u00a0sp", `"nb\u00a0sp"`},
		{"sep\u2028", `"sep\u2028"`},
	} {
		if got := textLabel(tc.in); got != tc.want {
			t.Errorf("textLabel(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
