package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCSVCommand(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"csv", "-file", "testdata/iris.csv", "-target", "species", "-verbose", "0", "-json"}, &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var res struct {
		Model string             `json:"model"`
		Test  map[string]float64 `json:"test"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		t.Fatal(err)
	}
	if res.Model != "csv" || res.Test["accuracy"] < 0.9 {
		t.Errorf("result %+v", res)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"csv"}, exitUsage, "usage"},
		{[]string{"csv", "-file", "testdata/iris.csv", "-hidden", "8,x"}, exitUsage, `"x" is not a positive width`},
		{[]string{"csv", "-file", "testdata/iris.csv", "-target", "colour"}, exitFailure, "colour"},
		{[]string{"csv", "-file", "testdata/iris.csv", "-task", "ranking"}, exitUsage, `-task "ranking": want classification or regression`},
		{[]string{"csv", "-file", "testdata/iris.csv", "-epochs", "-1"}, exitUsage, "must not be negative"},
	} {
		var o, e bytes.Buffer
		if c := run(tc.args, &o, &e); c != tc.code || !strings.Contains(e.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, c, e.String(), tc.code, tc.want)
		}
	}
}

// writeCSV writes text to a file of a new temporary folder and returns its
// path.
func writeCSV(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "t.csv")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// A numeric target of classification must hold class ids below
// datasets.MaxClasses, at least two of them present: a label of 2e9 asked for
// a softmax of two billion units (out of memory), and a target of 1s only
// trained as two classes and reported accuracy 1.0.
func TestCSVCommandClasses(t *testing.T) {
	var rows strings.Builder
	rows.WriteString("a,b,label\n")
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&rows, "%d,%d,1\n", i, i%3)
	}
	ones := rows.String()
	for _, tc := range []struct {
		name, csv, want string
	}{
		{"one class", ones, `target "label": every one of the 20 rows is of class 1: classification needs at least two classes present (a number to predict takes -task regression)`},
		{"huge id", ones + "5,5,2e9\n", `target "label": data row 21: class id 2e+09 is not below 10000, the most classes allowed`},
		{"fraction", ones + "5,5,0.5\n", `data row 21: 0.5 is not a class id`},
		{"one string class", "a,b,kind\n1,2,cat\n3,4,cat\n", `every one of the 2 rows is of class "cat"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runDemo("csv", "-file", writeCSV(t, tc.csv), "-verbose", "0", "-json")
			if code != exitFailure || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, exitFailure, tc.want)
			}
			if strings.Contains(out, `"accuracy"`) {
				t.Errorf("trained anyway:\n%s", out)
			}
		})
	}
	// 9999 is a class id: 10,000 classes (few of them present) train.
	code, _, errOut := runDemo("csv", "-file", writeCSV(t, ones+"5,5,9999\n"), "-hidden", "4", "-epochs", "1", "-verbose", "0")
	if code != exitOK {
		t.Errorf("class id 9999: exit %d, stderr %q", code, errOut)
	}
	// The same numbers as a regression target train.
	code, _, errOut = runDemo("csv", "-file", writeCSV(t, ones+"5,5,2e9\n"), "-task", "regression", "-epochs", "1", "-verbose", "0")
	if code != exitOK {
		t.Errorf("regression: exit %d, stderr %q", code, errOut)
	}
}

// Flags that would need more memory than a machine has fail with a message:
// -hidden 100000000 ran out of memory; -file /dev/zero read without end.
func TestCSVCommandBounds(t *testing.T) {
	wide := "a0"
	for i := 1; i < 3000; i++ {
		wide += fmt.Sprintf(",a%d", i)
	}
	wide += ",y\n" + strings.Repeat("1,", 3000) + "0\n" + strings.Repeat("2,", 3000) + "1\n"
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"wide layer", []string{"-hidden", "100000000"}, exitUsage, `-hidden "100000000": width 100000000 is above the limit of 16384 units per layer`},
		{"big hidden product", []string{"-hidden", "8000,8000"}, exitUsage, `the hidden layers alone have 64,008,000 parameters, more than the limit of 20,000,000`},
		{"deep", []string{"-hidden", strings.Repeat("2,", 65)}, exitUsage, "more than 64 hidden layers"},
		{"wide data", []string{"-file", writeCSV(t, wide), "-hidden", "8192"}, exitUsage,
			`-hidden "8192" on 3000 features and 2 classes makes an MLP of 24,600,578 parameters, more than the limit of 20,000,000`},
		{"epochs", []string{"-epochs", "1000001"}, exitUsage, "-epochs 1000001 is above the limit of 1000000"},
		{"batch", []string{"-batch", "9223372036854775807"}, exitUsage, "-batch 9223372036854775807 is above the limit of 1048576"},
		{"lr", []string{"-lr", "Inf"}, exitUsage, "-lr +Inf is not a finite number"},
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		tests = append(tests, struct {
			name string
			args []string
			code int
			want string
		}{"dev zero", []string{"-file", "/dev/zero"}, exitFailure, "/dev/zero: the first record is longer than 1048576 bytes"})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"csv", "-file", "testdata/iris.csv", "-verbose", "0"}, tc.args...)
			code, _, errOut := runDemo(args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, tc.code, tc.want)
			}
		})
	}
}

// Errors print on one line, without the stacks of calls that -debug adds.
func TestCSVCommandDebug(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.csv")
	code, _, errOut := runDemo("csv", "-file", missing)
	if code != exitFailure || strings.Count(errOut, "\n") != 1 || strings.Contains(errOut, ".go:") {
		t.Errorf("exit %d, stderr %q; want one line", code, errOut)
	}
	code, _, errOut = runDemo("-debug", "csv", "-file", missing)
	if code != exitFailure || !strings.Contains(errOut, "no such file") || !strings.Contains(errOut, "datasets.ReadCSV") ||
		!strings.Contains(errOut, "csv.go:") {
		t.Errorf("-debug: exit %d, stderr %q; want the stacks", code, errOut)
	}
}
