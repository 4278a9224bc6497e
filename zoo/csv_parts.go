package zoo

import (
	"math/rand"
	"sort"
	"strings"

	"github.com/gokeras/gokeras/datasets"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// csvNumericInput is the name of the model input that holds a CSV file's numeric
// columns; csvOutput the name of its output (and of the target in the data).
const (
	csvNumericInput = "numeric"
	csvOutput       = "output"
)

// readCSVParts reads the training file (and the test file, if any) with raw string
// columns, checks a classification target, and splits the rows: train and test
// indices of the training file (test empty when a test file is given).
func readCSVParts(path, target string, task CSVTask, testFile string, seed int64, categorical []string) (*csvParts, error) {
	opts := []datasets.CSVOption{datasets.CSVRawStrings()}
	if target != "" {
		opts = append(opts, datasets.CSVTarget(target))
	}
	raw, err := datasets.ReadCSV(path, opts...)
	if err != nil {
		return nil, err
	}
	data, err := newCSVTable(raw, categorical, path)
	if err != nil {
		return nil, err
	}
	p := &csvParts{data: data}
	if data.X != nil {
		p.numericName = csvNumericInput
	}
	for _, n := range append(append([]string(nil), data.StringNames...), data.IntNames...) {
		if n == csvNumericInput || n == csvOutput {
			return nil, errors.Errorf("%s: a string column is named %q, a name the model uses itself: rename it", path, n)
		}
	}
	if task == Classification {
		if p.classes, err = data.NumClasses(); err != nil {
			return nil, err
		}
		p.classNames = data.Classes()
	}
	n := rowCount(data.CSVData)
	if testFile == "" {
		var labels []float64
		if task == Classification {
			labels = data.Y.Data().([]float64)
		}
		p.trainIdx, p.testIdx = splitRows(n, labels, testFraction, seed)
		return p, nil
	}
	p.trainIdx = identityRows(n)
	testOpts := opts
	if p.classNames != nil {
		testOpts = append(testOpts, datasets.CSVVocabulary(&datasets.Vocabulary{
			Columns: map[string][]string{data.TargetName: p.classNames}}))
	}
	rawTest, err := datasets.ReadCSV(testFile, testOpts...)
	if err != nil {
		return nil, errors.Wrap(err, "test file")
	}
	if p.test, err = newCSVTable(rawTest, categorical, testFile); err != nil {
		return nil, errors.Wrap(err, "test file")
	}
	if err := sameColumns(data.CSVData, p.test.CSVData); err != nil {
		return nil, errors.Wrapf(err, "test file %s against %s", testFile, path)
	}
	if task == Classification {
		for i, v := range p.test.Y.Data().([]float64) {
			if v < 0 || int(v) >= p.classes || v != float64(int(v)) {
				return nil, errors.Errorf("test file %s: data row %d has class %v, not one of the %d classes of %s", testFile, i+1, v, p.classes, path)
			}
		}
	}
	return p, nil
}

// sameColumns checks that two files read the same way have the same numeric and
// string columns and target.
func sameColumns(a, b *datasets.CSVData) error {
	if a.TargetName != b.TargetName {
		return errors.Errorf("target %q, want %q", b.TargetName, a.TargetName)
	}
	if strings.Join(a.FeatureNames, "\x00") != strings.Join(b.FeatureNames, "\x00") ||
		strings.Join(a.StringNames, "\x00") != strings.Join(b.StringNames, "\x00") {
		return errors.Errorf("numeric columns %v and string columns %v, want %v and %v (a column of numbers in one file holds text in the other?)",
			b.FeatureNames, b.StringNames, a.FeatureNames, a.StringNames)
	}
	return nil
}

// rowCount is the number of rows of a file read by ReadCSV.
func rowCount(d *datasets.CSVData) int {
	if d.Y != nil {
		return d.Y.Shape()[0]
	}
	if d.X != nil {
		return d.X.Shape()[0]
	}
	return d.Strings[0].Shape()[0]
}

func identityRows(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// splitRows shuffles the rows 0..n-1 with seed and holds out a fraction of them:
// of every class when labels is given (stratified, at least one row of a class of
// two or more), of all rows otherwise. Both parts are sorted.
func splitRows(n int, labels []float64, fraction float64, seed int64) (keep, out []int) {
	rng := rand.New(rand.NewSource(seed))
	groups := map[float64][]int{}
	var keys []float64
	for i := 0; i < n; i++ {
		k := 0.0
		if labels != nil {
			k = labels[i]
		}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], i)
	}
	sort.Float64s(keys)
	for _, k := range keys {
		g := groups[k]
		rng.Shuffle(len(g), func(i, j int) { g[i], g[j] = g[j], g[i] })
		m := int(float64(len(g))*fraction + 0.5)
		if m == 0 && len(g) > 1 && labels != nil {
			m = 1
		}
		out = append(out, g[:m]...)
		keep = append(keep, g[m:]...)
	}
	sort.Ints(keep)
	sort.Ints(out)
	return keep, out
}

// csvRows gathers rows idx of d into named tensors: the numeric input, one input
// per string column, and the target.
func csvRows(d *csvTable, numericName string, idx []int) (*datasets.Tensors, error) {
	ins := map[string]*tensor.Dense{}
	if numericName != "" {
		ins[numericName] = gatherFloatRows(d.X, idx)
	}
	for k, s := range d.Strings {
		src := s.Data().([]string)
		dst := make([]string, len(idx))
		for j, i := range idx {
			dst[j] = src[i]
		}
		ins[d.StringNames[k]] = tensor.New(tensor.WithShape(len(idx), 1), tensor.WithBacking(dst))
	}
	for k, s := range d.Ints {
		src := s.Data().([]int64)
		dst := make([]int64, len(idx))
		for j, i := range idx {
			dst[j] = src[i]
		}
		ins[d.IntNames[k]] = tensor.New(tensor.WithShape(len(idx), 1), tensor.WithBacking(dst))
	}
	return datasets.NewNamedTensors(ins, map[string]*tensor.Dense{csvOutput: gatherFloatRows(d.Y, idx)})
}

// gatherFloatRows copies rows idx of a float64 matrix (n, k).
func gatherFloatRows(x *tensor.Dense, idx []int) *tensor.Dense {
	k := x.Shape()[1]
	src := x.Data().([]float64)
	dst := make([]float64, len(idx)*k)
	for j, i := range idx {
		copy(dst[j*k:(j+1)*k], src[i*k:(i+1)*k])
	}
	return tensor.New(tensor.WithShape(len(idx), k), tensor.WithBacking(dst))
}
