package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sort"
	"strings"

	"github.com/pkg/errors"
)

// defaultMaxBody is the default limit on a request body, in bytes (1 MiB).
const defaultMaxBody = 1 << 20

// predictRequest is the body of POST /v1/predict, in one of two forms:
//
//	{"rows": [[...], ...]}                        a model of one input
//	{"inputs": {"NAME": [[...], ...], ...}}       any model: every input by name
//
// A row holds an example's values flattened (row-major over the input's shape);
// integer inputs take integers. The model's attached scaler, if any, is applied by
// the server (models of one float input only).
type predictRequest struct {
	Rows   json.RawMessage            `json:"rows"`
	Inputs map[string]json.RawMessage `json:"inputs"`
}

// predictResponse is the answer of POST /v1/predict in the "rows" form for a model
// of one output: one row of output values per input row and, for outputs of more
// than one value, the index of the largest (the class) per row.
type predictResponse struct {
	Predictions [][]outValue `json:"predictions"`
	Classes     []int        `json:"classes,omitempty"`
}

// namedResponse is the answer of POST /v1/predict in the named form (and in the
// "rows" form for a model of several outputs): every output's rows by name and, for
// each output of shape (k) with k > 1, the index of the largest value per row.
type namedResponse struct {
	Outputs map[string][][]outValue `json:"outputs"`
	Classes map[string][]int        `json:"classes,omitempty"`
}

// modelResponse is the answer of GET /v1/model. InputShape and OutputShape are the
// first input's and output's (kept from the time models had one of each); Inputs
// and Outputs describe all of them.
type modelResponse struct {
	File        string       `json:"file"`
	DType       string       `json:"dtype"`
	InputShape  []int        `json:"input_shape"`
	OutputShape []int        `json:"output_shape"`
	Params      int          `json:"params"`
	Scaler      bool         `json:"scaler"`
	Attachments []string     `json:"attachments"`
	Summary     string       `json:"summary"`
	Inputs      []inputInfo  `json:"inputs"`
	Outputs     []outputInfo `json:"outputs"`
}

// inputInfo describes one input in GET /v1/model.
type inputInfo struct {
	Name   string `json:"name"`
	Shape  []int  `json:"shape"`
	DType  string `json:"dtype"`
	Values int    `json:"values"`          // per row: the product of the shape
	Vocab  int    `json:"vocab,omitempty"` // ids must lie in [0, vocab) (an Embedding takes the input)
}

// outputInfo describes one output in GET /v1/model.
type outputInfo struct {
	Name    string `json:"name"`
	Shape   []int  `json:"shape"`
	DType   string `json:"dtype"`
	Values  int    `json:"values"`
	Classes bool   `json:"classes"` // the named answer carries its argmax per row
}

// statsResponse is the answer of GET /v1/stats.
type statsResponse struct {
	Requests       int    `json:"requests"`
	Rows           int    `json:"rows"`
	Batches        int    `json:"batches"`
	Canceled       int    `json:"canceled"`
	HeapInuseBytes uint64 `json:"heap_inuse_bytes"`
	Goroutines     int    `json:"goroutines"`
}

// newHandler returns the HTTP API of a served model:
//
//	POST /v1/predict  {"rows": [[...], ...]} -> {"predictions": [[...], ...], "classes": [...]}
//	                  {"inputs": {"NAME": [[...], ...], ...}} -> {"outputs": {"NAME": [[...], ...], ...}, "classes": {"NAME": [...]}}
//	GET  /v1/model    the model: file, dtype, inputs and outputs, parameter count, summary
//	GET  /v1/stats    predictions run, rows, batches, canceled, heap in use, goroutines
//	GET  /healthz     200 "ok"
//
// Errors are JSON {"error": "..."}: 400 for malformed JSON or rows the model does
// not take (naming the input, row and column), 404 for other paths, 405 for a
// wrong method, 413 for a body over maxBody bytes, 500 when the prediction fails.
func newHandler(sm *servingModel, maxBody int64) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/predict", allow(func(w http.ResponseWriter, r *http.Request) { handlePredict(w, r, sm, maxBody) }, http.MethodPost))
	mux.HandleFunc("/v1/model", allow(func(w http.ResponseWriter, r *http.Request) { handleModel(w, sm) }, http.MethodGet, http.MethodHead))
	mux.HandleFunc("/v1/stats", allow(func(w http.ResponseWriter, r *http.Request) { handleStats(w, sm) }, http.MethodGet, http.MethodHead))
	mux.HandleFunc("/healthz", allow(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok")
	}, http.MethodGet, http.MethodHead))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no such endpoint %s (see /v1/predict, /v1/model, /v1/stats, /healthz)", r.URL.Path))
	})
	return mux
}

// allow answers 405 with an Allow header to methods other than methods.
func allow(h http.HandlerFunc, methods ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for _, m := range methods {
			if r.Method == m {
				h(w, r)
				return
			}
		}
		list := strings.Join(methods, ", ")
		w.Header().Set("Allow", list)
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed on %s (allowed: %s)", r.Method, r.URL.Path, list))
	}
}

