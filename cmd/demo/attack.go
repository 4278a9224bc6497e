package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/gokeras/gokeras/internal/tensorvals"

	"github.com/gokeras/gokeras/adversarial"
	"github.com/gokeras/gokeras/explain"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// attackResult is the JSON line of demo attack. Eps and the mean norms are in
// units of the pixel range (1 = black to white); eps is null for cw, which has
// no bound.
type attackResult struct {
	Attack         string   `json:"attack"`
	Eps            *float64 `json:"eps"`
	N              int      `json:"n"`
	CleanAccuracy  float64  `json:"clean_accuracy"`
	RobustAccuracy float64  `json:"robust_accuracy"`
	MeanLinf       float64  `json:"mean_linf"`
	MeanL2         float64  `json:"mean_l2"`
	Seconds        float64  `json:"seconds"`
	Grid           string   `json:"grid,omitempty"`
}

// attackNames are the values of -attack.
var attackNames = []string{"fgsm", "pgd", "pgd-l2", "cw"}

// attackMaxSteps bounds -steps.
const attackMaxSteps = 100000

// attackSettings are demo attack's flags, checked.
type attackSettings struct {
	model, data, attack, grid string
	eps                       float64
	steps                     int
	stepsSet                  bool // -steps given: CW then takes it as its iterations
	n                         int
	seed                      int64
}

// attackCmd attacks a saved image classifier on the first test images of a data
// set and prints its clean and robust accuracy.
func attackCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("attack", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var s attackSettings
	fs.StringVar(&s.model, "model", "", "an image classifier saved by demo run -save (digits, vgg-digits, mnist, lenet, ...) (required)")
	fs.StringVar(&s.data, "data", "", "the data set whose test images to attack: digits, mnist or fashion-mnist (required)")
	fs.StringVar(&s.attack, "attack", "fgsm", "fgsm, pgd (L-inf, random start), pgd-l2 or cw (Carlini-Wagner L2; ignores -eps)")
	fs.Float64Var(&s.eps, "eps", 0.1, "the perturbation bound (L-inf, or L2 for pgd-l2) in units of the pixel range (1 = black to white)")
	fs.IntVar(&s.steps, "steps", adversarial.DefaultSteps, "pgd and pgd-l2 steps; for cw, when given, the Adam iterations per search step (default 100)")
	fs.IntVar(&s.n, "n", 1000, "how many test images to attack, from the first (at most the split's size)")
	fs.Int64Var(&s.seed, "seed", adversarial.DefaultSeed, "the seed of pgd's random start")
	fs.StringVar(&s.grid, "grid", "", "write a PNG grid of the first 10 images: originals, perturbations (scaled to be visible), adversarial images")
	asJSON := fs.Bool("json", false, "print one JSON line: attack, eps, n, clean_accuracy, robust_accuracy, mean_linf, mean_l2, seconds (, grid)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: demo attack -model F -data mnist|fashion-mnist|digits [-attack fgsm|pgd|pgd-l2|cw] [-eps 0.1] [-steps 20] [-n 1000] [-seed S] [-grid out.png] [-json]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return parseStatus(err)
	}
	fs.Visit(func(f *flag.Flag) { s.stepsSet = s.stepsSet || f.Name == "steps" })
	known := false
	for _, a := range attackNames {
		known = known || a == s.attack
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "demo attack: unexpected arguments %q\n", fs.Args())
		return exitUsage
	case s.model == "":
		fmt.Fprintln(stderr, "demo attack: -model is required")
		return exitUsage
	case s.data == "":
		fmt.Fprintln(stderr, "demo attack: -data is required (digits, mnist or fashion-mnist)")
		return exitUsage
	case s.data != "digits" && s.data != "mnist" && s.data != "fashion-mnist":
		fmt.Fprintf(stderr, "demo attack: unknown -data %q (valid: digits, mnist, fashion-mnist)\n", s.data)
		return exitUsage
	case !known:
		fmt.Fprintf(stderr, "demo attack: unknown -attack %q (valid: fgsm, pgd, pgd-l2, cw)\n", s.attack)
		return exitUsage
	case !(s.eps >= 0) || math.IsInf(s.eps, 1):
		fmt.Fprintf(stderr, "demo attack: -eps %g must be finite and at least 0 (in units of the pixel range)\n", s.eps)
		return exitUsage
	case s.steps < 1 || s.steps > attackMaxSteps:
		fmt.Fprintf(stderr, "demo attack: -steps %d must be in [1, %d]\n", s.steps, attackMaxSteps)
		return exitUsage
	case s.n < 1:
		fmt.Fprintf(stderr, "demo attack: -n %d must be at least 1\n", s.n)
		return exitUsage
	}
	res, err := runAttack(ctx, s)
	if err != nil {
		fmt.Fprintf(stderr, "demo attack: %s\n", errorText(ctx, err))
		return exitFailure
	}
	if *asJSON {
		b, err := json.Marshal(res)
		if err != nil {
			fmt.Fprintf(stderr, "demo attack: %v\n", err)
			return exitFailure
		}
		fmt.Fprintln(stdout, string(b))
		return exitOK
	}
	bound := ""
	if res.Eps != nil {
		bound = fmt.Sprintf(" eps %g", *res.Eps)
	}
	fmt.Fprintf(stdout, "%s%s on %d %s test images: clean accuracy %.4f, robust accuracy %.4f, mean L-inf %.4f, mean L2 %.4f (%.1f s)\n",
		res.Attack, bound, res.N, s.data, res.CleanAccuracy, res.RobustAccuracy, res.MeanLinf, res.MeanL2, res.Seconds)
	if res.Grid != "" {
		fmt.Fprintf(stdout, "grid written to %s\n", res.Grid)
	}
	return exitOK
}

