package interop_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/interop"
)

// archSD is a state dict of zeros of the given names and shapes.
func archSD(t *testing.T, specs map[string][]int) *interop.StateDict {
	t.Helper()
	sd := interop.NewStateDict()
	for _, n := range archSortedNames(specs) {
		shape := specs[n]
		size := 1
		for _, d := range shape {
			size *= d
		}
		if err := sd.Add(&interop.Tensor{Name: n, DType: "float32", Shape: shape, Data: make([]float64, size)}); err != nil {
			t.Fatal(err)
		}
	}
	return sd
}

func archSortedNames(m map[string][]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// archLSTMSpecs is a one-layer lstm-classifier: vocab 7, dim 3, hidden 2, classes 5.
func archLSTMSpecs() map[string][]int {
	return map[string][]int{
		"embed.weight": {7, 3}, "lstm.weight_ih_l0": {8, 3}, "lstm.weight_hh_l0": {8, 2},
		"lstm.bias_ih_l0": {8}, "lstm.bias_hh_l0": {8}, "fc.weight": {5, 2}, "fc.bias": {5},
	}
}

func TestArchitectures(t *testing.T) {
	want := "lstm-classifier resnet18 transformer-encoder"
	if got := strings.Join(interop.Architectures(), " "); got != want {
		t.Fatalf("Architectures() = %q, want %q", got, want)
	}
}

func TestBuildArchitectureErrors(t *testing.T) {
	withReverse := archLSTMSpecs()
	withReverse["lstm.weight_ih_l0_reverse"] = []int{8, 3}
	twoFC := archLSTMSpecs()
	twoFC["head.weight"], twoFC["head.bias"] = []int{3, 2}, []int{3}
	twoFC["out.weight"], twoFC["out.bias"] = twoFC["fc.weight"], twoFC["fc.bias"]
	delete(twoFC, "fc.weight")
	delete(twoFC, "fc.bias")
	cases := []struct {
		name, arch string
		specs      map[string][]int
		opts       []interop.ArchOption
		want       string
	}{
		{"unknown", "vgg16", archLSTMSpecs(), nil, `"vgg16" is unknown (known: lstm-classifier, resnet18, transformer-encoder)`},
		{"empty", "resnet18", map[string][]int{}, nil, "state dict is empty"},
		{"not a resnet", "resnet18", archLSTMSpecs(), nil, `tensor "conv1.weight" is missing, so the state dict is not a resnet18`},
		{"no stages", "resnet18", map[string][]int{"conv1.weight": {4, 3, 7, 7}, "bn1.running_var": {4}}, nil, `tensor "layer1.0.conv1.weight" is missing`},
		{"channels", "resnet18", map[string][]int{"conv1.weight": {4, 3, 7, 7}}, []interop.ArchOption{interop.WithInputShape(32, 32, 1)}, "has 1 channels, conv1.weight [4 3 7 7] takes 3"},
		{"not an lstm", "lstm-classifier", map[string][]int{"conv1.weight": {4, 3, 7, 7}}, nil, "nn.LSTM (a tensor named *.weight_ih_l0)"},
		{"no steps", "lstm-classifier", archLSTMSpecs(), nil, "number of time steps is not in the state dict"},
		{"bidirectional", "lstm-classifier", withReverse, []interop.ArchOption{interop.WithSteps(4)}, "bidirectional"},
		{"two heads", "lstm-classifier", twoFC, []interop.ArchOption{interop.WithSteps(4)}, "2 modules could be the nn.Linear(2, classes) (head, out)"},
		{"not a transformer", "transformer-encoder", archLSTMSpecs(), nil, "*.0.self_attn.in_proj_weight"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := interop.BuildArchitecture(c.arch, archSD(t, c.specs), c.opts...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestBuildLSTMClassifierSizes checks what is inferred from a one-layer LSTM and
// that its module map uses the plain prefix.
func TestBuildLSTMClassifierSizes(t *testing.T) {
	a, err := interop.BuildArchitecture("lstm-classifier", archSD(t, archLSTMSpecs()), interop.WithSteps(6))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"vocab": 7, "embedding_dim": 3, "hidden": 2, "lstm_layers": 1, "classes": 5, "steps": 6}
	for k, v := range want {
		if got := a.Sizes[k]; len(got) != 1 || got[0] != v {
			t.Errorf("size %s = %v, want %d", k, got, v)
		}
	}
	if a.Modules["lstm_l0"] != "lstm" || a.Modules["embed"] != "embed" || a.Modules["fc"] != "fc" {
		t.Errorf("modules %v", a.Modules)
	}
	if got := a.Model.OutputShape(); len(got) != 1 || got[0] != 5 {
		t.Errorf("output shape %v, want (5)", got)
	}
}

// TestBuildTransformerHeads checks that heads that do not divide the width are refused.
func TestBuildTransformerHeads(t *testing.T) {
	specs := map[string][]int{
		"emb.weight": {9, 8}, "pos_emb.weight": {5, 8}, "fc.weight": {3, 8}, "fc.bias": {3},
		"enc.layers.0.self_attn.in_proj_weight": {24, 8}, "enc.layers.0.self_attn.out_proj.weight": {8, 8},
		"enc.layers.0.linear1.weight": {16, 8}, "enc.layers.0.linear2.weight": {8, 16},
		"enc.layers.0.norm1.weight": {8}, "enc.layers.0.norm2.weight": {8},
	}
	if _, err := interop.BuildArchitecture("transformer-encoder", archSD(t, specs), interop.WithHeads(3)); err == nil || !strings.Contains(err.Error(), "3 heads do not divide the width 8") {
		t.Fatalf("error %v", err)
	}
	if _, err := interop.BuildArchitecture("transformer-encoder", archSD(t, specs), interop.WithSteps(6)); err == nil || !strings.Contains(err.Error(), "6 steps, want 1..5") {
		t.Fatalf("error %v", err)
	}
	a, err := interop.BuildArchitecture("transformer-encoder", archSD(t, specs), interop.WithHeads(2))
	if err != nil {
		t.Fatal(err)
	}
	if a.Sizes["steps"][0] != 5 || a.Sizes["encoder_layers"][0] != 1 || a.Modules["enc_layers_0"] != "enc.layers.0" {
		t.Errorf("sizes %v modules %v", a.Sizes, a.Modules)
	}
}
