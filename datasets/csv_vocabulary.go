package datasets

import (
	"sort"

	"github.com/pkg/errors"
)

// Vocabulary records how the string columns of a CSV file were encoded, so
// that other files (test data, inputs to predict) can be encoded the same way
// with CSVVocabulary. It serializes to JSON through its exported fields.
//
// Codes are positions: the value Columns[col][k] has code k, and as a
// one-hot column it is feature "col=value" at position k of that column's
// block. ReadCSV assigns codes in order of first appearance, so the same file
// always gives the same Vocabulary. Categories that are not valid UTF-8 do
// not survive JSON (encoding/json replaces the invalid bytes).
type Vocabulary struct {
	// Columns maps each string column (features and a string target) to its
	// categories in code order. A read with CSVRawStrings lists only a
	// string target: its string features are kept as text, not coded.
	Columns map[string][]string `json:"columns"`
	// OneHot holds true for the columns that are one-hot encoded; other
	// string columns are integer codes. A missing entry means false.
	OneHot map[string]bool `json:"one_hot"`
}

// Clone returns a deep copy of v (nil for a nil v).
func (v *Vocabulary) Clone() *Vocabulary {
	if v == nil {
		return nil
	}
	c := &Vocabulary{Columns: make(map[string][]string, len(v.Columns)), OneHot: make(map[string]bool, len(v.OneHot))}
	for k, cats := range v.Columns {
		c.Columns[k] = append([]string(nil), cats...)
	}
	for k, on := range v.OneHot {
		if on {
			c.OneHot[k] = true
		}
	}
	return c
}

// check returns an error for a category listed twice in a column, a one-hot
// column with no categories entry, or an empty column name.
func (v *Vocabulary) check() error {
	names := make([]string, 0, len(v.Columns))
	for k := range v.Columns {
		names = append(names, k)
	}
	sort.Strings(names) // report the same error every time
	for _, k := range names {
		if k == "" {
			return errors.New("vocabulary has a column with an empty name")
		}
		seen := make(map[string]int, len(v.Columns[k]))
		for i, cat := range v.Columns[k] {
			if j, dup := seen[cat]; dup {
				return errors.Errorf("vocabulary column %q lists category %q twice (codes %d and %d)", k, cat, j, i)
			}
			seen[cat] = i
		}
	}
	oneHot := make([]string, 0, len(v.OneHot))
	for k, on := range v.OneHot {
		if on {
			oneHot = append(oneHot, k)
		}
	}
	sort.Strings(oneHot)
	for _, k := range oneHot {
		if _, ok := v.Columns[k]; !ok {
			return errors.Errorf("vocabulary marks column %q one-hot but lists no categories for it", k)
		}
	}
	return nil
}
