package main

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// attackJSON runs demo attack with -json and decodes its line.
func attackJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	code, stdout, stderr := runDemo(append(append([]string{"attack"}, args...), "-json")...)
	if code != exitOK {
		t.Fatalf("%v: exit %d: %s", args, code, stderr)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(stdout)), &res); err != nil {
		t.Fatalf("stdout %q: %v", stdout, err)
	}
	return res
}

// TestAttackCommand runs each attack on a trained digits model (raw pixels
// 0..16, eps a fraction of that range): the JSON line, bounds on the mean
// perturbation, a drop in accuracy, and the same numbers for the same seed.
func TestAttackCommand(t *testing.T) {
	model := explainDigitsModel(t)
	for _, tc := range []struct {
		attack string
		args   []string
		linf   float64 // bound on mean_linf (0: none)
		l2     float64 // bound on mean_l2 (0: none)
	}{
		{"fgsm", []string{"-eps", "0.15"}, 0.15, 0},
		{"pgd", []string{"-eps", "0.15", "-steps", "5"}, 0.15, 0},
		{"pgd-l2", []string{"-eps", "0.5", "-steps", "5"}, 0, 0.5},
		{"cw", []string{"-steps", "15"}, 0, 0},
	} {
		t.Run(tc.attack, func(t *testing.T) {
			args := append([]string{"-model", model, "-data", "digits", "-n", "50", "-attack", tc.attack}, tc.args...)
			res := attackJSON(t, args...)
			for _, k := range []string{"attack", "eps", "n", "clean_accuracy", "robust_accuracy", "mean_linf", "mean_l2", "seconds"} {
				if _, ok := res[k]; !ok {
					t.Errorf("JSON %v has no %q", res, k)
				}
			}
			clean, _ := res["clean_accuracy"].(float64)
			robust, _ := res["robust_accuracy"].(float64)
			linf, _ := res["mean_linf"].(float64)
			l2, _ := res["mean_l2"].(float64)
			if res["attack"] != tc.attack || res["n"] != 50.0 {
				t.Errorf("JSON %v", res)
			}
			if eps, ok := res["eps"].(float64); (tc.attack == "cw") == ok || (ok && eps != tc.linf+tc.l2) {
				t.Errorf("eps %v: want the -eps value, null for cw", res["eps"])
			}
			if clean < 0.8 || robust > clean-0.2 {
				t.Errorf("clean accuracy %g, robust %g: want a trained model and a drop of 0.2 at least", clean, robust)
			}
			if !(linf > 0) || (tc.linf > 0 && linf > tc.linf+1e-9) || (tc.l2 > 0 && l2 > tc.l2+1e-9) {
				t.Errorf("mean L-inf %g, mean L2 %g: want positive, within eps", linf, l2)
			}
			if tc.attack == "pgd" {
				again := attackJSON(t, args...)
				delete(res, "seconds")
				delete(again, "seconds")
				if !reflect.DeepEqual(res, again) {
					t.Errorf("same seed, different results: %v and %v", res, again)
				}
			}
		})
	}
}

// TestAttackGrid checks the PNG grid (three rows of ten 8x8 digits enlarged 7
// times, 2-pixel gaps), that no temporary file is left, and the text output.
func TestAttackGrid(t *testing.T) {
	model := explainDigitsModel(t)
	out := filepath.Join(t.TempDir(), "grid.png")
	code, stdout, stderr := runDemo("attack", "-model", model, "-data", "digits", "-n", "12", "-grid", out)
	if code != exitOK || !strings.Contains(stdout, "fgsm eps 0.1 on 12 digits test images: clean accuracy") ||
		!strings.Contains(stdout, "grid written to "+out) {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 10*58+2 || b.Dy() != 3*58+2 {
		t.Errorf("grid %v, want %dx%d", b, 10*58+2, 3*58+2)
	}
	// The perturbation row's first cell is not all one gray: FGSM moved pixels.
	first, _, _, _ := img.At(2, 58+2).RGBA()
	varied := false
	for y := 58 + 2; y < 2*58; y++ {
		for x := 2; x < 58; x++ {
			if v, _, _, _ := img.At(x, y).RGBA(); v != first {
				varied = true
			}
		}
	}
	if !varied {
		t.Error("the perturbation cell is uniform")
	}
	if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 1 {
		t.Errorf("the folder holds %d files: a temporary file was left", len(entries))
	}
}

// TestAttackErrors checks the flag and file errors.
func TestAttackErrors(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "none.json")
	grid := filepath.Join(dir, "g.png")
	base := []string{"-model", model, "-data", "digits"}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-data", "digits"}, exitUsage, "-model is required"},
		{[]string{"-model", model}, exitUsage, "-data is required"},
		{[]string{"-model", model, "-data", "cifar"}, exitUsage, `unknown -data "cifar"`},
		{append(base, "-attack", "deepfool"), exitUsage, `unknown -attack "deepfool"`},
		{append(base, "-eps", "-0.5"), exitUsage, "-eps -0.5 must be finite and at least 0"},
		{append(base, "-eps", "Inf"), exitUsage, "-eps +Inf must be finite"},
		{append(base, "-eps", "NaN"), exitUsage, "-eps NaN"},
		{append(base, "-steps", "0"), exitUsage, "-steps 0 must be in [1, 100000]"},
		{append(base, "-n", "0"), exitUsage, "-n 0 must be at least 1"},
		{append(base, "extra"), exitUsage, "unexpected arguments"},
		{append(base, "-grid", grid), exitFailure, "none.json"},
	} {
		code, _, stderr := runDemo(append([]string{"attack"}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
	if _, err := os.Stat(grid); err == nil {
		t.Error("a failed run wrote the grid")
	}
}
