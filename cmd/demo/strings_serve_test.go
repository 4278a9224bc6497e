package main

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// stringAnswer holds both answers of /v1/predict for stringModel: "predictions"
// and "classes" in the "rows" form, "outputs" and "classes" by name in the named
// form.
type stringAnswer struct {
	Predictions [][]float64            `json:"predictions"`
	Outputs     map[string][][]float64 `json:"outputs"`
	Classes     json.RawMessage        `json:"classes"`
}

// check compares the answer with trainers' outputs y (3 per row) and classes.
func (a stringAnswer) check(named bool, y []float32, classes []int) error {
	rows, gotClasses := a.Predictions, []int(nil)
	if named {
		rows = a.Outputs["species"]
		var byName map[string][]int
		if err := json.Unmarshal(a.Classes, &byName); err != nil {
			return err
		}
		gotClasses = byName["species"]
	} else if err := json.Unmarshal(a.Classes, &gotClasses); err != nil {
		return err
	}
	if len(rows) != len(classes) || len(gotClasses) != len(classes) {
		return fmt.Errorf("%d rows and %d classes, want %d", len(rows), len(gotClasses), len(classes))
	}
	for i, row := range rows {
		if gotClasses[i] != classes[i] || len(row) != 3 {
			return fmt.Errorf("row %d: %v class %d, want %v class %d", i, row, gotClasses[i], y[i*3:i*3+3], classes[i])
		}
		for j, v := range row {
			if float32(v) != y[i*3+j] {
				return fmt.Errorf("row %d: %v, want %v", i, row, y[i*3:i*3+3])
			}
		}
	}
	return nil
}

