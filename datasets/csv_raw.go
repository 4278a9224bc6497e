package datasets

// This file holds the CSVRawStrings half of the CSV loader: the options it
// conflicts with, and splitting the string features out of X.

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// checkRaw returns an error when CSVRawStrings is combined with an option
// that encodes string features: CSVOneHot naming a column (oneHot holds the
// columns it names), or a CSVVocabulary that lists a feature (feats holds
// the positions of the features).
func (l *csvLoader) checkRaw(feats []int, oneHot map[string]bool) error {
	if !l.cfg.rawStrings {
		return nil
	}
	for _, s := range l.cfg.oneHot {
		if oneHot[s] {
			return errors.Errorf("CSVOneHot lists column %q, but CSVRawStrings keeps string features as text: give one or the other", s)
		}
	}
	if v := l.cfg.vocab; v != nil {
		for _, j := range feats {
			if _, ok := v.Columns[l.names[j]]; ok {
				return errors.Errorf("CSVVocabulary lists feature column %q, but CSVRawStrings keeps string features as text "+
					"(the vocabulary of a CSVRawStrings read lists only a string target)", l.names[j])
			}
		}
	}
	return nil
}

// splitRaw moves the string features read with CSVRawStrings out of l.x (nf
// values per row, their category codes or NaN for a missing value) into
// one (rows, 1) String tensor each, and returns the other features' values
// (width per row, nil when width is 0), the tensors and their column names,
// all in feature order. Missing values become "".
func (l *csvLoader) splitRaw(width int) ([]float64, []*tensor.Dense, []string) {
	nf := len(l.feats)
	var cols []int // positions in the row of the string features
	var names []string
	for k, c := range l.feats {
		if c.raw && c.kind == csvString {
			cols = append(cols, k)
			names = append(names, c.name)
		}
	}
	strs := make([][]string, len(cols))
	for s, k := range cols {
		cats, vals := l.feats[k].cats, make([]string, l.rows)
		for i := range vals {
			if v := l.x[i*nf+k]; !math.IsNaN(v) {
				vals[i] = cats[int(v)]
			}
		}
		strs[s] = vals
	}
	var x []float64
	if width > 0 {
		x = make([]float64, 0, l.rows*width)
		for i := 0; i < l.rows; i++ {
			for k, c := range l.feats {
				if !(c.raw && c.kind == csvString) {
					x = append(x, l.x[i*nf+k])
				}
			}
		}
	}
	l.x = nil
	out := make([]*tensor.Dense, len(strs))
	for s, vals := range strs {
		out[s] = tensor.New(tensor.WithShape(l.rows, 1), tensor.WithBacking(vals))
	}
	return x, out, names
}
