package datasets

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/pkg/errors"
)

// classicFiles holds the classic data sets as shipped by Debian's
// python3-sklearn package (see data/LICENSE.md for their licence and
// citation notes). It is read-only.
//
//go:embed data/iris.csv data/wine_data.csv data/breast_cancer.csv
//go:embed data/digits.csv.gz data/diabetes_data_raw.csv.gz data/diabetes_target.csv.gz
//go:embed data/descr/iris.rst data/descr/wine_data.rst data/descr/breast_cancer.rst
//go:embed data/descr/digits.rst data/descr/diabetes.rst
var classicFiles embed.FS

// ClassicSeed is the seed of the fixed 80/20 train/test split of Iris, Wine,
// BreastCancer, Digits and Diabetes.
const ClassicSeed = 42

// ClassicTestFraction is the fraction of examples in the Test part of the
// classic data sets: ceil(0.2*n) examples.
const ClassicTestFraction = 0.2

// Split is a classic data set split into a training and a test part.
//
// Train and Test are float64 Tensors: X has shape (N, len(Features)) and Y
// shape (N, 1). For classifiers Y holds the class id (0, 1, ...) as a
// float64, indexing Classes; for regression (Diabetes) it holds the target
// value and Classes is nil. Every call returns new tensors that share nothing
// with other calls.
type Split struct {
	// Train holds the training examples, in shuffled order.
	Train *Tensor
	// Test holds the test examples (ceil(0.2*n) of the n), in shuffled order.
	Test *Tensor
	// Features names the columns of X, as in scikit-learn's feature_names.
	Features []string
	// Classes names the class ids of Y (Classes[id]); nil for regression.
	Classes []string
	// Description is scikit-learn's description of the data set
	// (reStructuredText), with its source and citation requests.
	Description string
}

// Iris returns Fisher's iris data set: 150 examples of 4 features (sepal
// length, sepal width, petal length, petal width, in cm) in 3 classes of 50
// (setosa, versicolor, virginica). It is split 80/20 with ClassicSeed,
// stratified by class: 120 training and 30 test examples, 10 per class in
// the test part. X is float64 (N, 4), Y float64 (N, 1) holding class ids.
func Iris() (*Split, error) {
	s, err := loadHeaderCSV("data/iris.csv", "data/descr/iris.rst", []string{
		"sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)",
	})
	return s, errors.Wrap(err, "datasets.Iris")
}

// Wine returns the UCI wine recognition data set: 178 examples of 13
// chemical measurements of wines from three cultivators, classes class_0
// (59), class_1 (71) and class_2 (48). It is split 80/20 with ClassicSeed,
// stratified by class: 142 training and 36 test examples. X is float64
// (N, 13), unscaled, and Y float64 (N, 1) holding class ids.
func Wine() (*Split, error) {
	s, err := loadHeaderCSV("data/wine_data.csv", "data/descr/wine_data.rst", []string{
		"alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium",
		"total_phenols", "flavanoids", "nonflavanoid_phenols", "proanthocyanins",
		"color_intensity", "hue", "od280/od315_of_diluted_wines", "proline",
	})
	return s, errors.Wrap(err, "datasets.Wine")
}

// BreastCancer returns the UCI breast cancer Wisconsin (diagnostic) data
// set: 569 examples of 30 features of cell nuclei (mean, standard error and
// worst value of 10 measurements), classes malignant (212, id 0) and benign
// (357, id 1). It is split 80/20 with ClassicSeed, stratified by class: 455
// training and 114 test examples. X is float64 (N, 30), unscaled, and Y
// float64 (N, 1) holding class ids.
func BreastCancer() (*Split, error) {
	var features []string
	for _, group := range []string{"mean %s", "%s error", "worst %s"} {
		for _, f := range []string{"radius", "texture", "perimeter", "area", "smoothness",
			"compactness", "concavity", "concave points", "symmetry", "fractal dimension"} {
			features = append(features, strings.Replace(group, "%s", f, 1))
		}
	}
	s, err := loadHeaderCSV("data/breast_cancer.csv", "data/descr/breast_cancer.rst", features)
	return s, errors.Wrap(err, "datasets.BreastCancer")
}

// Digits returns the UCI optical recognition of handwritten digits data set
// (scikit-learn's load_digits): 1797 images of 8x8 pixels, flattened row by
// row into 64 features pixel_<row>_<col> holding integer counts in [0, 16]
// (not scaled; see ScaleImages), in 10 classes "0" to "9" (class id = digit).
// It is split 80/20 with ClassicSeed, stratified by class: 1437 training and
// 360 test examples. X is float64 (N, 64), Y float64 (N, 1) holding class
// ids.
func Digits() (*Split, error) {
	s, err := loadDigits()
	return s, errors.Wrap(err, "datasets.Digits")
}

