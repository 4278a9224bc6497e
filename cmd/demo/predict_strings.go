package main

// demo predict for a model with String inputs: the CSV file is read as text, so
// that a String input gets its fields as written (numbers-looking text included),
// and the float and integer inputs parse theirs.

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/gokeras/gokeras/datasets"
	"github.com/pkg/errors"
)

// hasStrings reports whether the model has a String input.
func (s *servingModel) hasStrings() bool {
	for _, in := range s.ins {
		if in.isString {
			return true
		}
	}
	return false
}

// hasNamedIDs reports whether the model has several inputs of which an integer
// input of shape (1) is named like a column of the CSV file's header (demo csv's
// -categorical columns): such a file is read as predictRawFile reads it, so that
// the column goes to its input by name. Reading errors are left to the reader.
func (s *servingModel) hasNamedIDs(csvPath string) bool {
	if len(s.ins) < 2 {
		return false
	}
	data, err := readRawCSV(csvPath)
	if err != nil || !data.header {
		return false
	}
	for _, in := range s.ins {
		if !in.isInt || in.width != 1 {
			continue
		}
		for _, n := range data.names {
			if n == in.Name {
				return true
			}
		}
	}
	return false
}

// rawCSV is a CSV file read as text.
type rawCSV struct {
	names  []string   // the header's names (trimmed), or col0, col1, ...
	header bool       // the first row was a header
	rows   [][]string // the data rows, every one of len(names) fields
}

// csvBOM is the UTF-8 byte order mark, skipped at the start of a file.
const csvBOM = "\ufeff"

// readRawCSV reads the CSV file at path as text, with the rules of
// datasets.ReadCSV: a byte order mark is skipped, the first row is a header when
// one of its fields is text while the same field of the second row is a number,
// or when all its fields are text (so a headerless file of strings only loses
// its first row, as ReadCSV's would), every row has as many fields as the first,
// and a record takes at most datasets.MaxCSVRecordBytes.
func readRawCSV(path string) (*rawCSV, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.Wrap(err, "open")
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if b, err := br.Peek(len(csvBOM)); err == nil && string(b) == csvBOM {
		if _, err := br.Discard(len(csvBOM)); err != nil {
			return nil, errors.Wrap(err, path)
		}
	}
	r := csv.NewReader(br)
	r.FieldsPerRecord = -1 // ragged rows are reported below, with both counts
	var recs [][]string
	var last int64
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errors.Wrap(err, path)
		}
		off := r.InputOffset()
		if off-last > datasets.MaxCSVRecordBytes {
			line, _ := r.FieldPos(0)
			return nil, errors.Errorf("%s: the record on line %d is longer than %d bytes (is this a CSV file?)", path, line, datasets.MaxCSVRecordBytes)
		}
		last = off
		if len(recs) > 0 && len(rec) != len(recs[0]) {
			line, _ := r.FieldPos(0)
			return nil, errors.Errorf("%s: line %d has %d fields, the first row has %d", path, line, len(rec), len(recs[0]))
		}
		recs = append(recs, rec)
	}
	if len(recs) == 0 {
		return nil, errors.Errorf("%s: empty file", path)
	}
	var second []string
	if len(recs) > 1 {
		second = recs[1]
	}
	data := &rawCSV{header: detectHeader(recs[0], second), names: make([]string, len(recs[0]))}
	for j := range data.names {
		data.names[j] = "col" + strconv.Itoa(j)
		if data.header {
			data.names[j] = strings.TrimSpace(recs[0][j])
		}
	}
	data.rows = recs
	if data.header {
		data.rows = recs[1:]
	}
	if len(data.rows) == 0 {
		return nil, errors.Errorf("%s: no data rows (only the header)", path)
	}
	return data, nil
}

// detectHeader is datasets.ReadCSV's rule: first is a header when one of its
// fields is text while the same field of second (nil: no second row) is a
// number, or when all of its fields are text.
func detectHeader(first, second []string) bool {
	allText := true
	for j, s := range first {
		t := strings.TrimSpace(s)
		if _, num := csvNumber(t); num || csvMissing(t) {
			allText = false
			continue
		}
		if j < len(second) {
			if _, num := csvNumber(strings.TrimSpace(second[j])); num {
				return true
			}
		}
	}
	return allText
}

// csvMissing reports whether the trimmed field t is a missing value for
// datasets.ReadCSV: empty, "?", "NA" or "NaN" (any case).
func csvMissing(t string) bool {
	return t == "" || t == "?" || strings.EqualFold(t, "NA") || strings.EqualFold(t, "NaN")
}

// csvNumber parses the trimmed field t as a finite float64.
func csvNumber(t string) (float64, bool) {
	v, err := strconv.ParseFloat(t, 64)
	return v, err == nil && !math.IsInf(v, 0) && !math.IsNaN(v)
}

