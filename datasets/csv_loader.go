package datasets

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/pkg/errors"
)

// csvKind is the type of a column, decided by its first non-missing value
// (or up front by CSVOneHot and CSVVocabulary).
type csvKind int

const (
	csvUnknown csvKind = iota // no value seen yet
	csvNumeric
	csvString
)

// csvSampleRows is the number of data rows after which the loader estimates
// the total from the input size and grows its buffers once.
const csvSampleRows = 256

// csvChunk is the number of values in one chunk of a csvBuffer (2 MB).
const csvChunk = 1 << 18

// csvListMax is the most names an error message lists.
const csvListMax = 20

// csvColumn is the running state of one column that is read: a feature or
// the target.
type csvColumn struct {
	index     int // position in the record
	name      string
	target    bool
	kind      csvKind
	oneHot    bool
	fixed     bool           // categories come from a given vocabulary
	codes     map[string]int // category -> code
	cats      []string       // categories in code order
	missing   int            // missing values filled in
	first     string         // first value of a numeric column
	firstLine int
	raw       bool   // a feature read with CSVRawStrings: kept as text if it holds strings
	missText  string // the first missing value of a raw column of unknown kind
	missLine  int    // and its line
}

// desc names the column in error messages.
func (c *csvColumn) desc() string {
	if c.target {
		return fmt.Sprintf("target column %q (index %d)", c.name, c.index)
	}
	return fmt.Sprintf("column %q (index %d)", c.name, c.index)
}

// csvBuffer is a growing list of float64 values. It grows by appending to
// its current chunk until that holds csvChunk values, then starts a new
// chunk, so that growing never copies more than a chunk: the memory it takes
// stays close to 8 bytes per value, where a single growing slice would need
// 2.25 times that while it is copied.
type csvBuffer struct {
	full [][]float64 // full chunks
	cur  []float64   // the chunk being filled
}

// reserve makes room for k more values in cur without a copy of a full
// chunk.
func (b *csvBuffer) reserve(k int) {
	if cap(b.cur)-len(b.cur) < k && len(b.cur) >= csvChunk {
		b.full = append(b.full, b.cur)
		b.cur = make([]float64, 0, max(csvChunk, k))
	}
}

// flat returns all values as one slice (cur itself when there is a single
// chunk) and empties b.
func (b *csvBuffer) flat() []float64 {
	if len(b.full) == 0 {
		out := b.cur[:len(b.cur):len(b.cur)]
		b.cur = nil
		return out
	}
	n := len(b.cur)
	for _, c := range b.full {
		n += len(c)
	}
	out := make([]float64, 0, n)
	for i, c := range b.full {
		out = append(out, c...)
		b.full[i] = nil // let the collector take it
	}
	out = append(out, b.cur...)
	b.full, b.cur = nil, nil
	return out
}

// csvLoader reads one CSV input row by row into flat buffers: xb holds one
// value per feature column per row (a number, a category code, or NaN for a
// missing value to fill), yb one value per row. finish turns them into x
// and y.
type csvLoader struct {
	cfg       *csvConfig
	name      string
	hint      int64 // input size in bytes, or -1
	r         *csv.Reader
	lim       *csvLimitReader
	skipped   int64 // bytes before the CSV reader's offset 0 (a byte order mark)
	lastLine  int   // the last line of the last record read
	names     []string
	feats     []*csvColumn
	target    *csvColumn
	xb, yb    csvBuffer
	x, y      []float64
	rows      int
	dataStart int64 // input offset of the first data row
	sized     bool  // buffers grown from the size estimate
}

// csvBOM is the UTF-8 byte order mark, skipped at the start of the input.
const csvBOM = "\ufeff"

// load reads all of in and returns the encoded data.
func (l *csvLoader) load(in io.Reader) (*CSVData, error) {
	l.lim = &csvLimitReader{r: in, limit: l.cfg.maxRecord}
	br := bufio.NewReaderSize(l.lim, csvReadAhead)
	if b, err := br.Peek(len(csvBOM)); err == nil && string(b) == csvBOM {
		if _, err := br.Discard(len(csvBOM)); err != nil {
			return nil, errors.Wrap(err, l.name)
		}
		l.skipped = int64(len(csvBOM))
	}
	l.r = csv.NewReader(br)
	l.r.Comma = l.cfg.comma
	l.r.FieldsPerRecord = -1 // ragged rows are reported by row, with both counts
	l.r.ReuseRecord = true

	first, firstLines, err := l.readBuffered()
	if err == io.EOF {
		return nil, errors.Errorf("%s: empty file", l.name)
	}
	if err != nil {
		return nil, l.readError(err)
	}
	afterFirst := l.r.InputOffset()
	second, secondLines, err := l.readBuffered()
	if err != nil && err != io.EOF {
		return nil, l.readError(err)
	}
	header := l.cfg.header == csvHeaderYes
	if l.cfg.header == csvHeaderDetect {
		header = csvDetectHeader(first, second)
	}
	if err := l.setup(first, header); err != nil {
		return nil, errors.Wrap(err, l.name)
	}
	if header {
		l.dataStart = afterFirst
	} else if err := l.row(first, func(j int) int { return firstLines[j] }); err != nil {
		return nil, err
	}
	if second != nil {
		if err := l.row(second, func(j int) int { return secondLines[j] }); err != nil {
			return nil, err
		}
	}
	lineOf := func(j int) int {
		line, _ := l.r.FieldPos(j)
		return line
	}
	for {
		rec, err := l.read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, l.readError(err)
		}
		if err := l.row(rec, lineOf); err != nil {
			return nil, err
		}
	}
	if l.rows == 0 {
		return nil, errors.Errorf("%s: no data rows (only the header on line %d)", l.name, firstLines[0])
	}
	return l.finish()
}

