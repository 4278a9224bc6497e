package main

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
)

// TestCSVRecommenderModels: demo csv -model widedeep|deepfm|dcn with an integer
// column marked -categorical (between two numeric columns) and a string column
// trains on a binary target, reports AUC, saves a model whose inputs are the
// numeric columns, the string column and the integer column, and demo predict
// reads the raw file into them by name, as trainers.PredictNamed does.
func TestCSVRecommenderModels(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	const n = 400
	colors := []string{"red", "green", "blue"}
	var sb strings.Builder
	sb.WriteString("x1,store,x2,color,label\n")
	x := make([]float64, 0, 2*n)
	stores := make([]int64, n)
	cs := make([]string, n)
	for i := 0; i < n; i++ {
		x1, x2 := rng.NormFloat64(), rng.NormFloat64()
		store, color := rng.Intn(12)*7, colors[rng.Intn(3)]
		z := x1 - 0.5*x2
		if store%2 == 0 {
			z += 1.5
		}
		if color == "red" {
			z -= 1
		}
		label := "no"
		if z+0.5*rng.NormFloat64() > 0.3 {
			label = "yes"
		}
		fmt.Fprintf(&sb, "%.4f,%d,%.4f,%s,%s\n", x1, store, x2, color, label)
		x = append(x, x1, x2)
		stores[i], cs[i] = int64(store), color
	}
	csvPath := writeCSV(t, sb.String())
	// Round the numbers as the file holds them.
	for i := range x {
		x[i] = float64(int64(x[i]*1e4+copysign(0.5, x[i]))) / 1e4
	}
	for _, model := range []string{"widedeep", "deepfm", "dcn"} {
		t.Run(model, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), model+".safetensors")
			code, out, errOut := runDemo("csv", "-file", csvPath, "-target", "label", "-model", model, "-categorical", "store",
				"-epochs", "30", "-verbose", "0", "-json", "-save", path)
			if code != exitOK {
				t.Fatalf("demo csv: exit %d: %s", code, errOut)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			var res struct {
				Test map[string]float64 `json:"test"`
			}
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
				t.Fatal(err)
			}
			if res.Test["auc"] < 0.75 {
				t.Errorf("test AUC %.3f, want at least 0.75 (the logit is a simple function of every column)", res.Test["auc"])
			}
			m, err := layers.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, in := range m.Inputs() {
				names = append(names, in.Name)
			}
			if got := strings.Join(names, ","); got != "numeric,color,store" {
				t.Fatalf("inputs %s, want numeric,color,store", got)
			}
			want, err := trainers.PredictNamed(m, map[string]*tensor.Dense{
				"numeric": tensor.New(tensor.WithShape(n, 2), tensor.WithBacking(x)),
				"color":   tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(cs)),
				"store":   tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(stores)),
			})
			if err != nil {
				t.Fatal(err)
			}
			p := want["output"].Data().([]float32)
			code, out, errOut = runDemo("predict", "-model", path, "-csv", csvPath, "-target", "label")
			if code != exitOK {
				t.Fatalf("demo predict: exit %d: %s", code, errOut)
			}
			got := strings.Split(strings.TrimSpace(out), "\n")
			if len(got) != n {
				t.Fatalf("%d lines for %d rows", len(got), n)
			}
			for i := 0; i < n; i += 37 {
				if f := strings.Split(got[i], "\t"); !closeFloat32(f[0], p[i]) {
					t.Errorf("row %d: %q, want the value %v", i, got[i], p[i])
				}
			}
		})
	}
}

func copysign(v, sign float64) float64 {
	if sign < 0 {
		return -v
	}
	return v
}
