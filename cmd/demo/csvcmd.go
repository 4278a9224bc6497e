package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gokeras/gokeras/zoo"
)

// csvCmd trains an MLP on any CSV file with a held-out split:
// demo csv -file F [-target COL] [-task classification|regression] [-hidden 64,32]
// [-epochs N] [-batch N] [-lr F] [-seed N] [-verbose N] [-json].
func csvCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("csv", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var s zoo.Settings
	file := fs.String("file", "", "the CSV file (required)")
	target := fs.String("target", "", "the target column (default: the last one)")
	task := fs.String("task", "classification", "classification or regression")
	hidden := fs.String("hidden", "64,32", "widths of the hidden ReLU layers, comma separated")
	asJSON := trainingFlags(fs, &s, "the default: 50 epochs, batch 32, lr 0.005, seed 42")
	if err := fs.Parse(args); err != nil {
		return parseStatus(err)
	}
	if s.Epochs < 0 || s.BatchSize < 0 || s.LR < 0 || s.Verbose < 0 {
		fmt.Fprintln(stderr, "demo csv: -epochs, -batch, -lr and -verbose must not be negative")
		return exitUsage
	}
	if *file == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: demo csv -file F [-target COL] [-task classification|regression] [-hidden 64,32] [-epochs N] [-json]")
		return exitUsage
	}
	var widths []int
	for _, f := range strings.Split(*hidden, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		w, err := strconv.Atoi(f)
		if err != nil || w <= 0 {
			fmt.Fprintf(stderr, "demo csv: -hidden %q: %q is not a positive width\n", *hidden, f)
			return exitUsage
		}
		widths = append(widths, w)
	}
	if widths == nil {
		widths = []int{}
	}
	s.Out = stdout
	res, err := zoo.TrainCSV(ctx, *file, *target, zoo.CSVTask(*task), widths, s)
	if err != nil {
		fmt.Fprintf(stderr, "demo csv: %v\n", err)
		return exitFailure
	}
	if err := writeReport(stdout, res, "held-out metrics on 20% of the rows"); err != nil {
		fmt.Fprintf(stderr, "demo csv: %v\n", err)
		return exitFailure
	}
	if *asJSON {
		if err := writeJSON(stdout, res); err != nil {
			fmt.Fprintf(stderr, "demo csv: %v\n", err)
			return exitFailure
		}
	}
	return exitOK
}
