package zoo_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/zoo"
)

// TestBackdoorSmall runs the recipe on 3,000 training and 1,000 test images for
// 3 epochs: 30 rows poisoned, spectral signatures flags 1.5 x 0.1 of each
// class, activation clustering fewer than all, and the report is complete and
// consistent.
func TestBackdoorSmall(t *testing.T) {
	res, err := zoo.BackdoorRecipeRows(3000, 1000).Run(context.Background(), zoo.Settings{Epochs: 3})
	if err != nil {
		t.Fatal(err)
	}
	b := res.Backdoor
	if b == nil {
		t.Fatal("no Backdoor report")
	}
	line, err := json.Marshal(res.Backdoor)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", line)
	if b.Poisoned != 30 || b.Fraction != 0.01 || b.Target != 0 {
		t.Errorf("poisoned %d (fraction %g, target %d), want 30 (0.01) of 3,000 to class 0", b.Poisoned, b.Fraction, b.Target)
	}
	// Spectral signatures flag ceil(0.15 n_c) of each of 10 classes of 3,000
	// rows: 450 to 460.
	if d := b.Spectral; d.Flagged < 450 || d.Flagged > 460 || d.Recall < 0 || d.Recall > 1 || d.Method != "spectral_signatures" {
		t.Errorf("spectral signatures %+v", d)
	}
	if d := b.Detection; d.Flagged >= 3000 || d.Recall < 0 || d.Recall > 1 || d.Method != "activation_clustering" || d.Layer != "max_pooling2d_1" {
		t.Errorf("activation clustering %+v", d)
	}
	for _, s := range []zoo.BackdoorScores{b.Before, b.After} {
		if s.CleanAccuracy < 0.8 || s.AttackSuccess < 0 || s.AttackSuccess > 1 {
			t.Errorf("scores %+v: a model that learns gets above 0.8 on 3,000 images", s)
		}
	}
	if res.Test["accuracy"] != b.After.CleanAccuracy || res.Extra["attack_success_before"] != b.Before.AttackSuccess {
		t.Errorf("test %v and extra %v disagree with %+v", res.Test, res.Extra, b)
	}
	if !strings.Contains(string(line), `"attack_success"`) {
		t.Errorf("JSON %s", line)
	}
}

// TestBackdoorDefault runs the published recipe (about 8 minutes on two
// cores) and checks its Expected figures: GOKERAS_LONG=1.
func TestBackdoorDefault(t *testing.T) {
	if os.Getenv("GOKERAS_LONG") == "" {
		t.Skip("minutes on two cores: set GOKERAS_LONG=1")
	}
	r, err := zoo.Find("backdoor")
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Run(context.Background(), zoo.Settings{Verbose: 2, Out: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	line, _ := json.Marshal(res.Backdoor)
	t.Logf("%.0fs: %s", res.Seconds, line)
	b := res.Backdoor
	if b.Before.CleanAccuracy < 0.98 || b.Before.AttackSuccess < 0.9 {
		t.Errorf("before: %+v, want clean accuracy >= 0.98 and attack success >= 0.9", b.Before)
	}
	if b.Detection.Recall < 0.95 {
		t.Errorf("activation clustering: %+v, want recall >= 0.95", b.Detection)
	}
	if b.After.CleanAccuracy < 0.98 || b.After.AttackSuccess > 0.05 {
		t.Errorf("after: %+v, want clean accuracy >= 0.98 and attack success <= 0.05", b.After)
	}
}
