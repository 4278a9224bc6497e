package datasets

import (
	"bufio"
	"encoding/csv"
	"math"
	"math/rand"
	"os"
	"path/filepath"

	"github.com/pkg/errors"
)

// TextSet is a labelled set of short texts for text classification: text i
// is Texts[i] and its class is Labels[i], an index into Classes (class k is
// named Classes[k]). Fortunes returns one; a TextSet can also be built by
// hand. The texts are raw strings: tokenize them (package text) to feed a
// model.
type TextSet struct {
	// Texts holds the texts, one per example.
	Texts []string
	// Labels holds the class of each text, in [0, len(Classes)).
	Labels []int
	// Classes holds the class names, in label order.
	Classes []string
}

// Len returns the number of texts.
func (s *TextSet) Len() int {
	if s == nil {
		return 0
	}
	return len(s.Texts)
}

// Counts returns the number of texts of each class, in label order
// (len(Classes) entries). Labels out of range are not counted; Check
// reports them.
func (s *TextSet) Counts() []int {
	if s == nil {
		return nil
	}
	counts := make([]int, len(s.Classes))
	for _, l := range s.Labels {
		if l >= 0 && l < len(counts) {
			counts[l]++
		}
	}
	return counts
}

// Check returns an error when s is nil or empty, when Texts and Labels
// differ in length, or when a label is out of [0, len(Classes)).
func (s *TextSet) Check() error {
	if s == nil {
		return errors.New("nil text set")
	}
	if len(s.Texts) == 0 {
		return errors.New("empty text set")
	}
	if len(s.Labels) != len(s.Texts) {
		return errors.Errorf("text set has %d texts and %d labels", len(s.Texts), len(s.Labels))
	}
	for i, l := range s.Labels {
		if l < 0 || l >= len(s.Classes) {
			return errors.Errorf("label %d of text %d is out of range [0, %d)", l, i, len(s.Classes))
		}
	}
	return nil
}

// Split is a stratified, seeded train/test split. Within each class the
// texts are shuffled with rand.New(rand.NewSource(seed)) (classes in label
// order) and round(testFraction*n) of a class of n texts go to test, but at
// least 1 and at most n-1 when n >= 2, so that such a class is in both
// parts; the one text of a class of 1 goes to train. Both parts are then
// shuffled with the same generator, so classes are mixed. The same seed
// gives the same split. Both parts share Classes' names (a copy of the
// slice) and the text strings.
//
// testFraction must lie in (0, 1), s must pass Check, and both parts must
// be non-empty; otherwise the error names the values.
func (s *TextSet) Split(testFraction float64, seed int64) (train, test *TextSet, err error) {
	if err := s.Check(); err != nil {
		return nil, nil, errors.Wrap(err, "datasets.TextSet.Split")
	}
	if !(testFraction > 0 && testFraction < 1) {
		return nil, nil, errors.Errorf("datasets.TextSet.Split: test fraction %v is not in (0, 1)", testFraction)
	}
	byClass := make([][]int, len(s.Classes))
	for i, l := range s.Labels {
		byClass[l] = append(byClass[l], i)
	}
	rng := rand.New(rand.NewSource(seed))
	var trainIdx, testIdx []int
	for _, idx := range byClass {
		n := len(idx)
		if n == 0 {
			continue
		}
		rng.Shuffle(n, func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		nTest := 0
		if n >= 2 {
			nTest = int(math.Round(testFraction * float64(n)))
			if nTest < 1 {
				nTest = 1
			}
			if nTest > n-1 {
				nTest = n - 1
			}
		}
		testIdx = append(testIdx, idx[:nTest]...)
		trainIdx = append(trainIdx, idx[nTest:]...)
	}
	if len(trainIdx) == 0 || len(testIdx) == 0 {
		return nil, nil, errors.Errorf("datasets.TextSet.Split: test fraction %v of %d texts leaves %d for training and %d for test",
			testFraction, len(s.Texts), len(trainIdx), len(testIdx))
	}
	rng.Shuffle(len(trainIdx), func(a, b int) { trainIdx[a], trainIdx[b] = trainIdx[b], trainIdx[a] })
	rng.Shuffle(len(testIdx), func(a, b int) { testIdx[a], testIdx[b] = testIdx[b], testIdx[a] })
	return s.subset(trainIdx), s.subset(testIdx), nil
}

// subset returns the texts of s at idx, with a copy of Classes.
func (s *TextSet) subset(idx []int) *TextSet {
	out := &TextSet{
		Texts:   make([]string, len(idx)),
		Labels:  make([]int, len(idx)),
		Classes: append([]string(nil), s.Classes...),
	}
	for k, i := range idx {
		out.Texts[k] = s.Texts[i]
		out.Labels[k] = s.Labels[i]
	}
	return out
}

// WriteCSV writes s to a CSV file at path: a header row (textColumn,
// labelColumn), then one row per text holding the text (quoted as needed:
// texts may hold commas, quotes and newlines) and its class name
// (Classes[label]). The file is written atomically: to a temporary file in
// the same folder, synced, then renamed over path, so a reader never sees
// a half-written file and a failure leaves no file behind. The column names
// must be non-empty and differ; s must pass Check.
func (s *TextSet) WriteCSV(path, textColumn, labelColumn string) error {
	if err := s.Check(); err != nil {
		return errors.Wrap(err, "datasets.TextSet.WriteCSV")
	}
	if textColumn == "" || labelColumn == "" || textColumn == labelColumn {
		return errors.Errorf("datasets.TextSet.WriteCSV: column names %q and %q must be non-empty and differ", textColumn, labelColumn)
	}
	if err := writeTextFileAtomic(path, func(w *bufio.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write([]string{textColumn, labelColumn}); err != nil {
			return err
		}
		for i, t := range s.Texts {
			if err := cw.Write([]string{t, s.Classes[s.Labels[i]]}); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	}); err != nil {
		return errors.Wrap(err, "datasets.TextSet.WriteCSV")
	}
	return nil
}

// writeTextFileAtomic writes path through write into a temporary file in the
// same folder, then syncs, closes and renames it over path. On any error
// the temporary file is removed.
func writeTextFileAtomic(path string, write func(*bufio.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return errors.Wrapf(err, "create temporary file for %s", path)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriter(f)
	if err = write(bw); err != nil {
		return errors.Wrapf(err, "write %s", tmp)
	}
	if err = bw.Flush(); err != nil {
		return errors.Wrapf(err, "write %s", tmp)
	}
	if err = f.Sync(); err != nil {
		return errors.Wrapf(err, "sync %s", tmp)
	}
	if err = f.Close(); err != nil {
		return errors.Wrapf(err, "close %s", tmp)
	}
	if err = os.Chmod(tmp, 0o644); err != nil {
		return errors.Wrapf(err, "chmod %s", tmp)
	}
	if err = os.Rename(tmp, path); err != nil {
		return errors.Wrapf(err, "rename %s to %s", tmp, path)
	}
	return nil
}
