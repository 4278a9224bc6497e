package datasets

import (
	"io"
	"os"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// CSVData is a CSV file read into float64 tensors by ReadCSV or ReadCSVFrom
// (and string tensors, with CSVRawStrings).
type CSVData struct {
	// X holds the features, of shape (rows, len(FeatureNames)), float64.
	// With CSVRawStrings it holds the numeric features only, and is nil when
	// every feature holds strings.
	X *tensor.Dense
	// Y holds the target, of shape (rows, 1), float64: the number, or the
	// class code (see Classes) for a string target. Nil with CSVNoTarget.
	Y *tensor.Dense
	// FeatureNames names the columns of X, after one-hot expansion: a
	// one-hot column "color" gives "color=red", "color=green", ...
	// (nil when X is nil).
	FeatureNames []string
	// Strings holds, with CSVRawStrings, each string feature column as a
	// tensor.String tensor of shape (rows, 1) ([]string backing; a missing
	// value is ""), in the order of the features; nil without the option or
	// when no feature holds strings.
	Strings []*tensor.Dense
	// StringNames names the tensors of Strings (their column names), in the
	// same order; nil when Strings is.
	StringNames []string
	// TargetName is the name of the target column ("" with CSVNoTarget).
	TargetName string
	// Vocabulary holds the categories of every string column read (or a copy
	// of the vocabulary given with CSVVocabulary); never nil. Pass it to
	// CSVVocabulary to encode other files the same way.
	Vocabulary *Vocabulary
}

// Dataset returns the data as an in-memory Dataset (NewTensor on X and Y,
// sharing their storage): XShape [len(FeatureNames)], YShape [1]. It is an
// error when there is no target (CSVNoTarget) or no numeric feature (every
// feature read as Strings with CSVRawStrings); the Strings are not part of
// the Dataset (pass them to NewNamedTensors with X and Y instead).
func (d *CSVData) Dataset() (*Tensor, error) {
	if d != nil && d.X == nil && len(d.Strings) > 0 {
		return nil, errors.New("datasets.CSVData.Dataset: no numeric features (every feature is in Strings: use NewNamedTensors)")
	}
	if d == nil || d.X == nil {
		return nil, errors.New("datasets.CSVData.Dataset: no data")
	}
	if d.Y == nil {
		return nil, errors.New("datasets.CSVData.Dataset: no target (read with CSVNoTarget)")
	}
	t, err := NewTensor(d.X, d.Y)
	return t, errors.Wrap(err, "datasets.CSVData.Dataset")
}

// Classes returns the categories of a string target in code order (class k
// is Classes()[k]), or nil for a numeric target or no target. The slice is a
// copy.
func (d *CSVData) Classes() []string {
	if d == nil || d.TargetName == "" || d.Vocabulary == nil {
		return nil
	}
	cats, ok := d.Vocabulary.Columns[d.TargetName]
	if !ok {
		return nil
	}
	return append([]string{}, cats...)
}

// ReadCSV reads the CSV file at path into float64 features X and target Y.
// See ReadCSVFrom for the rules and CSVOption for the options; errors name
// path, the 1-based line and the column.
func ReadCSV(path string, opts ...CSVOption) (*CSVData, error) {
	const fn = "datasets.ReadCSV"
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.Wrap(err, fn)
	}
	defer f.Close()
	hint := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		hint = st.Size()
	}
	return readCSV(fn, f, path, hint, opts)
}

// ReadCSVFrom reads CSV data from r into float64 features X and target Y;
// name stands for the file in error messages.
//
// Rows are streamed (encoding/csv) and their values appended to float64
// buffers that become X and Y, so a numeric file is held in about
// rows*columns*8 bytes: with a known input size (a file, or a reader with a
// Len method such as *strings.Reader) the buffers are sized once from the
// first rows; otherwise they grow in 2 MB chunks, joined at the end (twice
// the numeric size for that moment). One-hot columns take one float64 per
// category per row; with CSVRawStrings a string column takes a float64 per
// row while reading, then a string header (16 bytes) per row and each
// distinct value once.
// Fields are trimmed of surrounding spaces; a UTF-8 byte order mark is
// skipped; blank lines are ignored. Every row must have as many fields as the
// first. A record (a row, with the line breaks of its quoted fields) longer
// than MaxCSVRecordBytes (1 MiB; see CSVMaxRecordBytes) is an error naming the
// line it follows: r is never read more than that bound plus 128 KiB past
// the start of the record in progress, so an endless input without line
// breaks fails in bounded memory.
//
// A column is numeric when its first non-missing value parses as a finite
// number (strconv.ParseFloat: "1e3" and "0x1p4" do, "Inf" and "1e999" do
// not), and is then expected to hold such numbers only; otherwise
// it holds strings (categories), coded 0, 1, ... in order of first appearance
// or one-hot encoded (CSVOneHot), or kept as text (CSVRawStrings). Missing
// values (empty, "NA", "NaN", "?") are errors unless CSVFillMissing is given
// (or, for string features, CSVRawStrings). Errors name the file, the line,
// the column and the offending value: a value that is not a number in a
// numeric column, a ragged row, a missing value, an unknown category (with
// CSVVocabulary), an unknown column in an option, an empty file, a file
// without data rows.
func ReadCSVFrom(r io.Reader, name string, opts ...CSVOption) (*CSVData, error) {
	const fn = "datasets.ReadCSVFrom"
	if r == nil {
		return nil, errors.Errorf("%s: %s: nil reader", fn, name)
	}
	return readCSV(fn, r, name, csvSizeHint(r), opts)
}

// csvSizeHint returns the number of bytes left in r when r can tell it
// cheaply, or -1.
func csvSizeHint(r io.Reader) int64 {
	switch v := r.(type) {
	case interface{ Len() int }:
		return int64(v.Len())
	case *os.File:
		st, err := v.Stat()
		if err != nil || !st.Mode().IsRegular() {
			return -1
		}
		off, err := v.Seek(0, io.SeekCurrent)
		if err != nil || off > st.Size() {
			return -1
		}
		return st.Size() - off
	}
	return -1
}

// readCSV is ReadCSV and ReadCSVFrom (fn names the caller in errors) once the
// input is open: hint is the input's size in bytes, or -1 when unknown.
func readCSV(fn string, r io.Reader, name string, hint int64, opts []CSVOption) (*CSVData, error) {
	cfg := newCSVConfig(opts)
	if cfg.err != nil {
		return nil, errors.Wrapf(cfg.err, "%s: %s", fn, name)
	}
	l := &csvLoader{cfg: cfg, name: name, hint: hint}
	d, err := l.load(r)
	if err != nil {
		return nil, errors.Wrap(err, fn)
	}
	return d, nil
}
