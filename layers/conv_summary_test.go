package layers_test

import (
	"strings"
	"testing"

	"github.com/gokeras/gokeras/layers"
)

// TestConvSummary: shape inference through every layer of this family, and the
// output shapes and parameter counts Keras prints for the same model.
func TestConvSummary(t *testing.T) {
	m := layers.NewSequential(layers.Input(28, 28, 1),
		layers.Conv2D(6, 5, layers.WithActivation("relu"), layers.WithPadding("same")), // 5*5*1*6+6
		layers.MaxPooling2D(2),
		layers.Conv2D(16, 5, layers.WithActivation("relu")), // 5*5*6*16+16
		layers.BatchNormalization(),                         // 4*16, 32 non-trainable
		layers.ZeroPadding2D(1, 1, 0, 1),
		layers.AveragePooling2D(2, layers.WithStrides(1, 1), layers.WithPadding("same")),
		layers.Residual([]layers.Layer{
			layers.Conv2D(16, 3, layers.WithPadding("same"), layers.WithBias(false)), // 3*3*16*16
			layers.BatchNormalization(), // 64
		}, nil, layers.WithActivation("relu")),
		layers.Residual([]layers.Layer{layers.Conv2D(32, 3, layers.WithStrides(2, 2), layers.WithPadding("same"))}, // 3*3*16*32+32
			[]layers.Layer{layers.Conv2D(32, 1, layers.WithStrides(2, 2))}), // 16*32+32
		layers.Conv2D(8, 3, layers.WithDilation(2, 2), layers.WithPadding("same")), // 3*3*32*8+8
		layers.GlobalAveragePooling2D(),
		layers.Dense(10, layers.WithActivation("softmax")),
	)
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	want := []struct{ typ, shape, params string }{
		{"(Conv2D)", "(None, 28, 28, 6)", "156"},
		{"(MaxPooling2D)", "(None, 14, 14, 6)", "0"},
		{"(Conv2D)", "(None, 10, 10, 16)", "2416"},
		{"(BatchNormalization)", "(None, 10, 10, 16)", "64"},
		{"(ZeroPadding2D)", "(None, 12, 11, 16)", "0"},
		{"(AveragePooling2D)", "(None, 12, 11, 16)", "0"},
		{"(Residual)", "(None, 12, 11, 16)", "2368"},
		{"(Residual)", "(None, 6, 6, 32)", "5184"},
		{"(Conv2D)", "(None, 6, 6, 8)", "2312"},
		{"(GlobalAveragePooling2D)", "(None, 8)", "0"},
		{"(Dense)", "(None, 10)", "90"},
	}
	s := m.Summary()
	var rows []string
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, "(None") {
			rows = append(rows, line)
		}
	}
	if len(rows) != len(want) {
		t.Fatalf("%d layer rows, want %d:\n%s", len(rows), len(want), s)
	}
	for i, w := range want {
		f := strings.Fields(rows[i])
		if !strings.Contains(rows[i], w.typ) || !strings.Contains(rows[i], w.shape) || f[len(f)-1] != w.params {
			t.Errorf("row %d is %q, want %s %s %s", i, rows[i], w.typ, w.shape, w.params)
		}
	}
	for _, line := range []string{"Total params: 12,590", "Trainable params: 12,526", "Non-trainable params: 64"} {
		if !strings.Contains(s, line) {
			t.Errorf("summary lacks %q:\n%s", line, s)
		}
	}
	names := map[string]bool{}
	for _, p := range m.Params() {
		if names[p.Name] {
			t.Errorf("two params named %q", p.Name)
		}
		names[p.Name] = true
	}
	res := m.Layers()[7].(*layers.ResidualLayer)
	conv, bn := res.Branch()[0].Name(), res.Branch()[1].Name()
	if !strings.HasPrefix(conv, "residual/") || !strings.HasPrefix(bn, "residual/") {
		t.Errorf("sub-layers named %q and %q, want the prefix residual/", conv, bn)
	}
	for _, n := range []string{conv + "/kernel", bn + "/moving_variance", m.Layers()[4].Name() + "/moving_mean"} {
		if !names[n] {
			t.Errorf("no param %q among %v", n, names)
		}
	}
}
