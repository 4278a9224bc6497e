package interop_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/gokeras/gokeras/interop"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// archFixture is interop/testdata/torch_models/<name>.json: the input given to
// the PyTorch model (images NCHW, or int64 ids) and its output.
type archFixture struct {
	Model  string `json:"model"`
	Input  archArray
	Output archArray
}

type archArray struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

func archLoadFixture(t *testing.T, name string) archFixture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "torch_models", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var f archFixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("%s.json: %v", name, err)
	}
	return f
}

// archInput is the fixture's input as the gokeras model takes it: NCHW images
// transposed to NHWC float32, or ids as int64.
func archInput(t *testing.T, a archArray, images bool) *tensor.Dense {
	t.Helper()
	if !images {
		ids := make([]int64, len(a.Data))
		for i, v := range a.Data {
			ids[i] = int64(v)
		}
		return tensor.New(tensor.WithShape(a.Shape...), tensor.WithBacking(ids))
	}
	if len(a.Shape) != 4 {
		t.Fatalf("image input of shape %v, want NCHW", a.Shape)
	}
	n, c, h, w := a.Shape[0], a.Shape[1], a.Shape[2], a.Shape[3]
	out := make([]float32, len(a.Data))
	for b := 0; b < n; b++ {
		for ch := 0; ch < c; ch++ {
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					out[((b*h+y)*w+x)*c+ch] = float32(a.Data[((b*c+ch)*h+y)*w+x])
				}
			}
		}
	}
	return tensor.New(tensor.WithShape(n, h, w, c), tensor.WithBacking(out))
}

// archMaxAbsDiff is max |got-want|, +Inf on a length mismatch or NaN.
func archMaxAbsDiff(got []float32, want []float64) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	m := 0.0
	for i := range got {
		d := math.Abs(float64(got[i]) - want[i])
		if math.IsNaN(d) {
			return math.Inf(1)
		}
		m = math.Max(m, d)
	}
	return m
}

// TestImportTorchMatchesPyTorch imports each committed fixture and checks that
// the gokeras model's outputs are PyTorch's (float32, within 1e-4).
func TestImportTorchMatchesPyTorch(t *testing.T) {
	cases := []struct {
		file, fixture, arch string
		images              bool
		opts                []interop.ArchOption
		format              string
		sizes               map[string][]int
	}{
		{"resnet_tiny.pt", "resnet_tiny", "resnet18", true, []interop.ArchOption{interop.WithInputShape(32, 32, 3)}, "torch",
			map[string][]int{"widths": {8, 16, 32, 64}, "blocks": {2, 2, 2, 2}, "classes": {10}, "input_shape": {32, 32, 3}}},
		{"lstm_classifier.pt", "lstm_classifier", "lstm-classifier", false, []interop.ArchOption{interop.WithSteps(12)}, "torch",
			map[string][]int{"vocab": {50}, "embedding_dim": {16}, "hidden": {32}, "lstm_layers": {2}, "classes": {4}}},
		{"lstm_classifier.safetensors", "lstm_classifier", "lstm-classifier", false, []interop.ArchOption{interop.WithSteps(12)}, "safetensors",
			map[string][]int{"hidden": {32}, "lstm_layers": {2}}},
		{"transformer_encoder.pt", "transformer_encoder", "transformer-encoder", false, []interop.ArchOption{interop.WithSteps(12)}, "torch",
			map[string][]int{"vocab": {50}, "width": {32}, "heads": {4}, "feedforward": {64}, "encoder_layers": {2}, "positions": {16}, "classes": {4}}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			a, plan, err := interop.ImportTorch(filepath.Join("testdata", "torch_models", c.file), c.arch, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if a.Format != c.format || a.Name != c.arch {
				t.Errorf("format %q name %q, want %q %q", a.Format, a.Name, c.format, c.arch)
			}
			if len(plan) != len(a.Model.Params()) {
				t.Errorf("%d assignments for %d weights", len(plan), len(a.Model.Params()))
			}
			for k, v := range c.sizes {
				if !reflect.DeepEqual(a.Sizes[k], v) {
					t.Errorf("size %s = %v, want %v", k, a.Sizes[k], v)
				}
			}
			fx := archLoadFixture(t, c.fixture)
			y, err := trainers.Predict(a.Model, archInput(t, fx.Input, c.images))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(y.Shape(), tensor.Shape(fx.Output.Shape)) {
				t.Fatalf("output shape %v, want %v", y.Shape(), fx.Output.Shape)
			}
			d := archMaxAbsDiff(y.Data().([]float32), fx.Output.Data)
			t.Logf("%s as %s: max abs error %.3g over %d outputs", c.file, c.arch, d, len(fx.Output.Data))
			if d > 1e-4 {
				t.Errorf("max abs error %.3g > 1e-4", d)
			}
		})
	}
}