// Diabetes returns the diabetes regression data set of Efron et al. (2004):
// 442 patients with 10 raw, unscaled baseline features (age in years, sex
// coded 1 or 2, body mass index, average blood pressure and six blood serum
// measurements s1..s6) and, as target, a quantitative measure of disease
// progression one year after baseline (25 to 346). Unlike scikit-learn's
// default load_diabetes(scaled=True), the features are not centred or
// scaled (use StandardScaler). It is split 80/20 with ClassicSeed (not
// stratified): 353 training and 89 test examples. X is float64 (N, 10), Y
// float64 (N, 1) holding the target; Classes is nil.
func Diabetes() (*Split, error) {
	s, err := loadDiabetes()
	return s, errors.Wrap(err, "datasets.Diabetes")
}

// loadHeaderCSV parses one of scikit-learn's embedded classification CSV
// files (see parseHeaderCSV) and splits it stratified.
func loadHeaderCSV(file, descr string, features []string) (*Split, error) {
	raw, err := classicFiles.ReadFile(file)
	if err != nil {
		return nil, errors.Wrapf(err, "reading %s", file)
	}
	x, y, classes, err := parseHeaderCSV(file, raw, len(features))
	if err != nil {
		return nil, err
	}
	return classicSplit(x, y, features, classes, descr, "")
}

// parseHeaderCSV parses raw, the content of file in scikit-learn's
// classification CSV format: a first line holding n_samples, n_features (d)
// and the class names, then n_samples rows of d features followed by the
// class id. It returns the flat features, the class ids as float64 and the
// class names; errors name file and line.
func parseHeaderCSV(file string, raw []byte, d int) (x, y []float64, classes []string, err error) {
	r := csv.NewReader(bytes.NewReader(raw))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, nil, nil, errors.Wrapf(err, "%s: reading the header", file)
	}
	if len(header) < 3 {
		return nil, nil, nil, errors.Errorf("%s: header %q has %d fields, want n_samples, n_features and class names",
			file, header, len(header))
	}
	n, errN := strconv.Atoi(strings.TrimSpace(header[0]))
	nf, errD := strconv.Atoi(strings.TrimSpace(header[1]))
	if errN != nil || errD != nil || n <= 0 || nf != d {
		return nil, nil, nil, errors.Errorf("%s: header %q, want a positive n_samples and n_features = %d", file, header[:2], d)
	}
	classes = append([]string(nil), header[2:]...)
	x = make([]float64, 0, n*d)
	y = make([]float64, 0, n)
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, nil, errors.Wrapf(err, "%s: line %d", file, line)
		}
		if len(rec) != d+1 {
			return nil, nil, nil, errors.Errorf("%s: line %d has %d fields, want %d", file, line, len(rec), d+1)
		}
		if x, err = appendFloats(x, rec[:d]); err != nil {
			return nil, nil, nil, errors.Wrapf(err, "%s: line %d", file, line)
		}
		id, err := strconv.Atoi(strings.TrimSpace(rec[d]))
		if err != nil || id < 0 || id >= len(classes) {
			return nil, nil, nil, errors.Errorf("%s: line %d has class %q, want an id in [0, %d)", file, line, rec[d], len(classes))
		}
		y = append(y, float64(id))
	}
	if len(y) != n {
		return nil, nil, nil, errors.Errorf("%s: %d rows, the header announces %d", file, len(y), n)
	}
	return x, y, classes, nil
}

// loadDigits parses digits.csv.gz: rows of 64 pixel counts and the digit.
func loadDigits() (*Split, error) {
	const file, side = "data/digits.csv.gz", 8
	rows, err := readGzipRows(file, func(s string) []string { return strings.Split(s, ",") })
	if err != nil {
		return nil, err
	}
	d := side * side
	x := make([]float64, 0, len(rows)*d)
	y := make([]float64, 0, len(rows))
	for i, rec := range rows {
		if len(rec) != d+1 {
			return nil, errors.Errorf("%s: line %d has %d fields, want %d", file, i+1, len(rec), d+1)
		}
		if x, err = appendFloats(x, rec[:d]); err != nil {
			return nil, errors.Wrapf(err, "%s: line %d", file, i+1)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rec[d]), 64)
		if err != nil || v != float64(int(v)) || v < 0 || v > 9 {
			return nil, errors.Errorf("%s: line %d has digit %q, want 0 to 9", file, i+1, rec[d])
		}
		y = append(y, v)
	}
	features := make([]string, 0, d)
	for r := 0; r < side; r++ {
		for c := 0; c < side; c++ {
			features = append(features, "pixel_"+strconv.Itoa(r)+"_"+strconv.Itoa(c))
		}
	}
	classes := []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	return classicSplit(x, y, features, classes, "data/descr/digits.rst", "")
}