// runAttack loads the model and the images, runs the attack and writes the grid.
func runAttack(ctx context.Context, s attackSettings) (*attackResult, error) {
	m, err := layers.Load(s.model)
	if err != nil {
		return nil, err
	}
	ins, outs := m.Inputs(), m.Outputs()
	if len(ins) != 1 || len(outs) != 1 {
		return nil, errors.Errorf("%s has %d inputs and %d outputs: demo attack takes an image classifier of one input and one output", s.model, len(ins), len(outs))
	}
	if ok, err := m.Attachment(scalerAttachment, new(any)); err != nil {
		return nil, err
	} else if ok {
		return nil, errors.Errorf("%s carries a %q attachment (it takes standardized rows): demo attack takes a model of raw pixels", s.model, scalerAttachment)
	}
	im, err := loadTestImages(s.data, s.n)
	if err != nil {
		return nil, err
	}
	per := im.h * im.w * im.c
	if want := product(ins[0].Shape); want != per {
		return nil, errors.Errorf("the model takes %d values per example (shape %v), a %s image has %d (%dx%dx%d)", want, ins[0].Shape, s.data, per, im.h, im.w, im.c)
	}
	loss := "sparse_categorical_crossentropy"
	if product(outs[0].Shape) == 1 {
		loss = "binary_crossentropy"
	}
	tr, err := trainers.New(m, trainers.WithLoss(loss))
	if err != nil {
		return nil, err
	}
	x := tensor.New(tensor.WithShape(append([]int{im.n}, ins[0].Shape...)...), tensor.WithBacking(append([]float64(nil), im.pixels...)))
	labels := make([]float64, im.n)
	for i, l := range im.labels {
		labels[i] = float64(l)
	}
	y := tensor.New(tensor.WithShape(im.n, 1), tensor.WithBacking(labels))
	// The model takes pixels in [0, im.max]: the range and eps scale with it.
	opts := []adversarial.Option{adversarial.WithRange(0, im.max), adversarial.WithSeed(s.seed), adversarial.WithContext(ctx)}
	eps := s.eps * im.max
	start := time.Now()
	var r *adversarial.Result
	switch s.attack {
	case "fgsm":
		r, err = adversarial.FGSM(tr, x, y, eps, opts...)
	case "pgd":
		r, err = adversarial.PGD(tr, x, y, eps, append(opts, adversarial.WithSteps(s.steps))...)
	case "pgd-l2":
		r, err = adversarial.PGDL2(tr, x, y, eps, append(opts, adversarial.WithSteps(s.steps))...)
	case "cw":
		if s.stepsSet {
			opts = append(opts, adversarial.WithIterations(s.steps))
		}
		r, err = adversarial.CW(tr, x, y, opts...)
	}
	if err != nil {
		return nil, err
	}
	res := &attackResult{Attack: s.attack, N: im.n, CleanAccuracy: r.CleanAccuracy(), RobustAccuracy: r.RobustAccuracy(),
		MeanLinf: r.MeanLinf() / im.max, MeanL2: r.MeanL2() / im.max, Seconds: math.Round(time.Since(start).Seconds()*1000) / 1000}
	if s.attack != "cw" {
		res.Eps = &s.eps
	}
	if s.grid != "" {
		pic, err := attackGrid(im.pixels, tensorvals.Floats(r.X), im.n, im.h, im.w, im.c, im.max)
		if err != nil {
			return nil, err
		}
		if err := explain.WritePNG(s.grid, pic); err != nil {
			return nil, err
		}
		res.Grid = s.grid
	}
	return res, nil
}