// read reads the next record and checks its length against the bound on
// records: the limit reader stops a record that is far too long before it is
// buffered, and this check catches one that is only a little too long.
func (l *csvLoader) read() ([]string, error) {
	rec, err := l.r.Read()
	if err != nil {
		return nil, err
	}
	end := l.skipped + l.r.InputOffset()
	if end-l.lim.start > l.lim.limit {
		return nil, errCSVRecordTooLong
	}
	l.lim.start = end
	if len(rec) > 0 {
		l.lastLine, _ = l.r.FieldPos(len(rec) - 1)
	}
	return rec, nil
}

// readError describes an error from reading a record.
func (l *csvLoader) readError(err error) error {
	if errors.Is(err, errCSVRecordTooLong) {
		where := "the first record"
		if l.lastLine > 0 {
			where = fmt.Sprintf("the record after line %d", l.lastLine)
		}
		return errors.Errorf("%s: %s is longer than %d bytes (CSVMaxRecordBytes; is this a CSV file?)",
			l.name, where, l.lim.limit)
	}
	return errors.Wrap(err, l.name)
}

// readBuffered reads one record and returns a copy of it with the line of
// each field.
func (l *csvLoader) readBuffered() ([]string, []int, error) {
	rec, err := l.read()
	if err != nil {
		return nil, nil, err
	}
	lines := make([]int, len(rec))
	for j := range rec {
		lines[j], _ = l.r.FieldPos(j)
	}
	return append([]string(nil), rec...), lines, nil
}

// csvDetectHeader reports whether first looks like a header: one of its
// fields is text while the same field of second is a number, or all of its
// fields are text. second is nil when there is no second row.
func csvDetectHeader(first, second []string) bool {
	allText := true
	for j, s := range first {
		if csvClassify(s) != csvText {
			allText = false
			continue
		}
		if j < len(second) && csvClassify(second[j]) == csvIsNumber {
			return true
		}
	}
	return allText
}

// Classes of a field for header detection.
const (
	csvText = iota
	csvIsNumber
	csvIsMissing
)

// csvClassify returns csvIsMissing, csvIsNumber or csvText for the field s.
func csvClassify(s string) int {
	t := strings.TrimSpace(s)
	if csvMissing(t) {
		return csvIsMissing
	}
	if _, ok := csvNumber(t); ok {
		return csvIsNumber
	}
	return csvText
}

// csvMissing reports whether the trimmed field t is a missing value: empty,
// "?", "NA" or "NaN" (any case).
func csvMissing(t string) bool {
	return t == "" || t == "?" || strings.EqualFold(t, "NA") || strings.EqualFold(t, "NaN")
}

// csvNumber parses the trimmed field t as a finite float64.
func csvNumber(t string) (float64, bool) {
	v, err := strconv.ParseFloat(t, 64)
	return v, err == nil && v-v == 0 // v-v is NaN for Inf and NaN
}

