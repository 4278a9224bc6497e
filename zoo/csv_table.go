package zoo

import (
	"math"

	"github.com/gokeras/gokeras/datasets"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// csvTable is a CSV file as TrainCSV's model takes it: the numeric columns (X,
// FeatureNames), the string columns (Strings, StringNames), and the integer
// columns named categorical (-categorical), which become Int64 inputs of their own
// looked up inside the model.
type csvTable struct {
	*datasets.CSVData
	Ints     []*tensor.Dense // (rows, 1) Int64
	IntNames []string
}

// newCSVTable moves the categorical columns of d out of its numeric features.
// A categorical column must be a numeric feature column of whole numbers.
func newCSVTable(d *datasets.CSVData, categorical []string, file string) (*csvTable, error) {
	t := &csvTable{CSVData: d}
	if len(categorical) == 0 {
		return t, nil
	}
	pos := map[string]int{}
	for j, n := range d.FeatureNames {
		pos[n] = j
	}
	strs := map[string]bool{}
	for _, n := range d.StringNames {
		strs[n] = true
	}
	drop := map[int]bool{}
	rows := rowCount(d)
	for _, c := range categorical {
		j, ok := pos[c]
		if !ok {
			if strs[c] {
				continue // a string column is categorical anyway
			}
			return nil, errors.Errorf("%s: -categorical column %q is not a feature column (features: %v)", file, c, append(append([]string(nil), d.FeatureNames...), d.StringNames...))
		}
		if drop[j] {
			continue
		}
		drop[j] = true
		k := d.X.Shape()[1]
		x := d.X.Data().([]float64)
		ids := make([]int64, rows)
		for i := range ids {
			v := x[i*k+j]
			if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
				return nil, errors.Errorf("%s: data row %d column %q holds %v: a -categorical column takes whole numbers", file, i+1, c, v)
			}
			ids[i] = int64(v)
		}
		t.Ints = append(t.Ints, tensor.New(tensor.WithShape(rows, 1), tensor.WithBacking(ids)))
		t.IntNames = append(t.IntNames, c)
	}
	keep := make([]int, 0, len(d.FeatureNames))
	for j := range d.FeatureNames {
		if !drop[j] {
			keep = append(keep, j)
		}
	}
	reduced := *d
	reduced.FeatureNames = nil
	reduced.X = nil
	if len(keep) > 0 {
		k := d.X.Shape()[1]
		x := d.X.Data().([]float64)
		nx := make([]float64, 0, rows*len(keep))
		for i := 0; i < rows; i++ {
			for _, j := range keep {
				nx = append(nx, x[i*k+j])
			}
		}
		reduced.X = tensor.New(tensor.WithShape(rows, len(keep)), tensor.WithBacking(nx))
		for _, j := range keep {
			reduced.FeatureNames = append(reduced.FeatureNames, d.FeatureNames[j])
		}
	}
	t.CSVData = &reduced
	return t, nil
}
