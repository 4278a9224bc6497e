package main

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// defaultMaxBody is the default limit on a request body, in bytes (1 MiB).
const defaultMaxBody = 1 << 20

// predictRequest is the body of POST /v1/predict, in one of two forms:
//
//	{"rows": [[...], ...]}                        any model: a row holds every input's values
//	{"inputs": {"NAME": [[...], ...], ...}}       any model: every input by name
//
// A row holds an example's values flattened (row-major over the input's shape; in
// the "rows" form, every input's in the model's input order); float inputs take
// numbers, integer inputs integers, String inputs JSON strings (at most
// maxStringBytes each). The model's attached scaler, if any, is applied by the
// server (models of one float input only).
type predictRequest struct {
	Rows   json.RawMessage            `json:"rows"`
	Inputs map[string]json.RawMessage `json:"inputs"`
}

// predictResponse is the answer of POST /v1/predict in the "rows" form for a model
// of one output: one row of output values per input row and, for outputs of more
// than one value, the index of the largest (the class) per row (for a binary
// classifier, one value with two class names, 1 when the value is >= 0.5), and
// the name of that class per row when the model names its classes
// (layers.ClassNames).
type predictResponse struct {
	Predictions [][]outValue `json:"predictions"`
	Classes     []int        `json:"classes,omitempty"`
	Labels      []string     `json:"labels,omitempty"`
}

// namedResponse is the answer of POST /v1/predict in the named form (and in the
// "rows" form for a model of several outputs): every output's rows by name and, for
// each output of shape (k) with k > 1, the index of the largest value per row (for
// a binary classifier, shape (1) with two class names, 1 when the value is >= 0.5),
// and for those of them whose classes have names, the name of that class per row.
type namedResponse struct {
	Outputs map[string][][]outValue `json:"outputs"`
	Classes map[string][]int        `json:"classes,omitempty"`
	Labels  map[string][]string     `json:"labels,omitempty"`
}

