package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/serving"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// trainSum trains a Dense(1) on 4 features to predict sign x (x1+x2+x3+x4): the
// versions of one model in the repository tests differ by sign.
func trainSum(t *testing.T, sign float32) *layers.Sequential {
	t.Helper()
	const n = 64
	xs, ys := make([]float32, n*4), make([]float32, n)
	for i := 0; i < n; i++ {
		for j := 0; j < 4; j++ {
			xs[i*4+j] = float32((i*7+j*3)%11)/5 - 1
			ys[i] += sign * xs[i*4+j]
		}
	}
	ds, err := datasets.NewTensor(tensor.New(tensor.WithShape(n, 4), tensor.WithBacking(xs)), tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(ys)))
	if err != nil {
		t.Fatal(err)
	}
	m := layers.NewSequential(layers.Input(4), layers.Dense(1))
	tr, err := trainers.New(m, trainers.WithLoss("mse"), trainers.WithOptimizer(trainers.Adam(0.05)), trainers.WithSeed(1), trainers.WithOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.FitDataset(context.Background(), ds, trainers.Epochs(40), trainers.BatchSize(16)); err != nil {
		t.Fatal(err)
	}
	return m
}

// saveVersion saves m as DIR/NAME/V/model.safetensors (Save writes atomically).
func saveVersion(t *testing.T, dir, name, v string, m layers.Model) {
	t.Helper()
	vdir := filepath.Join(dir, name, v)
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		t.Fatal(err)
	}
	type saver interface{ Save(string) error }
	if err := m.(saver).Save(filepath.Join(vdir, "model.safetensors")); err != nil {
		t.Fatal(err)
	}
}

// openTestRepo opens dir with demo serve's loader, without polling unless poll
// options say so, and waits for its first scan.
func openTestRepo(t *testing.T, dir string, opts ...serving.Option) *serving.Repository {
	t.Helper()
	repo, err := serving.Open(dir, append([]serving.Option{serving.WithLoader(servingLoader(trainers.WithWorkers(2))), serving.WithPoll(0)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { repo.Close() })
	if err := repo.Rescan(); err != nil {
		t.Fatal(err)
	}
	return repo
}

// repoAnswer is what the repository tests read from a prediction.
type repoAnswer struct {
	Name        string        `json:"model_name"`
	Version     int64         `json:"model_version"`
	Predictions [][]float64   `json:"predictions"`
	Classes     []int         `json:"classes"`
	Error       string        `json:"error"`
	Models      []modelInfo   `json:"models"`
	Versions    []versionInfo `json:"versions"`
}

// call sends method url with body (none when empty) and decodes the answer.
func call(t *testing.T, c *http.Client, method, url, body string) (int, repoAnswer) {
	t.Helper()
	code, a, err := tryCall(c, method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return code, a
}

// tryCall is call for goroutines other than the test's: it returns the error.
func tryCall(c *http.Client, method, url, body string) (int, repoAnswer, error) {
	var a repoAnswer
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return 0, a, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, a, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, a, err
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(b, &a); err != nil {
			return 0, a, fmt.Errorf("%s %s: %v in %s", method, url, err, b)
		}
	}
	return resp.StatusCode, a, nil
}
