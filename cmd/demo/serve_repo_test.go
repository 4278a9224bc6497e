package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokeras/gokeras/serving"
)

const onesRow = `{"rows": [[1, 1, 1, 1]]}`

func TestServeRepoRoutes(t *testing.T) {
	dir := t.TempDir()
	saveVersion(t, dir, "sum", "1", trainSum(t, 1))
	saveVersion(t, dir, "sum", "2", trainSum(t, -1))
	saveVersion(t, dir, "cls", "1", testModel(t, false))
	repo := openTestRepo(t, dir, serving.WithPolicy(serving.Latest(2)))
	srv := httptest.NewServer(newRepoHandler(repo, handlerConfig{maxBody: 1 << 20}))
	defer srv.Close()
	c := srv.Client()

	code, a := call(t, c, "GET", srv.URL+"/v1/models", "")
	if code != 200 || len(a.Models) != 2 || a.Models[0].Name != "cls" || a.Models[1].Name != "sum" || len(a.Models[1].Versions) != 2 {
		t.Fatalf("GET /v1/models: %d %+v", code, a)
	}
	v := a.Models[1].Versions[0]
	if v.Version != 2 || v.State != serving.Available || len(v.Inputs) != 1 || v.Inputs[0].Values != 4 || len(v.Outputs) != 1 {
		t.Fatalf("sum version 2: %+v", v)
	}
	code, a = call(t, c, "POST", srv.URL+"/v1/models/sum:predict", onesRow)
	if code != 200 || a.Name != "sum" || a.Version != 2 || len(a.Predictions) != 1 || a.Predictions[0][0] > -2 {
		t.Fatalf("latest sum: %d %+v", code, a)
	}
	code, a = call(t, c, "POST", srv.URL+"/v1/models/sum/versions/1:predict", onesRow)
	if code != 200 || a.Version != 1 || a.Predictions[0][0] < 2 {
		t.Fatalf("pinned sum v1: %d %+v", code, a)
	}
	code, a = call(t, c, "POST", srv.URL+"/v1/models/cls:predict", `{"rows": [[5, 3, 4, 1], [6, 3, 5, 2]]}`)
	if code != 200 || a.Name != "cls" || a.Version != 1 || len(a.Predictions) != 2 || len(a.Classes) != 2 {
		t.Fatalf("cls: %d %+v", code, a)
	}
	code, a = call(t, c, "GET", srv.URL+"/v1/models/cls", "")
	if code != 200 || len(a.Versions) != 1 || len(a.Versions[0].Outputs) != 1 {
		t.Fatalf("GET /v1/models/cls: %d %+v", code, a)
	}
	for _, tc := range []struct{ method, path string }{
		{"POST", "/v1/models/nope:predict"},
		{"POST", "/v1/models/sum/versions/7:predict"},
		{"POST", "/v1/models/sum/versions/x:predict"},
		{"GET", "/v1/models/nope"},
		{"GET", "/v1/models/nope/versions/1"},
		{"GET", "/v1/models/sum/versions/7"},
		{"POST", "/v1/models/nope:reload"},
		{"POST", "/v1/models/sum:frobnicate"},
	} {
		code, a := call(t, c, tc.method, srv.URL+tc.path, onesRow)
		if code != http.StatusNotFound || a.Error == "" {
			t.Errorf("%s %s: %d %+v, want 404 with an error", tc.method, tc.path, code, a)
		}
	}
	var ver struct {
		Name    string       `json:"name"`
		Version int64        `json:"version"`
		State   string       `json:"state"`
		Inputs  []inputInfo  `json:"inputs"`
		Outputs []outputInfo `json:"outputs"`
	}
	resp, err := c.Get(srv.URL + "/v1/models/sum/versions/1")
	if err != nil {
		t.Fatal(err)
	}
	err = json.NewDecoder(resp.Body).Decode(&ver)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || ver.Name != "sum" || ver.Version != 1 || ver.State != "AVAILABLE" || len(ver.Inputs) != 1 || ver.Inputs[0].Values != 4 || len(ver.Outputs) != 1 {
		t.Errorf("GET /v1/models/sum/versions/1: %d %+v %v", resp.StatusCode, ver, err)
	}
	if code, a := call(t, c, "GET", srv.URL+"/v1/models/sum:predict", ""); code != http.StatusMethodNotAllowed {
		t.Errorf("GET :predict: %d %+v", code, a)
	}
	if code, a := call(t, c, "POST", srv.URL+"/v1/models/sum:predict", `{"rows": [[1, 2]]}`); code != http.StatusBadRequest || a.Error == "" {
		t.Errorf("short row: %d %+v", code, a)
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		if code, _ := call(t, c, "GET", srv.URL+p, ""); code != 200 {
			t.Errorf("%s: %d", p, code)
		}
	}
}