// setup names the columns from the first record (header or not) and
// resolves the options into the feature and target columns.
func (l *csvLoader) setup(first []string, header bool) error {
	n := len(first)
	l.names = make([]string, n)
	switch {
	case l.cfg.columnsSet:
		if len(l.cfg.columns) != n {
			return errors.Errorf("CSVColumns gives %d names for %d columns", len(l.cfg.columns), n)
		}
		for j, s := range l.cfg.columns {
			if l.names[j] = strings.TrimSpace(s); l.names[j] == "" {
				return errors.Errorf("CSVColumns: name %d is empty", j)
			}
		}
	case header:
		for j, s := range first {
			if l.names[j] = strings.TrimSpace(s); l.names[j] == "" {
				l.names[j] = fmt.Sprintf("col%d", j)
			}
		}
	default:
		for j := range l.names {
			l.names[j] = fmt.Sprintf("col%d", j)
		}
	}
	index := make(map[string]int, n)
	for j, s := range l.names {
		if i, dup := index[s]; dup {
			return errors.Errorf("columns %d and %d are both named %q", i, j, s)
		}
		index[s] = j
	}
	lookup := func(opt, s string) (int, error) {
		j, ok := index[s]
		if !ok {
			return 0, errors.Errorf("%s: no column %q (columns: %s)", opt, s, csvList(l.names))
		}
		return j, nil
	}

	target := -1
	switch l.cfg.targetMode {
	case csvTargetLast:
		target = n - 1
	case csvTargetName:
		j, err := lookup("CSVTarget", l.cfg.targetName)
		if err != nil {
			return err
		}
		target = j
	case csvTargetIndex:
		if i := l.cfg.targetIndex; i < 0 || i >= n {
			return errors.Errorf("CSVTargetIndex: index %d out of range [0, %d) (columns: %s)", i, n, csvList(l.names))
		}
		target = l.cfg.targetIndex
	}

	var feats []int
	if l.cfg.featuresSet {
		seen := make(map[int]bool, len(l.cfg.features))
		for _, s := range l.cfg.features {
			j, err := lookup("CSVFeatures", s)
			if err != nil {
				return err
			}
			if j == target {
				return errors.Errorf("CSVFeatures: column %q is the target", s)
			}
			if seen[j] {
				return errors.Errorf("CSVFeatures: column %q is listed twice", s)
			}
			seen[j] = true
			feats = append(feats, j)
		}
	} else {
		for j := 0; j < n; j++ {
			if j != target {
				feats = append(feats, j)
			}
		}
	}
	if len(feats) == 0 {
		return errors.Errorf("no feature columns: the only column, %q, is the target", l.names[target])
	}

	oneHot := make(map[string]bool, len(l.cfg.oneHot))
	for _, s := range l.cfg.oneHot {
		j, err := lookup("CSVOneHot", s)
		if err != nil {
			return err
		}
		if j == target {
			return errors.Errorf("CSVOneHot: column %q is the target, which is coded 0, 1, ... (use OneHot on Y)", s)
		}
		if !slices.Contains(feats, j) {
			return errors.Errorf("CSVOneHot: column %q is not a feature", s)
		}
		oneHot[s] = true
	}

	vocab := l.cfg.vocab
	if vocab != nil {
		if err := vocab.check(); err != nil {
			return errors.Wrap(err, "CSVVocabulary")
		}
		if l.cfg.oneHotSet {
			for s := range oneHot {
				if !vocab.OneHot[s] {
					return errors.Errorf("CSVOneHot lists column %q, which the vocabulary does not one-hot encode", s)
				}
			}
			for _, s := range csvSortedTrue(vocab.OneHot) {
				if _, in := index[s]; in && !oneHot[s] {
					return errors.Errorf("the vocabulary one-hot encodes column %q, which CSVOneHot does not list", s)
				}
			}
		}
	}

	if err := l.checkRaw(feats, oneHot); err != nil {
		return err
	}

	newColumn := func(j int, isTarget bool) (*csvColumn, error) {
		c := &csvColumn{index: j, name: l.names[j], target: isTarget, raw: l.cfg.rawStrings && !isTarget}
		switch {
		case vocab != nil:
			cats, ok := vocab.Columns[c.name]
			if !ok {
				if !c.raw { // a raw feature's kind comes from the data
					c.kind = csvNumeric
				}
				break
			}
			c.kind, c.fixed, c.oneHot, c.cats = csvString, true, vocab.OneHot[c.name], cats
			if isTarget && c.oneHot {
				return nil, errors.Errorf("CSVVocabulary: the vocabulary one-hot encodes the target column %q", c.name)
			}
			c.codes = make(map[string]int, len(cats))
			for k, cat := range cats {
				c.codes[cat] = k
			}
		case oneHot[c.name]:
			c.kind, c.oneHot, c.codes = csvString, true, make(map[string]int)
		}
		return c, nil
	}
	l.feats = make([]*csvColumn, len(feats))
	for k, j := range feats {
		c, err := newColumn(j, false)
		if err != nil {
			return err
		}
		l.feats[k] = c
	}
	if target >= 0 {
		c, err := newColumn(target, true)
		if err != nil {
			return err
		}
		l.target = c
	}
	return nil
}

// csvSortedTrue returns the keys of m whose value is true, sorted.
func csvSortedTrue(m map[string]bool) []string {
	var keys []string
	for k, v := range m {
		if v {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// csvList quotes and joins names for an error message, at most csvListMax.
func csvList(names []string) string {
	var b strings.Builder
	for i, s := range names {
		if i == csvListMax {
			fmt.Fprintf(&b, ", ... (%d in all)", len(names))
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(s))
	}
	return b.String()
}