// csvString is the value a String input takes from a CSV field, as demo csv's
// training read it (datasets.CSVRawStrings): the text without surrounding spaces,
// "" for a missing value (empty, "NA", "NaN", "?"). Numbers-looking text stays
// text ("01" is "01").
func csvString(field string) string {
	t := strings.TrimSpace(field)
	if csvMissing(t) {
		return ""
	}
	return t
}

// predictRawFile is predictFile for a model with String inputs.
func predictRawFile(ctx context.Context, w io.Writer, sm *servingModel, csvPath, target string, asJSON bool) error {
	data, err := readRawCSV(csvPath)
	if err != nil {
		return err
	}
	vals, where, err := sm.rawInputs(data, csvPath, target)
	if err != nil {
		return err
	}
	return sm.writePredictions(ctx, w, csvPath, vals, where, len(data.rows), asJSON)
}

// rawInputs maps the feature columns of data (every column but target) to the
// model's inputs and reads their values. The columns are the inputs' values,
// flattened, in input order, with one exception: when the file has a header, a
// String or integer input of shape (1) whose name is a feature column takes that
// column (demo csv's models name their string and -categorical inputs after the
// columns, while their numeric input holds the numeric columns in file order),
// and the other columns fill the other inputs in order. A String input takes the fields as text (see
// csvString), a float input finite numbers, an integer input whole numbers (see
// csvID). where names a value by CSV row and column.
func (s *servingModel) rawInputs(data *rawCSV, csvPath, target string) ([]inputValues, locator, error) {
	var feats []int // columns of the features, in file order
	for j, name := range data.names {
		if target == "" || name != target {
			feats = append(feats, j)
		}
	}
	if target != "" && len(feats) == len(data.names) {
		return nil, nil, errors.Errorf("%s: no column %q to leave out with -target (the columns are %s)", csvPath, target, strings.Join(data.names, ", "))
	}
	if len(feats) != s.width() {
		names := make([]string, len(feats))
		for k, j := range feats {
			names[k] = data.names[j]
		}
		return nil, nil, s.widthError(csvPath, names, target)
	}
	colOf := make([][]int, len(s.ins)) // colOf[i][c]: the file column of value c of input i
	taken := map[int]bool{}
	if data.header {
		for i, in := range s.ins {
			if !(in.isString || in.isInt) || in.width != 1 {
				continue
			}
			for _, j := range feats {
				if data.names[j] == in.Name && !taken[j] {
					colOf[i], taken[j] = []int{j}, true
					break
				}
			}
		}
	}
	rest := feats[:0:0]
	for _, j := range feats {
		if !taken[j] {
			rest = append(rest, j)
		}
	}
	for i, in := range s.ins {
		if colOf[i] == nil {
			colOf[i], rest = rest[:in.width], rest[in.width:]
		}
	}
	where := func(in, row, col int) string {
		return fmt.Sprintf("row %d column %s (input %q)", row, data.names[colOf[in][col]], s.ins[in].Name)
	}
	if len(s.ins) == 1 {
		where = func(_, row, col int) string { return fmt.Sprintf("row %d column %s", row, data.names[colOf[0][col]]) }
	}
	n := len(data.rows)
	vals := make([]inputValues, len(s.ins))
	for i, in := range s.ins {
		v := inputValues{n: n}
		for r, rec := range data.rows {
			for c, j := range colOf[i] {
				field := rec[j]
				var problem string
				switch {
				case in.isString:
					str := csvString(field)
					if problem = in.checkString(str); problem == "" {
						v.strs = append(v.strs, str)
					}
				default:
					t := strings.TrimSpace(field)
					f, ok := csvNumber(t)
					switch {
					case ok && in.isInt:
						if problem = csvID(f, in); problem == "" {
							v.ints = append(v.ints, int64(f))
						}
					case ok:
						v.floats = append(v.floats, f)
					case csvMissing(t):
						problem = fmt.Sprintf("the value is missing (%q), the input takes numbers", t)
					case isInfinite(t):
						problem = fmt.Sprintf("%s is not a finite number (beyond the range of float64)", clip(t))
					case in.isInt:
						problem = fmt.Sprintf("%q: column %s holds strings, but input %q takes integer ids (%v)",
							clip(t), data.names[colOf[i][c]], in.Name, in.DType)
					default:
						problem = fmt.Sprintf("%q is not a finite number", clip(t))
					}
				}
				if problem != "" {
					return nil, nil, errors.Errorf("%s: %s: %s", csvPath, where(i, r, c), problem)
				}
			}
		}
		vals[i] = v
	}
	return vals, where, nil
}

// isInfinite reports whether t parses as an infinite float64 ("1e999", "-Inf").
func isInfinite(t string) bool {
	f, _ := strconv.ParseFloat(t, 64)
	return math.IsInf(f, 0)
}
