package zoo

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
)

// skipWithoutFortunes skips a test when Debian's fortunes are not installed.
func skipWithoutFortunes(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(datasets.FortunesSystemDir); err != nil {
		t.Skipf("no %s: apt-get install fortunes", datasets.FortunesSystemDir)
	}
}

// TestTextRecipesListed: one recipe per model, each stating what it reaches.
func TestTextRecipesListed(t *testing.T) {
	rs := textRecipes()
	want := []string{"fortunes-cnn", "fortunes-lstm", "fortunes-transformer"}
	if len(rs) != len(want) {
		t.Fatalf("%d recipes, want %v", len(rs), want)
	}
	for i, r := range rs {
		switch {
		case r.Name != want[i]:
			t.Errorf("recipe %d is %q, want %q", i, r.Name, want[i])
		case !strings.Contains(r.Expected, "test accuracy") || !strings.Contains(r.Expected, "bow_logreg"):
			t.Errorf("%s: Expected %q states no accuracy", r.Name, r.Expected)
		case r.Run == nil || r.Defaults.Epochs == 0 || r.Defaults.Seed != 42:
			t.Errorf("%s: defaults %+v", r.Name, r.Defaults)
		}
	}
}

// TestTextFortunesQuick trains the fortunes CNN briefly on the shorter
// fortunes: its held-out accuracy is well above chance (4 classes: 0.25), the
// bag-of-words baseline was trained in the same run, and the class names are
// attached to the model.
func TestTextFortunesQuick(t *testing.T) {
	skipWithoutFortunes(t)
	res, err := runFortunes(context.Background(), TextCNN, Settings{Epochs: 5, LR: 2e-3}, datasets.FortunesMaxChars(200))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("test %v, extra %v, %d epochs in %.1fs", res.Test, res.Extra, res.Epochs, res.Seconds)
	if acc := res.Test["accuracy"]; acc < 0.5 {
		t.Errorf("test accuracy %.3f, want >= 0.5 (chance 0.25)", acc)
	}
	if acc, ok := res.Extra["bow_logreg_accuracy"]; !ok || acc < 0.5 {
		t.Errorf("bow_logreg_accuracy %v (present %v), want >= 0.5", acc, ok)
	}
	names, err := layers.ClassNames(res.Trainer.Model())
	if err != nil || strings.Join(names, ",") != strings.Join(datasets.FortunesDefaultCategories(), ",") {
		t.Errorf("class names %v (%v), want %v", names, err, datasets.FortunesDefaultCategories())
	}
	if res.Model != "fortunes-cnn" {
		t.Errorf("model %q", res.Model)
	}
}
