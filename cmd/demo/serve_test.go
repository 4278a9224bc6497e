package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

func TestHandlerStatus(t *testing.T) {
	sm := testServing(t, saveTestModel(t, false))
	srv := httptest.NewServer(newHandler(sm, handlerConfig{maxBody: 256, stats: true}))
	defer srv.Close()
	big := `{"rows": [[` + strings.Repeat("1,", 200) + `1]]}`
	cases := []struct {
		name, method, path, body string
		status                   int
		want                     string // in the body
	}{
		{"predict", "POST", "/v1/predict", `{"rows": [[1, 2, 3, 4], [0, 0, 0, 0]]}`, 200, `"predictions":[[`},
		{"malformed", "POST", "/v1/predict", `{"rows": [[1, 2, 3, 4]`, 400, "malformed JSON"},
		{"not JSON", "POST", "/v1/predict", `rows=1`, 400, "malformed JSON"},
		{"string value", "POST", "/v1/predict", `{"rows": [[1, "2", 3, 4]]}`, 400, `row 0 value 1 is \"2\", want a number`},
		{"overflow", "POST", "/v1/predict", `{"rows": [[1, 1e999, 3, 4]]}`, 400, "row 0 value 1: 1e999 is not a finite number (beyond the range of float64)"},
		{"beyond float32", "POST", "/v1/predict", `{"rows": [[1, 2, 3, 4], [1, 2, -1e39, 4]]}`, 400, "row 1 value 2: -1e+39 is beyond the range of float32"},
		{"unknown field", "POST", "/v1/predict", `{"rows": [[1, 2, 3, 4]], "x": 1}`, 400, `unknown field \"x\"`},
		{"trailing data", "POST", "/v1/predict", `{"rows": [[1, 2, 3, 4]]} {}`, 400, "data after the request object"},
		{"no rows", "POST", "/v1/predict", `{"rows": []}`, 400, "no rows"},
		{"empty object", "POST", "/v1/predict", `{}`, 400, "no rows"},
		{"row width", "POST", "/v1/predict", `{"rows": [[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4, 5]]}`, 400, "row 3 has 5 values, the model takes 4"},
		{"null", "POST", "/v1/predict", `{"rows": [[1, 2, null, 4]]}`, 400, "row 0 value 2 is null"},
		{"too large", "POST", "/v1/predict", big, 413, "over the limit of 256 bytes"},
		{"predict GET", "GET", "/v1/predict", "", 405, "method GET is not allowed"},
		{"healthz", "GET", "/healthz", "", 200, "ok"},
		{"healthz POST", "POST", "/healthz", "", 405, "not allowed"},
		{"model", "GET", "/v1/model", "", 200, `"input_shape":[4]`},
		{"model DELETE", "DELETE", "/v1/model", "", 405, "not allowed"},
		{"stats", "GET", "/v1/stats", "", 200, `"heap_inuse_bytes"`},
		{"unknown path", "GET", "/v2/predict", "", 404, "no such endpoint /v2/predict"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != c.status || !strings.Contains(string(b), c.want) {
				t.Fatalf("%s %s: %d %s, want %d and %q", c.method, c.path, resp.StatusCode, b, c.status, c.want)
			}
			if c.status != 200 {
				var e struct{ Error string }
				if err := json.Unmarshal(b, &e); err != nil || e.Error == "" {
					t.Errorf("error body %s is not {\"error\": ...}", b)
				}
			}
			if c.status == 405 && resp.Header.Get("Allow") == "" {
				t.Error("405 without an Allow header")
			}
		})
	}
}

// TestHandlerRoundTrip: the server's predictions are a Predictor's on the scaled
// rows, and its classes their argmax.
func TestHandlerRoundTrip(t *testing.T) {
	for _, scaled := range []bool{false, true} {
		path := saveTestModel(t, scaled)
		sm := testServing(t, path)
		srv := httptest.NewServer(newHandler(sm, handlerConfig{maxBody: defaultMaxBody}))
		rows := [][]float64{{5.1, 3.5, 1.4, 0.2}, {6.7, 3.0, 5.2, 2.3}, {-3, 40, 0, 1e6}}
		body, _ := json.Marshal(map[string]interface{}{"rows": rows})
		resp, err := srv.Client().Post(srv.URL+"/v1/predict", "application/json", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Predictions [][]float64 `json:"predictions"`
			Classes     []int       `json:"classes"`
		}
		err = json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		srv.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("status %d, %v", resp.StatusCode, err)
		}

		flat := make([]float64, 0, 12)
		for _, r := range rows {
			flat = append(flat, r...)
		}
		x := tensor.New(tensor.WithShape(3, 4), tensor.WithBacking(flat))
		if scaled {
			sc := datasets.StandardScaler{Mean: []float64{5, 3, 4, 1}, Scale: []float64{0.8, 0.4, 1.7, 0.7}}
			if x, err = sc.Transform(x); err != nil {
				t.Fatal(err)
			}
		}
		p, err := trainers.LoadPredictor(path)
		if err != nil {
			t.Fatal(err)
		}
		want, err := p.Predict(context.Background(), x)
		p.Close()
		if err != nil {
			t.Fatal(err)
		}
		w := want.Data().([]float32)
		if len(got.Predictions) != 3 || len(got.Classes) != 3 {
			t.Fatalf("got %+v", got)
		}
		for i, row := range got.Predictions {
			best := 0
			for j, v := range row {
				if float32(v) != w[i*3+j] {
					t.Errorf("scaled %v row %d: got %v, want %v", scaled, i, row, w[i*3:i*3+3])
				}
				if w[i*3+j] > w[i*3+best] {
					best = j
				}
			}
			if got.Classes[i] != best {
				t.Errorf("scaled %v row %d: class %d, want %d", scaled, i, got.Classes[i], best)
			}
		}
	}
}

