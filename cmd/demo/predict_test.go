package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

const predictCSVText = "a,b,c,d,label\n5.1,3.5,1.4,0.2,setosa\n6.7,3.0,5.2,2.3,virginica\n5.9,3.0,4.2,1.5,versicolor\n"

// predictWant is what a Predictor gives for the rows of predictCSVText (scaled
// with the test scaler when scaled).
func predictWant(t *testing.T, path string, scaled bool) []float32 {
	t.Helper()
	x := tensor.New(tensor.WithShape(3, 4), tensor.WithBacking([]float64{5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3, 5.9, 3.0, 4.2, 1.5}))
	if scaled {
		sc := datasets.StandardScaler{Mean: []float64{5, 3, 4, 1}, Scale: []float64{0.8, 0.4, 1.7, 0.7}}
		var err error
		if x, err = sc.Transform(x); err != nil {
			t.Fatal(err)
		}
	}
	p, err := trainers.LoadPredictor(path)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	y, err := p.Predict(context.Background(), x)
	if err != nil {
		t.Fatal(err)
	}
	return y.Data().([]float32)
}

func TestPredictCommand(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(csvPath, []byte(predictCSVText), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, scaled := range []bool{false, true} {
		path := saveTestModel(t, scaled)
		want := predictWant(t, path, scaled)
		t.Run("text scaled="+strconv.FormatBool(scaled), func(t *testing.T) {
			code, out, errOut := runDemo("predict", "-model", path, "-csv", csvPath, "-target", "label")
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			if len(lines) != 3 {
				t.Fatalf("%d lines:\n%s", len(lines), out)
			}
			for i, line := range lines {
				vals, class, ok := strings.Cut(line, "\t")
				if !ok {
					t.Fatalf("line %q has no class", line)
				}
				best := 0
				for j, f := range strings.Split(vals, ",") {
					v, err := strconv.ParseFloat(f, 32)
					if err != nil || float32(v) != want[i*3+j] {
						t.Errorf("line %d value %d: %q, want %v", i, j, f, want[i*3+j])
					}
					if want[i*3+j] > want[i*3+best] {
						best = j
					}
				}
				if class != strconv.Itoa(best) {
					t.Errorf("line %d: class %s, want %d", i, class, best)
				}
			}
		})
		t.Run("json scaled="+strconv.FormatBool(scaled), func(t *testing.T) {
			code, out, errOut := runDemo("predict", "-json", "-model", path, "-csv", csvPath, "-target", "label")
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for i, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
				var got struct {
					Row    int       `json:"row"`
					Output []float64 `json:"output"`
					Class  *int      `json:"class"`
				}
				if err := json.Unmarshal([]byte(line), &got); err != nil {
					t.Fatalf("line %q: %v", line, err)
				}
				if got.Row != i || len(got.Output) != 3 || got.Class == nil || float32(got.Output[0]) != want[i*3] {
					t.Errorf("line %d: %+v", i, got)
				}
			}
		})
	}
}

// TestPredictSingleOutput: a model with one output prints the value alone.
func TestPredictSingleOutput(t *testing.T) {
	dir := t.TempDir()
	m := layers.NewSequential(layers.Input(2), layers.Dense(1, layers.WithActivation("sigmoid")))
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "m.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	csvPath := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(csvPath, []byte("1,2\n3,4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runDemo("predict", "-model", path, "-csv", csvPath)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if v, err := strconv.ParseFloat(line, 32); err != nil || v <= 0 || v >= 1 {
			t.Errorf("line %q is not one probability", line)
		}
	}
}

func TestPredictErrors(t *testing.T) {
	path := saveTestModel(t, false)
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(csvPath, []byte(predictCSVText), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no flags", nil, exitUsage, "-model and -csv are required"},
		{"no csv", []string{"-model", path}, exitUsage, "-model and -csv are required"},
		{"extra", []string{"-model", path, "-csv", csvPath, "x"}, exitUsage, "unexpected arguments"},
		{"target kept", []string{"-model", path, "-csv", csvPath}, exitFailure, "has 5 feature columns (a, b, c, d, label), the model takes 4 values per row: leave the target out with -target COL"},
		{"unknown target", []string{"-model", path, "-csv", csvPath, "-target", "nope"}, exitFailure, "nope"},
		{"missing model", []string{"-model", filepath.Join(dir, "none"), "-csv", csvPath}, exitFailure, "no such file"},
		{"missing csv", []string{"-model", path, "-csv", filepath.Join(dir, "none.csv")}, exitFailure, "no such file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, errOut := runDemo(append([]string{"predict"}, c.args...)...)
			if code != c.code || !strings.Contains(errOut, c.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errOut, c.code, c.want)
			}
		})
	}
}
