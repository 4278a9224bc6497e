package zoo_test

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/privacy"
	"github.com/gokeras/gokeras/zoo"
)

// TestMNISTDPPrivacy runs three epochs of mnist-dp on 2,000 images and checks
// the privacy report against the accountant, and its JSON names.
func TestMNISTDPPrivacy(t *testing.T) {
	res, err := zoo.MNISTDPRecipeRows(2000, 200).Run(context.Background(), zoo.Settings{Epochs: 3})
	if err != nil {
		t.Fatal(err)
	}
	p := res.Privacy
	if p == nil {
		t.Fatal("no privacy report")
	}
	want, err := privacy.DPSGDEpsilon(2000, 256, 1.1, 3, 1e-5)
	if err != nil {
		t.Fatal(err)
	}
	if p.Steps != 24 || p.SamplingRate != 256.0/2000 || p.Delta != 1e-5 || p.NoiseMultiplier != 1.1 || p.ClipNorm != 1 ||
		p.Sampling != "poisson" || math.Abs(p.Epsilon-want.Epsilon) > 1e-12 {
		t.Errorf("privacy %+v, want epsilon %g over 24 steps at rate %g", *p, want.Epsilon, 256.0/2000)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"epsilon", "delta", "noise_multiplier", "clip_norm", "sampling_rate", "steps"} {
		if !strings.Contains(string(b), `"`+k+`":`) {
			t.Errorf("JSON %s has no %q", b, k)
		}
	}
	t.Logf("test accuracy %.3f at epsilon %.3f", res.Test["accuracy"], p.Epsilon)
	if acc := res.Test["accuracy"]; !(acc > 0.15) {
		t.Errorf("test accuracy %g: the model does not learn", acc)
	}
}
