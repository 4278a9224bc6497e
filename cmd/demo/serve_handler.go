package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"

	"github.com/pkg/errors"
)

// defaultMaxBody is the default limit on a request body, in bytes (1 MiB).
const defaultMaxBody = 1 << 20

// predictRequest is the body of POST /v1/predict: rows of raw input values (the
// model's attached scaler, if any, is applied by the server).
type predictRequest struct {
	Rows [][]*float64 `json:"rows"`
}

// predictResponse is the answer of POST /v1/predict: one row of output values per
// input row and, for models with more than one output, the index of the largest
// (the class) per row.
type predictResponse struct {
	Predictions [][]outValue `json:"predictions"`
	Classes     []int        `json:"classes,omitempty"`
}

// modelResponse is the answer of GET /v1/model.
type modelResponse struct {
	File        string   `json:"file"`
	DType       string   `json:"dtype"`
	InputShape  []int    `json:"input_shape"`
	OutputShape []int    `json:"output_shape"`
	Params      int      `json:"params"`
	Scaler      bool     `json:"scaler"`
	Attachments []string `json:"attachments"`
	Summary     string   `json:"summary"`
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
//	GET  /v1/model    the model: file, dtype, shapes, parameter count, summary
//	GET  /v1/stats    predictions run, rows, batches, canceled, heap in use, goroutines
//	GET  /healthz     200 "ok"
//
// Errors are JSON {"error": "..."}: 400 for malformed JSON or rows the model does
// not take, 404 for other paths, 405 for a wrong method, 413 for a body over
// maxBody bytes, 500 when the prediction fails.
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
	vals, n, status, err := decodeRows(http.MaxBytesReader(w, r.Body, maxBody), sm.width, maxBody)
	if err != nil {
		writeError(w, status, err.Error())
		return
	}
	y, err := sm.predict(r.Context(), vals, n)
	if err != nil {
		status := http.StatusInternalServerError
		if r.Context().Err() != nil {
			status = http.StatusServiceUnavailable
		}
		writeError(w, status, "predict: "+err.Error())
		return
	}
	resp := predictResponse{Predictions: outputRows(y)}
	if sm.outW > 1 {
		resp.Classes = make([]int, n)
		for i, row := range resp.Predictions {
			resp.Classes[i] = argmax(row)
		}
	}
	writeJSON200(w, resp)
}

// decodeRows reads a predict request and returns its rows, flat, their number, and
// for a bad request an HTTP status and an error naming the problem.
func decodeRows(body io.Reader, width int, maxBody int64) (vals []float64, n, status int, err error) {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	var req predictRequest
	if err := dec.Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, 0, http.StatusRequestEntityTooLarge, errors.Errorf("the body is over the limit of %d bytes", maxBody)
		}
		return nil, 0, http.StatusBadRequest, errors.Wrap(err, "malformed JSON (want {\"rows\": [[...], ...]})")
	}
	if _, err := dec.Token(); err != io.EOF {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, 0, http.StatusRequestEntityTooLarge, errors.Errorf("the body is over the limit of %d bytes", maxBody)
		}
		return nil, 0, http.StatusBadRequest, errors.New("malformed JSON: data after the request object")
	}
	if len(req.Rows) == 0 {
		return nil, 0, http.StatusBadRequest, errors.New("no rows (want {\"rows\": [[...], ...]})")
	}
	vals = make([]float64, 0, len(req.Rows)*width)
	for i, row := range req.Rows {
		if len(row) != width {
			return nil, 0, http.StatusBadRequest, errors.Errorf("row %d has %d values, the model takes %d", i, len(row), width)
		}
		for j, v := range row {
			if v == nil {
				return nil, 0, http.StatusBadRequest, errors.Errorf("row %d value %d is null, want a number", i, j)
			}
			vals = append(vals, *v)
		}
	}
	return vals, len(req.Rows), 0, nil
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
	writeJSON200(w, modelResponse{
		File: sm.path, DType: sm.model.DType().String(),
		InputShape: sm.in, OutputShape: sm.out, Params: params,
		Scaler: sm.scaler != nil, Attachments: atts, Summary: sm.model.Summary(),
	})
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
