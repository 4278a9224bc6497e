package interop

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const readersDir = "testdata/readers"

// expectedTensor is one entry of testdata/readers/expected.json.
type expectedTensor struct {
	Name  string        `json:"name"`
	DType string        `json:"dtype"`
	Shape []int         `json:"shape"`
	Data  []interface{} `json:"data"`
}

// loadExpected reads the values make_fixtures.py recorded for file.
func loadExpected(t *testing.T, file string) []expectedTensor {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(readersDir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	all := map[string][]expectedTensor{}
	if err := json.Unmarshal(b, &all); err != nil {
		t.Fatal(err)
	}
	want, ok := all[file]
	if !ok {
		t.Fatalf("expected.json has no entry for %s", file)
	}
	return want
}

// expectedValue decodes a JSON number or "nan", "inf", "-inf".
func expectedValue(v interface{}) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case string:
		switch x {
		case "nan":
			return math.NaN()
		case "inf":
			return math.Inf(1)
		case "-inf":
			return math.Inf(-1)
		}
	}
	return math.NaN() + 1
}

// checkStateDict compares sd with want exactly: order, names, dtypes, shapes and
// every value bit for bit (NaN matches NaN).
func checkStateDict(t *testing.T, sd *StateDict, want []expectedTensor) {
	t.Helper()
	names := sd.Names()
	if len(names) != len(want) {
		t.Fatalf("%d tensors %v, want %d", len(names), names, len(want))
	}
	for i, w := range want {
		if names[i] != w.Name {
			t.Errorf("tensor %d is %q, want %q", i, names[i], w.Name)
			continue
		}
		got := sd.Get(w.Name)
		if got.DType != w.DType {
			t.Errorf("%s: dtype %s, want %s", w.Name, got.DType, w.DType)
		}
		if len(got.Shape) != len(w.Shape) || !kerasSameShape(got.Shape, w.Shape) {
			t.Errorf("%s: shape %v, want %v", w.Name, got.Shape, w.Shape)
		}
		if len(got.Data) != len(w.Data) {
			t.Errorf("%s: %d values, want %d", w.Name, len(got.Data), len(w.Data))
			continue
		}
		for j, v := range w.Data {
			e := expectedValue(v)
			g := got.Data[j]
			if g != e && !(math.IsNaN(g) && math.IsNaN(e)) {
				t.Errorf("%s[%d] = %v, want %v", w.Name, j, g, e)
			}
		}
	}
}

func TestReadTorchFixtures(t *testing.T) {
	for _, file := range []string{"net.pt", "dtypes.pt", "views.pt", "checkpoint.pt", "nested.pt"} {
		t.Run(file, func(t *testing.T) {
			sd, err := ReadTorch(filepath.Join(readersDir, file))
			if err != nil {
				t.Fatal(err)
			}
			checkStateDict(t, sd, loadExpected(t, file))
		})
	}
}

func TestReadTorchFromReader(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(readersDir, "net.pt"))
	if err != nil {
		t.Fatal(err)
	}
	sd, err := ReadTorchFrom(strings.NewReader(string(b)), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	checkStateDict(t, sd, loadExpected(t, "net.pt"))
}

func TestReadTorchRefuses(t *testing.T) {
	cases := []struct {
		file string
		want []string
	}{
		{"module.pt", []string{"module.pt", "class torch.nn.modules.linear.Linear is not allowed", "save model.state_dict() instead"}},
		{"legacy.pt", []string{"legacy.pt", "legacy PyTorch file", "torch.save(torch.load(old), new)"}},
		{"mixed.safetensors", []string{"not a PyTorch file"}},
		{"missing.pt", []string{"missing.pt", "no such file"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			_, err := ReadTorch(filepath.Join(readersDir, c.file))
			if err == nil {
				t.Fatal("read without an error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}
