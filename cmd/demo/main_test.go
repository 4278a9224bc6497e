package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/zoo"
)

func runDemo(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestList(t *testing.T) {
	code, out, errOut := runDemo("list")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	rs := zoo.Recipes()
	if len(lines) != len(rs) {
		t.Fatalf("want %d lines, got %d:\n%s", len(rs), len(lines), out)
	}
	for i, r := range rs {
		if !strings.HasPrefix(lines[i], r.Name+" ") || !strings.Contains(lines[i], r.Expected) {
			t.Errorf("line %d = %q, want recipe %q and its expected result", i, lines[i], r.Name)
		}
	}
}

func TestRunLinearJSON(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"flags after name", []string{"run", "linear", "-epochs", "3", "-verbose", "0", "-json"}},
		{"flags before name", []string{"run", "-epochs=3", "-json", "-verbose=0", "linear"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runDemo(tc.args...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			if strings.Contains(out, "Epoch ") {
				t.Errorf("-verbose 0 printed progress:\n%s", out)
			}
			if !strings.Contains(out, "Total params") || !strings.Contains(out, "test:") {
				t.Errorf("no summary or metrics:\n%s", out)
			}
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			var got struct {
				Model   string             `json:"model"`
				Epochs  int                `json:"epochs"`
				Seconds *float64           `json:"seconds"`
				Train   map[string]float64 `json:"train"`
				Test    map[string]float64 `json:"test"`
				Extra   map[string]float64 `json:"extra"`
			}
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
				t.Fatalf("last line is not JSON: %v\n%s", err, out)
			}
			if got.Model != "linear" || got.Epochs != 3 || got.Seconds == nil {
				t.Errorf("model %q epochs %d seconds %v", got.Model, got.Epochs, got.Seconds)
			}
			for _, m := range []map[string]float64{got.Train, got.Test} {
				if _, ok := m["loss"]; !ok {
					t.Errorf("no loss in %v", m)
				}
				if _, ok := m["mae"]; !ok {
					t.Errorf("no mae in %v", m)
				}
			}
			for _, k := range []string{"weight", "bias", "ls_weight", "ls_bias"} {
				if _, ok := got.Extra[k]; !ok {
					t.Errorf("no extra %q in %v", k, got.Extra)
				}
			}
		})
	}
}

func TestRunVerbosePrintsProgress(t *testing.T) {
	code, out, errOut := runDemo("run", "logistic", "-epochs", "2")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, "Epoch 2/2") {
		t.Errorf("default -verbose 1 printed no progress:\n%s", out)
	}
	if strings.Contains(out, `{"model"`) {
		t.Errorf("JSON printed without -json:\n%s", out)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		code    int
		wantErr string
	}{
		{"no command", nil, 2, "no command"},
		{"unknown command", []string{"train"}, 2, "unknown command"},
		{"unknown recipe", []string{"run", "resnet"}, 2, "unknown recipe"},
		{"no recipe name", []string{"run"}, 2, "no recipe name"},
		{"bad flag", []string{"run", "linear", "-epochz", "3"}, 2, "epochz"},
		{"bad flag value", []string{"run", "linear", "-epochs", "many"}, 2, "invalid value"},
		{"negative epochs", []string{"run", "linear", "-epochs", "-1"}, 2, "negative"},
		{"extra argument", []string{"run", "linear", "mlp"}, 2, "unexpected"},
		{"list argument", []string{"list", "all"}, 2, "unexpected"},
		{"help", []string{"help"}, 0, ""},
		{"run help", []string{"run", "-h"}, 0, "usage"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runDemo(tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, errOut)
			}
			if !strings.Contains(errOut, tc.wantErr) {
				t.Errorf("stderr %q does not contain %q", errOut, tc.wantErr)
			}
		})
	}
}
