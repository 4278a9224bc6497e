package main

import (
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// overfitDigits saves a trainer (model and loss) of an MLP trained for many
// epochs on the first 100 rows of the digits' training split.
func overfitDigits(t *testing.T) string {
	t.Helper()
	s, err := datasets.Digits()
	if err != nil {
		t.Fatal(err)
	}
	x, err := s.Train.X().Slice(tensor.S(0, 100))
	if err != nil {
		t.Fatal(err)
	}
	y, err := s.Train.Y().Slice(tensor.S(0, 100))
	if err != nil {
		t.Fatal(err)
	}
	xs, ys := x.(*tensor.Dense).Materialize().(*tensor.Dense), y.(*tensor.Dense).Materialize().(*tensor.Dense)
	norm := layers.Normalization()
	if err := norm.Adapt(xs); err != nil {
		t.Fatal(err)
	}
	m := layers.NewSequential(layers.Input(64), norm,
		layers.Dense(64, layers.WithActivation("relu")),
		layers.Dense(10, layers.WithActivation("softmax")))
	tr, err := trainers.New(m, trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithOptimizer(trainers.Adam(0.003)),
		trainers.WithSeed(1), trainers.WithOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Fit(context.Background(), xs, ys, trainers.Epochs(60), trainers.BatchSize(20), trainers.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "overfit.safetensors")
	if err := tr.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAuditCommand(t *testing.T) {
	path := overfitDigits(t)
	code, stdout, stderr := runDemo("audit", "-model", path, "-data", "digits", "-n", "100", "-json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r auditResult
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("%v in %q", err, stdout)
	}
	t.Logf("%+v", r)
	if r.Members != 100 || r.NonMembers != 100 || r.Data != "digits" || r.MemberLoss >= r.NonMemberLoss {
		t.Errorf("got %+v", r)
	}
	// Trained on exactly these 100 rows for 60 epochs: the losses give them away.
	if r.AUC < 0.6 || r.Advantage < 0.2 {
		t.Errorf("AUC %.3f, advantage %.3f: want an overfit model's members to stand out (AUC >= 0.6, advantage >= 0.2)", r.AUC, r.Advantage)
	}
	code, text, stderr := runDemo("audit", "-model", path, "-data", "digits", "-n", "50")
	if code != exitOK || !strings.Contains(text, "50 training rows against 50 test rows") || !strings.Contains(text, "attack AUC") {
		t.Errorf("exit %d, output %q, stderr %q", code, text, stderr)
	}
}

func TestAuditErrors(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-data", "digits"}, exitUsage, "-model is required"},
		{[]string{"-model", "m", "-data", "cifar"}, exitUsage, `-data "cifar": want one of`},
		{[]string{"-model", "m", "-data", "digits", "-n", "0"}, exitUsage, "-n 0 must be at least 1"},
		{[]string{"-model", "/nonexistent/m.safetensors", "-data", "digits"}, exitFailure, "no such file"},
		{[]string{"-model", saveTestModel(t, false), "-data", "digits"}, exitFailure, "the model takes 4 values per example"},
	}
	for _, c := range cases {
		code, _, stderr := runDemo(append([]string{"audit"}, c.args...)...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
}
