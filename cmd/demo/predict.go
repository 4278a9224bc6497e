package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/gokeras/gokeras/datasets"
	"github.com/pkg/errors"
)

// predictCmd parses "-model FILE -csv FILE [-target COL] [-json]", predicts every
// row of the CSV file and prints one line per row.
func predictCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("predict", flag.ContinueOnError)
	fs.SetOutput(stderr)
	modelPath := fs.String("model", "", "model file (from demo run -save, or a model's Save)")
	csvPath := fs.String("csv", "", "CSV file of inputs, a header row optional")
	target := fs.String("target", "", "a column to leave out of the features (default: every column is a feature)")
	asJSON := fs.Bool("json", false, `print one JSON object per row: {"row":0,"output":[...],"class":1}`)
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: demo predict -model FILE -csv FILE [-target COL] [-json]\n"+
			"prints one line per CSV row: the output values, comma separated, and for\n"+
			"more than one output a tab and the index of the largest (the class)\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return parseStatus(err)
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "demo predict: unexpected arguments %q\n", fs.Args())
		return exitUsage
	case *modelPath == "" || *csvPath == "":
		fmt.Fprintln(stderr, "demo predict: -model and -csv are required")
		fs.Usage()
		return exitUsage
	}
	if err := predictCSV(ctx, stdout, *modelPath, *csvPath, *target, *asJSON); err != nil {
		fmt.Fprintf(stderr, "demo predict: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// predictCSV loads the model, reads the CSV file and writes the predictions.
func predictCSV(ctx context.Context, w io.Writer, modelPath, csvPath, target string, asJSON bool) error {
	sm, err := loadServingModel(modelPath)
	if err != nil {
		return err
	}
	defer sm.close()
	opt := datasets.CSVNoTarget()
	if target != "" {
		opt = datasets.CSVTarget(target)
	}
	data, err := datasets.ReadCSV(csvPath, opt)
	if err != nil {
		return err
	}
	n, cols := data.X.Shape()[0], data.X.Shape()[1]
	if cols != sm.width {
		msg := fmt.Sprintf("%s has %d feature columns (%s), the model takes %d values per row", csvPath, cols, strings.Join(data.FeatureNames, ", "), sm.width)
		if target == "" && cols == sm.width+1 {
			msg += ": leave the target out with -target COL"
		}
		return errors.New(msg)
	}
	vals, ok := data.X.Data().([]float64)
	if !ok {
		return errors.Errorf("%s: features are %v, want float64", csvPath, data.X.Dtype())
	}
	y, err := sm.predict(ctx, vals, n)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	for i, row := range outputRows(y) {
		if err := writePrediction(bw, i, row, asJSON); err != nil {
			return err
		}
	}
	return errors.Wrap(bw.Flush(), "write")
}

// predictionLine is one line of "demo predict -json".
type predictionLine struct {
	Row    int        `json:"row"`
	Output []outValue `json:"output"`
	Class  *int       `json:"class,omitempty"`
}

// writePrediction writes one row's outputs: as text, the values comma separated
// and, for more than one value, a tab and the argmax; as a JSON line otherwise.
func writePrediction(w io.Writer, i int, row []outValue, asJSON bool) error {
	var class *int
	if len(row) > 1 {
		k := argmax(row)
		class = &k
	}
	if asJSON {
		b, err := json.Marshal(predictionLine{Row: i, Output: row, Class: class})
		if err != nil {
			return errors.Wrap(err, "encode")
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return errors.Wrap(err, "write")
	}
	parts := make([]string, len(row))
	for j, v := range row {
		parts[j] = v.String()
	}
	line := strings.Join(parts, ",")
	if class != nil {
		line += fmt.Sprintf("\t%d", *class)
	}
	_, err := fmt.Fprintln(w, line)
	return errors.Wrap(err, "write")
}
