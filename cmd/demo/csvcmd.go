package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/zoo"
	"gorgonia.org/tensor"
)

// Bounds on the MLP of demo csv, so that a typo in -hidden, or a file far wider
// than expected, fails with a message instead of running out of memory.
const (
	// maxHiddenWidth is the most units in one hidden layer.
	maxHiddenWidth = 16384
	// maxHiddenLayers is the most hidden layers.
	maxHiddenLayers = 64
	// maxCSVParams is the most weights and biases of the whole MLP: about
	// 80 MB in float32, 320 MB with the gradients and Adam's two moments.
	maxCSVParams = 20_000_000
)

// csvUsage is the synopsis of demo csv.
const csvUsage = "usage: demo csv -file F [-test F] [-target COL] [-task classification|regression] [-model mlp|widedeep|deepfm|dcn] [-categorical A,B] [-hidden 128,64] [-dropout F] [-patience N] [-epochs N] [-batch N] [-lr F] [-seed N] [-verbose N] [-save F] [-plot F] [-report F] [-json]"

// csvCmd trains an MLP on any CSV file with a held-out split (see csvUsage and
// zoo.TrainCSV); the saved model takes raw rows.
func csvCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("csv", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var s zoo.Settings
	file := fs.String("file", "", "the CSV file (required; a record, one row, may take 1 MiB)")
	target := fs.String("target", "", "the target column (default: the last one)")
	task := fs.String("task", "classification", "classification (strings, or class ids 0, 1, ... below 10000, at least two present) or regression")
	hidden := fs.String("hidden", "128,64", fmt.Sprintf("widths of the hidden ReLU layers, comma separated (at most %d layers of %d units, %s parameters in all)",
		maxHiddenLayers, maxHiddenWidth, thousands(maxCSVParams)))
	testFile := fs.String("test", "", "held-out rows to report test metrics on, a CSV file with the same columns (default: 20% of -file's rows)")
	patience := fs.Int("patience", 30, "stop when the validation loss (10% of the training rows) has not improved for this many epochs, keeping the best epoch's weights (the learning rate halves after 8); 0 trains every epoch")
	dropout := fs.Float64("dropout", 0.1, "dropout rate after every hidden layer, in [0, 1)")
	model := fs.String("model", "mlp", "mlp, or for a binary target widedeep, deepfm or dcn (recommender models over embedded categorical columns)")
	categorical := fs.String("categorical", "", "integer columns to treat as categories, comma separated (string columns are categorical anyway)")
	asJSON := trainingFlags(fs, &s, "the default: at most 200 epochs, batch 32, lr 0.003, seed 42")
	plotPath := fs.String("plot", "", "after training, write the learning curves to this PNG or SVG file")
	reportPath := fs.String("report", "", "after training, write a self-contained HTML report (summary, curves, metrics, confusion matrix) to this file")
	save := fs.String("save", "", "after training, write the model (it takes raw rows: see demo predict and demo serve) and the optimizer state to this file")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\nflags:\n", csvUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return parseStatus(err)
	}
	if err := checkSettings(s); err != nil {
		fmt.Fprintf(stderr, "demo csv: %v\n", err)
		return exitUsage
	}
	if *patience < 0 || *patience > maxEpochs {
		fmt.Fprintf(stderr, "demo csv: -patience %d: want 0 to %d\n", *patience, maxEpochs)
		return exitUsage
	}
	if !(*dropout >= 0 && *dropout < 1) {
		fmt.Fprintf(stderr, "demo csv: -dropout %g: want a rate in [0, 1)\n", *dropout)
		return exitUsage
	}
	if *file == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, csvUsage)
		return exitUsage
	}
	if t := zoo.CSVTask(*task); t != zoo.Classification && t != zoo.Regression {
		fmt.Fprintf(stderr, "demo csv: -task %q: want classification or regression\n", *task)
		return exitUsage
	}
	widths, err := parseHidden(*hidden)
	if err != nil {
		fmt.Fprintf(stderr, "demo csv: -hidden %q: %v\n", *hidden, err)
		return exitUsage
	}
	if code := checkCSVModel(ctx, *file, *target, zoo.CSVTask(*task), widths, *hidden, stderr); code != exitOK {
		return code
	}
	s.Out = stdout
	opts := []zoo.CSVOption{zoo.CSVPatience(*patience), zoo.CSVDropout(*dropout), zoo.CSVModel(*model)}
	if *categorical != "" {
		var cols []string
		for _, c := range strings.Split(*categorical, ",") {
			if c = strings.TrimSpace(c); c != "" {
				cols = append(cols, c)
			}
		}
		opts = append(opts, zoo.CSVCategorical(cols...))
	}
	heldOut := "held-out metrics on 20% of the rows"
	if *testFile != "" {
		opts = append(opts, zoo.CSVTestFile(*testFile))
		heldOut = "metrics on the rows of " + *testFile
	}
	res, err := zoo.TrainCSV(ctx, *file, *target, zoo.CSVTask(*task), widths, s, opts...)
	if err != nil {
		fmt.Fprintf(stderr, "demo csv: %s\n", errorText(ctx, err))
		return exitFailure
	}
	if err := writeReport(stdout, res, heldOut); err != nil {
		fmt.Fprintf(stderr, "demo csv: %s\n", errorText(ctx, err))
		return exitFailure
	}
	if err := writePictures(res, s, *plotPath, *reportPath); err != nil {
		fmt.Fprintf(stderr, "demo csv: %s\n", errorText(ctx, err))
		return exitFailure
	}
	if *save != "" {
		if err := saveResult(stdout, res, *save); err != nil {
			fmt.Fprintf(stderr, "demo csv: %s\n", errorText(ctx, err))
			return exitFailure
		}
	}
	if *asJSON {
		if err := writeJSON(stdout, res); err != nil {
			fmt.Fprintf(stderr, "demo csv: %s\n", errorText(ctx, err))
			return exitFailure
		}
	}
	return exitOK
}

