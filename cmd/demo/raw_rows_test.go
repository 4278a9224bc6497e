package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestSavedRecipeTakesRawRows: "demo run iris -save" then "demo predict" on the raw
// measurements of cmd/demo/testdata/iris.csv classifies them (the model carries its
// Normalization layer), and names each row's class after the class id. Before
// models carried their preprocessing, 50 of 150 rows came back right.
func TestSavedRecipeTakesRawRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iris.safetensors")
	if code, _, errOut := runDemo("run", "iris", "-verbose", "0", "-save", path); code != exitOK {
		t.Fatalf("run: exit %d: %s", code, errOut)
	}
	csv := filepath.Join("testdata", "iris.csv")
	code, out, errOut := runDemo("predict", "-model", path, "-csv", csv, "-target", "species")
	if code != exitOK {
		t.Fatalf("predict: exit %d: %s", code, errOut)
	}
	raw, err := os.ReadFile(csv)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"setosa", "versicolor", "virginica"}
	species := map[string]int{"setosa": 0, "versicolor": 1, "virginica": 2}
	rows := strings.Split(strings.TrimSpace(string(raw)), "\n")[1:]
	preds := strings.Split(strings.TrimSpace(out), "\n")
	if len(preds) != len(rows) {
		t.Fatalf("%d predictions for %d rows", len(preds), len(rows))
	}
	right := 0
	for i, row := range rows {
		f := strings.Split(row, ",")
		p := strings.Split(preds[i], "\t") // values, class id, class name
		if len(p) != 3 {
			t.Fatalf("prediction %q: %d tab-separated fields, want 3 (values, class, name)", preds[i], len(p))
		}
		class, err := strconv.Atoi(p[1])
		if err != nil {
			t.Fatalf("prediction %q: %v", preds[i], err)
		}
		if class < 0 || class >= len(names) || p[2] != names[class] {
			t.Fatalf("prediction %q: class %d is named %q, want %q", preds[i], class, p[2], names)
		}
		if class == species[f[len(f)-1]] {
			right++
		}
	}
	if right < 142 { // 95%
		t.Errorf("%d of %d raw rows classified right, want at least 142", right, len(rows))
	}
	t.Logf("%d of %d raw rows right", right, len(rows))
}
