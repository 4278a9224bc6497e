package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

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
	asJSON := fs.Bool("json", false, `print one JSON object per row: {"row":0,"output":[...],"class":1,"label":"CLASS"}`+
		` ({"row":0,"outputs":{"NAME":[...]},"classes":{"NAME":1},"labels":{"NAME":"CLASS"}} for a model of several outputs;`+
		` "label" and "labels" only for classes that have names)`)
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: demo predict -model FILE -csv FILE [-target COL] [-json]\n"+
			"prints one line per CSV row: the output values, comma separated, and for\n"+
			"more than one output value a tab and the index of the largest (the class),\n"+
			"then, when the model names its classes, a tab and the class's name\n"+
			"(0.98,0.02,0\\t0\\tsetosa; a name with a tab or other unprintable character\n"+
			"is printed as a quoted Go string). One output value with two class names\n"+
			"(a binary classifier, as demo csv trains for two classes: the probability of\n"+
			"class 1) has the class 1 when the value is >= 0.5, 0 below (0.83\\t1\\tyes).\n"+
			"The feature columns are the model's inputs, flattened, in the model's input\n"+
			"order (with a header, a string input of shape (1) named like a column takes\n"+
			"that column, as demo csv saves them); float inputs take numbers, integer inputs\n"+
			"whole numbers, string inputs the text of their fields (numbers-looking text\n"+
			"included; trimmed, and \"\" for a missing value, as demo csv reads them; at most\n"+
			"4 KiB). A model of several outputs prints NAME=V1,V2,... per output and\n"+
			"NAME.class=K (and NAME.label=CLASS) per output with classes, tab separated.\nflags:\n")
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

// predictCSV loads the model, reads the CSV file and writes the predictions. The
// CSV's feature columns (every column but -target) are the inputs' values, flattened,
// in the model's input order: for a model of one input, all of them; for inputs
// "user_id" (1) and "features" (3), the first column is the id and the next three
// the features. Integer inputs take whole numbers (ids), checked as the server does;
// String inputs take text (see predictRawFile).
func predictCSV(ctx context.Context, w io.Writer, modelPath, csvPath, target string, asJSON bool) error {
	sm, err := loadServingModel(modelPath)
	if err != nil {
		return err
	}
	defer sm.close()
	return predictFile(ctx, w, sm, csvPath, target, asJSON)
}

// predictFile is predictCSV with the model loaded. A prediction that fails (a
// panic in the predictor included, recovered as an error) fails the command.
func predictFile(ctx context.Context, w io.Writer, sm *servingModel, csvPath, target string, asJSON bool) error {
	if sm.hasStrings() || sm.hasNamedIDs(csvPath) {
		return predictRawFile(ctx, w, sm, csvPath, target, asJSON)
	}
	opt := datasets.CSVNoTarget()
	if target != "" {
		opt = datasets.CSVTarget(target)
	}
	data, err := datasets.ReadCSV(csvPath, opt)
	if err != nil {
		return err
	}
	n, cols := data.X.Shape()[0], data.X.Shape()[1]
	if width := sm.width(); cols != width {
		return sm.widthError(csvPath, data.FeatureNames, target)
	}
	flat, ok := data.X.Data().([]float64)
	if !ok {
		return errors.Errorf("%s: features are %v, want float64", csvPath, data.X.Dtype())
	}
	vals, where, err := sm.csvInputs(flat, n, data.FeatureNames, data.Vocabulary, csvPath)
	if err != nil {
		return err
	}
	return sm.writePredictions(ctx, w, csvPath, vals, where, n, asJSON)
}

// widthError says that the CSV's feature columns (names) are not as many as the
// values the model takes per row.
func (s *servingModel) widthError(csvPath string, names []string, target string) error {
	cols, width := len(names), s.width()
	msg := fmt.Sprintf("%s has %d feature columns (%s), the model takes %d values per row", csvPath, cols, strings.Join(names, ", "), width)
	if len(s.ins) > 1 {
		msg += fmt.Sprintf(" (%s, in this order)", s.describeWidths())
	}
	if target == "" && cols == width+1 {
		msg += ": leave the target out with -target COL"
	}
	return errors.New(msg)
}

