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
		{[]string{"-model", model, "-out", out, "-method", "lime"}, exitUsage, "unknown -method"},
		{[]string{"-model", model, "-out", out, "-layer", "dense"}, exitUsage, "-layer is for -method gradcam"},
		{[]string{"-model", model, "-out", out, "-method", "gradcam"}, exitFailure, "no layer has an output of rank 4"},
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

// trainExplainConvModel saves a small conv net trained on the raw 8x8 digits (flat
// rows reshaped to 8x8x1 images) and returns its path.
func trainExplainConvModel(t *testing.T) string {
	t.Helper()
	s, err := datasets.Digits()
	if err != nil {
		t.Fatal(err)
	}
	m := layers.NewSequential(layers.Input(64), layers.Reshape([]int{8, 8, 1}),
		layers.Conv2D(8, 3, layers.WithActivation("relu"), layers.WithPadding("same"), layers.WithName("conv_a")),
		layers.Conv2D(8, 3, layers.WithActivation("relu"), layers.WithName("conv_b")),
		layers.Flatten(), layers.Dense(10, layers.WithActivation("softmax")))
	tr, err := trainers.New(m, trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithSeed(1), trainers.WithOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Fit(context.Background(), s.Train.X(), s.Train.Y(), trainers.Epochs(3), trainers.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "conv.json")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestExplainGradCAM runs demo explain -method gradcam on a saved conv net: by
// default on the last conv layer, with -layer on the one named, with a JSON line
// naming the layer (and no completeness_error) and a 224x224 PNG; a layer the
// model lacks is an error naming it.
func TestExplainGradCAM(t *testing.T) {
	model := trainExplainConvModel(t)
	for _, tc := range []struct{ layer, want string }{{"", "conv_b"}, {"conv_a", "conv_a"}} {
		out := filepath.Join(t.TempDir(), "cam.png")
		args := []string{"explain", "-model", model, "-index", "3", "-method", "gradcam", "-out", out, "-json"}
		if tc.layer != "" {
			args = append(args, "-layer", tc.layer)
		}
		code, stdout, stderr := runDemo(args...)
		if code != exitOK {
			t.Fatalf("-layer %q: exit %d: %s", tc.layer, code, stderr)
		}
		var res map[string]any
		if err := json.Unmarshal([]byte(strings.TrimSpace(stdout)), &res); err != nil {
			t.Fatalf("stdout %q: %v", stdout, err)
		}
		if res["method"] != "gradcam" || res["layer"] != tc.want || res["index"] != 3.0 || res["out"] != out {
			t.Errorf("-layer %q: JSON %v, want method gradcam, layer %s", tc.layer, res, tc.want)
		}
		if _, ok := res["completeness_error"]; ok {
			t.Errorf("JSON %v has completeness_error", res)
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != 224 || b.Dy() != 224 {
			t.Errorf("picture %v, want 224x224", b)
		}
	}
	code, stdout, _ := runDemo("explain", "-model", model, "-method", "gradcam", "-out", filepath.Join(t.TempDir(), "s.png"))
	if code != exitOK || !strings.Contains(stdout, "gradcam of test image 0") || !strings.Contains(stdout, "layer conv_b") {
		t.Errorf("exit %d, stdout %q", code, stdout)
	}
	code, _, stderr := runDemo("explain", "-model", model, "-method", "gradcam", "-layer", "nope", "-out", filepath.Join(t.TempDir(), "n.png"))
	if code != exitFailure || !strings.Contains(stderr, `no layer "nope"`) {
		t.Errorf("-layer nope: exit %d, stderr %q", code, stderr)
	}
}
