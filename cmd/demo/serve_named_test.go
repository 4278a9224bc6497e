package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// namedAnswer is the named form's answer.
type namedAnswer struct {
	Outputs map[string][][]float64 `json:"outputs"`
	Classes map[string][]int       `json:"classes"`
}

// post sends body to /v1/predict of h and returns the status and body.
func post(t *testing.T, h http.Handler, body string) (int, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/predict", strings.NewReader(body)))
	return rec.Code, rec.Body.Bytes()
}

// postError sends body to /v1/predict of h and returns the status and the message
// of the {"error": ...} answer.
func postError(t *testing.T, h http.Handler, body string) (int, string) {
	t.Helper()
	status, b := post(t, h, body)
	var e struct{ Error string }
	if err := json.Unmarshal(b, &e); err != nil || e.Error == "" {
		t.Fatalf("%d %s is not {\"error\": ...}", status, b)
	}
	return status, e.Error
}

// namedBody is a named request for the functional test model.
func namedBody(ids []int64, feats []float64) string {
	idRows := make([][]int64, len(ids))
	featRows := make([][]float64, len(ids))
	for i := range ids {
		idRows[i] = []int64{ids[i]}
		featRows[i] = feats[i*3 : i*3+3]
	}
	b, _ := json.Marshal(map[string]interface{}{"inputs": map[string]interface{}{"user_id": idRows, "features": featRows}})
	return string(b)
}

// checkNamed checks a named answer against a Predictor's outputs.
func checkNamed(t *testing.T, got namedAnswer, want map[string][]float32, n int) {
	t.Helper()
	if !checkNamedRows(t, got, want, n) {
		t.FailNow()
	}
}

// checkNamedRows is checkNamed without stopping the test (safe in any goroutine);
// it reports whether the answer is right.
func checkNamedRows(t *testing.T, got namedAnswer, want map[string][]float32, n int) bool {
	t.Helper()
	failed := false
	fail := func(format string, args ...interface{}) {
		t.Errorf(format, args...)
		failed = true
	}
	widths := map[string]int{"click": 1, "kind": 3}
	if len(got.Outputs) != 2 {
		fail("outputs %v, want click and kind", got.Outputs)
		return false
	}
	for name, w := range widths {
		rows := got.Outputs[name]
		if len(rows) != n {
			fail("output %s: %d rows, want %d", name, len(rows), n)
			return false
		}
		for i, row := range rows {
			if len(row) != w {
				fail("output %s row %d: %v, want %d values", name, i, row, w)
				return false
			}
			for j, v := range row {
				if float32(v) != want[name][i*w+j] {
					fail("output %s row %d: %v, want %v", name, i, row, want[name][i*w:i*w+w])
					break
				}
			}
		}
	}
	if _, ok := got.Classes["click"]; ok || len(got.Classes["kind"]) != n {
		fail("classes %v, want %d for kind only", got.Classes, n)
		return false
	}
	for i, c := range got.Classes["kind"] {
		if best := argmax32(want["kind"][i*3 : i*3+3]); c != best {
			fail("kind row %d: class %d, want %d", i, c, best)
		}
	}
	return !failed
}

// TestHandlerNamedRoundTrip: the named form through the handler gives the numbers
// of Predictor.PredictNamed, for ids written as 3, 3.0 or 3e0; so does the "rows"
// form, whose rows hold every input's values in input order.
func TestHandlerNamedRoundTrip(t *testing.T) {
	path := saveModel(t, testFunctional(t))
	sm := testServing(t, path)
	srv := httptest.NewServer(newHandler(sm, handlerConfig{maxBody: defaultMaxBody}))
	defer srv.Close()
	ids := []int64{3, 7, 0, 9}
	feats := []float64{0.5, -1, 2, 1, 1, 1, -3, 0.25, 10, 0, 0, 0}
	want := namedWant(t, path, ids, feats)
	bodies := map[string]string{
		"integers": namedBody(ids, feats),
		"spelled":  `{"inputs": {"features": [[0.5, -1, 2], [1, 1, 1], [-3, 0.25, 10], [0, 0, 0]], "user_id": [[3.0], [0.7e1], [-0], [900e-2]]}}`,
		// The "rows" form: every input's values in a row, in input order.
		"rows": `{"rows": [[3, 0.5, -1, 2], [7, 1, 1, 1], [0, -3, 0.25, 10], [9, 0, 0, 0]]}`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			resp, err := srv.Client().Post(srv.URL+"/v1/predict", "application/json", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got namedAnswer
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != 200 {
				t.Fatalf("status %d, %v", resp.StatusCode, err)
			}
			checkNamed(t, got, want, len(ids))
		})
	}
}