func TestHandlerModelInfo(t *testing.T) {
	sm := testServing(t, saveTestModel(t, true))
	rec := httptest.NewRecorder()
	newHandler(sm, handlerConfig{maxBody: defaultMaxBody}).ServeHTTP(rec, httptest.NewRequest("GET", "/v1/model", nil))
	var got modelResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Params != 4*8+8+8*3+3 || !got.Scaler || got.DType != "float32" ||
		len(got.OutputShape) != 1 || got.OutputShape[0] != 3 || !strings.Contains(got.Summary, "Total params") {
		t.Errorf("got %+v", got)
	}
}

// TestServeShutdown starts "demo serve" on a free port, asks it for a prediction
// and stops it as a signal would (by ending its context).
func TestServeShutdown(t *testing.T) {
	path := saveTestModel(t, false)
	srv := startServe(t, "-model", path, "-addr", "127.0.0.1:0", "-max-body", "1KB")
	url := srv.base
	resp, err := http.Post(url+"/v1/predict", "application/json", strings.NewReader(`{"rows": [[1, 2, 3, 4]]}`))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if c, rest := srv.stop(t); c != exitOK || !strings.Contains(rest, "server stopped") {
		t.Fatalf("exit %d, output %q, stderr %q", c, rest, srv.stderr.String())
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Error("the server still answers after shutdown")
	}
}

func TestServeFlags(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no model", nil, exitUsage, "-model is required"},
		{"bad size", []string{"-model", "m", "-max-body", "lots"}, exitUsage, `size "lots"`},
		{"bad batch", []string{"-model", "m", "-max-batch", "0"}, exitUsage, "-max-batch must be between 1 and 4096, not 0"},
		{"huge batch", []string{"-model", "m", "-max-batch", "9000000000000000000"}, exitUsage, "-max-batch must be between 1 and 4096, not 9000000000000000000"},
		{"huge workers", []string{"-model", "m", "-workers", "100000000"}, exitUsage, "-workers must be between 0 (GOMAXPROCS) and 256, not 100000000"},
		{"negative workers", []string{"-model", "m", "-workers", "-1"}, exitUsage, "-workers must be between 0"},
		{"long linger", []string{"-model", "m", "-linger", "1h"}, exitUsage, "-linger must be between 0 and 1s, not 1h0m0s"},
		{"huge in flight", []string{"-model", "m", "-max-in-flight", "100000"}, exitUsage, "-max-in-flight must be between 1 and 4096"},
		{"negative in flight", []string{"-model", "m", "-max-in-flight", "-1"}, exitUsage, "-max-in-flight must be between 1 and 4096"},
		{"huge body", []string{"-model", "m", "-max-body", "2GB"}, exitUsage, "-max-body must be at most 1GB"},
		{"short token", []string{"-model", "m", "-token", "secret"}, exitUsage, "the token (-token) has 6 characters: use at least 16"},
		{"usage bounds", []string{"-h"}, exitOK, "most rows run in one batch, 1 to 4096"},
		{"extra", []string{"-model", "m", "x"}, exitUsage, "unexpected arguments"},
		{"missing file", []string{"-model", "/nonexistent/model", "-addr", "127.0.0.1:0"}, exitFailure, "no such file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut strings.Builder
			if got := serveCmd(context.Background(), c.args, &out, &errOut); got != c.code || !strings.Contains(errOut.String(), c.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", got, errOut.String(), c.code, c.want)
			}
		})
	}
}

func TestParseByteSize(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1048576", 1 << 20, true},
		{"1MB", 1 << 20, true},
		{"1mb", 1 << 20, true},
		{"512KB", 512 << 10, true},
		{"2 MiB", 2 << 20, true},
		{"1G", 1 << 30, true},
		{"100B", 100, true},
		{"0", 0, false},
		{"-1MB", 0, false},
		{"1.5MB", 0, false},
		{"MB", 0, false},
		{"", 0, false},
		{"99999999999GB", 0, false},
	}
	for _, c := range cases {
		got, err := parseByteSize(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseByteSize(%q) = %d, %v; want %d, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}
