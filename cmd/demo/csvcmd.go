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
	fs.IntVar(&s.Epochs, "epochs", 0, "number of epochs (0: 50)")
	fs.IntVar(&s.BatchSize, "batch", 0, "batch size (0: 32)")
	fs.Float64Var(&s.LR, "lr", 0, "peak learning rate (0: 0.005)")
	fs.Int64Var(&s.Seed, "seed", 0, "seed of the split, weights and shuffling (0: 42)")
	fs.IntVar(&s.Verbose, "verbose", 1, "progress on stdout: 0 none, 1 bar or one line per epoch, 2 one line per epoch")
	asJSON := fs.Bool("json", false, "print the result as one JSON object on the last line of stdout")
	if err := fs.Parse(args); err != nil {
		return parseStatus(err)
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