// TestHandlerNamedErrors: every rejection of a named request is a 400 whose message
// names the input (and the row and column of a bad value).
func TestHandlerNamedErrors(t *testing.T) {
	sm := testServing(t, saveModel(t, testFunctional(t)))
	h := newHandler(sm, handlerConfig{maxBody: defaultMaxBody})
	okFeats := `"features": [[1, 2, 3], [4, 5, 6]]`
	okIDs := `"user_id": [[1], [2]]`
	cases := []struct {
		name, body, want string
	}{
		{"unknown input", `{"inputs": {` + okIDs + `, ` + okFeats + `, "age": [[3], [4]]}}`, `unknown input "age" (the model's inputs are "user_id" (1) int64, "features" (3) float32)`},
		{"missing input", `{"inputs": {` + okIDs + `}}`, `missing input "features"`},
		{"empty inputs", `{"inputs": {}}`, `missing input "user_id"`},
		{"no inputs", `{}`, `no inputs (the model's inputs are "user_id" (1) int64, "features" (3) float32`},
		{"rows form, short row", `{"rows": [[1, 1, 2, 3], [1, 2, 3]]}`, `row 1 has 3 values, the model takes 4 (user_id: 1, features: 3, in this order)`},
		{"rows form, string id", `{"rows": [["3", 1, 2, 3]]}`, `row 0 value 0 (input "user_id" column 0) is "3", want a number`},
		{"rows form, null", `{"rows": [[3, 1, null, 3]]}`, `row 0 value 2 (input "features" column 1) is null, want a number`},
		{"rows form, id beyond vocab", `{"rows": [[10, 1, 2, 3]]}`, `row 0 value 0 (input "user_id" column 0): id 10 is out of range [0, 10)`},
		{"rows form, no rows", `{"rows": []}`, `no rows`},
		{"both forms", `{"rows": [[1]], "inputs": {` + okIDs + `}}`, `either "rows" or "inputs"`},
		{"wide row", `{"inputs": {` + okIDs + `, "features": [[1, 2, 3], [4, 5]]}}`, `input "features" row 1 has 2 values, the input takes 3 (shape (3))`},
		{"wide id row", `{"inputs": {"user_id": [[1, 2], [2]], ` + okFeats + `}}`, `input "user_id" row 0 has 2 values, the input takes 1 (shape (1))`},
		{"row counts", `{"inputs": {"user_id": [[1], [2], [3]], ` + okFeats + `}}`, `input "features" has 2 rows, input "user_id" has 3: every input needs the same number of rows`},
		{"no rows", `{"inputs": {"user_id": [], ` + okFeats + `}}`, `input "user_id" has no rows`},
		{"fraction", `{"inputs": {"user_id": [[1], [3.5]], ` + okFeats + `}}`, `input "user_id" row 1 column 0: 3.5 is not an integer (the input is int64)`},
		{"huge id", `{"inputs": {"user_id": [[1e30], [1]], ` + okFeats + `}}`, `input "user_id" row 0 column 0: 1e30 is out of the range of int64`},
		{"id beyond vocab", `{"inputs": {"user_id": [[1], [10]], ` + okFeats + `}}`, `input "user_id" row 1 column 0: id 10 is out of range [0, 10) of embedding "embedding"`},
		{"negative id", `{"inputs": {"user_id": [[-1], [1]], ` + okFeats + `}}`, `input "user_id" row 0 column 0: id -1 is out of range [0, 10)`},
		{"string id", `{"inputs": {"user_id": [["3"], [1]], ` + okFeats + `}}`, `input "user_id" row 0 column 0 is "3", want a number`},
		{"bool", `{"inputs": {` + okIDs + `, "features": [[1, true, 3], [4, 5, 6]]}}`, `input "features" row 0 column 1 is true, want a number`},
		{"null", `{"inputs": {` + okIDs + `, "features": [[1, 2, 3], [4, null, 6]]}}`, `input "features" row 1 column 1 is null`},
		{"overflow", `{"inputs": {` + okIDs + `, "features": [[1, 2, 1e999], [4, 5, 6]]}}`, `input "features" row 0 column 2: 1e999 is not a finite number`},
		{"beyond float32", `{"inputs": {` + okIDs + `, "features": [[1, 2, 3], [4, -1e39, 6]]}}`, `input "features" row 1 column 1: -1e+39 is beyond the range of float32`},
		{"not rows", `{"inputs": {"user_id": 3, ` + okFeats + `}}`, `input "user_id": malformed JSON`},
		{"flat rows", `{"inputs": {"user_id": [1, 2], ` + okFeats + `}}`, `input "user_id": malformed JSON`},
		{"inputs not an object", `{"inputs": [1]}`, `malformed JSON`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, msg := postError(t, h, c.body)
			if status != 400 || !strings.Contains(msg, c.want) {
				t.Fatalf("%d %q, want 400 and %q", status, msg, c.want)
			}
		})
	}
}

