package layers_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/internal/safetensors"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

func savedModel(t testing.TB) (*layers.Sequential, []byte) {
	t.Helper()
	m := layers.NewSequential(layers.Input(4), layers.Dense(8, layers.WithActivation("relu"), layers.WithKernelRegularizer(graph.L2(0.01))),
		layers.Dropout(0.2), layers.Dense(3, layers.WithBias(false)), layers.Activation("softmax"))
	if err := m.Build(layers.WithSeed(5)); err != nil {
		t.Fatal(err)
	}
	if err := m.Attach("scaler", map[string][]float64{"mean": {1, 2}}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.SaveTo(&buf); err != nil {
		t.Fatal(err)
	}
	return m, buf.Bytes()
}

func TestSaveLoadRoundTrip(t *testing.T) {
	m, data := savedModel(t)
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	l, err := layers.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if l.Summary() != m.Summary() {
		t.Errorf("summary differs:\n%s\nwant\n%s", l.Summary(), m.Summary())
	}
	want, got := m.Params(), l.Params()
	if len(want) != len(got) {
		t.Fatalf("%d params, want %d", len(got), len(want))
	}
	for i := range want {
		if want[i].Name != got[i].Name || !equal(want[i].Float64s(), got[i].Float64s()) {
			t.Errorf("param %s differs", want[i].Name)
		}
	}
	var sc map[string][]float64
	if ok, err := l.Attachment("scaler", &sc); !ok || err != nil || sc["mean"][1] != 2 {
		t.Errorf("attachment: %v %v %v", ok, err, sc)
	}
	b, _ := os.ReadFile(path)
	if !bytes.Equal(b, data) {
		t.Error("Save and SaveTo wrote different bytes")
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// rewrite changes the JSON header of a saved model with edit. It drops the
// checksums, as a hand-edited file (or one written before checksums) has none.
func rewrite(t *testing.T, data []byte, edit func(h map[string]interface{})) []byte {
	t.Helper()
	n := binary.LittleEndian.Uint64(data[:8])
	var h map[string]interface{}
	if err := json.Unmarshal(data[8:8+n], &h); err != nil {
		t.Fatal(err)
	}
	meta := h["__metadata__"].(map[string]interface{})
	delete(meta, safetensors.DataChecksumKey)
	delete(meta, safetensors.MetadataChecksumKey)
	edit(h)
	nh, _ := json.Marshal(h)
	out := make([]byte, 8, 8+len(nh)+len(data))
	binary.LittleEndian.PutUint64(out, uint64(len(nh)))
	out = append(append(out, nh...), data[8+n:]...)
	return out
}

func TestLoadErrors(t *testing.T) {
	_, data := savedModel(t)
	meta := func(key, val string) func(h map[string]interface{}) {
		return func(h map[string]interface{}) { h["__metadata__"].(map[string]interface{})[key] = val }
	}
	cfg := func(edit func(c map[string]interface{})) func(h map[string]interface{}) {
		return func(h map[string]interface{}) {
			m := h["__metadata__"].(map[string]interface{})
			var c map[string]interface{}
			json.Unmarshal([]byte(m["model_config"].(string)), &c)
			edit(c)
			b, _ := json.Marshal(c)
			m["model_config"] = string(b)
		}
	}
	layer := func(i int) func(c map[string]interface{}) map[string]interface{} {
		return func(c map[string]interface{}) map[string]interface{} {
			return c["layers"].([]interface{})[i].(map[string]interface{})
		}
	}
	tests := []struct {
		name string
		data []byte
		want []string
	}{
		{"empty", nil, []string{"truncated"}},
		{"truncated header", data[:20], []string{"truncated header"}},
		{"truncated data", data[:len(data)-10], []string{"truncated", "ends at byte"}},
		{"trailing bytes", append(append([]byte{}, data...), 1, 2, 3), []string{"3 bytes of data after the last tensor"}},
		{"huge header length", append([]byte{255, 255, 255, 255, 255, 255, 255, 127}, data[8:]...), []string{"header length"}},
		{"not json", append([]byte{4, 0, 0, 0, 0, 0, 0, 0}, []byte("{{{{")...), []string{"not a JSON object"}},
		{"version", rewrite(t, data, meta("format_version", "9")), []string{"version \"9\" is not supported", "version 1"}},
		{"not gokeras", rewrite(t, data, meta("format", "other")), []string{"not a gokeras model file"}},
		{"unknown class", rewrite(t, data, cfg(func(c map[string]interface{}) { layer(2)(c)["class_name"] = "Conv9D" })), []string{"layer 2", "Conv9D", "Dense", "WithCustomLayer"}},
		{"bad config", rewrite(t, data, cfg(func(c map[string]interface{}) { layer(1)(c)["config"].(map[string]interface{})["units"] = "many" })), []string{"layer 1", "units"}},
		{"shape mismatch", rewrite(t, data, cfg(func(c map[string]interface{}) { layer(1)(c)["config"].(map[string]interface{})["units"] = 9 })), []string{"dense/kernel", "(4, 8)", "(4, 9)"}},
		{"missing tensor", rewrite(t, data, func(h map[string]interface{}) {
			h["dense/bias_renamed"] = h["dense/bias"]
			delete(h, "dense/bias")
		}), []string{"no tensor \"dense/bias\""}},
		{"bad offsets", rewrite(t, data, func(h map[string]interface{}) {
			h["dense/bias"].(map[string]interface{})["data_offsets"] = []int{0, 7}
		}), []string{"dense/bias", "offsets"}},
	}
	for _, tc := range tests {
		_, err := layers.LoadFrom(bytes.NewReader(tc.data))
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", tc.name, err, w)
			}
		}
	}
}

// failingWriter fails after n bytes, as a full disk would.
type failingWriter struct{ n int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k := f.n
		f.n = 0
		return k, errors.New("disk full")
	}
	f.n -= len(p)
	return len(p), nil
}

func TestSaveFailureMidWay(t *testing.T) {
	m, data := savedModel(t)
	if err := m.SaveTo(&failingWriter{n: len(data) / 2}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("error %v, want the writer's", err)
	}
	// Saving over an existing file fails when the folder is read-only: the old file stays.
	dir := t.TempDir()
	path := filepath.Join(dir, "m.safetensors")
	if err := os.WriteFile(path, []byte("previous"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o700)
	if os.Getuid() == 0 {
		t.Skip("root writes into read-only folders; atomicfile's own test covers the failure")
	}
	if err := m.Save(path); err == nil {
		t.Error("no error saving into a read-only folder")
	}
	if b, _ := os.ReadFile(path); string(b) != "previous" {
		t.Errorf("previous file changed to %q", b)
	}
}

func TestSaveUnbuiltAndCustom(t *testing.T) {
	if err := layers.NewSequential(layers.Input(2)).SaveTo(&bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "not built") {
		t.Errorf("unbuilt model: %v", err)
	}
	m := layers.NewSequential(layers.Input(2), &plain{})
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	if err := m.SaveTo(&bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "no Config method") {
		t.Errorf("layer without Config: %v", err)
	}
}

// plain is a parameter-free custom layer without a Config method.
type plain struct{ layers.Base }

func (p *plain) Type() string { return "Plain" }
func (p *plain) Build(_ layers.BuildContext, in []int) ([]int, error) {
	return in, nil
}
func (p *plain) Forward(_ *graph.Graph, x *G.Node) (*G.Node, error) { return x, nil }
