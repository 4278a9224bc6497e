package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash"
	"hash/fnv"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chewxy/hm"
	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// poisonValue is the input value on which poisonOp misbehaves.
const poisonValue = 13

// poisonOp is the identity, except on a batch holding poisonValue: then it returns
// a tensor of one value instead of the batch's, as a buggy custom op might, and
// the predictor worker that copies the outputs out panics (slice bounds out of
// range). It stands for any panic in a worker, whatever Load or Build check.
type poisonOp struct{}

func (poisonOp) Arity() int               { return 1 }
func (poisonOp) Type() hm.Type            { a := hm.TypeVariable('a'); return hm.NewFnType(a, a) }
func (poisonOp) ReturnsPtr() bool         { return false }
func (poisonOp) CallsExtern() bool        { return false }
func (poisonOp) OverwritesInput() int     { return -1 }
func (poisonOp) String() string           { return "poison" }
func (op poisonOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op poisonOp) Hashcode() uint32      { h := fnv.New32a(); op.WriteHash(h); return h.Sum32() }
func (poisonOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (poisonOp) Do(in ...G.Value) (G.Value, error) {
	x := in[0].(*tensor.Dense)
	for _, v := range x.Data().([]float32) {
		if v == poisonValue {
			return tensor.New(tensor.WithShape(1), tensor.WithBacking([]float32{0})), nil
		}
	}
	return x.Clone().(*tensor.Dense), nil
}

// poisonLayer applies poisonOp.
type poisonLayer struct{ layers.Base }

func (l *poisonLayer) Type() string { return "Poison" }
func (l *poisonLayer) Build(_ layers.BuildContext, in []int) ([]int, error) {
	return in, nil
}
func (l *poisonLayer) Forward(_ *graph.Graph, x *G.Node) (*G.Node, error) {
	return G.ApplyOp(poisonOp{}, x)
}

// poisonServing serves a model built in code, Input(4) then poisonLayer: it
// returns its rows, and makes a worker panic on a row holding poisonValue.
func poisonServing(t *testing.T, opts ...trainers.PredictorOption) *servingModel {
	t.Helper()
	m := layers.NewSequential(layers.Input(4), &poisonLayer{})
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	sm, err := newServingModel("/secret/folder/poison.safetensors", m, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sm.close)
	return sm
}

// postPredict sends body to /v1/predict of h and returns the status and the body.
func postPredict(h http.Handler, body string) (int, string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/predict", strings.NewReader(body)))
	return rec.Code, rec.Body.String()
}

// syncBuffer is a log destination safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestHandlerWorkerPanic: a panic in a predictor worker is a 500 for the request
// that caused it and a log line; the worker lives on (one worker: the next request
// is answered, with fresh values), and requests batched with the poisoned one are
// answered normally.
func TestHandlerWorkerPanic(t *testing.T) {
	sm := poisonServing(t, trainers.WithWorkers(1), trainers.WithLinger(20*time.Millisecond))
	var logs syncBuffer
	h := newHandler(sm, handlerConfig{maxBody: defaultMaxBody, log: log.New(&logs, "", 0)})

	code, body := postPredict(h, `{"rows": [[1, 2, 13, 4]]}`)
	if code != 500 || !strings.Contains(body, "recovered from a panic") || !strings.Contains(body, "slice bounds out of range") {
		t.Fatalf("poisoned request: %d %s", code, body)
	}
	if l := logs.String(); !strings.Contains(l, "POST /v1/predict") || !strings.Contains(l, "500") || !strings.Contains(l, "recovered from a panic") {
		t.Errorf("log %q has no line for the 500", l)
	}
	if code, body := postPredict(h, `{"rows": [[1, 2, 3, 4]]}`); code != 200 || !strings.Contains(body, `"predictions":[[1,2,3,4]]`) {
		t.Fatalf("after the panic: %d %s", code, body)
	}

	// Concurrent requests, gathered into batches by the linger: only the
	// poisoned ones fail.
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			v := i
			if i%4 == 1 {
				v = poisonValue
			}
			code, body := postPredict(h, fmt.Sprintf(`{"rows": [[%d, 0, 0, 0]]}`, v))
			want, wantBody := 200, fmt.Sprintf(`"predictions":[[%d,0,0,0]]`, v)
			if v == poisonValue {
				want, wantBody = 500, "recovered from a panic"
			}
			if code != want || !strings.Contains(body, wantBody) {
				errs <- fmt.Sprintf("request %d: %d %s, want %d and %s", i, code, body, want, wantBody)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if st := sm.pred.Stats(); st.Requests < 18 {
		t.Errorf("stats %+v: want every request counted", st)
	}
}

// TestHandlerWorkerPanicAllocation: a model built in code whose output is too
// large to allocate (ZeroPadding2D of 1e9: the worker's make panics) fails its
// request with a 500; the server goes on. Skipped if the model no longer builds
// (Build may come to refuse such sizes).
func TestHandlerWorkerPanicAllocation(t *testing.T) {
	m := layers.NewSequential(layers.Input(2, 2, 1), layers.ZeroPadding2D(1e9, 1e9, 1e9, 1e9))
	if err := m.Build(); err != nil {
		t.Skipf("the model does not build: %v", err)
	}
	sm, err := newServingModel("pad.safetensors", m, trainers.WithWorkers(1))
	if err != nil {
		t.Skipf("the model is refused: %v", err)
	}
	defer sm.close()
	h := newHandler(sm, handlerConfig{maxBody: defaultMaxBody})
	for i := 0; i < 2; i++ {
		if code, body := postPredict(h, `{"rows": [[1, 2, 3, 4]]}`); code != 500 || !strings.Contains(body, "error") {
			t.Fatalf("request %d: %d %s", i, code, body)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != 200 {
		t.Errorf("healthz %d", rec.Code)
	}
}

// TestPredictWorkerPanic: demo predict fails with an error, not a crash, when a
// worker panics; the same model predicts a clean file afterwards.
func TestPredictWorkerPanic(t *testing.T) {
	sm := poisonServing(t, trainers.WithWorkers(1))
	dir := t.TempDir()
	bad, good := filepath.Join(dir, "bad.csv"), filepath.Join(dir, "good.csv")
	os.WriteFile(bad, []byte("a,b,c,d\n1,2,3,4\n1,13,3,4\n"), 0o644)
	os.WriteFile(good, []byte("a,b,c,d\n1,2,3,4\n"), 0o644)
	var out strings.Builder
	if err := predictFile(context.Background(), &out, sm, bad, "", false); err == nil || !strings.Contains(err.Error(), "recovered from a panic") {
		t.Fatalf("poisoned file: %v, output %q", err, out.String())
	}
	out.Reset()
	if err := predictFile(context.Background(), &out, sm, good, "", false); err != nil || out.String() != "1,2,3,4\t3\n" {
		t.Fatalf("clean file: %v, output %q", err, out.String())
	}
}

// TestHandlerPanicRecovered: a panic in a handler itself is a 500 with a JSON
// error and a log line with the stack, counted as kind "panic".
func TestHandlerPanicRecovered(t *testing.T) {
	var logs syncBuffer
	s := newHandler(testServing(t, saveTestModel(t, false)), handlerConfig{maxBody: defaultMaxBody, log: log.New(&logs, "", 0)})
	s.mux.HandleFunc("/boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/boom", nil))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"error":"internal error`) {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	if l := logs.String(); !strings.Contains(l, "panic serving GET /boom") || !strings.Contains(l, "goroutine") {
		t.Errorf("log %q", l)
	}
	if got := metricValue(t, s, "gokeras_serve_errors_total", map[string]string{"endpoint": "other", "kind": "panic"}); got != 1 {
		t.Errorf("errors_total{kind=panic} = %v", got)
	}
}

// float64Serving serves a float64 4-8-3 model that carries the test scaler.
func float64Serving(t *testing.T) *servingModel {
	t.Helper()
	m := layers.NewSequential(layers.Input(4), layers.Dense(8, layers.WithActivation("relu")), layers.Dense(3, layers.WithActivation("softmax")))
	if err := m.Build(layers.WithSeed(3), layers.WithDType(tensor.Float64)); err != nil {
		t.Fatal(err)
	}
	if err := m.Attach(scalerAttachment, datasets.StandardScaler{Mean: []float64{5, 3, 4, 1}, Scale: []float64{0.8, 0.4, 1.7, 0.7}}); err != nil {
		t.Fatal(err)
	}
	sm, err := newServingModel("f64.safetensors", m)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sm.close)
	return sm
}

// TestHandlerFloatRange: values a model cannot take are 400s naming the row and
// column, in both request forms: beyond float32 in a float32 model, beyond
// float64 in any (1e999, which the fast path of the "rows" form cannot decode),
// and values the attached scaler takes beyond float64 in a float64 model.
func TestHandlerFloatRange(t *testing.T) {
	f32 := newHandler(testServing(t, saveTestModel(t, false)), handlerConfig{maxBody: defaultMaxBody})
	f32s := newHandler(testServing(t, saveTestModel(t, true)), handlerConfig{maxBody: defaultMaxBody})
	f64 := newHandler(float64Serving(t), handlerConfig{maxBody: defaultMaxBody})
	cases := []struct {
		name string
		h    http.Handler
		body string
		want string
	}{
		{"f32 rows", f32, `{"rows": [[1, 2, 3, 4], [1, 1e39, 3, 4]]}`, "row 1 value 1: 1e+39 is beyond the range of float32, the model's dtype"},
		{"f32 named", f32, `{"inputs": {"input_layer": [[1, 2, 3, -3.5e38]]}}`, `input \"input_layer\" row 0 column 3: -3.5e+38 is beyond the range of float32`},
		{"f32 rows 1e999", f32, `{"rows": [[1, 2, 3, 4], [1, 2, 3, 1e999]]}`, "row 1 value 3: 1e999 is not a finite number (beyond the range of float64)"},
		{"f32 named 1e999", f32, `{"inputs": {"input_layer": [[1e999, 2, 3, 4]]}}`, `input \"input_layer\" row 0 column 0: 1e999 is not a finite number`},
		{"f32 scaled", f32s, `{"rows": [[1, 3e38, 3, 4]]}`, "row 0 value 1: 3e+38 scales to 7.5e+38, beyond the range of float32"},
		{"f64 scaled overflow", f64, `{"rows": [[1, 2, 3, 4], [1, 1.7e308, 3, 4]]}`, "row 1 value 1: 1.7e+308 scales to +Inf, beyond the range of float64"},
		{"f64 rows 1e999", f64, `{"rows": [[1, -1e999, 3, 4]]}`, "row 0 value 1: -1e999 is not a finite number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if code, body := postPredict(c.h, c.body); code != 400 || !strings.Contains(body, c.want) {
				t.Fatalf("%d %s, want 400 and %q", code, body, c.want)
			}
		})
	}
	if code, body := postPredict(f64, `{"rows": [[1, 1e300, 3, 4]]}`); code != 200 {
		t.Errorf("1e300 in a float64 model: %d %s", code, body)
	}
}

