package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/gokeras/gokeras/zoo"
)

// runCmd parses "NAME [flags]" (flags may also come before NAME), runs the recipe
// and prints its report.
func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var s zoo.Settings
	asJSON := trainingFlags(fs, &s, "the recipe's default")
	plotPath := fs.String("plot", "", "after training, write the learning curves to this PNG or SVG file")
	reportPath := fs.String("report", "", "after training, write a self-contained HTML report (summary, curves, metrics, confusion matrix) to this file")
	fs.StringVar(&s.Corpus, "corpus", "", "a UTF-8 text file for the text recipes (gpt-opticks) to train on instead of their own text")
	save := fs.String("save", "", "after training, write the model and the optimizer state to this file (resumable; see demo predict and demo serve)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: demo run NAME [flags]\nrecipes: %s\nflags:\n", strings.Join(zoo.Names(), ", "))
		fs.PrintDefaults()
	}

	var name string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return parseStatus(err)
	}
	rest := fs.Args()
	if name == "" && len(rest) > 0 {
		name, rest = rest[0], rest[1:]
	}
	switch {
	case name == "":
		fmt.Fprintln(stderr, "demo run: no recipe name")
		fs.Usage()
		return exitUsage
	case len(rest) > 0:
		fmt.Fprintf(stderr, "demo run: unexpected arguments %q (flags go before or right after NAME)\n", rest)
		return exitUsage
	}
	if err := checkSettings(s); err != nil {
		fmt.Fprintf(stderr, "demo run: %v\n", err)
		return exitUsage
	}
	r, err := zoo.Find(name)
	if err != nil {
		fmt.Fprintf(stderr, "demo run: %v\n", err)
		return exitUsage
	}
	s.Out = stdout
	res, err := r.Run(ctx, s)
	if err != nil {
		fmt.Fprintf(stderr, "demo run %s: %v\n", name, err)
		return exitFailure
	}
	if err := writeReport(stdout, res, r.Expected); err != nil {
		fmt.Fprintf(stderr, "demo run %s: %v\n", name, err)
		return exitFailure
	}
	if err := writePictures(res, s, *plotPath, *reportPath); err != nil {
		fmt.Fprintf(stderr, "demo run %s: %v\n", name, err)
		return exitFailure
	}
	if *save != "" {
		if err := saveResult(stdout, res, *save); err != nil {
			fmt.Fprintf(stderr, "demo run %s: %v\n", name, err)
			return exitFailure
		}
	}
	if *asJSON {
		if err := writeJSON(stdout, res); err != nil {
			fmt.Fprintf(stderr, "demo run %s: %v\n", name, err)
			return exitFailure
		}
	}
	return exitOK
}

// Bounds on the training flags, far beyond any recipe's needs, so that a
// typo fails at once rather than running for ages or overflowing a step count.
const (
	maxEpochs = 1_000_000
	maxBatch  = 1 << 20
)

// checkSettings checks the values of the training flags: none negative,
// -epochs at most maxEpochs, -batch at most maxBatch (a batch larger than the
// training rows trains on all of them at once), -lr finite.
func checkSettings(s zoo.Settings) error {
	switch {
	case s.Epochs < 0 || s.BatchSize < 0 || s.LR < 0 || s.Verbose < 0:
		return errors.New("-epochs, -batch, -lr and -verbose must not be negative")
	case s.Epochs > maxEpochs:
		return fmt.Errorf("-epochs %d is above the limit of %d", s.Epochs, maxEpochs)
	case s.BatchSize > maxBatch:
		return fmt.Errorf("-batch %d is above the limit of %d", s.BatchSize, maxBatch)
	case math.IsNaN(s.LR) || math.IsInf(s.LR, 0):
		return fmt.Errorf("-lr %v is not a finite number", s.LR)
	}
	return nil
}

// trainingFlags declares the settings flags that demo run and demo csv share
// (-epochs, -batch, -lr, -seed, -verbose) and returns -json; zero values take
// the defaults that dflt names.
func trainingFlags(fs *flag.FlagSet, s *zoo.Settings, dflt string) *bool {
	fs.IntVar(&s.Epochs, "epochs", 0, fmt.Sprintf("number of epochs, at most %d (0: %s)", maxEpochs, dflt))
	fs.IntVar(&s.BatchSize, "batch", 0, fmt.Sprintf("batch size, at most %d (0: %s)", maxBatch, dflt))
	fs.Float64Var(&s.LR, "lr", 0, "peak learning rate (0: "+dflt+")")
	fs.Int64Var(&s.Seed, "seed", 0, "seed of the data, split, weights and shuffling (0: "+dflt+")")
	fs.IntVar(&s.Verbose, "verbose", 1, "progress on stdout: 0 none, 1 bar or one line per epoch, 2 one line per epoch")
	return fs.Bool("json", false, "print the result as one JSON object on the last line of stdout")
}
