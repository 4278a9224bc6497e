package datasets

// This file holds the per-row half of the CSV loader: parsing each record into
// the column buffers, missing values, and assembling the result.

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// row appends one data record; lineOf returns the line of field j.
func (l *csvLoader) row(rec []string, lineOf func(j int) int) error {
	if len(rec) != len(l.names) {
		return errors.Errorf("%s:%d: row has %d fields, want %d (as in the first row)",
			l.name, lineOf(0), len(rec), len(l.names))
	}
	l.xb.reserve(len(l.feats))
	for _, c := range l.feats {
		v, err := l.value(c, rec[c.index], lineOf)
		if err != nil {
			return err
		}
		l.xb.cur = append(l.xb.cur, v)
	}
	if c := l.target; c != nil {
		v, err := l.value(c, rec[c.index], lineOf)
		if err != nil {
			return err
		}
		l.yb.reserve(1)
		l.yb.cur = append(l.yb.cur, v)
	}
	l.rows++
	if l.rows == csvSampleRows && !l.sized {
		l.presize()
	}
	return nil
}

// presize grows the current chunks of xb and yb once to hold the rows that
// the rest of the input probably holds, judging by the bytes per row so far
// (plus 5%), so that the data of a large file usually end up in one chunk,
// which finish does not need to copy.
func (l *csvLoader) presize() {
	l.sized = true
	if l.hint <= 0 {
		return
	}
	off := l.r.InputOffset()
	used, left := off-l.dataStart, l.hint-off
	if used <= 0 || left <= 0 {
		return
	}
	est := float64(left)/(float64(used)/float64(l.rows))*1.05 + 16
	// A row takes at least one byte per field (a separator or the newline).
	est = min(est, float64(left)/float64(len(l.names))+1)
	more := int(est)
	l.xb.cur = slices.Grow(l.xb.cur, more*len(l.feats))
	if l.target != nil {
		l.yb.cur = slices.Grow(l.yb.cur, more)
	}
}

// value encodes field s of column c: a number, a category code or, for a
// missing value to fill, NaN.
func (l *csvLoader) value(c *csvColumn, s string, lineOf func(int) int) (float64, error) {
	if c.kind == csvNumeric {
		if v, ok := csvNumber(s); ok { // fast path: no spaces
			return v, nil
		}
	}
	t := strings.TrimSpace(s)
	if csvMissing(t) {
		return l.missing(c, t, lineOf)
	}
	switch c.kind {
	case csvNumeric:
		v, ok := csvNumber(t)
		if !ok {
			return 0, errors.Errorf("%s:%d: %s: %q is not a finite number (the column is numeric: %s)",
				l.name, lineOf(c.index), c.desc(), t, l.why(c))
		}
		return v, nil
	case csvUnknown:
		if v, ok := csvNumber(t); ok {
			c.kind, c.first, c.firstLine = csvNumeric, strings.Clone(t), lineOf(c.index)
			if c.missing > 0 && !l.cfg.fillMissing { // a raw column's earlier missing value
				return 0, l.missingError(c, c.missLine, c.missText)
			}
			return v, nil
		}
		c.kind, c.codes = csvString, make(map[string]int)
	}
	code, ok := c.codes[t]
	if !ok {
		if c.fixed {
			return 0, errors.Errorf("%s:%d: %s: category %q is not in the vocabulary (%d categories: %s)",
				l.name, lineOf(c.index), c.desc(), t, len(c.cats), csvList(c.cats))
		}
		t = strings.Clone(t) // t points into the whole record
		code = len(c.cats)
		c.codes[t] = code
		c.cats = append(c.cats, t)
	}
	return float64(code), nil
}

// why says what made column c numeric.
func (l *csvLoader) why(c *csvColumn) string {
	if c.fixed || (l.cfg.vocab != nil && !c.raw) {
		return "it is not a string column of the vocabulary"
	}
	return fmt.Sprintf("its first value, on line %d, is %q", c.firstLine, c.first)
}

// missing handles a missing value t of column c: an error for the target
// or without CSVFillMissing, otherwise NaN, filled in by finish. With
// CSVRawStrings, a feature that holds strings (or may, its kind unknown yet)
// takes NaN, which becomes "" (or the numeric column's error or fill, once
// its first value shows it numeric).
func (l *csvLoader) missing(c *csvColumn, t string, lineOf func(int) int) (float64, error) {
	if c.target {
		return 0, errors.Errorf("%s:%d: %s: missing value %q (a missing target is always an error)",
			l.name, lineOf(c.index), c.desc(), t)
	}
	if c.raw && c.kind != csvNumeric {
		if c.kind == csvUnknown && c.missing == 0 {
			c.missText, c.missLine = strings.Clone(t), lineOf(c.index)
		}
		c.missing++
		return math.NaN(), nil
	}
	if !l.cfg.fillMissing {
		return 0, l.missingError(c, lineOf(c.index), t)
	}
	c.missing++
	return math.NaN(), nil
}