// TestPredictFloatRange: demo predict refuses the same values, naming the CSV
// row and column, including those that ReadCSV reads as strings (1e999, Inf,
// which would otherwise be predicted as category codes).
func TestPredictFloatRange(t *testing.T) {
	f32 := testServing(t, saveTestModel(t, false))
	f64 := float64Serving(t)
	cases := []struct {
		name string
		sm   *servingModel
		csv  string
		want string
	}{
		{"1e39", f32, "a,b,c,d\n1,2,3,4\n1,1e39,3,4\n", "row 1 column b: 1e+39 is beyond the range of float32"},
		{"1e999", f32, "a,b,c,d\n1,2,1e999,4\n1,2,3,4\n", "row 0 column c: 1e999 is not a finite number (beyond the range of float64)"},
		{"Inf", f32, "a,b,c,d\n1,2,3,-Inf\n", "row 0 column d: -Inf is not a finite number"},
		{"strings", f32, "a,b,c,d\n1,x,3,4\n", `row 0 column b: "x" is not a finite number`},
		{"f64 scaled overflow", f64, "a,b,c,d\n1,2,3,4\n1,1.7e308,3,4\n", "row 1 column b: 1.7e+308 scales to +Inf, beyond the range of float64"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "in.csv")
			if err := os.WriteFile(path, []byte(c.csv), 0o644); err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			err := predictFile(context.Background(), &out, c.sm, path, "", false)
			if err == nil || !strings.Contains(err.Error(), c.want) || out.Len() > 0 {
				t.Fatalf("error %v, output %q; want %q and no output", err, out.String(), c.want)
			}
		})
	}
}

