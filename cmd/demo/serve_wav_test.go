package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// TestServeWAV posts WAV bodies to a served speech model (a ctc model and a
// classifier) and checks the answers and the errors.
func TestServeWAV(t *testing.T) {
	wav, err := os.ReadFile(listenWAV(t))
	if err != nil {
		t.Fatal(err)
	}
	post := func(srv *httptest.Server, path, ctype string, body []byte) (int, map[string]any) {
		t.Helper()
		resp, err := http.Post(srv.URL+path, ctype, strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var got map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, got
	}
	ctcPath := listenModel(t, listenFeatures("ctc", "", "one", "two"), 2, true)
	ctcSrv := httptest.NewServer(newHandler(testServing(t, ctcPath), handlerConfig{maxBody: 1 << 20}))
	defer ctcSrv.Close()
	for _, path := range []string{"/v1/predict", "/v1/predict?beam=4"} {
		code, got := post(ctcSrv, path, "audio/wav", wav)
		if code != 200 || got["transcript"] != "two" {
			t.Errorf("%s: %d %v; want the transcript \"two\"", path, code, got)
		}
	}
	kwsPath := listenModel(t, listenFeatures("classes", "no", "yes"), 1, true)
	kwsSrv := httptest.NewServer(newHandler(testServing(t, kwsPath), handlerConfig{maxBody: 1 << 20}))
	defer kwsSrv.Close()
	if code, got := post(kwsSrv, "/v1/predict", "audio/x-wav", wav); code != 200 || got["keyword"] != "yes" {
		t.Errorf("classifier: %d %v", code, got)
	}
	small := httptest.NewServer(newHandler(testServing(t, kwsPath), handlerConfig{maxBody: 100}))
	defer small.Close()
	plain := httptest.NewServer(newHandler(testServing(t, saveTestModel(t, false)), handlerConfig{maxBody: 1 << 20}))
	defer plain.Close()
	for _, c := range []struct {
		name string
		srv  *httptest.Server
		path string
		body []byte
		code int
		want string
	}{
		{"not a WAV", ctcSrv, "/v1/predict", []byte("RIFFnonsense"), 400, "wav"},
		{"bad beam", ctcSrv, "/v1/predict?beam=0", wav, 400, "beam"},
		{"too large", small, "/v1/predict", wav, 413, "-max-body"},
		{"no audio features", plain, "/v1/predict", wav, 400, "a WAV body needs a speech model"},
	} {
		code, got := post(c.srv, c.path, "audio/wav", c.body)
		msg, _ := got["error"].(string)
		if code != c.code || !strings.Contains(strings.ToLower(msg), strings.ToLower(c.want)) {
			t.Errorf("%s: %d %q; want %d and %q", c.name, code, msg, c.code, c.want)
		}
	}
}
