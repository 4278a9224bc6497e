package layers

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"gorgonia.org/tensor"
)

func convModel() *Sequential {
	return NewSequential(Input(9, 8, 2),
		Conv2D(4, 3, WithPadding("same"), WithStrides(1, 2), WithDilation(1, 1), WithActivation("relu"),
			WithKernelRegularizer(graph.L2(1e-3)), WithKernelInitializerName("he_normal")),
		ZeroPadding2D(1, 0, 2, 1),
		MaxPooling2D(2, WithStrides(1, 1)),
		AveragePooling2D(0, WithPoolSize(2, 3), WithPadding("same")),
		BatchNormalization(WithMomentum(0.9), WithEpsilon(1e-2)),
		Residual([]Layer{Conv2D(4, 3, WithPadding("same"), WithBias(false)), BatchNormalization(), Activation("relu")},
			nil, WithActivation("relu")),
		Residual([]Layer{Conv2D(6, 3, WithPadding("same"), WithStrides(2, 2))}, []Layer{Conv2D(6, 1, WithStrides(2, 2))}),
		GlobalMaxPooling2D(),
		Dense(3))
}

// TestConvConfigRoundTrip: every layer's Config rebuilds (through JSON) a layer
// with the same Config, and a saved model loads (its classes given as custom
// layers until Load knows them) with the same architecture and weights.
func TestConvConfigRoundTrip(t *testing.T) {
	m := convModel()
	if err := m.Build(WithDType(tensor.Float64)); err != nil {
		t.Fatal(err)
	}
	for i, l := range m.Layers() {
		c := l.(Configurable).Config()
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var back LayerConfig
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		r, err := builtinLayer(back)
		if err == nil && r == nil {
			r, err = convLayer(back)
		}
		if err != nil || r == nil {
			t.Fatalf("layer %d (%s): rebuild: %v", i, c.Class, err)
		}
		b2, _ := json.Marshal(r.(Configurable).Config())
		if !bytes.Equal(b, b2) {
			t.Errorf("layer %d: config\n%s\nrebuilt as\n%s", i, b, b2)
		}
	}
	var buf bytes.Buffer
	if err := m.SaveTo(&buf); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadFrom(&buf) // conv layers are built in: no WithCustomLayer
	if err != nil {
		t.Fatal(err)
	}
	if got, want := loaded.Summary(), m.Summary(); got != want {
		t.Errorf("loaded summary\n%s\nwant\n%s", got, want)
	}
	ps, lps := m.Params(), loaded.Params()
	if len(ps) != len(lps) {
		t.Fatalf("%d params loaded, want %d", len(lps), len(ps))
	}
	for i, p := range ps {
		a, b := p.Float64s(), lps[i].Float64s()
		if lps[i].Name != p.Name || lps[i].Trainable != p.Trainable || len(a) != len(b) {
			t.Fatalf("param %d: %s (trainable %v), want %s (%v)", i, lps[i].Name, lps[i].Trainable, p.Name, p.Trainable)
		}
		for j := range a {
			if a[j] != b[j] {
				t.Fatalf("param %s[%d] = %g, want %g", p.Name, j, b[j], a[j])
			}
		}
	}
}