// TestHandlerInFlightLimit: with -max-in-flight 1, a second prediction while the
// first is still sending its body gets a 503 with Retry-After at once; the first
// is answered, and so is a third after it.
func TestHandlerInFlightLimit(t *testing.T) {
	s := newHandler(testServing(t, saveTestModel(t, false)), handlerConfig{maxBody: defaultMaxBody, maxInFlight: 1})
	srv := httptest.NewServer(s)
	defer srv.Close()
	pr, pw := io.Pipe()
	defer pw.Close() // before srv.Close, which waits for the first request
	first := make(chan error, 1)
	go func() {
		resp, err := http.Post(srv.URL+"/v1/predict", "application/json", pr)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				err = fmt.Errorf("first: %d %s", resp.StatusCode, b)
			}
		}
		first <- err
	}()
	io.WriteString(pw, `{"rows": [[1, 2, 3, 4],`)
	deadline := time.Now().Add(10 * time.Second)
	for metricValue(t, s, "gokeras_serve_predict_in_flight_requests", nil) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the first request was not admitted")
		}
		time.Sleep(5 * time.Millisecond)
	}
	resp, err := http.Post(srv.URL+"/v1/predict", "application/json", strings.NewReader(`{"rows": [[1, 2, 3, 4]]}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "1" || !strings.Contains(string(b), "limit (-max-in-flight)") {
		t.Fatalf("second: %d, Retry-After %q, %s", resp.StatusCode, resp.Header.Get("Retry-After"), b)
	}
	io.WriteString(pw, `[0, 0, 0, 0]]}`)
	pw.Close()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if code, body := postPredict(s, `{"rows": [[1, 2, 3, 4]]}`); code != 200 {
		t.Fatalf("third: %d %s", code, body)
	}
	if got := metricValue(t, s, "gokeras_serve_errors_total", map[string]string{"endpoint": "/v1/predict", "kind": "overloaded"}); got != 1 {
		t.Errorf("errors_total{kind=overloaded} = %v, want 1", got)
	}
	if got := metricValue(t, s, "gokeras_serve_predict_in_flight_requests", nil); got != 0 {
		t.Errorf("predict_in_flight_requests = %v after all answers", got)
	}
}

// TestHandlerModelFileName: /v1/model shows the file's base name, not the folders
// it was loaded from.
func TestHandlerModelFileName(t *testing.T) {
	path, err := filepath.Abs(saveTestModel(t, false))
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	newHandler(testServing(t, path), handlerConfig{}).ServeHTTP(rec, httptest.NewRequest("GET", "/v1/model", nil))
	var got modelResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.File != "model.safetensors" || strings.Contains(rec.Body.String(), filepath.Dir(path)) {
		t.Errorf("file %q; body %s", got.File, rec.Body.String())
	}
}

// TestHandlerMonitoringAccess: /v1/stats and /metrics are off by default (404
// saying how to turn them on), open with -stats, and with a token answer only a
// request that carries it (401 otherwise).
func TestHandlerMonitoringAccess(t *testing.T) {
	sm := testServing(t, saveTestModel(t, false))
	const token = "0123456789abcdef-secret"
	off := newHandler(sm, handlerConfig{})
	open := newHandler(sm, handlerConfig{stats: true})
	locked := newHandler(sm, handlerConfig{token: token})
	cases := []struct {
		name   string
		h      http.Handler
		auth   string
		status int
		want   string
	}{
		{"off", off, "", 404, "is off: start demo serve with -stats"},
		{"open", open, "", 200, ""},
		{"no token", locked, "", 401, "needs the server's token"},
		{"wrong token", locked, "Bearer 0123456789abcdef-secreT", 401, "needs the server's token"},
		{"prefix of the token", locked, "Bearer 0123456789abcdef", 401, "needs the server's token"},
		{"basic", locked, "Basic " + token, 401, "needs the server's token"},
		{"token", locked, "Bearer " + token, 200, ""},
		{"token, lower-case scheme", locked, "bearer " + token, 200, ""},
	}
	for _, c := range cases {
		for _, path := range []string{"/v1/stats", "/metrics"} {
			t.Run(c.name+path, func(t *testing.T) {
				req := httptest.NewRequest("GET", path, nil)
				if c.auth != "" {
					req.Header.Set("Authorization", c.auth)
				}
				rec := httptest.NewRecorder()
				c.h.ServeHTTP(rec, req)
				if rec.Code != c.status || !strings.Contains(rec.Body.String(), c.want) {
					t.Fatalf("%d %s, want %d and %q", rec.Code, rec.Body.String(), c.status, c.want)
				}
				if c.status == 401 && rec.Header().Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
			})
		}
	}
	// The rest of the API needs no token.
	rec := httptest.NewRecorder()
	locked.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/model", nil))
	if rec.Code != 200 {
		t.Errorf("/v1/model with a token set: %d", rec.Code)
	}
}

// TestServeTokenFromEnv: the token comes from $GOKERAS_SERVE_TOKEN when -token is
// not given, and a short one is refused.
func TestServeTokenFromEnv(t *testing.T) {
	t.Setenv(tokenEnv, "short")
	var out, errOut strings.Builder
	if got := serveCmd(context.Background(), []string{"-model", "m"}, &out, &errOut); got != exitUsage ||
		!strings.Contains(errOut.String(), "the token ($GOKERAS_SERVE_TOKEN) has 5 characters") {
		t.Fatalf("exit %d, stderr %q", got, errOut.String())
	}
}
