package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
)

// TestRunSave: "demo run -save" writes a file that trainers.Load resumes from and
// layers.Load reads, and the JSON result stays the last line.
func TestRunSave(t *testing.T) {
	path := filepath.Join(t.TempDir(), "linear.safetensors")
	code, out, errOut := runDemo("run", "linear", "-epochs", "3", "-verbose", "0", "-save", path, "-json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if !strings.HasPrefix(lines[len(lines)-1], "{") || !strings.Contains(out, "saved: "+path+" (epoch 3)") {
		t.Fatalf("output:\n%s", out)
	}
	tr, err := trainers.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Epoch() != 3 {
		t.Errorf("resumes at epoch %d, want 3", tr.Epoch())
	}
	if _, err := layers.Load(path); err != nil {
		t.Fatal(err)
	}
}

func TestRunSaveError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "dir", "m.safetensors")
	code, _, errOut := runDemo("run", "linear", "-epochs", "1", "-verbose", "0", "-save", path)
	if code != exitFailure || !strings.Contains(errOut, "save") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}
