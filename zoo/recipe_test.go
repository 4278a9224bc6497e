package zoo_test

import (
	"bytes"
	"context"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/zoo"
)

func TestRecipesSortedAndComplete(t *testing.T) {
	rs := zoo.Recipes()
	names := zoo.Names()
	if len(rs) != len(names) {
		t.Fatalf("Recipes has %d entries, Names %d", len(rs), len(names))
	}
	if !sort.StringsAreSorted(names) {
		t.Errorf("names not sorted: %v", names)
	}
	for _, want := range []string{"dense", "linear", "logistic", "mlp"} {
		if _, err := zoo.Find(want); err != nil {
			t.Errorf("Find(%q): %v", want, err)
		}
	}
	for i, r := range rs {
		if r.Name != names[i] || r.Description == "" || r.Expected == "" || r.Run == nil {
			t.Errorf("recipe %d incomplete: %+v", i, r)
		}
		d := r.Defaults
		if d.Epochs <= 0 || d.BatchSize <= 0 || d.LR <= 0 || d.Seed == 0 {
			t.Errorf("recipe %q: defaults not set: %+v", r.Name, d)
		}
	}
}

func TestRecipesFreshList(t *testing.T) {
	a := zoo.Recipes()
	a[0].Name = "changed"
	if b := zoo.Recipes(); b[0].Name == "changed" {
		t.Fatal("Recipes returns shared state")
	}
}

func TestFind(t *testing.T) {
	tests := []struct {
		name    string
		wantErr bool
	}{
		{"linear", false},
		{"mlp", false},
		{"", true},
		{"Linear", true},
		{"resnet", true},
	}
	for _, tc := range tests {
		r, err := zoo.Find(tc.name)
		if tc.wantErr {
			if err == nil {
				t.Errorf("Find(%q): no error", tc.name)
				continue
			}
			for _, n := range zoo.Names() {
				if !strings.Contains(err.Error(), n) {
					t.Errorf("Find(%q) error %q does not list %q", tc.name, err, n)
				}
			}
			continue
		}
		if err != nil || r.Name != tc.name {
			t.Errorf("Find(%q) = %q, %v", tc.name, r.Name, err)
		}
	}
}

// TestRunShort runs every recipe for a few epochs and checks that the Result is
// complete and finite.
func TestRunShort(t *testing.T) {
	for _, r := range zoo.Recipes() {
		t.Run(r.Name, func(t *testing.T) {
			switch r.Name {
			case "lenet", "resnet-fashion":
				// minutes per epoch on two cores: run by the convergence tests
				// (GOKERAS_LONG=1) and by hand with demo run
				t.Skip("convolutional recipe on 60,000 images")
			}
			res, err := r.Run(context.Background(), zoo.Settings{Epochs: 2})
			if err != nil {
				t.Fatal(err)
			}
			if res.Model != r.Name || res.Epochs != 2 || res.Seconds <= 0 {
				t.Errorf("model %q epochs %d seconds %g", res.Model, res.Epochs, res.Seconds)
			}
			if !strings.Contains(res.Summary, "Total params") {
				t.Errorf("summary: %q", res.Summary)
			}
			if res.History == nil || len(res.History.Get("loss")) != 2 {
				t.Errorf("history: %+v", res.History)
			}
			for _, m := range []map[string]float64{res.Train, res.Test} {
				if len(m) != 2 {
					t.Errorf("want loss and one metric, got %v", m)
				}
				for k, v := range m {
					if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
						t.Errorf("%s = %g", k, v)
					}
				}
				if _, ok := m["loss"]; !ok {
					t.Errorf("no loss in %v", m)
				}
			}
			if r.Name == "linear" {
				for _, k := range []string{"weight", "bias", "ls_weight", "ls_bias"} {
					if _, ok := res.Extra[k]; !ok {
						t.Errorf("extra has no %q: %v", k, res.Extra)
					}
				}
			}
		})
	}
}

func TestRunDeterministic(t *testing.T) {
	r, err := zoo.Find("logistic")
	if err != nil {
		t.Fatal(err)
	}
	s := zoo.Settings{Epochs: 2, Seed: 7}
	a, err := r.Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if a.Test["loss"] != b.Test["loss"] || a.Train["accuracy"] != b.Train["accuracy"] {
		t.Errorf("same seed, different results: %v %v", a.Test, b.Test)
	}
}

func TestRunBadSettings(t *testing.T) {
	r, err := zoo.Find("linear")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		s    zoo.Settings
	}{
		{"negative epochs", zoo.Settings{Epochs: -1}},
		{"negative batch", zoo.Settings{BatchSize: -3}},
		{"negative lr", zoo.Settings{LR: -0.1}},
		{"NaN lr", zoo.Settings{LR: math.NaN()}},
		{"negative verbose", zoo.Settings{Verbose: -1}},
	}
	for _, tc := range tests {
		if _, err := r.Run(context.Background(), tc.s); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func TestRunCancelled(t *testing.T) {
	r, err := zoo.Find("mlp")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Run(ctx, zoo.Settings{}); err == nil {
		t.Fatal("cancelled context: no error")
	}
}

func TestRunVerboseWritesToOut(t *testing.T) {
	r, err := zoo.Find("logistic")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		verbose int
		want    bool
	}{{0, false}, {1, true}, {2, true}}
	for _, tc := range tests {
		var buf bytes.Buffer
		if _, err := r.Run(context.Background(), zoo.Settings{Epochs: 2, Verbose: tc.verbose, Out: &buf}); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(buf.String(), "Epoch 2/2"); got != tc.want {
			t.Errorf("verbose %d: output %q", tc.verbose, buf.String())
		}
	}
}