// modelResponse is the answer of GET /v1/model. InputShape and OutputShape are the
// first input's and output's (kept from the time models had one of each); Inputs
// and Outputs describe all of them.
type modelResponse struct {
	File        string       `json:"file"` // the file's base name: the server's folders are not shown
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
	Classes bool   `json:"classes"` // the answers carry its class per row: shape (k), k > 1 (the argmax), or a binary classifier
	// ClassNames are the names of its classes, in class id order, when the model
	// has them (the answers then carry "labels").
	ClassNames []string `json:"class_names,omitempty"`
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

// handlerConfig is what the HTTP API takes besides the model.
type handlerConfig struct {
	// maxBody is the largest request body, in bytes (413 beyond it).
	maxBody int64
	// maxInFlight is the most POST /v1/predict requests admitted at once (from
	// reading the body to writing the answer); beyond it 503 with Retry-After.
	// 0 or less: no limit.
	maxInFlight int
	// maxTokens is the most tokens a generate request may ask for (a model
	// repository's :generate); 0: defaultMaxTokens.
	maxTokens int
	// stats opens GET /v1/stats and GET /metrics to every client.
	stats bool
	// token, when set, is what GET /v1/stats and GET /metrics require as
	// "Authorization: Bearer TOKEN" (compared in constant time).
	token string
	// keys, when not nil, are the API keys every route but /healthz and /readyz
	// requires, with their scopes and rates (see authenticate).
	keys *keyStore
	// log gets a line for every 500 and every recovered panic; nil: discarded.
	log *log.Logger
}

// apiServer is the HTTP API of a served model (see newHandler).
type apiServer struct {
	sm       *servingModel
	cfg      handlerConfig
	mux      *http.ServeMux
	slots    chan struct{} // a token per admitted prediction; nil: no limit
	metrics  *serveMetrics
	tokenSum [sha256.Size]byte
	keys     *keyStore // cfg.keys
	single   string    // the model's name in key scopes on a server of one model: its file's base name without extension
}

// retryAfter is the Retry-After of a 503 over the limit of requests in flight.
const retryAfter = 1 * time.Second

// newHandler returns the HTTP API of a served model:
//
//	POST /v1/predict  {"rows": [[...], ...]} -> {"predictions": [[...], ...], "classes": [...], "labels": [...]}
//	                  {"inputs": {"NAME": [[...], ...], ...}} -> {"outputs": {"NAME": [[...], ...], ...}, "classes": {"NAME": [...]}, "labels": {"NAME": [...]}}
//	GET  /v1/model    the model: file (base name), dtype, inputs and outputs (with their class names), parameter count, summary
//
// "classes" are the argmax per row of the outputs of shape (k), k > 1, and the
// class of a binary classifier's output (shape (1) with two class names, as demo
// csv trains for two classes): 1 when its value is >= 0.5, 0 below; an output of
// shape (1) without two names (a regression, an unnamed sigmoid) has none.
// "labels" are the names of the classes in "classes", for the outputs whose
// classes have names (layers.ClassNames: the recipes' and demo csv's models carry
// them); without names there is no "labels" key.
//
//	GET  /v1/stats    predictions run, rows, batches, canceled, heap in use, goroutines
//	GET  /metrics     Prometheus text format: requests by endpoint and code, latencies,
//	                  rows per request, errors, requests in flight, the predictor's
//	                  counters, the Go runtime's and the process's metrics
//	GET  /healthz     200 "ok"
//
// /v1/stats and /metrics answer only with cfg.stats (to anyone) or with the token
// (cfg.token, as "Authorization: Bearer TOKEN"; 401 without it); otherwise 404.
//
// Errors are JSON {"error": "..."}: 400 for malformed JSON or rows the model does
// not take (naming the input, row and column: a number for a String input, a
// string for a numeric one, a string over maxStringBytes, an id out of an
// embedding's range, a value unknown to a lookup without out-of-vocabulary ids,
// whether the server finds it or the Predictor's run does), 404 for other paths,
// 405 for a wrong method, 413 for a body over maxBody bytes, 500 when the
// prediction fails (a panic in the predictor included: logged, and the server goes
// on), 503 with Retry-After when cfg.maxInFlight predictions are in flight already.
func newHandler(sm *servingModel, cfg handlerConfig) *apiServer {
	s := &apiServer{sm: sm, cfg: cfg, mux: http.NewServeMux(), keys: cfg.keys, single: modelFileName(sm.path)}
	if cfg.maxInFlight > 0 {
		s.slots = make(chan struct{}, cfg.maxInFlight)
	}
	if cfg.token != "" {
		s.tokenSum = sha256.Sum256([]byte(cfg.token))
	}
	s.metrics = newServeMetrics(sm.pred.Stats, max(cfg.maxInFlight, 0))
	mux := s.mux
	mux.HandleFunc("/v1/predict", allow(s.handlePredict, http.MethodPost))
	mux.HandleFunc("/v1/model", allow(func(w http.ResponseWriter, r *http.Request) { handleModel(w, sm) }, http.MethodGet, http.MethodHead))
	mux.HandleFunc("/v1/stats", allow(s.monitoring(func(w http.ResponseWriter, r *http.Request) { handleStats(w, sm) }), http.MethodGet, http.MethodHead))
	mux.HandleFunc("/metrics", allow(s.monitoring(s.metrics.handler.ServeHTTP), http.MethodGet, http.MethodHead))
	mux.HandleFunc("/healthz", allow(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok")
	}, http.MethodGet, http.MethodHead))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no such endpoint %s (see /v1/predict, /v1/model, /v1/stats, /metrics, /healthz)", r.URL.Path))
	})
	return s
}

