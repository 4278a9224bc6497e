package datasets

import (
	"fmt"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

func TestCountClasses(t *testing.T) {
	tests := []struct {
		name  string
		y     *tensor.Dense
		limit int
		want  int
		err   string
	}{
		{"float64 (N,1)", dense(tensor.Float64, []float64{0, 2, 1, 2}, 4, 1), 0, 3, ""},
		{"float32 (N)", dense(tensor.Float32, []float64{1, 4}, 2), 0, 5, ""},
		{"one class", dense(tensor.Float64, []float64{1, 1, 1}, 3, 1), 0, 0,
			"datasets.CountClasses: every one of the 3 examples is of class 1: classification needs at least two classes present"},
		{"huge id", dense(tensor.Float64, []float64{0, 1, 2e9}, 3, 1), 0, 0,
			"datasets.CountClasses: row 2: class id 2e+09 is not below 10000, the most classes allowed"},
		{"own limit", dense(tensor.Float64, []float64{0, 5}, 2), 5, 0, "row 1: class id 5 is not below 5"},
		{"at the limit", dense(tensor.Float64, []float64{0, MaxClasses - 1}, 2), 0, MaxClasses, ""},
		{"fraction", dense(tensor.Float64, []float64{0, 1.5}, 2), 0, 0, "row 1: 1.5 is not a class id (a whole number >= 0)"},
		{"negative", dense(tensor.Float64, []float64{-1, 1}, 2), 0, 0, "row 0: -1 is not a class id"},
		{"wide", dense(tensor.Float64, []float64{0, 1}, 1, 2), 0, 0, "shape (1, 2), want (N) or (N, 1)"},
		{"ints", tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{0, 1})), 0, 0, "dtype int, want float32 or float64"},
		{"nil", nil, 0, 0, "datasets.CountClasses: nil tensor"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CountClasses(tc.y, tc.limit)
			checkErr(t, err, tc.err)
			if got != tc.want {
				t.Errorf("CountClasses = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestCSVNumClasses(t *testing.T) {
	tests := []struct {
		name, csv string
		want      int
		err       string
	}{
		{"strings", "a,y\n1,cat\n2,dog\n3,cat\n", 2, ""},
		{"ids", "a,y\n1,0\n2,3\n3,1\n", 4, ""},
		{"one string class", "a,y\n1,cat\n2,cat\n", 0,
			`datasets.CSVData.NumClasses: target "y": every one of the 2 rows is of class "cat": classification needs at least two classes present`},
		{"one id", "a,y\n1,1\n2,1\n3,1\n", 0,
			`datasets.CSVData.NumClasses: target "y": every one of the 3 rows is of class 1: classification needs at least two classes present`},
		{"huge id", "a,y\n1,0\n2,1\n3,2e9\n", 0,
			`datasets.CSVData.NumClasses: target "y": data row 3: class id 2e+09 is not below 10000, the most classes allowed`},
		{"price", "a,y\n1,0\n2,19.99\n", 0, `target "y": data row 2: 19.99 is not a class id`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := csvFrom(tc.csv)
			if err != nil {
				t.Fatal(err)
			}
			got, err := d.NumClasses()
			checkErr(t, err, tc.err)
			if got != tc.want {
				t.Errorf("NumClasses = %d, want %d", got, tc.want)
			}
		})
	}
	// A vocabulary may name classes that the rows do not hold: at least two
	// must be present.
	v := &Vocabulary{Columns: map[string][]string{"y": {"cat", "dog", "eel"}}}
	d, err := csvFrom("a,y\n1,dog\n2,dog\n", CSVVocabulary(v))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.NumClasses(); err == nil || !strings.Contains(err.Error(), `every one of the 2 rows is of class "dog"`) {
		t.Errorf("one class present of three: %v", err)
	}
	if _, err := (&CSVData{}).NumClasses(); err == nil {
		t.Error("no target: no error")
	}
	// More string classes than MaxClasses.
	var b strings.Builder
	b.WriteString("a,y\n")
	for i := 0; i <= MaxClasses; i++ {
		fmt.Fprintf(&b, "1,c%d\n", i)
	}
	d, err = csvFrom(b.String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.NumClasses(); err == nil || !strings.Contains(err.Error(), `target "y": 10001 categories, more than 10000 (MaxClasses)`) {
		t.Errorf("10001 string classes: %v", err)
	}
}
