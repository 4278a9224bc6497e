package datasets

import (
	"unicode/utf8"

	"github.com/pkg/errors"
)

// CSVOption configures ReadCSV and ReadCSVFrom. The options are CSVHeader,
// CSVColumns, CSVTarget, CSVTargetIndex, CSVNoTarget, CSVFeatures, CSVComma,
// CSVOneHot, CSVFillMissing, CSVVocabulary, CSVRawStrings and
// CSVMaxRecordBytes; without any, the first row is a header when it looks
// like one, the comma separates fields, the last column is the target, every
// other column is a feature, string features become integer codes, a
// missing value is an error and a record may take MaxCSVRecordBytes (1 MiB).
type CSVOption interface{ applyCSV(*csvConfig) }

type csvOptionFunc func(*csvConfig)

func (f csvOptionFunc) applyCSV(c *csvConfig) { f(c) }

// csvHeaderMode says whether the first row is a header.
type csvHeaderMode int

const (
	csvHeaderDetect csvHeaderMode = iota
	csvHeaderYes
	csvHeaderNo
)

// csvTargetMode says how the target column is chosen.
type csvTargetMode int

const (
	csvTargetLast csvTargetMode = iota
	csvTargetName
	csvTargetIndex
	csvTargetNone
)

// csvConfig holds the settings of one ReadCSV call; newCSVConfig sets the
// defaults. err records the first invalid option, reported by the reader.
type csvConfig struct {
	header      csvHeaderMode
	columns     []string
	columnsSet  bool
	targetMode  csvTargetMode
	targetName  string
	targetIndex int
	features    []string
	featuresSet bool
	comma       rune
	oneHot      []string
	oneHotSet   bool
	fillMissing bool
	vocab       *Vocabulary
	rawStrings  bool
	maxRecord   int64
	err         error
}

// newCSVConfig returns the defaults (header detection, comma ',', target the
// last column, features all other columns, no one-hot, no filling, no
// vocabulary, string features coded, records up to MaxCSVRecordBytes) with
// opts applied in order.
// Nil options are skipped.
func newCSVConfig(opts []CSVOption) *csvConfig {
	c := &csvConfig{
		header:     csvHeaderDetect,
		targetMode: csvTargetLast,
		comma:      ',',
		maxRecord:  MaxCSVRecordBytes,
	}
	for _, o := range opts {
		if o != nil {
			o.applyCSV(c)
		}
	}
	return c
}

// fail records err unless an earlier option already failed.
func (c *csvConfig) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// CSVHeader says whether the first row is a header (true) or data (false).
// Default: detected. The first row is taken as a header when one of its
// fields is text (neither a number nor a missing value) while the same field
// of the second row is a number, or when every field of the first row is
// text; so a file whose every column holds strings needs CSVHeader(false)
// when it has no header.
func CSVHeader(present bool) CSVOption {
	return csvOptionFunc(func(c *csvConfig) {
		if present {
			c.header = csvHeaderYes
		} else {
			c.header = csvHeaderNo
		}
	})
}

// CSVColumns names the columns, in file order; there must be exactly one
// name per field and no name twice. Default: the header's names, or col0,
// col1, ... without a header. If the file has a header as well (given by
// CSVHeader(true) or detected), the header row is skipped and these names
// replace it.
func CSVColumns(names ...string) CSVOption {
	names = append([]string(nil), names...)
	return csvOptionFunc(func(c *csvConfig) {
		if len(names) == 0 {
			c.fail(errors.New("CSVColumns: no names"))
			return
		}
		c.columns, c.columnsSet = names, true
	})
}

// CSVTarget names the target column. Default: the last column. CSVTarget,
// CSVTargetIndex and CSVNoTarget override each other: the last one given
// counts. The target holds numbers (regression) or strings (classes, coded
// 0, 1, ... in order of first appearance); it is never one-hot encoded.
func CSVTarget(col string) CSVOption {
	return csvOptionFunc(func(c *csvConfig) {
		c.targetMode, c.targetName = csvTargetName, col
	})
}

// CSVTargetIndex chooses the target column by its 0-based position, which
// must lie in [0, number of columns). Default: the last column. See
// CSVTarget.
func CSVTargetIndex(i int) CSVOption {
	return csvOptionFunc(func(c *csvConfig) {
		c.targetMode, c.targetIndex = csvTargetIndex, i
	})
}