// parseHidden parses -hidden: positive widths, comma separated, empty fields
// skipped ("" gives no hidden layer), within maxHiddenWidth and
// maxHiddenLayers, and with at most maxCSVParams weights between hidden layers.
func parseHidden(hidden string) ([]int, error) {
	widths := []int{}
	for _, f := range strings.Split(hidden, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		w, err := strconv.Atoi(f)
		if err != nil || w <= 0 {
			return nil, fmt.Errorf("%q is not a positive width", f)
		}
		if w > maxHiddenWidth {
			return nil, fmt.Errorf("width %d is above the limit of %d units per layer", w, maxHiddenWidth)
		}
		widths = append(widths, w)
		if len(widths) > maxHiddenLayers {
			return nil, fmt.Errorf("more than %d hidden layers", maxHiddenLayers)
		}
	}
	if n := mlpParams(0, widths, 0); n > maxCSVParams {
		return nil, fmt.Errorf("the hidden layers alone have %s parameters, more than the limit of %s", thousands(n), thousands(maxCSVParams))
	}
	return widths, nil
}

// mlpParams returns the number of weights and biases of a dense network of in
// inputs, the hidden widths and out outputs (no output layer for out 0).
func mlpParams(in int, hidden []int, out int) int64 {
	var n int64
	prev := int64(in)
	for _, w := range append(append([]int(nil), hidden...), out) {
		if w == 0 {
			continue
		}
		if prev > 0 {
			n += prev*int64(w) + int64(w)
		}
		prev = int64(w)
	}
	return n
}

// checkCSVModel reads the CSV file as zoo.TrainCSV does and checks what the
// flags cannot: that a classification target holds 2 to datasets.MaxClasses
// classes (datasets.CSVData.NumClasses) and that the MLP stays within
// maxCSVParams. It returns exitOK, or the exit status after a message on
// stderr.
func checkCSVModel(ctx context.Context, file, target string, task zoo.CSVTask, widths []int, hidden string, stderr io.Writer) int {
	opts := []datasets.CSVOption{datasets.CSVRawStrings()} // as TrainCSV reads it: a missing string is ""
	if target != "" {
		opts = append(opts, datasets.CSVTarget(target))
	}
	data, err := datasets.ReadCSV(file, opts...)
	if err != nil {
		fmt.Fprintf(stderr, "demo csv: %s\n", errorText(ctx, err))
		return exitFailure
	}
	outputs, kind := 1, "one output"
	if task == zoo.Classification {
		if outputs, err = data.NumClasses(); err != nil {
			hint := ""
			if data.Classes() == nil {
				hint = " (a number to predict takes -task regression)"
			}
			fmt.Fprintf(stderr, "demo csv: %s%s\n", errorText(ctx, err), hint)
			return exitFailure
		}
		kind = fmt.Sprintf("%d classes", outputs)
	}
	features := len(data.FeatureNames)
	for _, col := range data.Strings {
		features += encodedWidth(col)
	}
	if n := mlpParams(features, widths, outputs); n > maxCSVParams {
		fmt.Fprintf(stderr, "demo csv: -hidden %q on %d features and %s makes an MLP of %s parameters, more than the limit of %s\n",
			hidden, features, kind, thousands(n), thousands(maxCSVParams))
		return exitUsage
	}
	return exitOK
}

// encodedWidth bounds the features zoo.TrainCSV makes of a string column (col,
// a String tensor): one-hot rows of its distinct values and an out-of-vocabulary
// id, or above 10 of them an embedding of 8 to 16 dimensions.
func encodedWidth(col *tensor.Dense) int {
	vals, _ := col.Data().([]string)
	seen := map[string]bool{}
	for _, v := range vals {
		seen[v] = true
	}
	v := len(seen) + 1
	if v <= 10 {
		return v
	}
	return min(16, max(8, int(math.Ceil(math.Sqrt(float64(v))))))
}

// thousands writes n >= 0 with commas between groups of three digits.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
