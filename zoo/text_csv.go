package zoo

import (
	"encoding/csv"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/gokeras/gokeras/datasets"
	"github.com/pkg/errors"
)

// ReadTextCSV reads a CSV file of labelled texts for TrainText: a header row
// naming the columns, then one text per row. textCol and targetCol name the
// column of the texts and of the class names (any strings). A byte order mark
// is skipped. The classes are the distinct names sorted, unless classes is not
// nil: then they are classes, in that order, and a name outside them is an
// error (a test file read with the training file's classes). A text that is
// empty, not valid UTF-8 or without words (CheckText) is an error naming its
// data row (1 for the first row after the header) and its line in the file;
// so is an empty class name.
func ReadTextCSV(path, textCol, targetCol string, classes []string) (*datasets.TextSet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.Wrap(err, "read texts")
	}
	defer f.Close()
	set, err := readTextCSV(f, textCol, targetCol, classes)
	return set, errors.Wrapf(err, "read texts from %s", path)
}

// readTextCSV reads the CSV of r (see ReadTextCSV).
func readTextCSV(r io.Reader, textCol, targetCol string, classes []string) (*datasets.TextSet, error) {
	if textCol == "" || targetCol == "" || textCol == targetCol {
		return nil, errors.Errorf("the text column %q and the target column %q must be named and differ", textCol, targetCol)
	}
	cr := csv.NewReader(r)
	cr.LazyQuotes = false
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("empty file: want a header row")
	}
	if err != nil {
		return nil, err
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	ti, yi := -1, -1
	for i, h := range header {
		switch strings.TrimSpace(h) {
		case textCol:
			ti = i
		case targetCol:
			yi = i
		}
	}
	if ti < 0 || yi < 0 {
		missing := textCol
		if ti >= 0 {
			missing = targetCol
		}
		return nil, errors.Errorf("no column %q in the header (%s)", missing, strings.Join(header, ", "))
	}
	var texts, names []string
	for row := 1; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errors.Wrapf(err, "row %d", row)
		}
		line, _ := cr.FieldPos(ti)
		if err := CheckText(rec[ti]); err != nil {
			return nil, errors.Wrapf(err, "row %d (line %d), column %q", row, line, textCol)
		}
		if strings.TrimSpace(rec[yi]) == "" {
			line, _ = cr.FieldPos(yi)
			return nil, errors.Errorf("row %d (line %d): empty class in column %q", row, line, targetCol)
		}
		texts = append(texts, rec[ti])
		names = append(names, strings.TrimSpace(rec[yi]))
	}
	if len(texts) == 0 {
		return nil, errors.New("no data row after the header")
	}
	return labelTexts(texts, names, classes)
}

// labelTexts maps the class names to ids: the sorted distinct names, or the
// given classes (a name outside them being an error naming its row).
func labelTexts(texts, names, classes []string) (*datasets.TextSet, error) {
	if classes == nil {
		seen := map[string]bool{}
		for _, n := range names {
			if !seen[n] {
				seen[n] = true
				classes = append(classes, n)
			}
		}
		sort.Strings(classes)
	}
	id := make(map[string]int, len(classes))
	for k, c := range classes {
		id[c] = k
	}
	set := &datasets.TextSet{Texts: texts, Labels: make([]int, len(names)), Classes: append([]string(nil), classes...)}
	for i, n := range names {
		k, ok := id[n]
		if !ok {
			return nil, errors.Errorf("row %d: class %q is not a class of the training texts (%s)", i+1, n, strings.Join(classes, ", "))
		}
		set.Labels[i] = k
	}
	return set, nil
}
