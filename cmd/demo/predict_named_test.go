package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/datasets"
)

// TestPredictCommandNamed: for a model of two inputs the CSV's feature columns are
// the inputs' values in the model's order (user_id, then 3 features); every output
// is printed by name, as the Predictor's PredictNamed computes it.
func TestPredictCommandNamed(t *testing.T) {
	path := saveModel(t, testFunctional(t))
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "in.csv")
	text := "user_id,f1,f2,f3,label\n3,0.5,-1,2,a\n7,1,1,1,b\n0,-3,0.25,10,a\n9.0,0,0,0,c\n"
	if err := os.WriteFile(csvPath, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	want := namedWant(t, path, []int64{3, 7, 0, 9}, []float64{0.5, -1, 2, 1, 1, 1, -3, 0.25, 10, 0, 0, 0})
	t.Run("text", func(t *testing.T) {
		code, out, errOut := runDemo("predict", "-model", path, "-csv", csvPath, "-target", "label")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
		if len(lines) != 4 {
			t.Fatalf("%d lines:\n%s", len(lines), out)
		}
		for i, line := range lines {
			fields := strings.Split(line, "\t")
			if len(fields) != 3 || !strings.HasPrefix(fields[0], "click=") || !strings.HasPrefix(fields[1], "kind=") ||
				fields[2] != "kind.class="+strconv.Itoa(argmax32(want["kind"][i*3:i*3+3])) {
				t.Fatalf("line %q", line)
			}
			for k, name := range []string{"click", "kind"} {
				vals := strings.Split(strings.TrimPrefix(fields[k], name+"="), ",")
				w := len(want[name]) / 4
				if len(vals) != w {
					t.Fatalf("line %q: %s has %d values", line, name, len(vals))
				}
				for j, f := range vals {
					if v, err := strconv.ParseFloat(f, 32); err != nil || float32(v) != want[name][i*w+j] {
						t.Errorf("line %d %s value %d: %q, want %v", i, name, j, f, want[name][i*w+j])
					}
				}
			}
		}
	})
	t.Run("json", func(t *testing.T) {
		code, out, errOut := runDemo("predict", "-json", "-model", path, "-csv", csvPath, "-target", "label")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for i, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
			var got struct {
				Row     int                  `json:"row"`
				Outputs map[string][]float64 `json:"outputs"`
				Classes map[string]int       `json:"classes"`
			}
			if err := json.Unmarshal([]byte(line), &got); err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			if got.Row != i || len(got.Outputs["click"]) != 1 || float32(got.Outputs["click"][0]) != want["click"][i] ||
				len(got.Outputs["kind"]) != 3 || float32(got.Outputs["kind"][2]) != want["kind"][i*3+2] ||
				len(got.Classes) != 1 || got.Classes["kind"] != argmax32(want["kind"][i*3:i*3+3]) {
				t.Errorf("line %d: %s", i, line)
			}
		}
	})
}

// TestPredictIDModel: a model of one integer input reads its ids from the CSV.
func TestPredictIDModel(t *testing.T) {
	path := saveModel(t, testIDModel(t))
	csvPath := filepath.Join(t.TempDir(), "ids.csv")
	if err := os.WriteFile(csvPath, []byte("a,b\n1,2\n9,0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runDemo("predict", "-model", path, "-csv", csvPath)
	if code != exitOK || strings.Count(out, "\n") != 2 || !strings.Contains(out, "\t") {
		t.Fatalf("exit %d, output %q, stderr %q", code, out, errOut)
	}
}

func TestPredictNamedErrors(t *testing.T) {
	path := saveModel(t, testFunctional(t))
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	scaled := testFunctional(t)
	if err := scaled.Attach(scalerAttachment, datasets.StandardScaler{Mean: []float64{0, 0, 0}, Scale: []float64{1, 1, 1}}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"columns", []string{"-csv", write("cols.csv", "user_id,f1,f2\n1,2,3\n")},
			"has 3 feature columns (user_id, f1, f2), the model takes 4 values per row (user_id: 1, features: 3, in this order)"},
		{"target kept", []string{"-csv", write("target.csv", "user_id,f1,f2,f3,y\n1,2,3,4,5\n")},
			"(user_id: 1, features: 3, in this order): leave the target out with -target COL"},
		{"fraction", []string{"-csv", write("frac.csv", "user_id,f1,f2,f3\n1,2,3,4\n2.5,0,0,0\n")},
			`row 1 column user_id (input "user_id"): 2.5 is not an integer (the input is int64)`},
		{"beyond vocab", []string{"-csv", write("vocab.csv", "user_id,f1,f2,f3\n12,2,3,4\n")},
			`row 0 column user_id (input "user_id"): id 12 is out of range [0, 10) of embedding "embedding"`},
		{"huge id", []string{"-csv", write("huge.csv", "user_id,f1,f2,f3\n1e30,2,3,4\n")},
			`row 0 column user_id (input "user_id"): 1e+30 is beyond 2^53`},
		{"string ids", []string{"-csv", write("str.csv", "user_id,f1,f2,f3\nbob,2,3,4\n")},
			`column user_id holds strings, but input "user_id" takes integer ids (int64)`},
		{"beyond float32", []string{"-csv", write("f32.csv", "user_id,f1,f2,f3\n1,2,3e39,4\n")},
			`row 0 column f2 (input "features"): 3e+39 is beyond the range of float32`},
		{"scaler", []string{"-csv", write("ok.csv", "user_id,f1,f2,f3\n1,2,3,4\n"), "-model", saveModel(t, scaled)},
			`"scaler" attachment, which demo serve and demo predict apply only to a model of one float input`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"predict", "-model", path}, c.args...)
			code, _, errOut := runDemo(args...)
			if code != exitFailure || !strings.Contains(errOut, c.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errOut, exitFailure, c.want)
			}
		})
	}
}