// recorder is the ResponseWriter the handlers get: it keeps the status, and the
// kind and message of an error answer, for the metrics and the log.
type recorder struct {
	http.ResponseWriter
	status int
	kind   string // the errors_total kind; "": from the status
	msg    string // the error message of an error answer
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// setErrorKind sets the errors_total kind of the answer being written on w.
func setErrorKind(w http.ResponseWriter, kind string) {
	if rec, ok := w.(*recorder); ok {
		rec.kind = kind
	}
}

// connWriter is the writer of the connection under w: http.MaxBytesReader needs
// it to close the connection after a body over the limit.
func connWriter(w http.ResponseWriter) http.ResponseWriter {
	if rec, ok := w.(*recorder); ok {
		return rec.ResponseWriter
	}
	return w
}

// ServeHTTP serves the API, counting every request in the metrics and turning a
// panic in a handler into a 500 and a log line (with the stack), so that a bug
// answers one request badly and the server goes on.
func (s *apiServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	endpoint := endpointLabel(r.URL.Path)
	rec := &recorder{ResponseWriter: w}
	s.metrics.inFlight.Inc()
	defer func() {
		s.metrics.inFlight.Dec()
		v := recover()
		if v == http.ErrAbortHandler {
			panic(v)
		}
		if v != nil {
			s.logf("panic serving %s %s from %s: %v\n%s", r.Method, r.URL.Path, r.RemoteAddr, v, debug.Stack())
			if rec.status != 0 { // too late for a 500: abort the answer
				s.metrics.observe(endpoint, http.StatusInternalServerError, "panic", time.Since(start))
				panic(http.ErrAbortHandler)
			}
			writeError(rec, http.StatusInternalServerError, "internal error (logged by the server)")
			rec.kind = "panic"
		}
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		s.metrics.observe(endpoint, status, rec.kind, time.Since(start))
		if status >= 500 && rec.kind == "" {
			s.logf("%s %s from %s: %d %s", r.Method, r.URL.Path, r.RemoteAddr, status, rec.msg)
		}
	}()
	if r, ok := s.authenticate(rec, r); ok {
		s.mux.ServeHTTP(rec, r)
	}
}

// modelFileName is a model file's base name without its extension: the model's
// name in the key scopes of a server of one model (-model).
func modelFileName(path string) string {
	base := filepath.Base(path)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

func (s *apiServer) logf(format string, args ...interface{}) {
	if s.cfg.log != nil {
		s.cfg.log.Printf(format, args...)
	}
}

// monitoring guards /v1/stats and /metrics: with API keys, authenticate lets
// admin keys through (every key with -stats); with a token, the request must carry
// it; without either they are served only with -stats.
func (s *apiServer) monitoring(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch {
		case s.keys != nil: // authenticate checked the key's scopes
		case s.cfg.token != "":
			if !s.authorized(r) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="demo serve"`)
				writeError(w, http.StatusUnauthorized, fmt.Sprintf("%s needs the server's token: send the header \"Authorization: Bearer TOKEN\"", r.URL.Path))
				return
			}
		case !s.cfg.stats:
			writeError(w, http.StatusNotFound, fmt.Sprintf("%s is off: start demo serve with -stats (open to every client), "+
				"or with a token (-token or $%s) and send \"Authorization: Bearer TOKEN\"", r.URL.Path, tokenEnv))
			return
		}
		h(w, r)
	}
}

// authorized reports whether r carries "Authorization: Bearer TOKEN" with the
// server's token. The SHA-256 digests are compared in constant time, so that
// neither the token's bytes nor its length can be found by timing.
func (s *apiServer) authorized(r *http.Request) bool {
	const scheme = "bearer "
	h := r.Header.Get("Authorization")
	if len(h) <= len(scheme) || !strings.EqualFold(h[:len(scheme)], scheme) {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(h[len(scheme):])))
	return subtle.ConstantTimeCompare(got[:], s.tokenSum[:]) == 1
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

// admit takes a slot for a prediction, or answers 503 with Retry-After and
// returns false when all cfg.maxInFlight slots are taken. The slot is taken before
// the body is read, so that the limit bounds the memory of bodies and decoded rows
// too. release gives it back.
func (s *apiServer) admit(w http.ResponseWriter) (release func(), ok bool) {
	if s.slots != nil {
		select {
		case s.slots <- struct{}{}:
		default:
			w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter/time.Second)))
			setErrorKind(w, "overloaded")
			writeError(w, http.StatusServiceUnavailable, fmt.Sprintf("the server is busy: %d predictions are in flight, its limit (-max-in-flight); retry after %v",
				cap(s.slots), retryAfter))
			return nil, false
		}
	}
	s.metrics.predicting.Inc()
	return func() {
		s.metrics.predicting.Dec()
		if s.slots != nil {
			<-s.slots
		}
	}, true
}

// writeJSON200 writes v as a JSON answer with status 200, or a 500 if v cannot be
// encoded.
func writeJSON200(w http.ResponseWriter, v interface{}) { writeTagged200(w, v, nil) }

// writeTagged200 is writeJSON200 with the JSON members tag put first in the
// answer's object (see withTag).
func writeTagged200(w http.ResponseWriter, v interface{}, tag []byte) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		writeError(w, http.StatusInternalServerError, "encode the answer: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(withTag(buf.Bytes(), tag))
}

// writeError writes {"error": msg} with the status.
func writeError(w http.ResponseWriter, status int, msg string) {
	if rec, ok := w.(*recorder); ok {
		rec.msg = msg
	}
	b, _ := json.Marshal(map[string]string{"error": msg})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