// missingError is the error for the missing value t on line line of
// feature c without CSVFillMissing.
func (l *csvLoader) missingError(c *csvColumn, line int, t string) error {
	return errors.Errorf("%s:%d: %s: missing value %q (CSVFillMissing fills it with the column's mean or most frequent category)",
		l.name, line, c.desc(), t)
}

// finish fills missing values, expands one-hot columns and builds the
// result.
func (l *csvLoader) finish() (*CSVData, error) {
	l.x, l.y = l.xb.flat(), l.yb.flat()
	nf := len(l.feats)
	for k, c := range l.feats {
		if c.missing == 0 {
			continue
		}
		if c.missing == l.rows {
			return nil, errors.Errorf("%s: %s has no values: all %d are missing", l.name, c.desc(), l.rows)
		}
		if c.raw && c.kind == csvString {
			continue // missing strings become ""
		}
		fill, err := l.fillValue(c, k)
		if err != nil {
			return nil, err
		}
		for i := k; i < len(l.x); i += nf {
			if math.IsNaN(l.x[i]) {
				l.x[i] = fill
			}
		}
	}

	width, oneHot, raw := 0, false, false
	var names []string
	for _, c := range l.feats {
		if c.raw && c.kind == csvString {
			raw = true
			continue
		}
		if !c.oneHot {
			width++
			names = append(names, c.name)
			continue
		}
		oneHot = true
		width += len(c.cats)
		for _, cat := range c.cats {
			names = append(names, c.name+"="+cat)
		}
	}
	if width == 0 && !raw {
		return nil, errors.Errorf("%s: no features: the one-hot columns have no categories", l.name)
	}
	x := l.x
	var strs []*tensor.Dense
	var strNames []string
	if raw {
		x, strs, strNames = l.splitRaw(width)
	}
	if oneHot {
		x = make([]float64, l.rows*width)
		for i := 0; i < l.rows; i++ {
			src, dst, o := l.x[i*nf:(i+1)*nf], x[i*width:(i+1)*width], 0
			for k, c := range l.feats {
				if !c.oneHot {
					dst[o] = src[k]
					o++
					continue
				}
				if code := int(src[k]); code >= 0 && code < len(c.cats) {
					dst[o+code] = 1
				}
				o += len(c.cats)
			}
		}
		l.x = nil
	}
	if len(x) != l.rows*width {
		return nil, errors.Errorf("%s: internal error: %d values for %d rows of %d features", l.name, len(x), l.rows, width)
	}
	d := &CSVData{
		FeatureNames: names,
		Strings:      strs,
		StringNames:  strNames,
		Vocabulary:   l.vocabulary(),
	}
	if width > 0 {
		d.X = tensor.New(tensor.WithShape(l.rows, width), tensor.WithBacking(x))
	}
	if l.target != nil {
		if len(l.y) != l.rows {
			return nil, errors.Errorf("%s: internal error: %d targets for %d rows", l.name, len(l.y), l.rows)
		}
		d.Y = tensor.New(tensor.WithShape(l.rows, 1), tensor.WithBacking(l.y))
		d.TargetName = l.target.name
	}
	return d, nil
}

// fillValue returns the value for the missing entries of feature k (column
// c): the mean of a numeric column, the code of the most frequent category
// (the lowest code on ties) of a string column.
func (l *csvLoader) fillValue(c *csvColumn, k int) (float64, error) {
	nf := len(l.feats)
	if c.kind == csvString {
		counts := make([]int, len(c.cats))
		for i := k; i < len(l.x); i += nf {
			if v := l.x[i]; !math.IsNaN(v) {
				counts[int(v)]++
			}
		}
		best := 0
		for code, n := range counts {
			if n > counts[best] {
				best = code
			}
		}
		return float64(best), nil
	}
	// A running mean, which cannot overflow as a sum can.
	mean, n := 0.0, 0.0
	for i := k; i < len(l.x); i += nf {
		if v := l.x[i]; !math.IsNaN(v) {
			n++
			mean += v/n - mean/n
		}
	}
	if mean-mean != 0 {
		return 0, errors.Errorf("%s: %s: cannot fill missing values: the mean is %v", l.name, c.desc(), mean)
	}
	return mean, nil
}

// vocabulary returns a copy of the given vocabulary, or the one built from
// the string columns read.
func (l *csvLoader) vocabulary() *Vocabulary {
	if l.cfg.vocab != nil {
		return l.cfg.vocab.Clone()
	}
	v := &Vocabulary{Columns: map[string][]string{}, OneHot: map[string]bool{}}
	cols := l.feats
	if l.target != nil {
		cols = append(slices.Clip(cols), l.target)
	}
	for _, c := range cols {
		if c.kind != csvString || c.raw {
			continue
		}
		v.Columns[c.name] = append([]string{}, c.cats...)
		if c.oneHot {
			v.OneHot[c.name] = true
		}
	}
	return v
}