// writePredictions predicts the n rows of vals (every input's, in the model's
// order) and writes one line per row.
func (s *servingModel) writePredictions(ctx context.Context, w io.Writer, csvPath string, vals []inputValues, where locator, n int, asJSON bool) error {
	ys, err := s.predict(ctx, vals, where)
	if err != nil {
		var bad *badRequest
		if errors.As(err, &bad) {
			return errors.Errorf("%s: %s", csvPath, bad.msg)
		}
		return err
	}
	bw := bufio.NewWriter(w)
	if len(ys) == 1 {
		for i, row := range outputRows(ys[0]) {
			if err := writePrediction(bw, i, row, s.outs[0], asJSON); err != nil {
				return err
			}
		}
		return errors.Wrap(bw.Flush(), "write")
	}
	outs := make([][][]outValue, len(ys))
	for k, y := range ys {
		outs[k] = outputRows(y)
	}
	for i := 0; i < n; i++ {
		if err := s.writeNamedPrediction(bw, i, outs, asJSON); err != nil {
			return err
		}
	}
	return errors.Wrap(bw.Flush(), "write")
}

// describeWidths lists the values per row of every input: "user_id: 1, features: 3".
func (s *servingModel) describeWidths() string {
	parts := make([]string, len(s.ins))
	for i, in := range s.ins {
		parts[i] = fmt.Sprintf("%s: %d", in.Name, in.width)
	}
	return strings.Join(parts, ", ")
}

// maxExactID is the largest id demo predict reads from a CSV file: ReadCSV holds
// float64 values, exact for integers up to 2^53.
const maxExactID = 1 << 53

// csvInputs splits the CSV's features (n rows of s.width() values) into the
// model's inputs, in order. An integer input's columns must hold whole numbers
// within its dtype (and the range of an Embedding fed by it), not strings (which
// ReadCSV would number in order of appearance). where names a value by CSV row and
// column.
func (s *servingModel) csvInputs(flat []float64, n int, names []string, vocab *datasets.Vocabulary, csvPath string) ([]inputValues, locator, error) {
	width := s.width()
	offset := make([]int, len(s.ins))
	for i := 1; i < len(s.ins); i++ {
		offset[i] = offset[i-1] + s.ins[i-1].width
	}
	where := func(in, row, col int) string {
		return fmt.Sprintf("row %d column %s (input %q)", row, names[offset[in]+col], s.ins[in].Name)
	}
	if len(s.ins) == 1 {
		where = func(_, row, col int) string { return fmt.Sprintf("row %d column %s", row, names[col]) }
	}
	vals := make([]inputValues, len(s.ins))
	for i, in := range s.ins {
		v := inputValues{n: n}
		if !in.isInt {
			if err := checkNumberColumns(flat, n, width, offset[i], in.width, names, vocab, func(row, col int) string { return where(i, row, col) }); err != nil {
				return nil, nil, errors.Errorf("%s: %v", csvPath, err)
			}
			v.floats = make([]float64, 0, n*in.width)
			for r := 0; r < n; r++ {
				v.floats = append(v.floats, flat[r*width+offset[i]:r*width+offset[i]+in.width]...)
			}
			vals[i] = v
			continue
		}
		for c := 0; c < in.width; c++ {
			if vocab != nil {
				if _, str := vocab.Columns[names[offset[i]+c]]; str {
					return nil, nil, errors.Errorf("%s: column %s holds strings, but input %q takes integer ids (%v)", csvPath, names[offset[i]+c], in.Name, in.DType)
				}
			}
		}
		v.ints = make([]int64, 0, n*in.width)
		for r := 0; r < n; r++ {
			for c := 0; c < in.width; c++ {
				f := flat[r*width+offset[i]+c]
				if problem := csvID(f, in); problem != "" {
					return nil, nil, errors.Errorf("%s: %s: %s", csvPath, where(i, r, c), problem)
				}
				v.ints = append(v.ints, int64(f))
			}
		}
		vals[i] = v
	}
	return vals, where, nil
}

// csvID returns a problem for the value f of integer input in read from a CSV
// file, or "": f must be whole, within 2^53 (exact in float64), within the
// input's dtype and the ids its Embedding (or strict lookup) takes.
func csvID(f float64, in inputSpec) string {
	lo, hi := intRange(in.DType)
	switch {
	case f != math.Trunc(f):
		return fmt.Sprintf("%v is not an integer (the input is %v)", f, in.DType)
	case math.Abs(f) > maxExactID:
		return fmt.Sprintf("%v is beyond 2^53, the largest id demo predict reads exactly", f)
	case int64(f) < lo || int64(f) > hi:
		return fmt.Sprintf("%v is out of the range of %v [%d, %d]", f, in.DType, lo, hi)
	}
	return in.checkID(int64(f))
}

