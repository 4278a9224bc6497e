package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pb "github.com/advancedclimatesystems/gonnx/onnx"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/text"
	"google.golang.org/protobuf/proto"
)

// TestExportCmd: demo export writes an ONNX file of a saved model and describes
// it (text and -json).
func TestExportCmd(t *testing.T) {
	dir := t.TempDir()
	m := layers.NewSequential(layers.Input(6, 6, 1), layers.Conv2D(2, 3, layers.WithActivation("relu")), layers.Flatten(), layers.Dense(3, layers.WithActivation("softmax")))
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	modelPath := filepath.Join(dir, "small.gkm")
	if err := m.Save(modelPath); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "small.onnx")
	code, stdout, stderr := runDemo("export", "-model", modelPath, "-onnx", out, "-json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res exportResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("output %q: %v", stdout, err)
	}
	if res.Opset != 17 || len(res.Inputs) != 1 || len(res.Outputs) != 1 || res.Nodes == 0 || res.Parameters != 2*9+2+32*3+3 {
		t.Fatalf("result %+v", res)
	}
	if got := res.Inputs[0].Shape; len(got) != 4 || got[0] != -1 || got[3] != 1 {
		t.Errorf("input shape %v, want [-1 6 6 1]", got)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var mp pb.ModelProto
	if err := proto.Unmarshal(b, &mp); err != nil {
		t.Fatal(err)
	}
	if len(mp.Graph.Node) != res.Nodes || mp.Graph.Input[0].Name != res.Inputs[0].Name {
		t.Errorf("file has %d nodes and input %q; printed %d and %q", len(mp.Graph.Node), mp.Graph.Input[0].Name, res.Nodes, res.Inputs[0].Name)
	}
	code, stdout, stderr = runDemo("export", "-model", modelPath, "-onnx", out, "-opset", "13")
	if code != exitOK || !strings.Contains(stdout, "ONNX opset 13") || !strings.Contains(stdout, "output ") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestExportCmdErrors(t *testing.T) {
	dir := t.TempDir()
	raw := layers.NewInput("text", layers.Shape(1), layers.String)
	tok, err := text.FitWords([]string{"a b c", "b c d"}, text.WordsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tv := layers.TextVectorization(tok, layers.WithName("text_vectorization"), layers.WithOutputMode("multi_hot"))
	m, err := layers.NewModel([]*layers.Tensor{raw}, []*layers.Tensor{layers.Dense(2).Apply(tv.Apply(raw))})
	if err != nil {
		t.Fatal(err)
	}
	textModel := filepath.Join(dir, "text.gkm")
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(textModel); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-model", textModel, "-onnx", filepath.Join(dir, "t.onnx")}, exitFailure, `layer "text_vectorization" (TextVectorization) cannot be exported`},
		{[]string{"-model", filepath.Join(dir, "missing.gkm"), "-onnx", filepath.Join(dir, "m.onnx")}, exitFailure, "missing.gkm"},
		{[]string{"-model", textModel}, exitUsage, "-model and -onnx are required"},
		{[]string{"-model", textModel, "-onnx", "x.onnx", "-opset", "9"}, exitUsage, "-opset 9"},
		{[]string{"-model", textModel, "-onnx", textModel}, exitUsage, "is the -model file"},
	} {
		code, _, stderr := runDemo(append([]string{"export"}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "t.onnx")); !os.IsNotExist(err) {
		t.Errorf("a failed export left a file: %v", err)
	}
}
