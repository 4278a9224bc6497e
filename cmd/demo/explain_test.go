package main

import (
	"context"
	"encoding/json"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
)

// explainDigitsModel saves a small MLP trained on the raw 8x8 digits (its
// Normalization layer standardizes them, as the zoo recipe's) and returns its path.
func explainDigitsModel(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "digits.json")
	if err := trainExplainModel(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func trainExplainModel(path string) error {
	s, err := datasets.Digits()
	if err != nil {
		return err
	}
	norm := layers.Normalization()
	if err := norm.Adapt(s.Train.X()); err != nil {
		return err
	}
	m := layers.NewSequential(layers.Input(64), norm,
		layers.Dense(32, layers.WithActivation("tanh")),
		layers.Dense(10, layers.WithActivation("softmax")))
	tr, err := trainers.New(m, trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithSeed(1), trainers.WithOutput(io.Discard))
	if err != nil {
		return err
	}
	if _, err := tr.Fit(context.Background(), s.Train.X(), s.Train.Y(), trainers.Epochs(10), trainers.Verbose(0)); err != nil {
		return err
	}
	return m.Save(path)
}

// TestExplainMethods runs demo explain with each method on a trained digits
// model: a PNG of the enlarged image and one JSON line with the prediction.
func TestExplainMethods(t *testing.T) {
	model := explainDigitsModel(t)
	for _, method := range []string{"saliency", "smoothgrad", "ig", "occlusion"} {
		t.Run(method, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), method+".png")
			code, stdout, stderr := runDemo("explain", "-model", model, "-data", "digits", "-index", "5", "-method", method, "-out", out, "-json")
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var res map[string]any
			if err := json.Unmarshal([]byte(strings.TrimSpace(stdout)), &res); err != nil {
				t.Fatalf("stdout %q: %v", stdout, err)
			}
			if res["method"] != method || res["index"] != 5.0 {
				t.Errorf("JSON %v", res)
			}
			label, _ := res["label"].(float64)
			pred, ok := res["predicted"].(float64)
			if !ok || pred < 0 || pred > 9 || label < 0 || label > 9 {
				t.Errorf("JSON %v: predicted and label must be digits", res)
			}
			ce, hasCE := res["completeness_error"].(float64)
			if hasCE != (method == "ig") {
				t.Errorf("%s: completeness_error present %v", method, hasCE)
			}
			if hasCE && !(ce <= 0.01) {
				t.Errorf("completeness error %g above 1%%", ce)
			}
			f, err := os.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() != 224 || b.Dy() != 224 {
				t.Errorf("picture %v, want 224x224 (8x8 at scale 28)", b)
			}
			if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 1 {
				t.Errorf("the folder holds %d files: a temporary file was left", len(entries))
			}
		})
	}
	// Without -json: one sentence.
	out := filepath.Join(t.TempDir(), "s.png")
	code, stdout, stderr := runDemo("explain", "-model", model, "-out", out)
	if code != exitOK || !strings.Contains(stdout, "saliency of test image 0") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestExplainErrors checks the flag and data errors.
func TestExplainErrors(t *testing.T) {
	model := explainDigitsModel(t)
	out := filepath.Join(t.TempDir(), "x.png")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-out", out}, exitUsage, "-model is required"},
		{[]string{"-model", model}, exitUsage, "-out is required"},
		{[]string{"-model", model, "-out", out, "-method", "gradcam"}, exitUsage, "unknown -method"},
		{[]string{"-model", model, "-out", out, "-data", "cifar"}, exitUsage, "unknown -data"},
		{[]string{"-model", model, "-out", out, "-index", "-1"}, exitUsage, "must not be negative"},
		{[]string{"-model", model, "-out", out, "-index", "360"}, exitFailure, "has 360 images"},
		{[]string{"-model", filepath.Join(t.TempDir(), "none.json"), "-out", out}, exitFailure, "none.json"},
	} {
		code, _, stderr := runDemo(append([]string{"explain"}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed run wrote the PNG")
	}
}