// TestHandlerIDModel: a model of one int32 input answers the "rows" form as a
// one-input model always has, with ids checked against int32 and the vocabulary.
func TestHandlerIDModel(t *testing.T) {
	path := saveModel(t, testIDModel(t))
	sm := testServing(t, path)
	h := newHandler(sm, handlerConfig{maxBody: defaultMaxBody})
	status, b := post(t, h, `{"rows": [[1, 2], [9, 0], [4, 4]]}`)
	if status != 200 {
		t.Fatalf("%d %s", status, b)
	}
	var got struct {
		Predictions [][]float64 `json:"predictions"`
		Classes     []int       `json:"classes"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	p, err := trainers.LoadPredictor(path)
	if err != nil {
		t.Fatal(err)
	}
	y, err := p.Predict(context.Background(), tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]int32{1, 2, 9, 0, 4, 4})))
	p.Close()
	if err != nil {
		t.Fatal(err)
	}
	w := y.Data().([]float32)
	if len(got.Predictions) != 3 || len(got.Classes) != 3 {
		t.Fatalf("got %s", b)
	}
	for i, row := range got.Predictions {
		if len(row) != 2 || float32(row[0]) != w[2*i] || float32(row[1]) != w[2*i+1] || got.Classes[i] != argmax32(w[2*i:2*i+2]) {
			t.Errorf("row %d: %v class %d, want %v", i, row, got.Classes[i], w[2*i:2*i+2])
		}
	}
	cases := []struct{ body, want string }{
		{`{"rows": [[1, 2], [1.5, 2]]}`, "row 1 value 0: 1.5 is not an integer (the input is int32)"},
		{`{"rows": [[1, 2147483648]]}`, "row 0 value 1: 2147483648 is out of the range of int32 [-2147483648, 2147483647]"},
		{`{"rows": [[1, 10]]}`, `row 0 value 1: id 10 is out of range [0, 10) of embedding "embedding"`},
		{`{"rows": [[1]]}`, "row 0 has 1 values, the input takes 2 (shape (2))"},
		{`{"rows": [[1, null]]}`, "row 0 value 1 is null"},
		{`{"rows": []}`, "no rows"},
		{`{"inputs": {"ids": [[1, 2.5]]}}`, `input "ids" row 0 column 1: 2.5 is not an integer`},
	}
	for _, c := range cases {
		status, msg := postError(t, h, c.body)
		if status != 400 || !strings.Contains(msg, c.want) {
			t.Errorf("%s: %d %q, want 400 and %q", c.body, status, msg, c.want)
		}
	}
}

// TestHandlerNamedOneInput: the named form works for the one-input test model, with
// its scaler applied, and gives the numbers of the "rows" form.
func TestHandlerNamedOneInput(t *testing.T) {
	for _, scaled := range []bool{false, true} {
		sm := testServing(t, saveTestModel(t, scaled))
		h := newHandler(sm, handlerConfig{maxBody: defaultMaxBody})
		rows := `[[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]`
		status, b := post(t, h, `{"rows": `+rows+`}`)
		var old struct {
			Predictions [][]float64 `json:"predictions"`
			Classes     []int       `json:"classes"`
		}
		if err := json.Unmarshal(b, &old); err != nil || status != 200 {
			t.Fatalf("rows: %d %s", status, b)
		}
		in, out := sm.ins[0].Name, sm.outs[0].Name
		status, b = post(t, h, fmt.Sprintf(`{"inputs": {%q: %s}}`, in, rows))
		var got namedAnswer
		if err := json.Unmarshal(b, &got); err != nil || status != 200 {
			t.Fatalf("named: %d %s", status, b)
		}
		if fmt.Sprint(got.Outputs[out]) != fmt.Sprint(old.Predictions) || fmt.Sprint(got.Classes[out]) != fmt.Sprint(old.Classes) {
			t.Errorf("scaled %v: named %s, rows form %v %v", scaled, b, old.Predictions, old.Classes)
		}
		if len(got.Outputs) != 1 {
			t.Errorf("outputs %v", got.Outputs)
		}
	}
}

// TestHandlerNamedModelInfo: GET /v1/model describes every input and output and
// keeps the fields of one-input models.
func TestHandlerNamedModelInfo(t *testing.T) {
	sm := testServing(t, saveModel(t, testFunctional(t)))
	rec := httptest.NewRecorder()
	newHandler(sm, handlerConfig{maxBody: defaultMaxBody}).ServeHTTP(rec, httptest.NewRequest("GET", "/v1/model", nil))
	var got modelResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	ins := fmt.Sprintf("%+v", got.Inputs)
	outs := fmt.Sprintf("%+v", got.Outputs)
	wantIns := "[{Name:user_id Shape:[1] DType:int64 Values:1 Vocab:10} {Name:features Shape:[3] DType:float32 Values:3 Vocab:0}]"
	wantOuts := "[{Name:click Shape:[1] DType:float32 Values:1 Classes:false ClassNames:[]} {Name:kind Shape:[3] DType:float32 Values:3 Classes:true ClassNames:[]}]"
	if ins != wantIns || outs != wantOuts {
		t.Errorf("inputs %s\n want %s\noutputs %s\n want %s", ins, wantIns, outs, wantOuts)
	}
	if strings.Contains(rec.Body.String(), "class_names") { // a model without names: no key
		t.Errorf("/v1/model of a model without class names: %s", rec.Body)
	}
	if fmt.Sprint(got.InputShape, got.OutputShape) != "[1] [1]" || got.DType != "float32" || got.Scaler ||
		got.Params != 10*4+(4+3)*8+8+8+1+8*3+3 || !strings.Contains(got.Summary, "user_id") {
		t.Errorf("got %+v", got)
	}
	// The one-input model's answer has the same description.
	sm1 := testServing(t, saveTestModel(t, true))
	rec = httptest.NewRecorder()
	newHandler(sm1, handlerConfig{maxBody: defaultMaxBody}).ServeHTTP(rec, httptest.NewRequest("GET", "/v1/model", nil))
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Inputs) != 1 || got.Inputs[0].DType != "float32" || fmt.Sprint(got.Inputs[0].Shape) != "[4]" ||
		len(got.Outputs) != 1 || !got.Outputs[0].Classes || !got.Scaler {
		t.Errorf("one-input model: %s", rec.Body.Bytes())
	}
}

// TestServingScalerRefused: a "scaler" attachment on a model that is not one float
// input is an error when the model is loaded, not a scaler silently ignored.
func TestServingScalerRefused(t *testing.T) {
	for name, m := range map[string]interface {
		Attach(string, interface{}) error
		Save(string) error
	}{"two inputs": testFunctional(t), "int input": testIDModel(t)} {
		sc := datasets.StandardScaler{Mean: []float64{0, 0, 0}, Scale: []float64{1, 1, 1}}
		if err := m.Attach(scalerAttachment, sc); err != nil {
			t.Fatal(err)
		}
		path := t.TempDir() + "/m.safetensors"
		if err := m.Save(path); err != nil {
			t.Fatal(err)
		}
		_, err := loadServingModel(path)
		if err == nil || !strings.Contains(err.Error(), `"scaler" attachment, which demo serve and demo predict apply only to a model of one float input`) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestHandlerNamedConcurrent: concurrent named requests, gathered into shared
// batches, each get their own rows' outputs; requests with an id out of the
// embedding's range get a 400 and do not fail the others.
func TestHandlerNamedConcurrent(t *testing.T) {
	path := saveModel(t, testFunctional(t))
	sm, err := loadServingModel(path, trainers.WithMaxBatch(4), trainers.WithWorkers(2), trainers.WithLinger(2*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer sm.close()
	h := newHandler(sm, handlerConfig{maxBody: defaultMaxBody})
	type job struct {
		ids   []int64
		feats []float64
		bad   bool
	}
	var jobs []job
	for k := 0; k < 24; k++ {
		n := 1 + k%5
		j := job{}
		for i := 0; i < n; i++ {
			j.ids = append(j.ids, int64((k+i)%10))
			j.feats = append(j.feats, float64(k)/7, float64(i)-1, 0.5)
		}
		if k%6 == 5 {
			j.ids[n-1], j.bad = 10+int64(k), true
		}
		jobs = append(jobs, j)
	}
	wants := make([]map[string][]float32, len(jobs))
	for k, j := range jobs {
		if !j.bad {
			wants[k] = namedWant(t, path, j.ids, j.feats)
		}
	}
	var wg sync.WaitGroup
	for k, j := range jobs {
		wg.Add(1)
		go func(j job, want map[string][]float32) {
			defer wg.Done()
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/predict", strings.NewReader(namedBody(j.ids, j.feats))))
			if j.bad {
				wantMsg := fmt.Sprintf(`input \"user_id\" row %d column 0: id %d is out of range [0, 10)`, len(j.ids)-1, j.ids[len(j.ids)-1])
				if rec.Code != 400 || !strings.Contains(rec.Body.String(), wantMsg) {
					t.Errorf("ids %v: %d %s, want 400 and %s", j.ids, rec.Code, rec.Body, wantMsg)
				}
				return
			}
			var got namedAnswer
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != 200 {
				t.Errorf("ids %v: %d %s", j.ids, rec.Code, rec.Body)
				return
			}
			checkNamedRows(t, got, want, len(j.ids))
		}(j, wants[k])
	}
	wg.Wait()
}

