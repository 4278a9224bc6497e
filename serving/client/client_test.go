package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// newTestClient is a client of srv with quick retries.
func newTestClient(t *testing.T, srv *httptest.Server, opts ...Option) *Client {
	t.Helper()
	c, err := New(srv.URL, append([]Option{WithHTTPClient(srv.Client()), WithRetries(3, time.Millisecond)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func TestPredictRoundTrip(t *testing.T) {
	type seen struct {
		path, auth string
		body       map[string]interface{}
	}
	var got seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			t.Errorf("method %s", r.Method)
		}
		got = seen{path: r.URL.Path, auth: r.Header.Get("Authorization")}
		json.NewDecoder(r.Body).Decode(&got.body)
		version := 3
		if r.URL.Path == "/v1/models/iris/versions/2:predict" {
			version = 2
		}
		if _, ok := got.body["inputs"]; ok {
			io.WriteString(w, `{"model_name":"iris","model_version":`+strconv.Itoa(version)+`,"outputs":{"click":[[0.25],[null]],"kind":[[0.1,0.9]]},"classes":{"kind":[1]},"labels":{"kind":["cat"]}}`)
			return
		}
		io.WriteString(w, `{"model_name":"iris","model_version":`+strconv.Itoa(version)+`,"predictions":[[0.9,0.1],[0.2,0.8]],"classes":[0,1],"labels":["setosa","virginica"]}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv, WithToken("0123456789abcdef"))
	ctx := context.Background()

	resp, err := c.Predict(ctx, "iris", 0, PredictRequest{Rows: [][]any{{1.5, -2, "red"}, {0, 1, "blue"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got.path != "/v1/models/iris:predict" {
		t.Errorf("latest version: path %q", got.path)
	}
	if got.auth != "Bearer 0123456789abcdef" {
		t.Errorf("Authorization %q", got.auth)
	}
	if want := []interface{}{[]interface{}{1.5, -2.0, "red"}, []interface{}{0.0, 1.0, "blue"}}; !reflect.DeepEqual(got.body["rows"], want) {
		t.Errorf("rows sent %v, want %v", got.body["rows"], want)
	}
	want := &PredictResponse{ModelName: "iris", ModelVersion: 3, Predictions: [][]float64{{0.9, 0.1}, {0.2, 0.8}},
		Classes: []int{0, 1}, Labels: []string{"setosa", "virginica"}}
	if !reflect.DeepEqual(resp, want) {
		t.Errorf("got %+v, want %+v", resp, want)
	}

	resp, err = c.Predict(ctx, "iris", 2, PredictRequest{Inputs: map[string][][]any{"user_id": {{3}, {7}}}})
	if err != nil {
		t.Fatal(err)
	}
	if got.path != "/v1/models/iris/versions/2:predict" {
		t.Errorf("version 2: path %q", got.path)
	}
	if resp.ModelVersion != 2 || resp.Outputs["click"][0][0] != 0.25 || !math.IsNaN(resp.Outputs["click"][1][0]) ||
		!reflect.DeepEqual(resp.OutputClasses, map[string][]int{"kind": {1}}) ||
		!reflect.DeepEqual(resp.OutputLabels, map[string][]string{"kind": {"cat"}}) || resp.Classes != nil {
		t.Errorf("named answer %+v", resp)
	}

	if _, err := c.Predict(ctx, "iris", -1, PredictRequest{Rows: [][]any{{1}}}); err == nil {
		t.Error("version -1: no error")
	}
	if _, err := c.Predict(ctx, "iris", 0, PredictRequest{}); err == nil {
		t.Error("empty request: no error")
	}
}

func TestNotFoundIsAPIError(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, http.StatusNotFound, map[string]string{"error": `model "nope": not found (see GET /v1/models)`})
	}))
	defer srv.Close()
	c := newTestClient(t, srv)
	_, err := c.Model(context.Background(), "nope")
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusNotFound || ae.Message != `model "nope": not found (see GET /v1/models)` {
		t.Fatalf("got %v, want an APIError 404", err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d calls, want 1 (no retry on 404)", n)
	}
}

func TestRetry503ThenSuccess(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) != `{"rows":[[1,2]]}` {
			t.Errorf("attempt %d: body %q", calls.Load()+1, b)
		}
		if calls.Add(1) <= 2 {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "busy"})
			return
		}
		io.WriteString(w, `{"model_name":"m","model_version":1,"predictions":[[0.5]]}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv)
	resp, err := c.Predict(context.Background(), "m", 0, PredictRequest{Rows: [][]any{{1, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
	if resp.Predictions[0][0] != 0.5 {
		t.Errorf("got %+v", resp)
	}

	// Retries spent: the last 503 is the error.
	calls.Store(-10)
	_, err = c.Predict(context.Background(), "m", 0, PredictRequest{Rows: [][]any{{1, 2}}})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusServiceUnavailable || ae.Message != "busy" {
		t.Errorf("got %v, want an APIError 503", err)
	}
	if n := calls.Load(); n != -10+4 {
		t.Errorf("%d attempts, want 4 (1 + 3 retries)", n+10)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "loading"})
			return
		}
		io.WriteString(w, `{"policy":"latest","models":[{"name":"m","versions":[{"version":1,"state":"AVAILABLE","file":"m.gob","inputs":[{"name":"x","shape":[4],"dtype":"float32","values":4}]}]}]}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv) // backoff 1 ms: the wait is Retry-After's
	start := time.Now()
	models, err := c.Models(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("retried after %v, want Retry-After's 1s", d)
	}
	want := []ModelStatus{{Name: "m", Versions: []VersionStatus{{Version: 1, State: Available, File: "m.gob",
		Inputs: []InputInfo{{Name: "x", Shape: []int{4}, DType: "float32", Values: 4}}}}}}
	if !reflect.DeepEqual(models, want) {
		t.Errorf("got %+v, want %+v", models, want)
	}

	// A context done during the wait ends it.
	calls.Store(0)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.Models(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want the context's deadline", err)
	}
}

func TestNoRetryOn400(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "input \"x\" row 0: want 4 values"})
	}))
	defer srv.Close()
	c := newTestClient(t, srv)
	_, err := c.Predict(context.Background(), "m", 1, PredictRequest{Rows: [][]any{{1}}})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
		t.Fatalf("got %v, want an APIError 400", err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}

func TestConnectionErrors(t *testing.T) {
	// A server that accepts and drops every connection: a POST could have been
	// processed, so it is tried once; a GET is retried.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns atomic.Int32
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			buf := make([]byte, 4096)
			conn.Read(buf)
			conn.Close()
		}
	}()
	c, err := New("http://"+ln.Addr().String(), WithRetries(2, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Predict(context.Background(), "m", 0, PredictRequest{Rows: [][]any{{1}}}); err == nil {
		t.Fatal("no error")
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("POST: %d connections, want 1 (no retry once the request was written)", n)
	}
	conns.Store(0)
	if _, err := c.Models(context.Background()); err == nil {
		t.Fatal("no error")
	}
	if n := conns.Load(); n != 3 {
		t.Errorf("GET: %d connections, want 3 (1 + 2 retries)", n)
	}

	// Nobody listening: nothing was written, so even a POST is retried.
	addr := ln.Addr().String()
	ln.Close()
	var dials atomic.Int32
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
		dials.Add(1)
		return (&net.Dialer{}).DialContext(ctx, network, a)
	}}}
	c, _ = New("http://"+addr, WithRetries(2, time.Millisecond), WithHTTPClient(hc))
	if _, err := c.Predict(context.Background(), "m", 0, PredictRequest{Rows: [][]any{{1}}}); err == nil {
		t.Fatal("no error")
	}
	if n := dials.Load(); n != 3 {
		t.Errorf("refused POST: %d dials, want 3", n)
	}
}

func TestReadyAndReload(t *testing.T) {
	var ready atomic.Bool
	var readyCalls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/readyz":
			readyCalls.Add(1)
			if !ready.Load() {
				writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "not ready"})
				return
			}
			io.WriteString(w, "ready")
		case "/v1/models/m:reload":
			if r.Method != http.MethodPost {
				t.Errorf("reload: method %s", r.Method)
			}
			io.WriteString(w, `{"name":"m","versions":[{"version":2,"state":"FAILED","error":"bad file"}]}`)
		default:
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such endpoint"})
		}
	}))
	defer srv.Close()
	c := newTestClient(t, srv)
	ctx := context.Background()
	if ok, err := c.Ready(ctx); ok || err != nil {
		t.Errorf("not ready: got %v, %v", ok, err)
	}
	if n := readyCalls.Load(); n != 1 {
		t.Errorf("Ready retried a 503: %d calls", n)
	}
	ready.Store(true)
	if ok, err := c.Ready(ctx); !ok || err != nil {
		t.Errorf("ready: got %v, %v", ok, err)
	}
	ms, err := c.Reload(ctx, "m")
	if err != nil {
		t.Fatal(err)
	}
	if ms.Name != "m" || ms.Versions[0].State != Failed || ms.Versions[0].Error != "bad file" {
		t.Errorf("got %+v", ms)
	}
}

func TestNewErrors(t *testing.T) {
	for _, u := range []string{"", "localhost:8080", "ftp://x", "http://x?a=1"} {
		if _, err := New(u); err == nil {
			t.Errorf("New(%q): no error", u)
		}
	}
	if _, err := New("http://x", WithRetries(-1, 0)); err == nil {
		t.Error("WithRetries(-1): no error")
	}
	if _, err := New("http://x", WithHTTPClient(nil)); err == nil {
		t.Error("WithHTTPClient(nil): no error")
	}
}

func TestRetryAfterParse(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for h, want := range map[string]time.Duration{"2": 2 * time.Second, "0": 0, now.Add(3 * time.Second).Format(http.TimeFormat): 3 * time.Second} {
		if d, ok := retryAfter(h, now); !ok || d != want {
			t.Errorf("retryAfter(%q) = %v, %v; want %v", h, d, ok, want)
		}
	}
	for _, h := range []string{"", "-1", "soon"} {
		if _, ok := retryAfter(h, now); ok {
			t.Errorf("retryAfter(%q): ok", h)
		}
	}
}

// TestRetry429 retries an answer over the key's rate after its Retry-After.
func TestRetry429(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer k-0123456789abcdef" {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "missing or unknown API key"})
			return
		}
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "over its rate"})
			return
		}
		io.WriteString(w, `{"models":[]}`)
	}))
	defer srv.Close()
	c, err := New(srv.URL, WithToken("k-0123456789abcdef"), WithRetries(2, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Models(context.Background()); err != nil || calls.Load() != 2 {
		t.Fatalf("%v after %d calls; want success on the 2nd", err, calls.Load())
	}
	noKey, err := New(srv.URL, WithRetries(2, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	_, err = noKey.Models(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized {
		t.Fatalf("without the key: %v, want an APIError 401 (not retried)", err)
	}
}
