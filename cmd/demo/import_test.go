package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// importFixtureDir holds the PyTorch fixtures of interop's importers.
const importFixtureDir = "../../interop/testdata/torch_models"

// importFixture is <name>.json there: PyTorch's input (NCHW images or ids) and output.
type importFixture struct {
	Input, Output struct {
		Shape []int     `json:"shape"`
		Data  []float64 `json:"data"`
	}
}

// importCSVRows writes the fixture's input as demo predict reads it: one row per
// example, NHWC-flattened images (transposed from PyTorch's NCHW) or ids.
func importCSVRows(t *testing.T, name string, images bool) (csvPath string, want [][]float64) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(importFixtureDir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var f importFixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	n := f.Input.Shape[0]
	per := len(f.Input.Data) / n
	var sb strings.Builder
	for r := 0; r < n; r++ {
		row := f.Input.Data[r*per : (r+1)*per]
		cells := make([]string, per)
		if images {
			c, h, w := f.Input.Shape[1], f.Input.Shape[2], f.Input.Shape[3]
			for ch := 0; ch < c; ch++ {
				for y := 0; y < h; y++ {
					for x := 0; x < w; x++ {
						cells[(y*w+x)*c+ch] = strconv.FormatFloat(row[(ch*h+y)*w+x], 'g', -1, 32)
					}
				}
			}
		} else {
			for i, v := range row {
				cells[i] = strconv.Itoa(int(v))
			}
		}
		sb.WriteString(strings.Join(cells, ",") + "\n")
	}
	csvPath = filepath.Join(t.TempDir(), name+".csv")
	if err := os.WriteFile(csvPath, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	k := len(f.Output.Data) / n
	for r := 0; r < n; r++ {
		want = append(want, f.Output.Data[r*k:(r+1)*k])
	}
	return csvPath, want
}

// TestImportThenPredict imports the committed ResNet, LSTM and transformer fixtures with demo
// import, then checks that demo predict on the saved file gives PyTorch's
// outputs and that serve's loader takes the file.
func TestImportThenPredict(t *testing.T) {
	cases := []struct {
		fixture, file, arch string
		flags               []string
		images              bool
		summary             string
	}{
		{"resnet_tiny", "resnet_tiny.pt", "resnet18", []string{"-input-shape", "32,32,3"}, true,
			"sizes: blocks=2,2,2,2 bottleneck=0 classes=10 input_shape=32,32,3 stem_width=8 widths=8,16,32,64"},
		{"lstm_classifier", "lstm_classifier.pt", "lstm-classifier", []string{"-steps", "12"}, false,
			"sizes: classes=4 embedding_dim=16 hidden=32 lstm_layers=2 steps=12 vocab=50"},
		{"transformer_encoder", "transformer_encoder.pt", "transformer-encoder", []string{"-steps", "12", "-heads", "4"}, false,
			"sizes: classes=4 encoder_layers=2 feedforward=64 heads=4 norm_first=0 positions=16 steps=12 vocab=50 width=32"},
	}
	for _, c := range cases {
		t.Run(c.arch, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), c.fixture+".safetensors")
			args := append([]string{"import", "-torch", filepath.Join(importFixtureDir, c.file), "-arch", c.arch, "-out", out}, c.flags...)
			code, stdout, stderr := runDemo(args...)
			if code != exitOK {
				t.Fatalf("import: exit %d: %s", code, stderr)
			}
			if !strings.Contains(stdout, c.summary) || !strings.Contains(stdout, "saved: "+out) {
				t.Errorf("import summary:\n%s\nwant the line %q", stdout, c.summary)
			}
			csvPath, want := importCSVRows(t, c.fixture, c.images)
			code, stdout, stderr = runDemo("predict", "-model", out, "-csv", csvPath)
			if code != exitOK {
				t.Fatalf("predict: exit %d: %s", code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stdout), "\n")
			if len(lines) != len(want) {
				t.Fatalf("predict printed %d lines, want %d:\n%s", len(lines), len(want), stdout)
			}
			worst := 0.0
			for i, line := range lines {
				vals := strings.Split(strings.SplitN(line, "\t", 2)[0], ",")
				if len(vals) != len(want[i]) {
					t.Fatalf("row %d: %d values, want %d: %q", i, len(vals), len(want[i]), line)
				}
				for j, s := range vals {
					v, err := strconv.ParseFloat(s, 64)
					if err != nil {
						t.Fatalf("row %d: %v", i, err)
					}
					worst = math.Max(worst, math.Abs(v-want[i][j]))
				}
			}
			t.Logf("%s: demo predict vs PyTorch: max abs error %.3g", c.arch, worst)
			if worst > 1e-4 {
				t.Errorf("max abs error %.3g > 1e-4", worst)
			}
			sm, err := loadServingModel(out)
			if err != nil {
				t.Fatalf("serve's loader: %v", err)
			}
			sm.close()
		})
	}
}

// TestImportJSON checks -json's fields on the LSTM fixture read as safetensors:
// 15,524 parameters, PyTorch's 15,780 less one of the two LSTM biases per layer
// (2 x 128), which Load sums.
func TestImportJSON(t *testing.T) {
	out := filepath.Join(t.TempDir(), "m.safetensors")
	code, stdout, stderr := runDemo("import", "-torch", filepath.Join(importFixtureDir, "lstm_classifier.safetensors"),
		"-arch", "lstm-classifier", "-steps", "12", "-out", out, "-json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r importResult
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("%v: %q", err, stdout)
	}
	if r.Format != "safetensors" || r.Arch != "lstm-classifier" || r.Tensors != 11 || r.Parameters != 15524 || r.Weights != 9 || r.Sizes["hidden"][0] != 32 {
		t.Errorf("result %+v", r)
	}
}

// TestImportErrors checks the command's refusals and their statuses.
func TestImportErrors(t *testing.T) {
	lstm := filepath.Join(importFixtureDir, "lstm_classifier.pt")
	out := filepath.Join(t.TempDir(), "m.safetensors")
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no flags", nil, exitUsage, "-torch, -arch and -out are required"},
		{"unknown arch", []string{"-torch", lstm, "-arch", "vgg", "-out", out}, exitUsage, `"vgg" is unknown (known: lstm-classifier, resnet18, transformer-encoder)`},
		{"shape for lstm", []string{"-torch", lstm, "-arch", "lstm-classifier", "-out", out, "-input-shape", "1,2,3"}, exitUsage, "-input-shape is for resnet18"},
		{"bad shape", []string{"-torch", lstm, "-arch", "resnet18", "-out", out, "-input-shape", "32,32"}, exitUsage, "want H,W,C"},
		{"out is input", []string{"-torch", lstm, "-arch", "lstm-classifier", "-out", lstm}, exitUsage, "is the -torch file"},
		{"no steps", []string{"-torch", lstm, "-arch", "lstm-classifier", "-out", out}, exitFailure, "give it (WithSteps, demo's -steps)"},
		{"wrong arch", []string{"-torch", lstm, "-arch", "resnet18", "-out", out}, exitFailure, `tensor "conv1.weight" is missing`},
		{"not weights", []string{"-torch", "import_test.go", "-arch", "resnet18", "-out", out}, exitFailure, "neither a torch.save zip"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runDemo(append([]string{"import"}, c.args...)...)
			if code != c.code || !strings.Contains(stderr, c.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", code, stderr, c.code, c.want)
			}
		})
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed import left %s (%v)", out, err)
	}
}