// CSVNoTarget reads a file without a target column, such as the inputs of a
// later prediction: every column (or those of CSVFeatures) is a feature,
// CSVData.Y is nil, TargetName is "" and CSVData.Dataset returns an error.
// Default: the last column is the target. See CSVTarget.
func CSVNoTarget() CSVOption {
	return csvOptionFunc(func(c *csvConfig) {
		c.targetMode = csvTargetNone
	})
}

// CSVFeatures chooses the feature columns by name; X holds them in the order
// given. Default: every column but the target, in file order. A name must
// not appear twice nor be the target.
func CSVFeatures(cols ...string) CSVOption {
	cols = append([]string(nil), cols...)
	return csvOptionFunc(func(c *csvConfig) {
		if len(cols) == 0 {
			c.fail(errors.New("CSVFeatures: no columns"))
			return
		}
		c.features, c.featuresSet = cols, true
	})
}

// CSVComma sets the field separator, e.g. ';' or '\t'. Default: ','. It
// must be a valid rune other than '"', '\r' and '\n'.
func CSVComma(r rune) CSVOption {
	return csvOptionFunc(func(c *csvConfig) {
		if r == 0 || r == '"' || r == '\r' || r == '\n' || r == utf8.RuneError || !utf8.ValidRune(r) {
			c.fail(errors.Errorf("CSVComma: %q is not a valid separator", r))
			return
		}
		c.comma = r
	})
}

// CSVOneHot one-hot encodes the named feature columns: a column with
// categories red, green becomes two features "color=red" and "color=green"
// (categories in order of first appearance). Their values are taken as
// strings even when they look like numbers ("1" and "1.0" are different
// categories). Default: none; other string features become one feature
// holding the integer code (0, 1, ... in order of first appearance) of their
// value. Given several times, the lists add up. The target cannot be
// one-hot encoded (use OneHot on Y).
func CSVOneHot(cols ...string) CSVOption {
	cols = append([]string(nil), cols...)
	return csvOptionFunc(func(c *csvConfig) {
		c.oneHot = append(c.oneHot, cols...)
		c.oneHotSet = true
	})
}

// CSVFillMissing fills missing feature values instead of failing: a numeric
// feature gets the mean of its column and a string feature its most frequent
// category (the first one seen on ties), both over the rows read. Missing
// values are empty fields and "NA", "NaN" (any case) and "?", surrounding
// spaces ignored. Default: off, a missing value is an error. A missing target
// is always an error, as is a feature column with no value at all. With
// CSVRawStrings a missing value of a string feature becomes "" whether or
// not CSVFillMissing is given.
func CSVFillMissing() CSVOption {
	return csvOptionFunc(func(c *csvConfig) {
		c.fillMissing = true
	})
}

// CSVVocabulary encodes string columns with v, usually the Vocabulary of the
// training data, so that test data and later predictions get the same codes
// and one-hot features: the columns of v are the string columns (their
// values taken as strings) and are one-hot exactly when v.OneHot says so;
// every other column must be numeric. A value not in v is an error naming
// it. If CSVOneHot is given too it must list the same columns as v.OneHot.
// v is not modified. Default: nil, the vocabulary is built from the data.
func CSVVocabulary(v *Vocabulary) CSVOption {
	return csvOptionFunc(func(c *csvConfig) {
		c.vocab = v
	})
}

// CSVRawStrings keeps the string feature columns as raw text, for a model
// that maps strings to ids itself (a StringLookup layer), instead of coding
// them as integers or one-hot features. Default: off.
//
// With it, CSVData.X holds the numeric features only (FeatureNames names
// them, in the order of the features: file order unless CSVFeatures gives
// another), or is nil when every feature holds strings; CSVData.Strings
// holds each string feature as a (rows, 1) tensor.String tensor, in the same
// order, and CSVData.StringNames their column names. A column holds strings
// when its first non-missing value is not a finite number (as without the
// option); a missing value (empty, "NA", "NaN" in any case, "?") of a string
// feature becomes "" whether or not CSVFillMissing is given, while a numeric
// feature keeps the usual rules. A feature whose every value is missing is
// an error. Equal strings share their memory: a string column takes 16
// bytes per row plus each distinct value once.
//
// The target is read as without the option (a string target becomes class
// codes, see CSVData.Classes), and CSVData.Vocabulary lists only the string
// target, so that CSVVocabulary with it codes the target of other files the
// same way. Combined with CSVOneHot naming a column, or with a CSVVocabulary
// that lists a feature column, it is an error naming the column: those
// options encode string features, which this one keeps as text.
func CSVRawStrings() CSVOption {
	return csvOptionFunc(func(c *csvConfig) {
		c.rawStrings = true
	})
}