// TestHandlerStringModel: the "rows" form (the numbers, then the color, per row)
// and the named form take JSON strings for the String input and answer, with 200,
// trainers.PredictNamed's outputs and classes; an unknown string takes the
// out-of-vocabulary id. /v1/model shows the input as a string.
func TestHandlerStringModel(t *testing.T) {
	path := saveModel(t, stringModel(t, 1))
	sm := testServing(t, path)
	h := newHandler(sm, handlerConfig{maxBody: defaultMaxBody})
	numeric := []float64{1.5, -2, -1, 0, 0.25, 3, 2, 2, -3, 1, 4, 0}
	colors := []string{"red", "green", "blue", "mauve", "", "7"}
	y, classes := stringWant(t, path, numeric, colors)
	cases := []struct {
		name  string
		body  string
		named bool
	}{
		{"rows", stringRowsBody(numeric, colors), false},
		{"named", stringNamedBody(numeric, colors), true},
		{"rows, escaped", `{"rows": [[1.5, -2, "r\u0065d"], [-1, 0, "green"], [0.25, 3, "blue"], [2, 2, "mauve"], [-3, 1, ""], [4, 0, "7"]]}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, b := post(t, h, c.body)
			if status != 200 {
				t.Fatalf("%d %s", status, b)
			}
			var got stringAnswer
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			if err := got.check(c.named, y, classes); err != nil {
				t.Fatalf("%v: %s", err, b)
			}
		})
	}
	t.Run("model info", func(t *testing.T) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/model", nil))
		var info modelResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &info); err != nil || rec.Code != 200 {
			t.Fatalf("%d %s: %v", rec.Code, rec.Body, err)
		}
		if len(info.Inputs) != 2 || info.Inputs[1].Name != "color" || info.Inputs[1].DType != "string" || info.Inputs[1].Values != 1 ||
			info.Inputs[0].DType != "float32" {
			t.Errorf("inputs %+v", info.Inputs)
		}
		if d := sm.describeInputs(); d != `"numeric" (2) float32, "color" (1) string` {
			t.Errorf("describeInputs %q", d)
		}
	})
}

// TestHandlerStringErrors: a number for a string, a string for a number, a string
// over the limit and an unknown string for a lookup without out-of-vocabulary ids
// are 400s naming the row and column (and the value).
func TestHandlerStringErrors(t *testing.T) {
	oov1 := newHandler(testServing(t, saveModel(t, stringModel(t, 1))), handlerConfig{maxBody: defaultMaxBody})
	oov0 := newHandler(testServing(t, saveModel(t, stringModel(t, 0))), handlerConfig{maxBody: defaultMaxBody})
	long := strings.Repeat("é", maxStringBytes/2+1)
	cases := []struct {
		name string
		h    *apiServer
		body string
		want string
	}{
		{"rows: number for a string", oov1, `{"rows": [[1, 2, "red"], [1, 2, 3]]}`, `row 1 value 2 (input "color" column 0) is 3, want a string`},
		{"rows: string for a number", oov1, `{"rows": [[1, "2", "red"]]}`, `row 0 value 1 (input "numeric" column 1) is "2", want a number`},
		{"rows: null for a string", oov1, `{"rows": [[1, 2, null]]}`, `row 0 value 2 (input "color" column 0) is null, want a string`},
		{"rows: array for a string", oov1, `{"rows": [[1, 2, ["red"]]]}`, `row 0 value 2 (input "color" column 0) is ["red"], want a string`},
		{"rows: short row", oov1, `{"rows": [[1, "red"]]}`, `row 0 has 2 values, the model takes 3 (numeric: 2, color: 1, in this order)`},
		{"named: number for a string", oov1, `{"inputs": {"numeric": [[1, 2], [3, 4]], "color": [["red"], [7]]}}`, `input "color" row 1 column 0 is 7, want a string`},
		{"named: string for a number", oov1, `{"inputs": {"numeric": [["1", 2]], "color": [["red"]]}}`, `input "numeric" row 0 column 0 is "1", want a number`},
		{"named: two strings", oov1, `{"inputs": {"numeric": [[1, 2]], "color": [["red", "blue"]]}}`, `input "color" row 0 has 2 values, the input takes 1 (shape (1))`},
		{"named: long string", oov1, `{"inputs": {"numeric": [[1, 2]], "color": [["` + long + `"]]}}`, `input "color" row 0 column 0: the string "éé`},
		{"named: escaped long string", oov1, `{"inputs": {"numeric": [[1, 2]], "color": [["` + strings.Repeat(`\u00e9`, maxStringBytes) + `"]]}}`, `input "color" row 0 column 0: the string`},
		{"no oov: rows", oov0, `{"rows": [[1, 2, "red"], [1, 2, "mauve"]]}`,
			`row 1 value 2 (input "color" column 0): "mauve" is not in the vocabulary of lookup "color_lookup", which has no out-of-vocabulary ids`},
		{"no oov: named", oov0, `{"inputs": {"numeric": [[1, 2], [3, 4]], "color": [["blue"], [""]]}}`,
			`input "color" row 1 column 0: "" is not in the vocabulary of lookup "color_lookup"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, msg := postError(t, c.h, c.body)
			if status != 400 || !strings.Contains(msg, c.want) {
				t.Fatalf("%d %q, want 400 and %q", status, msg, c.want)
			}
			if len(msg) > 1000 {
				t.Errorf("the message takes %d bytes", len(msg))
			}
		})
	}
}

// TestHandlerStringLookupErrorBatched: an unknown string that the server does not
// check itself reaches the Predictor's run as a *graph.LookupError; its request
// gets a 400 naming the input, row, column and value, while the requests batched
// with it get their predictions.
func TestHandlerStringLookupErrorBatched(t *testing.T) {
	path := saveModel(t, stringModel(t, 0))
	sm, err := loadServingModel(path, trainers.WithWorkers(1), trainers.WithMaxBatch(64), trainers.WithLinger(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer sm.close()
	sm.ins[1].strict = nil // as for a lookup the server does not find (behind other layers)
	h := newHandler(sm, handlerConfig{maxBody: defaultMaxBody})
	numeric := []float64{1, 2, -1, 0, 3, 3}
	good := [][]string{{"red", "green", "blue"}, {"blue", "blue", "red"}}
	for round := 0; round < 2; round++ { // the second round runs on the programs the failure ran
		var wg sync.WaitGroup
		status := make([]int, 3)
		bodies := make([][]byte, 3)
		send := func(k int, body string) {
			defer wg.Done()
			status[k], bodies[k] = post(t, h, body)
		}
		wg.Add(3)
		go send(0, stringRowsBody(numeric, good[0]))
		go send(1, stringNamedBody(numeric, []string{"green", "mauve", "red"}))
		go send(2, stringNamedBody(numeric, good[1]))
		wg.Wait()
		var e struct{ Error string }
		want := `input "color" row 1 column 0: "mauve" is not in the vocabulary of lookup "color_lookup"`
		if status[1] != 400 || json.Unmarshal(bodies[1], &e) != nil || !strings.Contains(e.Error, want) {
			t.Errorf("round %d, the bad request: %d %s, want 400 and %q", round, status[1], bodies[1], want)
		}
		for k, colors := range map[int][]string{0: good[0], 2: good[1]} {
			y, classes := stringWant(t, path, numeric, colors)
			var got stringAnswer
			if status[k] != 200 || json.Unmarshal(bodies[k], &got) != nil {
				t.Fatalf("round %d, request %d: %d %s", round, k, status[k], bodies[k])
			}
			if err := got.check(k == 2, y, classes); err != nil {
				t.Errorf("round %d, request %d: %v", round, k, err)
			}
		}
	}
	if st := sm.pred.Stats(); st.Requests < 6 {
		t.Errorf("stats %+v", st)
	}
}

// TestHandlerOneStringInput: for a model of one String input the "rows" form
// skips the fast path of float rows: strings are taken, numbers refused by row
// and value.
func TestHandlerOneStringInput(t *testing.T) {
	color := layers.NewInput("color", layers.Shape(2), layers.String)
	lookup := layers.StringLookup(layers.WithVocabulary(colorVocab))
	out := layers.Dense(2, layers.WithActivation("softmax")).Apply(
		layers.Flatten().Apply(layers.CategoryEncoding(lookup.VocabularySize()).Apply(lookup.Apply(color))))
	m, err := layers.NewModel([]*layers.Tensor{color}, []*layers.Tensor{out})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(layers.WithSeed(9)); err != nil {
		t.Fatal(err)
	}
	path := saveModel(t, m)
	h := newHandler(testServing(t, path), handlerConfig{maxBody: defaultMaxBody})
	status, b := post(t, h, `{"rows": [["red", "blue"], ["", "7"], ["green", "green"]]}`)
	var got stringAnswer
	if status != 200 || json.Unmarshal(b, &got) != nil || len(got.Predictions) != 3 {
		t.Fatalf("%d %s", status, b)
	}
	loaded, err := layers.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := trainers.Predict(loaded, tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]string{"red", "blue", "", "7", "green", "green"})))
	if err != nil {
		t.Fatal(err)
	}
	y := want.Data().([]float32)
	for i, row := range got.Predictions {
		if len(row) != 2 || float32(row[0]) != y[2*i] || float32(row[1]) != y[2*i+1] {
			t.Errorf("row %d: %v, want %v", i, row, y[2*i:2*i+2])
		}
	}
	for body, want := range map[string]string{
		`{"rows": [["red", 3]]}`:               `row 0 value 1 is 3, want a string`,
		`{"rows": [["red"]]}`:                  `row 0 has 1 values, the input takes 2 (shape (2))`,
		`{"rows": [["red", "x"], [1.5, "y"]]}`: `row 1 value 0 is 1.5, want a string`,
	} {
		if status, msg := postError(t, h, body); status != 400 || !strings.Contains(msg, want) {
			t.Errorf("%s: %d %q, want 400 and %q", body, status, msg, want)
		}
	}
}
