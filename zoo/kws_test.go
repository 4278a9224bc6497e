package zoo_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/zoo"
)

// needEspeak skips a test of the kws recipe when espeak-ng is missing.
func needEspeak(t *testing.T) {
	t.Helper()
	if _, err := datasets.FindEspeak(""); err != nil {
		t.Skip(err)
	}
}

// TestKWSSmall runs the recipe on 10 clips per word (4 per word for testing)
// and checks its extras, class names and confusion matrix picture.
func TestKWSSmall(t *testing.T) {
	needEspeak(t)
	png := filepath.Join(t.TempDir(), "confusion.png")
	r := zoo.KWSRecipe(zoo.KWSConfig{TrainPerWord: 10, TestPerWord: 4, CacheDir: t.TempDir(), ConfusionPNG: png})
	res, err := r.Run(context.Background(), zoo.Settings{Epochs: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("test %v, extra %v, %.1fs", res.Test, res.Extra, res.Seconds)
	if res.Extra["train_clips"] != 200 || res.Extra["test_clips"] != 80 || res.Extra["clips_generated"] != 280 {
		t.Errorf("extra %v", res.Extra)
	}
	names, err := layers.ClassNames(res.Trainer.Model())
	if err != nil || len(names) != 20 || names[10] != "yes" || names[19] != "go" {
		t.Errorf("class names %v, %v", names, err)
	}
	b, err := os.ReadFile(png)
	if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("confusion matrix: %d bytes, %v", len(b), err)
	}
	// Chance is 0.05.
	if acc := res.Test["accuracy"]; !(acc > 0.15) {
		t.Errorf("test accuracy %.3f after 3 epochs on 200 clips", acc)
	}
}

// TestKWSRecipe runs the published recipe (minutes): test accuracy >= 0.95 on
// held-out voices. GOKERAS_KWS_PNG names a file for the confusion matrix.
func TestKWSRecipe(t *testing.T) {
	if os.Getenv("GOKERAS_LONG") == "" {
		t.Skip("minutes on two cores: set GOKERAS_LONG=1")
	}
	needEspeak(t)
	r := zoo.KWSRecipe(zoo.KWSConfig{ConfusionPNG: os.Getenv("GOKERAS_KWS_PNG")})
	res, err := r.Run(context.Background(), zoo.Settings{Verbose: 2, Out: os.Stdout})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("train %v test %v extra %v, training %.1fs", res.Train, res.Test, res.Extra, res.Seconds)
	if acc := res.Test["accuracy"]; acc < 0.95 {
		t.Errorf("test accuracy %.4f < 0.95", acc)
	}
}