func TestServeRepoReadyz(t *testing.T) {
	dir := t.TempDir()
	saveVersion(t, dir, "cls", "1", testModel(t, false))
	bad := filepath.Join(dir, "broken", "1")
	os.MkdirAll(bad, 0o755)
	os.WriteFile(filepath.Join(bad, "model.safetensors"), []byte("not a model"), 0o644)
	repo := openTestRepo(t, dir)
	srv := httptest.NewServer(newRepoHandler(repo, handlerConfig{maxBody: 1 << 20}))
	defer srv.Close()
	code, a := call(t, srv.Client(), "GET", srv.URL+"/readyz", "")
	if code != http.StatusServiceUnavailable || !strings.Contains(a.Error, "broken") {
		t.Fatalf("/readyz with a failed model: %d %+v", code, a)
	}
	code, a = call(t, srv.Client(), "POST", srv.URL+"/v1/models/broken:predict", onesRow)
	if code != http.StatusServiceUnavailable || !strings.Contains(a.Error, "FAILED") {
		t.Fatalf("predict on a failed model: %d %+v", code, a)
	}
}

// TestServeRepoHotReload writes version 2 while clients send predictions: none
// fails, and the answers come from version 2 soon after. A corrupt version 3
// is FAILED and version 2 keeps serving.
func TestServeRepoHotReload(t *testing.T) {
	dir, stage := t.TempDir(), t.TempDir()
	saveVersion(t, dir, "sum", "1", trainSum(t, 1))
	saveVersion(t, stage, "sum", "2", trainSum(t, -1))
	repo := openTestRepo(t, dir, serving.WithPoll(50*time.Millisecond))
	srv := httptest.NewServer(newRepoHandler(repo, handlerConfig{maxBody: 1 << 20}))
	defer srv.Close()
	c := srv.Client()

	var failed, sawV2, total atomic.Int64
	var wrong atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				code, a, err := tryCall(c, "POST", srv.URL+"/v1/models/sum:predict", onesRow)
				total.Add(1)
				switch {
				case err != nil || code != 200:
					failed.Add(1)
				case a.Version == 2 && a.Predictions[0][0] < -2:
					sawV2.Add(1)
				case a.Version == 1 && a.Predictions[0][0] > 2:
				default:
					wrong.Store(a)
				}
			}
		}()
	}
	start := time.Now()
	time.Sleep(300 * time.Millisecond)
	if err := os.Rename(filepath.Join(stage, "sum", "2"), filepath.Join(dir, "sum", "2")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && sawV2.Load() < 20 {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(max(200*time.Millisecond, time.Second-time.Since(start))) // about 1 s of load in all
	close(stop)
	wg.Wait()
	if failed.Load() != 0 || wrong.Load() != nil || sawV2.Load() < 20 {
		t.Fatalf("%d requests: %d failed, %d from version 2, a wrong answer: %+v", total.Load(), failed.Load(), sawV2.Load(), wrong.Load())
	}
	if code, a := call(t, c, "POST", srv.URL+"/v1/models/sum:predict", onesRow); code != 200 || a.Version != 2 {
		t.Fatalf("after the swap: %d %+v", code, a)
	}

	v3 := filepath.Join(dir, "sum", "3")
	os.MkdirAll(v3, 0o755)
	os.WriteFile(filepath.Join(v3, "model.safetensors.tmp"), []byte("garbage, not safetensors"), 0o644)
	if err := os.Rename(filepath.Join(v3, "model.safetensors.tmp"), filepath.Join(v3, "model.safetensors")); err != nil {
		t.Fatal(err)
	}
	code, a := call(t, c, "POST", srv.URL+"/v1/models/sum:reload", "")
	if code != 200 || len(a.Versions) != 2 || a.Versions[0].Version != 3 || a.Versions[0].State != serving.Failed || a.Versions[0].Error == "" ||
		a.Versions[1].Version != 2 || a.Versions[1].State != serving.Available {
		t.Fatalf("reload with a corrupt version 3: %d %+v", code, a)
	}
	if code, a := call(t, c, "POST", srv.URL+"/v1/models/sum:predict", onesRow); code != 200 || a.Version != 2 {
		t.Fatalf("with a corrupt version 3: %d %+v", code, a)
	}
}
