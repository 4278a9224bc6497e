package onnxcheck

import (
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// TestBatches runs CheckAll and RunAll on good and bad models at once: each
// result must be its own model's.
func TestBatches(t *testing.T) {
	tools := Require(t)
	files := []string{"add.onnx", "malformed.onnx", "gather_matmul.onnx", "bad_graph.onnx"}
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = "testdata/" + f
	}
	infos, errs := tools.CheckAll(paths)
	wantOK := []bool{true, false, true, false}
	for i, f := range files {
		if (errs[i] == nil) != wantOK[i] || (infos[i] != nil) != wantOK[i] {
			t.Errorf("CheckAll %s: info %v, error %v; want ok=%v", f, infos[i], errs[i], wantOK[i])
		}
		if errs[i] != nil && !strings.Contains(errs[i].Error(), f) {
			t.Errorf("CheckAll %s: error %v does not name the file", f, errs[i])
		}
	}
	if infos[2] != nil && (len(infos[2].Inputs) != 2 || infos[2].Inputs[0].Name != "ids") {
		t.Errorf("CheckAll gather_matmul.onnx: inputs %v, want ids and pos", infos[2].Inputs)
	}
	one := func(v float32) *tensor.Dense {
		return tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float32{v, v, v}))
	}
	jobs := []Job{
		{Path: "testdata/add.onnx", Inputs: map[string]*tensor.Dense{"a": one(1), "b": one(2)}},
		{Path: "testdata/malformed.onnx", Inputs: map[string]*tensor.Dense{"a": one(1)}},
		{Path: "testdata/add.onnx", Inputs: map[string]*tensor.Dense{"a": one(1), "b": nil}},
		{Path: "testdata/add.onnx", Inputs: map[string]*tensor.Dense{"a": one(10), "b": one(-4)}},
	}
	outs, errs := tools.RunAll(jobs)
	wantY := []float64{3, 0, 0, 6}
	wantErr := []string{"", "Protobuf parsing failed", `input "b" is nil`, ""}
	for i, j := range jobs {
		if wantErr[i] != "" {
			if errs[i] == nil || !strings.Contains(errs[i].Error(), wantErr[i]) || !strings.Contains(errs[i].Error(), j.Path) {
				t.Errorf("RunAll job %d: error %v, want one naming %s and containing %q", i, errs[i], j.Path, wantErr[i])
			}
			continue
		}
		if errs[i] != nil {
			t.Errorf("RunAll job %d: %v", i, errs[i])
			continue
		}
		if len(outs[i]) != 1 || len(outs[i][0].Data) != 3 || outs[i][0].Data[0] != wantY[i] {
			t.Errorf("RunAll job %d: outputs %v, want y = %g", i, outs[i], wantY[i])
		}
	}
}
