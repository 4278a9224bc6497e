package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/gokeras/gokeras/privacy"
)

// privacyUsage is demo privacy's synopsis, as in demo help.
const privacyUsage = "demo privacy [-n 60000] [-batch 256] [-noise 1.1] [-epochs 60] [-delta 1e-5] [-json]"

// privacyResult is the JSON line of demo privacy.
type privacyResult struct {
	Epsilon         float64 `json:"epsilon"`
	Delta           float64 `json:"delta"`
	NoiseMultiplier float64 `json:"noise_multiplier"`
	SamplingRate    float64 `json:"sampling_rate"`
	Steps           int     `json:"steps"`
	Order           float64 `json:"order"`
}

// privacyCmd prints the epsilon that DP-SGD spends (package privacy's RDP
// accountant for the sampled Gaussian mechanism).
func privacyCmd(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("privacy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 60000, "training examples")
	batch := fs.Int("batch", 256, "batch size (expected size under Poisson sampling); the sampling rate is batch/n")
	noise := fs.Float64("noise", 1.1, "noise multiplier: the noise's standard deviation over the clipping norm")
	epochs := fs.Int("epochs", 60, "epochs; steps = epochs * ceil(n/batch)")
	delta := fs.Float64("delta", 1e-5, "target delta, in (0, 1) (commonly below 1/n)")
	asJSON := fs.Bool("json", false, "print one JSON line: epsilon, delta, noise_multiplier, sampling_rate, steps, order")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: "+privacyUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return parseStatus(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "demo privacy: unexpected arguments %q\n", fs.Args())
		return exitUsage
	}
	s, err := privacy.DPSGDEpsilon(*n, *batch, *noise, *epochs, *delta)
	if err != nil {
		fmt.Fprintf(stderr, "demo privacy: %s\n", strings.TrimPrefix(err.Error(), "privacy: "))
		return exitUsage
	}
	if *asJSON {
		b, err := json.Marshal(privacyResult{s.Epsilon, s.Delta, s.NoiseMultiplier, s.SamplingRate, s.Steps, s.Order})
		if err != nil {
			fmt.Fprintf(stderr, "demo privacy: %v\n", err)
			return exitFailure
		}
		fmt.Fprintln(stdout, string(b))
		return exitOK
	}
	acc := privacy.NewAccountant()
	if err := acc.Step(s.NoiseMultiplier, s.SamplingRate, s.Steps); err != nil {
		fmt.Fprintf(stderr, "demo privacy: %v\n", err)
		return exitFailure
	}
	classic, classicOrder, err := acc.EpsilonConversion(s.Delta, privacy.Classic)
	if err != nil {
		fmt.Fprintf(stderr, "demo privacy: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "DP-SGD: n %d, batch %d, noise multiplier %g, %d epochs\n", *n, *batch, s.NoiseMultiplier, *epochs)
	fmt.Fprintf(stdout, "sampling rate q %.6g, steps %d\n", s.SamplingRate, s.Steps)
	fmt.Fprintf(stdout, "epsilon %.4g at delta %g (Rényi order %g)\n", s.Epsilon, s.Delta, s.Order)
	fmt.Fprintf(stdout, "classic RDP conversion: epsilon %.4g (order %g)\n", classic, classicOrder)
	fmt.Fprintln(stdout, "assumes Poisson sampling at rate q; shuffled fixed-size batches are commonly reported with it as an approximation")
	return exitOK
}