func TestIntLiteral(t *testing.T) {
	cases := []struct {
		lit     string
		dt      tensor.Dtype
		want    int64
		problem string
	}{
		{"0", tensor.Int64, 0, ""},
		{"-0", tensor.Int64, 0, ""},
		{"0.000", tensor.Int64, 0, ""},
		{"0e999999999999", tensor.Int64, 0, ""},
		{"42", tensor.Int64, 42, ""},
		{"-42", tensor.Int64, -42, ""},
		{"4.2e1", tensor.Int64, 42, ""},
		{"4200e-2", tensor.Int64, 42, ""},
		{"3.0", tensor.Int32, 3, ""},
		{"3.5", tensor.Int64, 0, "3.5 is not an integer (the input is int64)"},
		{"1e-1", tensor.Int64, 0, "is not an integer"},
		{"3.0000000000000000000001", tensor.Int64, 0, "is not an integer"},
		{"1e-99999999999", tensor.Int64, 0, "is not an integer"},
		{"9223372036854775807", tensor.Int64, 9223372036854775807, ""},
		{"-9223372036854775808", tensor.Int64, -9223372036854775808, ""},
		{"9223372036854775808", tensor.Int64, 0, "out of the range of int64"},
		{"-9223372036854775809", tensor.Int64, 0, "out of the range of int64"},
		{"1e19", tensor.Int64, 0, "out of the range of int64"},
		{"1e30", tensor.Int64, 0, "1e30 is out of the range of int64"},
		{"1E99999999999", tensor.Int64, 0, "out of the range"},
		{"2147483647", tensor.Int32, 2147483647, ""},
		{"-2147483648", tensor.Int32, -2147483648, ""},
		{"2147483648", tensor.Int32, 0, "out of the range of int32"},
		{"-2.147483649e9", tensor.Int32, 0, "out of the range of int32"},
	}
	for _, c := range cases {
		got, problem := intLiteral(c.lit, c.dt)
		if got != c.want || (c.problem == "") != (problem == "") || !strings.Contains(problem, c.problem) {
			t.Errorf("intLiteral(%q, %v) = %d, %q; want %d, %q", c.lit, c.dt, got, problem, c.want, c.problem)
		}
	}
}