func handlePredict(w http.ResponseWriter, r *http.Request, sm *servingModel, maxBody int64) {
	vals, named, where, status, err := decodePredict(http.MaxBytesReader(w, r.Body, maxBody), sm, maxBody)
	if err != nil {
		writeError(w, status, err.Error())
		return
	}
	ys, err := sm.predict(r.Context(), vals, where)
	if err != nil {
		var bad *badRequest
		status := http.StatusInternalServerError
		switch {
		case errors.As(err, &bad):
			writeError(w, http.StatusBadRequest, bad.Error())
			return
		case r.Context().Err() != nil:
			status = http.StatusServiceUnavailable
		}
		writeError(w, status, "predict: "+err.Error())
		return
	}
	if !named && len(ys) == 1 {
		resp := predictResponse{Predictions: outputRows(ys[0])}
		if sm.outs[0].width > 1 {
			resp.Classes = make([]int, len(resp.Predictions))
			for i, row := range resp.Predictions {
				resp.Classes[i] = argmax(row)
			}
		}
		writeJSON200(w, resp)
		return
	}
	resp := namedResponse{Outputs: make(map[string][][]outValue, len(ys))}
	for k, y := range ys {
		o := sm.outs[k]
		rows := outputRows(y)
		resp.Outputs[o.Name] = rows
		if o.classes {
			if resp.Classes == nil {
				resp.Classes = map[string][]int{}
			}
			cl := make([]int, len(rows))
			for i, row := range rows {
				cl[i] = argmax(row)
			}
			resp.Classes[o.Name] = cl
		}
	}
	writeJSON200(w, resp)
}

// wantForms is the reminder of the request forms in errors.
const wantForms = `want {"rows": [[...], ...]} or {"inputs": {"NAME": [[...], ...], ...}}`

// decodePredict reads a predict request and returns every input's rows in the
// model's order, whether it came in the named form, and the locator of its values;
// for a bad request an HTTP status and an error naming the problem.
func decodePredict(body io.Reader, sm *servingModel, maxBody int64) (vals []inputValues, named bool, where locator, status int, err error) {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	var req predictRequest
	tooBig := func(err error) bool {
		var mb *http.MaxBytesError
		return errors.As(err, &mb)
	}
	if err := dec.Decode(&req); err != nil {
		if tooBig(err) {
			return nil, false, nil, http.StatusRequestEntityTooLarge, errors.Errorf("the body is over the limit of %d bytes", maxBody)
		}
		return nil, false, nil, http.StatusBadRequest, errors.Wrap(err, "malformed JSON ("+wantForms+")")
	}
	if _, err := dec.Token(); err != io.EOF {
		if tooBig(err) {
			return nil, false, nil, http.StatusRequestEntityTooLarge, errors.Errorf("the body is over the limit of %d bytes", maxBody)
		}
		return nil, false, nil, http.StatusBadRequest, errors.New("malformed JSON: data after the request object")
	}
	hasRows := len(req.Rows) > 0 && string(req.Rows) != "null"
	switch {
	case hasRows && req.Inputs != nil:
		return nil, false, nil, http.StatusBadRequest, errors.New(`give either "rows" or "inputs", not both`)
	case req.Inputs != nil:
		vals, err = decodeNamed(req.Inputs, sm)
		where, named = sm.namedWhere, true
	case len(sm.ins) != 1:
		if !hasRows {
			return nil, false, nil, http.StatusBadRequest, errors.Errorf("no inputs (the model's inputs are %s; %s)", sm.describeInputs(), wantForms)
		}
		return nil, false, nil, http.StatusBadRequest, errors.Errorf(`the model has %d inputs (%s): send {"inputs": {%s}}, not "rows"`,
			len(sm.ins), sm.describeInputs(), namedExample(sm))
	default:
		vals, err = decodeRows(req.Rows, sm)
		where = rowsWhere
	}
	if err != nil {
		return nil, false, nil, http.StatusBadRequest, err
	}
	return vals, named, where, 0, nil
}

// rowsWhere names a value of the "rows" form: "row 2 value 0".
func rowsWhere(_, row, col int) string { return fmt.Sprintf("row %d value %d", row, col) }

// namedWhere names a value of the named form: `input "user_id" row 2 column 0`.
func (s *servingModel) namedWhere(in, row, col int) string {
	return fmt.Sprintf("input %q row %d column %d", s.ins[in].Name, row, col)
}

// namedExample is `"user_id": [[...], ...], "features": [[...], ...]` for errors.
func namedExample(sm *servingModel) string {
	parts := make([]string, len(sm.ins))
	for i, in := range sm.ins {
		parts[i] = fmt.Sprintf("%q: [[...], ...]", in.Name)
	}
	return strings.Join(parts, ", ")
}