// diabetesNote is appended to the diabetes description, which documents
// scikit-learn's scaled features.
const diabetesNote = `
Note (gokeras): datasets.Diabetes returns the raw features (age in years,
sex coded 1 or 2, ...), not the mean-centred, scaled ones described above
(scikit-learn's default). Use a StandardScaler fitted on the training part.
`

// loadDiabetes parses the whitespace-separated raw diabetes features and
// the target file.
func loadDiabetes() (*Split, error) {
	const dataFile, targetFile = "data/diabetes_data_raw.csv.gz", "data/diabetes_target.csv.gz"
	features := []string{"age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"}
	rows, err := readGzipRows(dataFile, strings.Fields)
	if err != nil {
		return nil, err
	}
	targets, err := readGzipRows(targetFile, strings.Fields)
	if err != nil {
		return nil, err
	}
	if len(rows) != len(targets) {
		return nil, errors.Errorf("%s has %d rows, %s has %d", dataFile, len(rows), targetFile, len(targets))
	}
	d := len(features)
	x := make([]float64, 0, len(rows)*d)
	y := make([]float64, 0, len(rows))
	for i := range rows {
		if len(rows[i]) != d {
			return nil, errors.Errorf("%s: line %d has %d fields, want %d", dataFile, i+1, len(rows[i]), d)
		}
		if len(targets[i]) != 1 {
			return nil, errors.Errorf("%s: line %d has %d fields, want 1", targetFile, i+1, len(targets[i]))
		}
		if x, err = appendFloats(x, rows[i]); err != nil {
			return nil, errors.Wrapf(err, "%s: line %d", dataFile, i+1)
		}
		if y, err = appendFloats(y, targets[i]); err != nil {
			return nil, errors.Wrapf(err, "%s: line %d", targetFile, i+1)
		}
	}
	return classicSplit(x, y, features, nil, "data/descr/diabetes.rst", diabetesNote)
}

// readGzipRows returns the non-blank lines of a gzipped embedded file, each
// split into fields by split (see gunzipRows).
func readGzipRows(file string, split func(string) []string) ([][]string, error) {
	raw, err := classicFiles.ReadFile(file)
	if err != nil {
		return nil, errors.Wrapf(err, "reading %s", file)
	}
	return gunzipRows(file, raw, split)
}

// gunzipRows decompresses raw, the content of file, and returns its
// non-blank lines, each split into fields by split. A corrupt stream or a
// file without rows is an error naming file.
func gunzipRows(file string, raw []byte, split func(string) []string) ([][]string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, errors.Wrapf(err, "%s", file)
	}
	defer zr.Close()
	var rows [][]string
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		rows = append(rows, split(line))
	}
	if err := sc.Err(); err != nil {
		return nil, errors.Wrapf(err, "%s", file)
	}
	if len(rows) == 0 {
		return nil, errors.Errorf("%s holds no rows", file)
	}
	return rows, nil
}

// appendFloats parses fields as float64 values and appends them to dst.
func appendFloats(dst []float64, fields []string) ([]float64, error) {
	for k, f := range fields {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return dst, errors.Errorf("field %d: %q is not a number", k+1, f)
		}
		dst = append(dst, v)
	}
	return dst, nil
}

// classicSplit builds the full data set from flat x (rows of len(features))
// and y, splits it 80/20 with ClassicSeed (stratified when classes is
// non-nil) and materializes both parts.
func classicSplit(x, y []float64, features, classes []string, descr, note string) (*Split, error) {
	full, err := FromFlat(x, []int{len(features)}, y, []int{1})
	if err != nil {
		return nil, err
	}
	text, err := classicFiles.ReadFile(descr)
	if err != nil {
		return nil, errors.Wrapf(err, "reading %s", descr)
	}
	var train, test Dataset
	if classes != nil {
		train, test, err = StratifiedSplit(full, ClassicTestFraction, ClassicSeed)
	} else {
		train, test, err = TrainTestSplit(full, ClassicTestFraction, ClassicSeed)
	}
	if err != nil {
		return nil, err
	}
	s := &Split{Features: features, Classes: classes, Description: string(text) + note}
	if s.Train, err = Materialize(train); err != nil {
		return nil, err
	}
	if s.Test, err = Materialize(test); err != nil {
		return nil, err
	}
	return s, nil
}
