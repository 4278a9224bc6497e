package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/zoo"
	"github.com/pkg/errors"
)

// textUsage is the synopsis of demo text.
const textUsage = "usage: demo text -file F.csv -text COL -target COL [-test F] [-model cnn|lstm|transformer] [-patience N] [-epochs N] [-batch N] [-lr F] [-seed N] [-verbose N] [-json] [-save FILE]"

// textTestShare is the stratified share of -file's rows held out without -test.
const textTestShare = 0.2

// textCmd trains a text classifier on a CSV file of raw texts and class names
// (see textUsage and zoo.TrainText), reports its held-out accuracy beside a
// bag-of-words logistic regression's, and can save a model that takes raw text
// (demo predict, demo serve).
func textCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("text", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var s zoo.Settings
	file := fs.String("file", "", "the CSV file of labelled texts, with a header row (required)")
	textCol := fs.String("text", "", "the column of the texts (required; also the name of the saved model's input)")
	target := fs.String("target", "", "the column of the class names, any strings (required)")
	testFile := fs.String("test", "", "held-out texts to report test metrics on, a CSV file with the same columns (default: a stratified 20% of -file's rows)")
	model := fs.String("model", zoo.TextCNN, "cnn, lstm or transformer")
	patience := fs.Int("patience", 3, "stop when the validation loss (a stratified 10% of the training texts) has not improved for this many epochs, keeping the best epoch's weights; 0 trains every epoch")
	asJSON := trainingFlags(fs, &s, "the default: at most 20 epochs, batch 32, lr 0.001, seed 42")
	save := fs.String("save", "", "after training, write the model (it takes raw text: see demo predict and demo serve) to this file")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\nflags:\n", textUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return parseStatus(err)
	}
	if *file == "" || *textCol == "" || *target == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, textUsage)
		return exitUsage
	}
	if err := checkSettings(s); err != nil {
		fmt.Fprintf(stderr, "demo text: %v\n", err)
		return exitUsage
	}
	if *patience < 0 || *patience > maxEpochs {
		fmt.Fprintf(stderr, "demo text: -patience %d: want 0 to %d\n", *patience, maxEpochs)
		return exitUsage
	}
	switch *model {
	case zoo.TextCNN, zoo.TextLSTM, zoo.TextTransformer:
	default:
		fmt.Fprintf(stderr, "demo text: -model %q: want cnn, lstm or transformer\n", *model)
		return exitUsage
	}
	if *textCol == *target {
		fmt.Fprintf(stderr, "demo text: -text and -target both name column %q\n", *textCol)
		return exitUsage
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "demo text: %s\n", errorText(ctx, err))
		return exitFailure
	}
	train, test, heldOut, err := textSplit(*file, *testFile, *textCol, *target, s.Seed)
	if err != nil {
		return fail(err)
	}
	s.Out = stdout
	cfg := zoo.TextConfig{Model: *model, Input: *textCol, Output: textOutputName(*textCol, *target), Patience: *patience}
	if *patience == 0 {
		cfg.Patience = -1
	}
	res, err := zoo.TrainText(ctx, train, test, cfg, s)
	if err != nil {
		return fail(err)
	}
	if err := writeReport(stdout, res, ""); err != nil {
		return fail(err)
	}
	if _, err := fmt.Fprintf(stdout, "%s: accuracy %.4f (%s model), bag-of-words logistic regression %.4f\n",
		heldOut, res.Test["accuracy"], res.Model, res.Extra["bow_logreg_accuracy"]); err != nil {
		return fail(errors.Wrap(err, "write"))
	}
	if *save != "" {
		if err := saveResult(stdout, res, *save); err != nil {
			return fail(err)
		}
	}
	if *asJSON {
		if err := writeTextJSON(stdout, res); err != nil {
			return fail(err)
		}
	}
	return exitOK
}

// textSplit reads the training texts and the test texts: those of testFile
// (with the training file's classes), or a stratified, seeded 20% of file's
// rows. It also says what the test metrics are measured on.
func textSplit(file, testFile, textCol, target string, seed int64) (train, test *datasets.TextSet, heldOut string, err error) {
	all, err := zoo.ReadTextCSV(file, textCol, target, nil)
	if err != nil {
		return nil, nil, "", err
	}
	if n := len(all.Classes); n < 2 || n > datasets.MaxClasses {
		return nil, nil, "", errors.Errorf("%s: column %q holds %d distinct classes: want 2 to %d", file, target, n, datasets.MaxClasses)
	}
	if testFile != "" {
		test, err := zoo.ReadTextCSV(testFile, textCol, target, all.Classes)
		return all, test, "held-out texts of " + testFile, err
	}
	if seed == 0 {
		seed = zoo.TextDefaults().Seed
	}
	train, test, err = all.Split(textTestShare, seed)
	return train, test, "held-out 20% of the texts", err
}

// textOutputName names the model's output after the target column, unless
// that is the input's name.
func textOutputName(textCol, target string) string {
	if target == textCol {
		return target + "_class"
	}
	return target
}

// textJSON is the JSON line of "demo text -json".
type textJSON struct {
	Model    string               `json:"model"`
	Epochs   int                  `json:"epochs"`
	Seconds  jsonFloat            `json:"seconds"`
	Train    map[string]jsonFloat `json:"train"`
	Test     map[string]jsonFloat `json:"test"`
	Baseline map[string]jsonFloat `json:"baseline"`
	Extra    map[string]jsonFloat `json:"extra,omitempty"`
}

// writeTextJSON writes res as one JSON object on one line, the bag-of-words
// baseline's accuracy under "baseline".
func writeTextJSON(w io.Writer, res *zoo.Result) error {
	extra := map[string]float64{}
	for k, v := range res.Extra {
		if k != "bow_logreg_accuracy" {
			extra[k] = v
		}
	}
	line, err := json.Marshal(textJSON{
		Model:    res.Model,
		Epochs:   res.Epochs,
		Seconds:  jsonFloat(math.Round(res.Seconds*1000) / 1000),
		Train:    jsonFloats(res.Train),
		Test:     jsonFloats(res.Test),
		Baseline: jsonFloats(map[string]float64{"bow_logreg_accuracy": res.Extra["bow_logreg_accuracy"]}),
		Extra:    jsonFloats(extra),
	})
	if err != nil {
		return errors.Wrap(err, "encode the result as JSON")
	}
	_, err = fmt.Fprintf(w, "%s\n", line)
	return errors.Wrap(err, "write the JSON result")
}