// decodeRows reads the "rows" form for a model of one input. A float input reads
// as it always has (numbers decoded as float64); an integer input goes through
// parseRows, which takes only integers in range.
func decodeRows(raw json.RawMessage, sm *servingModel) ([]inputValues, error) {
	in := sm.ins[0]
	if !hasRowsJSON(raw) {
		return nil, errors.New("no rows (" + wantForms + ")")
	}
	if in.isInt {
		var rows [][]json.RawMessage
		if err := json.Unmarshal(raw, &rows); err != nil {
			return nil, errors.Wrap(err, `malformed JSON (want {"rows": [[...], ...]})`)
		}
		v, err := sm.parseRows(0, rows, rowsWhere, func(row int) string { return fmt.Sprintf("row %d", row) })
		return []inputValues{v}, err
	}
	var rows [][]*float64
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, errors.Wrap(err, `malformed JSON (want {"rows": [[...], ...]})`)
	}
	vals := make([]float64, 0, len(rows)*in.width)
	for i, row := range rows {
		if len(row) != in.width {
			return nil, errors.Errorf("row %d has %d values, the model takes %d", i, len(row), in.width)
		}
		for j, v := range row {
			if v == nil {
				return nil, errors.Errorf("row %d value %d is null, want a number", i, j)
			}
			vals = append(vals, *v)
		}
	}
	return []inputValues{{n: len(rows), floats: vals}}, nil
}

// hasRowsJSON reports whether raw is a non-empty JSON array (not null, not []).
func hasRowsJSON(raw json.RawMessage) bool {
	if len(raw) == 0 {
		return false
	}
	var probe []json.RawMessage
	return json.Unmarshal(raw, &probe) != nil || len(probe) > 0 // a non-array: let the decoder say what is wrong
}

// decodeNamed reads the named form: every model input by name, no other name, the
// same number of rows each.
func decodeNamed(inputs map[string]json.RawMessage, sm *servingModel) ([]inputValues, error) {
	known := map[string]bool{}
	for _, in := range sm.ins {
		known[in.Name] = true
	}
	var unknown []string
	for name := range inputs {
		if !known[name] {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	if len(unknown) > 0 {
		return nil, errors.Errorf("unknown input %q (the model's inputs are %s)", unknown[0], sm.describeInputs())
	}
	vals := make([]inputValues, len(sm.ins))
	first := -1
	for i, in := range sm.ins {
		raw, ok := inputs[in.Name]
		if !ok {
			return nil, errors.Errorf("missing input %q (the model's inputs are %s)", in.Name, sm.describeInputs())
		}
		var rows [][]json.RawMessage
		if err := json.Unmarshal(raw, &rows); err != nil {
			return nil, errors.Wrapf(err, "input %q: malformed JSON (want rows of numbers: [[...], ...])", in.Name)
		}
		if len(rows) == 0 {
			return nil, errors.Errorf("input %q has no rows", in.Name)
		}
		if first >= 0 && len(rows) != vals[first].n {
			return nil, errors.Errorf("input %q has %d rows, input %q has %d: every input needs the same number of rows",
				in.Name, len(rows), sm.ins[first].Name, vals[first].n)
		}
		v, err := sm.parseRows(i, rows, sm.namedWhere, func(row int) string { return fmt.Sprintf("input %q row %d", in.Name, row) })
		if err != nil {
			return nil, err
		}
		vals[i] = v
		if first < 0 {
			first = i
		}
	}
	return vals, nil
}

func handleModel(w http.ResponseWriter, sm *servingModel) {
	params := 0
	for _, p := range sm.model.Params() {
		params += p.Size()
	}
	atts := sm.model.Attachments()
	if atts == nil {
		atts = []string{}
	}
	resp := modelResponse{
		File: sm.path, DType: sm.model.DType().String(),
		InputShape: sm.ins[0].Shape, OutputShape: sm.outs[0].Shape, Params: params,
		Scaler: sm.scaler != nil, Attachments: atts, Summary: sm.model.Summary(),
	}
	for _, in := range sm.ins {
		resp.Inputs = append(resp.Inputs, inputInfo{Name: in.Name, Shape: nonNil(in.Shape), DType: in.DType.String(), Values: in.width, Vocab: in.vocab})
	}
	for _, o := range sm.outs {
		resp.Outputs = append(resp.Outputs, outputInfo{Name: o.Name, Shape: nonNil(o.Shape), DType: o.DType.String(), Values: o.width, Classes: o.classes})
	}
	writeJSON200(w, resp)
}

func nonNil(s []int) []int {
	if s == nil {
		return []int{}
	}
	return s
}

func handleStats(w http.ResponseWriter, sm *servingModel) {
	st := sm.pred.Stats()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	writeJSON200(w, statsResponse{
		Requests: st.Requests, Rows: st.Rows, Batches: st.Batches, Canceled: st.Canceled,
		HeapInuseBytes: ms.HeapInuse, Goroutines: runtime.NumGoroutine(),
	})
}

// writeJSON200 writes v as a JSON answer with status 200, or a 500 if v cannot be
// encoded.
func writeJSON200(w http.ResponseWriter, v interface{}) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		writeError(w, http.StatusInternalServerError, "encode the answer: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}

// writeError writes {"error": msg} with the status.
func writeError(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(map[string]string{"error": msg})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
