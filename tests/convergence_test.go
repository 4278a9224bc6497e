package tests

import (
	"context"
	"math"
	"os"
	"testing"

	"github.com/gokeras/gokeras/zoo"
)

// convRun runs a zoo recipe with its default settings, silently, and fails the
// test on error.
func convRun(t *testing.T, name string) *zoo.Result {
	t.Helper()
	r, err := zoo.Find(name)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Run(context.Background(), zoo.Settings{Verbose: 0})
	if err != nil {
		t.Fatalf("%s: %+v", name, err)
	}
	t.Logf("%s: %d epochs in %.2fs, train %v, test %v, extra %v",
		name, res.Epochs, res.Seconds, res.Train, res.Test, res.Extra)
	return res
}

// TestConvergenceLinear checks that linear regression on y = 3x + 2 + U(0,1)
// lands within 0.02 of the closed-form least-squares fit of its training split.
func TestConvergenceLinear(t *testing.T) {
	const tol = 0.02
	res := convRun(t, "linear")
	tests := []struct {
		got, want string
		near      float64 // where least squares should be for this data
	}{
		{"weight", "ls_weight", 3},
		{"bias", "ls_bias", 2.5},
	}
	for _, tc := range tests {
		got, ok1 := res.Extra[tc.got]
		want, ok2 := res.Extra[tc.want]
		if !ok1 || !ok2 {
			t.Fatalf("extra lacks %q or %q: %v", tc.got, tc.want, res.Extra)
		}
		if d := math.Abs(got - want); !(d <= tol) {
			t.Errorf("%s = %.4f, least squares %.4f: off by %.4f > %g", tc.got, got, want, d, tol)
		}
		if math.Abs(want-tc.near) > 0.1 {
			t.Errorf("%s = %.4f, expected about %g for this data", tc.want, want, tc.near)
		}
	}
}

// TestConvergenceClassifiers checks the held-out accuracy each classification
// recipe states.
func TestConvergenceClassifiers(t *testing.T) {
	tests := []struct {
		recipe  string
		minTest float64
	}{
		{"logistic", 0.95},
		{"dense", 0.98},
		{"mlp", 0.97},
		{"iris", 0.95},   // real data: scikit-learn's Iris
		{"digits", 0.96}, // real data: scikit-learn's 8x8 digits
	}
	for _, tc := range tests {
		t.Run(tc.recipe, func(t *testing.T) {
			res := convRun(t, tc.recipe)
			acc, ok := res.Test["accuracy"]
			if !ok {
				t.Fatalf("no test accuracy: %v", res.Test)
			}
			if !(acc >= tc.minTest) {
				t.Errorf("test accuracy %.4f < %g", acc, tc.minTest)
			}
			if loss := res.Test["loss"]; math.IsNaN(loss) || math.IsInf(loss, 0) {
				t.Errorf("test loss %g", loss)
			}
		})
	}
}

// TestConvergenceMNIST trains the mnist recipe (an MLP, 5 epochs on the 60,000
// training images) to at least 0.975 test accuracy. It takes about a minute on two
// cores, so it is skipped under -short.
func TestConvergenceMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("about a minute of training; run without -short")
	}
	res := convRun(t, "mnist")
	if acc := res.Test["accuracy"]; acc < 0.975 {
		t.Errorf("mnist test accuracy %.4f < 0.975", acc)
	}
}

// TestConvergenceConvNets trains the convolutional recipes to their stated
// accuracy: minutes each on two cores, so only with GOKERAS_LONG=1.
func TestConvergenceConvNets(t *testing.T) {
	if os.Getenv("GOKERAS_LONG") == "" {
		t.Skip("minutes of training; set GOKERAS_LONG=1")
	}
	for _, tc := range []struct {
		recipe  string
		minTest float64
	}{{"vgg-digits", 0.97}, {"lenet", 0.99}, {"resnet-fashion", 0.90}} {
		t.Run(tc.recipe, func(t *testing.T) {
			if acc := convRun(t, tc.recipe).Test["accuracy"]; acc < tc.minTest {
				t.Errorf("%s test accuracy %.4f < %.2f", tc.recipe, acc, tc.minTest)
			}
		})
	}
}
