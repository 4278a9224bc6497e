package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/privacy"
)

// TestPrivacyJSON: demo privacy -json prints one line with the accountant's
// values for the MNIST settings of the TensorFlow Privacy tutorial.
func TestPrivacyJSON(t *testing.T) {
	code, out, errOut := runDemo("privacy", "-n", "60000", "-batch", "256", "-noise", "1.1", "-epochs", "60", "-delta", "1e-5", "-json")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if strings.Count(out, "\n") != 1 {
		t.Fatalf("want one line, got %q", out)
	}
	var keys map[string]any
	if err := json.Unmarshal([]byte(out), &keys); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"epsilon", "delta", "noise_multiplier", "sampling_rate", "steps", "order"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("no %q in %s", k, out)
		}
	}
	if len(keys) != 6 {
		t.Errorf("want 6 keys, got %s", out)
	}
	var got privacyResult
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	want, err := privacy.DPSGDEpsilon(60000, 256, 1.1, 60, 1e-5)
	if err != nil {
		t.Fatal(err)
	}
	if got.Epsilon != want.Epsilon || got.Order != 8 || got.Steps != 14100 || got.SamplingRate != 256.0/60000 || got.Delta != 1e-5 || got.NoiseMultiplier != 1.1 {
		t.Errorf("got %+v, want epsilon %g at order 8, 14100 steps", got, want.Epsilon)
	}
	if got.Epsilon < 2.59 || got.Epsilon > 2.61 {
		t.Errorf("epsilon %g, want about 2.60", got.Epsilon)
	}
}

// TestPrivacyText: the default flags are the MNIST settings; the text names
// epsilon, the order, q, the steps and the classic conversion's value.
func TestPrivacyText(t *testing.T) {
	code, out, errOut := runDemo("privacy")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"epsilon 2.601 at delta 1e-05 (Rényi order 8)", "sampling rate q 0.00426667, steps 14100", "classic RDP conversion: epsilon 3.013 (order 9)", "Poisson sampling"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, more, _ := runDemo("privacy", "-noise", "2", "-json")
	var r privacyResult
	if code != exitOK || json.Unmarshal([]byte(more), &r) != nil || !(r.Epsilon < 2.6) {
		t.Errorf("-noise 2: exit %d, %s: want a smaller epsilon", code, more)
	}
}

// TestPrivacyErrors: impossible settings exit 2 with a message naming the value.
func TestPrivacyErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-delta", "0"}, "delta 0 must be in (0, 1)"},
		{[]string{"-delta", "1"}, "delta 1 must be in (0, 1)"},
		{[]string{"-delta", "-0.1"}, "delta -0.1"},
		{[]string{"-delta", "NaN"}, "delta NaN"},
		{[]string{"-noise", "0"}, "noise multiplier 0 must be positive"},
		{[]string{"-noise", "-1.5"}, "noise multiplier -1.5"},
		{[]string{"-n", "0"}, "n 0 (examples) must be at least 1"},
		{[]string{"-batch", "0"}, "batch 0 must be at least 1"},
		{[]string{"-batch", "70000"}, "batch 70000 must be at most n 60000"},
		{[]string{"-epochs", "0"}, "epochs 0 must be at least 1"},
		{[]string{"-epochs", "x"}, "invalid value"},
		{[]string{"extra"}, "unexpected arguments"},
	} {
		code, out, errOut := runDemo(append([]string{"privacy"}, c.args...)...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.args, code, out, errOut, c.want)
		}
	}
	if code, _, errOut := runDemo("privacy", "-h"); code != exitOK || !strings.Contains(errOut, "usage: "+privacyUsage) {
		t.Errorf("-h: exit %d, stderr %q", code, errOut)
	}
}

// TestPrivacyUsageLine: demo help's line for privacy is privacyUsage and names
// every flag of the command.
func TestPrivacyUsageLine(t *testing.T) {
	_, help, _ := runDemo("help")
	if !strings.Contains(help, "\n  "+privacyUsage+"\n") {
		t.Fatalf("demo help lacks %q:\n%s", privacyUsage, help)
	}
	for _, f := range commandFlags(t, "privacy") {
		if !strings.Contains(privacyUsage+" ", "-"+f+" ") && !strings.Contains(privacyUsage, "-"+f+"]") {
			t.Errorf("%q lacks -%s", privacyUsage, f)
		}
	}
}
