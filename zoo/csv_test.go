package zoo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/zoo"
)

// sklearnResult is one table of bench/csvcompare/sklearn.json: scikit-learn's
// best test score of MLP and HistGradientBoosting on the same split.
type sklearnResult struct {
	Task   string  `json:"task"`
	Target string  `json:"target"`
	Metric string  `json:"metric"`
	Best   float64 `json:"best"`
	Train  string  `json:"train"`
	Test   string  `json:"test"`
}

// TestTrainCSVMatchesScikitLearn trains demo csv's model (default settings) on
// tables of bench/csvcompare (made by its make_tables.py, scored by its
// sklearn_side.py) and requires scikit-learn's bar: test MSE at most 1.10 times
// the better of MLPRegressor and HistGradientBoostingRegressor, accuracy at most
// one point below the better classifier. The tables have string columns (the
// model looks them up itself) and noise of variance 1.
func TestTrainCSVMatchesScikitLearn(t *testing.T) {
	root := filepath.Join("..")
	raw, err := os.ReadFile(filepath.Join(root, "bench", "csvcompare", "sklearn.json"))
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"friedman_str", "shop_str", "churn_str", "diabetes"} {
		t.Run(name, func(t *testing.T) {
			var r sklearnResult
			if err := json.Unmarshal(all[name], &r); err != nil {
				t.Fatal(err)
			}
			res, err := zoo.TrainCSV(context.Background(), filepath.Join(root, r.Train), r.Target, zoo.CSVTask(r.Task), nil,
				zoo.Settings{}, zoo.CSVTestFile(filepath.Join(root, r.Test)))
			if err != nil {
				t.Fatal(err)
			}
			got := res.Test[r.Metric]
			switch r.Metric {
			case "mse":
				if got > 1.10*r.Best {
					t.Errorf("test mse %.4g, want at most 1.10 x scikit-learn's %.4g", got, r.Best)
				}
			case "accuracy":
				if got < r.Best-0.01 {
					t.Errorf("test accuracy %.4f, want at least scikit-learn's %.4f - 0.01", got, r.Best)
				}
			default:
				t.Fatalf("metric %q", r.Metric)
			}
			t.Logf("%s: %.4g (scikit-learn %.4g) in %d epochs", r.Metric, got, r.Best, res.Epochs)
		})
	}
}

// TestTrainCSVUnseenCategory: a value of a string column that only the test file
// holds gets the out-of-vocabulary id instead of failing, and a string target's
// classes keep their codes in the test file.
func TestTrainCSVUnseenCategory(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	train := "x,color,label\n"
	for i := 0; i < 60; i++ {
		color, label := "red", "hot"
		if i%2 == 1 {
			color, label = "blue", "cold"
		}
		train += fmt.Sprintf("%d,%s,%s\n", i%7, color, label)
	}
	trainPath := write("train.csv", train)
	testPath := write("test.csv", "x,color,label\n1,red,hot\n2,blue,cold\n3,mauve,cold\n")
	res, err := zoo.TrainCSV(context.Background(), trainPath, "label", zoo.Classification, []int{8},
		zoo.Settings{Epochs: 40}, zoo.CSVTestFile(testPath))
	if err != nil {
		t.Fatal(err)
	}
	if res.TestMulti.Len() != 3 {
		t.Errorf("%d test rows, want 3", res.TestMulti.Len())
	}
	if acc := res.Test["accuracy"]; acc < 0.6 {
		t.Errorf("test accuracy %.3f: the color decides the label of the two known rows", acc)
	}
	bad := write("bad.csv", "x,color,label\n1,red,warm\n")
	if _, err := zoo.TrainCSV(context.Background(), trainPath, "label", zoo.Classification, []int{8},
		zoo.Settings{Epochs: 1}, zoo.CSVTestFile(bad)); err == nil || !strings.Contains(err.Error(), "warm") {
		t.Errorf("a test file with an unknown class: %v", err)
	}
}
