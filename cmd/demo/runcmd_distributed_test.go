package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/zoo"
)

// runJSON runs demo with args (which hold -json) and returns the last line of
// stdout, decoded, and that line.
func runJSON(t *testing.T, args ...string) (map[string]any, string) {
	t.Helper()
	code, out, errOut := runDemo(args...)
	if code != exitOK {
		t.Fatalf("demo %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	last := lines[len(lines)-1]
	var m map[string]any
	if err := json.Unmarshal([]byte(last), &m); err != nil {
		t.Fatalf("demo %s: last line %q: %v", strings.Join(args, " "), last, err)
	}
	return m, last
}

// TestRunDistributedOneProcess: without mpirun (or -tags mpi), -distributed
// trains as one process: the JSON line is that of a plain run with "ranks":1
// added, the same numbers to the last bit.
func TestRunDistributedOneProcess(t *testing.T) {
	base := []string{"run", "iris", "-epochs", "3", "-verbose", "0", "-json"}
	plain, plainLine := runJSON(t, base...)
	dist, distLine := runJSON(t, append(base, "-distributed")...)
	if _, ok := plain["ranks"]; ok {
		t.Errorf("a run without -distributed reports ranks: %s", plainLine)
	}
	if dist["ranks"] != 1.0 {
		t.Errorf("-distributed in one process: ranks %v, want 1: %s", dist["ranks"], distLine)
	}
	delete(dist, "ranks")
	delete(dist, "seconds")
	delete(plain, "seconds")
	a, _ := json.Marshal(plain)
	b, _ := json.Marshal(dist)
	if string(a) != string(b) {
		t.Errorf("-distributed in one process differs from a plain run:\n%s\n%s", b, a)
	}
}

// TestRunCheckpointResume: -checkpoint-every 2 writes epochs 2 and 4 only, and
// a run resumed from epoch 2 ends with the test metrics of the run never
// stopped, to the last bit, after the 2 remaining epochs.
func TestRunCheckpointResume(t *testing.T) {
	dir := t.TempDir()
	ck := filepath.Join(dir, "iris-{epoch}.safetensors")
	base := []string{"run", "iris", "-epochs", "4", "-verbose", "0", "-json"}
	full, fullLine := runJSON(t, append(base, "-checkpoint-every", "2", "-checkpoint", ck)...)
	for e, want := range map[string]bool{"1": false, "2": true, "3": false, "4": true} {
		_, err := os.Stat(strings.ReplaceAll(ck, "{epoch}", e))
		if (err == nil) != want {
			t.Errorf("checkpoint of epoch %s written %v, want %v", e, err == nil, want)
		}
	}
	resumed, resumedLine := runJSON(t, append(base, "-resume", strings.ReplaceAll(ck, "{epoch}", "2"))...)
	if resumed["epochs"] != 2.0 {
		t.Errorf("resumed from epoch 2 of 4: ran %v epochs, want 2", resumed["epochs"])
	}
	a, _ := json.Marshal(full["test"])
	b, _ := json.Marshal(resumed["test"])
	if string(a) != string(b) {
		t.Errorf("resumed run's test metrics differ from the uninterrupted run's:\n%s\n%s", resumedLine, fullLine)
	}
}

// TestRunFaultFlagErrors: bad combinations are usage errors, and a resume file
// that is missing or of another seed fails the run.
func TestRunFaultFlagErrors(t *testing.T) {
	dir := t.TempDir()
	ck := filepath.Join(dir, "ck.safetensors")
	for _, args := range [][]string{
		{"run", "iris", "-checkpoint-every", "-1"},
		{"run", "iris", "-checkpoint", ck},
	} {
		if code, _, _ := runDemo(args...); code != exitUsage {
			t.Errorf("demo %s: exit %d, want %d", strings.Join(args, " "), code, exitUsage)
		}
	}
	if code, _, errOut := runDemo("run", "iris", "-epochs", "1", "-verbose", "0", "-resume", filepath.Join(dir, "none")); code != exitFailure || !strings.Contains(errOut, "resume") {
		t.Errorf("a missing -resume file: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := runDemo("run", "iris", "-epochs", "1", "-verbose", "0", "-checkpoint-every", "1", "-checkpoint", ck); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if code, _, errOut := runDemo("run", "iris", "-epochs", "2", "-verbose", "0", "-seed", "5", "-resume", ck); code != exitFailure || !strings.Contains(errOut, "seed") {
		t.Errorf("-resume with another -seed: exit %d, stderr %q", code, errOut)
	}
}

// TestFaultFlagsTaken: a recipe whose Fit did not take the checkpoint options
// is an error rather than a run without checkpoints.
func TestFaultFlagsTaken(t *testing.T) {
	f := faultFlags{every: 1}
	if f.options("x") == nil || f.began == nil {
		t.Fatal("-checkpoint-every 1 gives no options")
	}
	if err := f.taken("x", &zoo.Result{}); err == nil || !strings.Contains(err.Error(), "does not take") {
		t.Errorf("a Fit without the options: %v", err)
	}
	if (&faultFlags{}).options("x") != nil {
		t.Error("no flags give options")
	}
}
