package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// TestCSVStringsEndToEnd: "demo csv -save" on a file with a string column between
// numeric ones, then "demo predict" on the same raw file: one line per row, and
// the predictions trainers.PredictNamed gives on the file as demo csv's training
// read it (datasets.CSVRawStrings: the numeric columns in file order, the string
// column trimmed, a missing value as "", numbers-looking text as text). The
// target has two classes, so the model is a binary classifier: one sigmoid value
// per row (the probability of class 1) and the target's two class names; each
// line is that value, the class (1 when the value is >= 0.5) and its name. Then
// "demo serve"'s rows form takes the first row the same way.
func TestCSVStringsEndToEnd(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	colors := []string{"red", " green", "blue ", "NA", "", "07", "?"}
	var sb strings.Builder
	sb.WriteString("size,color,weight,label\n")
	const n = 60
	for i := 0; i < n; i++ {
		c := colors[i%len(colors)]
		if i == 0 {
			c = "red" // the column's first value must be text for it to be a string column
		}
		size, weight := rng.NormFloat64(), 10+rng.NormFloat64()
		label := "small"
		if size > 0 || strings.TrimSpace(c) == "red" {
			label = "large"
		}
		fmt.Fprintf(&sb, "%.3f,%s,%.3f,%s\n", size, c, weight, label)
	}
	csvPath := writeCSV(t, sb.String())
	model := filepath.Join(t.TempDir(), "csv.safetensors")
	if code, _, errOut := runDemo("csv", "-file", csvPath, "-save", model, "-epochs", "3", "-verbose", "0"); code != exitOK {
		t.Fatalf("demo csv: exit %d: %s", code, errOut)
	}
	m, err := layers.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	if ins := m.Inputs(); len(ins) != 2 || ins[0].Name != "numeric" || ins[1].Name != "color" {
		t.Fatalf("the saved model's inputs are %v, want numeric and color", ins)
	}
	names, err := layers.ClassNames(m)
	if err != nil || len(names) != 2 {
		t.Fatalf("the saved model's class names: %q, %v; want the target's 2 strings", names, err)
	}
	code, out, errOut := runDemo("predict", "-model", model, "-csv", csvPath, "-target", "label")
	if code != exitOK {
		t.Fatalf("demo predict: exit %d: %s", code, errOut)
	}
	data, err := datasets.ReadCSV(csvPath, datasets.CSVRawStrings(), datasets.CSVTarget("label"))
	if err != nil {
		t.Fatal(err)
	}
	if len(data.Strings) != 1 || strings.Join(data.FeatureNames, ",") != "size,weight" {
		t.Fatalf("read %v and %v", data.FeatureNames, data.StringNames)
	}
	want, err := trainers.PredictNamed(m, map[string]*tensor.Dense{"numeric": data.X, "color": data.Strings[0]})
	if err != nil {
		t.Fatal(err)
	}
	if shape := want["output"].Shape(); len(shape) != 2 || shape[0] != n || shape[1] != 1 {
		t.Fatalf("the model's output has shape %v, want (%d, 1): one sigmoid value per row", shape, n)
	}
	y := want["output"].Data().([]float32)
	classes := make([]int, n)
	for i := range classes {
		if y[i] >= 0.5 {
			classes[i] = 1
		}
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("%d lines for %d rows", len(lines), n)
	}
	for i, line := range lines {
		// demo predict batches rows differently from PredictNamed: with OpenBLAS
		// the values may differ in the last float32 bits.
		f := strings.Split(line, "\t")
		wantTail := fmt.Sprintf("%d\t%s", classes[i], names[classes[i]])
		if len(f) != 3 || !closeFloat32(f[0], y[i]) || f[1]+"\t"+f[2] != wantTail {
			t.Errorf("row %d (color %q): %q, want %v\t%s", i, data.Strings[0].Data().([]string)[i], line, y[i], wantTail)
		}
	}

	x := data.X.Data().([]float64)
	h := newHandler(testServing(t, model), handlerConfig{maxBody: defaultMaxBody})
	status, b := post(t, h, fmt.Sprintf(`{"rows": [[%v, %v, "red"]]}`, x[0], x[1]))
	var got struct {
		Predictions [][]float64 `json:"predictions"`
		Classes     []int       `json:"classes"`
		Labels      []string    `json:"labels"`
	}
	if status != 200 || json.Unmarshal(b, &got) != nil || len(got.Predictions) != 1 || len(got.Predictions[0]) != 1 ||
		!closeFloat32(fmt.Sprint(got.Predictions[0][0]), y[0]) || fmt.Sprint(got.Classes) != fmt.Sprint(classes[:1]) ||
		len(got.Labels) != 1 || got.Labels[0] != names[classes[0]] {
		t.Errorf("serve, row 0: %d %s, want [[%v]], class %d and label %q", status, b, y[0], classes[0], names[classes[0]])
	}
}

// closeFloat32 reports whether the text of a float is want within a few float32
// ulps (BLAS builds sum in other orders at other batch sizes).
func closeFloat32(text string, want float32) bool {
	got, err := strconv.ParseFloat(text, 64)
	return err == nil && math.Abs(got-float64(want)) <= 1e-5*math.Max(math.Abs(float64(want)), 1e-2)
}