// checkNumberColumns returns an error for a float input's column that ReadCSV
// read as strings (categories coded 0, 1, ... in order of appearance, which would
// be predicted as if they were the values): it names the first row whose text is
// not a finite number ("1e999", "Inf", "abc"). The input's columns are
// names[from:from+cols]; flat holds n rows of width values.
func checkNumberColumns(flat []float64, n, width, from, cols int, names []string, vocab *datasets.Vocabulary, at func(row, col int) string) error {
	if vocab == nil {
		return nil
	}
	for c := 0; c < cols; c++ {
		cats, str := vocab.Columns[names[from+c]]
		if !str {
			continue
		}
		for r := 0; r < n; r++ {
			code, text := int(flat[r*width+from+c]), ""
			if code >= 0 && code < len(cats) {
				text = cats[code]
			}
			f, err := strconv.ParseFloat(text, 64)
			switch {
			case math.IsInf(f, 0):
				return errors.Errorf("%s: %s is not a finite number (beyond the range of float64)", at(r, c), clip(text))
			case err != nil || math.IsNaN(f):
				return errors.Errorf("%s: %q is not a finite number", at(r, c), clip(text))
			}
		}
		return errors.Errorf("column %s was read as strings, but the model takes numbers there", names[from+c])
	}
	return nil
}

// predictionLine is one line of "demo predict -json": "label" is the name of the
// class when the model names its classes.
type predictionLine struct {
	Row    int        `json:"row"`
	Output []outValue `json:"output"`
	Class  *int       `json:"class,omitempty"`
	Label  string     `json:"label,omitempty"`
}

// namedPredictionLine is one line of "demo predict -json" for a model of several
// outputs: "labels" holds the class names of the outputs whose classes have names.
type namedPredictionLine struct {
	Row     int                   `json:"row"`
	Outputs map[string][]outValue `json:"outputs"`
	Classes map[string]int        `json:"classes,omitempty"`
	Labels  map[string]string     `json:"labels,omitempty"`
}

// textLabel is a class name as demo predict's text lines print it: as it is, or
// quoted as a Go string literal ("a\tb") when it holds a tab, a line break or
// another character that is not printable, is not valid UTF-8, or starts with a
// double quote, so that a line splits on its tabs alone.
func textLabel(name string) string {
	quote := !utf8.ValidString(name) || strings.HasPrefix(name, `"`)
	for _, r := range name {
		if !unicode.IsPrint(r) {
			quote = true
			break
		}
	}
	if quote {
		return strconv.Quote(name)
	}
	return name
}

// writeNamedPrediction writes row i of a model of several outputs (outs[k][i] is
// output k's values): as text, one tab-separated field per output, NAME=V1,V2,...,
// then NAME.class=K for every output with classes (shape (k), k > 1, or a binary
// classifier: see outputSpec.class), each followed by NAME.label=CLASS when the
// output's classes have names (see textLabel); as a JSON line otherwise.
func (s *servingModel) writeNamedPrediction(w io.Writer, i int, outs [][][]outValue, asJSON bool) error {
	line := namedPredictionLine{Row: i, Outputs: map[string][]outValue{}}
	var fields, classes []string
	for k, o := range s.outs {
		row := outs[k][i]
		line.Outputs[o.Name] = row
		parts := make([]string, len(row))
		for j, v := range row {
			parts[j] = v.String()
		}
		fields = append(fields, o.Name+"="+strings.Join(parts, ","))
		if o.classes {
			if line.Classes == nil {
				line.Classes = map[string]int{}
			}
			c := o.class(row)
			line.Classes[o.Name] = c
			classes = append(classes, fmt.Sprintf("%s.class=%d", o.Name, c))
			if o.names != nil {
				if line.Labels == nil {
					line.Labels = map[string]string{}
				}
				line.Labels[o.Name] = o.label(c)
				classes = append(classes, o.Name+".label="+textLabel(o.label(c)))
			}
		}
	}
	if asJSON {
		b, err := json.Marshal(line)
		if err != nil {
			return errors.Wrap(err, "encode")
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return errors.Wrap(err, "write")
	}
	_, err := fmt.Fprintln(w, strings.Join(append(fields, classes...), "\t"))
	return errors.Wrap(err, "write")
}

// writePrediction writes row i of output o: as text, the values comma separated
// and, for more than one value or a binary classifier (one value, two class
// names), a tab and the class (the argmax; for a binary classifier 1 when the
// value is >= 0.5, see binaryClass), then a tab and the name of that class when
// o's classes have names (see textLabel); as a JSON line otherwise.
func writePrediction(w io.Writer, i int, row []outValue, o outputSpec, asJSON bool) error {
	var class *int
	var label string
	if len(row) > 1 || o.binary {
		k := o.class(row)
		class, label = &k, o.label(k)
	}
	if asJSON {
		b, err := json.Marshal(predictionLine{Row: i, Output: row, Class: class, Label: label})
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
		if o.names != nil {
			line += "\t" + textLabel(label)
		}
	}
	_, err := fmt.Fprintln(w, line)
	return errors.Wrap(err, "write")
}
