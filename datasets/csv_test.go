package datasets

import (
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// csvFrom reads the CSV text s (named "t.csv") with opts.
func csvFrom(s string, opts ...CSVOption) (*CSVData, error) {
	return ReadCSVFrom(strings.NewReader(s), "t.csv", opts...)
}

// csvCheckShapes fails t unless d is internally consistent: X is
// (rows, len(FeatureNames)) with rows >= 1, Y is (rows, 1) or nil, no value
// is NaN or infinite, class codes are in range and the one-hot blocks hold a
// single 1.
func csvCheckShapes(t *testing.T, d *CSVData) {
	t.Helper()
	if d == nil || d.X == nil || d.Vocabulary == nil {
		t.Fatalf("incomplete result %+v", d)
	}
	xs := d.X.Shape()
	if len(xs) != 2 || xs[0] < 1 || xs[1] != len(d.FeatureNames) {
		t.Fatalf("X shape %v with %d feature names", xs, len(d.FeatureNames))
	}
	x := d.X.Float64s()
	if len(x) != xs[0]*xs[1] {
		t.Fatalf("X holds %d values, shape %v", len(x), xs)
	}
	for i, v := range x {
		if v-v != 0 {
			t.Fatalf("X[%d] = %v", i, v)
		}
	}
	if d.Y == nil {
		if d.TargetName != "" {
			t.Fatalf("no Y but target %q", d.TargetName)
		}
		return
	}
	if ys := d.Y.Shape(); len(ys) != 2 || ys[0] != xs[0] || ys[1] != 1 {
		t.Fatalf("Y shape %v, X shape %v", ys, xs)
	}
	classes := d.Classes()
	for i, v := range d.Y.Float64s() {
		if v-v != 0 {
			t.Fatalf("Y[%d] = %v", i, v)
		}
		if classes != nil && (v < 0 || int(v) >= len(classes) || v != math.Trunc(v)) {
			t.Fatalf("Y[%d] = %v, not a code of %d classes", i, v, len(classes))
		}
	}
	ds, err := d.Dataset()
	if err != nil {
		t.Fatalf("Dataset: %v", err)
	}
	if ds.Len() != xs[0] || !equalInts(ds.XShape(), []int{xs[1]}) || !equalInts(ds.YShape(), []int{1}) {
		t.Fatalf("Dataset Len %d XShape %v YShape %v, X %v", ds.Len(), ds.XShape(), ds.YShape(), xs)
	}
}

func TestReadCSVFiles(t *testing.T) {
	tests := []struct {
		file      string
		opts      []CSVOption
		wantNames []string
		wantX     []float64
		wantY     []float64
		target    string
		classes   []string
		wantErr   string
	}{
		{
			file:      "iris_head.csv",
			wantNames: []string{"sepal_length", "sepal_width", "petal_length", "petal_width"},
			wantX: []float64{5.1, 3.5, 1.4, 0.2, 4.9, 3.0, 1.4, 0.2, 7.0, 3.2, 4.7, 1.4,
				6.4, 3.2, 4.5, 1.5, 6.3, 3.3, 6.0, 2.5, 5.8, 2.7, 5.1, 1.9},
			wantY:   []float64{0, 0, 1, 1, 2, 2},
			target:  "species",
			classes: []string{"setosa", "versicolor", "virginica"},
		},
		{
			file:      "iris_head.csv",
			opts:      []CSVOption{CSVTarget("petal_width"), CSVFeatures("species", "sepal_length")},
			wantNames: []string{"species", "sepal_length"},
			wantX:     []float64{0, 5.1, 0, 4.9, 1, 7.0, 1, 6.4, 2, 6.3, 2, 5.8},
			wantY:     []float64{0.2, 0.2, 1.4, 1.5, 2.5, 1.9},
			target:    "petal_width",
		},
		{
			file:      "no_header.csv",
			wantNames: []string{"col0", "col1"},
			wantX:     []float64{1, 2, 2, 0.5, 3, 1, 4, -1},
			wantY:     []float64{3.5, 4, 6.25, 7},
			target:    "col2",
		},
		{
			file:      "no_header.csv",
			opts:      []CSVOption{CSVColumns("a", "b", "y"), CSVTargetIndex(0)},
			wantNames: []string{"b", "y"},
			wantX:     []float64{2, 3.5, 0.5, 4, 1, 6.25, -1, 7},
			wantY:     []float64{1, 2, 3, 4},
			target:    "a",
		},
		{
			file:    "mixed.csv",
			wantErr: `mixed.csv:3: column "weight" (index 2): missing value "NA"`,
		},
		{
			// weight: mean of 1.5, 2.5, 3, 2; size: M is the most frequent;
			// color: red is.
			file:      "mixed.csv",
			opts:      []CSVOption{CSVFillMissing(), CSVOneHot("color")},
			wantNames: []string{"color=red", "color=green", "color=blue", "size", "weight"},
			wantX: []float64{
				1, 0, 0, 0, 1.5,
				0, 1, 0, 1, 2.25,
				1, 0, 0, 1, 2.5,
				0, 0, 1, 2, 3.0,
				1, 0, 0, 1, 2.0,
			},
			wantY:   []float64{0, 1, 0, 1, 0},
			target:  "label",
			classes: []string{"yes", "no"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			d, err := ReadCSV(filepath.Join("testdata", "csv", tc.file), tc.opts...)
			checkErr(t, err, tc.wantErr)
			if err != nil {
				return
			}
			csvCheckShapes(t, d)
			if !reflect.DeepEqual(d.FeatureNames, tc.wantNames) {
				t.Errorf("FeatureNames %q, want %q", d.FeatureNames, tc.wantNames)
			}
			if got := d.X.Float64s(); !equalFloats(got, tc.wantX) {
				t.Errorf("X %v, want %v", got, tc.wantX)
			}
			if got := d.Y.Float64s(); !equalFloats(got, tc.wantY) {
				t.Errorf("Y %v, want %v", got, tc.wantY)
			}
			if d.TargetName != tc.target {
				t.Errorf("TargetName %q, want %q", d.TargetName, tc.target)
			}
			if got := d.Classes(); !reflect.DeepEqual(got, tc.classes) {
				t.Errorf("Classes %q, want %q", got, tc.classes)
			}
		})
	}
}

func TestReadCSVErrors(t *testing.T) {
	vocab := &Vocabulary{Columns: map[string][]string{"c": {"red", "blue"}}}
	tests := []struct {
		name    string
		in      string
		opts    []CSVOption
		wantErr string
	}{
		{"empty", "", nil, "datasets.ReadCSVFrom: t.csv: empty file"},
		{"blank lines", "\n\n\n", nil, "t.csv: empty file"},
		{"header only", "a,b\n", nil, "t.csv: no data rows (only the header on line 1)"},
		{"forced header only", "1,2\n", []CSVOption{CSVHeader(true)}, "t.csv: no data rows"},
		{"ragged short", "a,b\n1,2\n3\n", nil, "t.csv:3: row has 1 fields, want 2 (as in the first row)"},
		{"ragged long", "1,2\n3,4,5\n", nil, "t.csv:2: row has 3 fields, want 2"},
		{"ragged second of buffered", "a,b,c\n1,2\n", nil, "t.csv:2: row has 2 fields, want 3"},
		{"not a number", "a,b\n1,2\n3,4\nx,5\n", nil,
			`t.csv:4: column "a" (index 0): "x" is not a finite number (the column is numeric: its first value, on line 2, is "1")`},
		{"not a number after missing", "a,b\n,2\n 7 ,4\nx,5\n", []CSVOption{CSVFillMissing()},
			`t.csv:4: column "a" (index 0): "x" is not a finite number (the column is numeric: its first value, on line 3, is "7")`},
		{"infinite", "a,b\n1,2\n-Inf,3\n", nil, `t.csv:3: column "a" (index 0): "-Inf" is not a finite number`},
		{"overflow", "a,b\n1,2\n1e999,3\n", nil, `"1e999" is not a finite number`},
		{"not a number in target", "a,b\n1,2\n3,y\n", nil, `t.csv:3: target column "b" (index 1): "y" is not a finite number`},
		{"line after multi-line field", "a,b,c\n1,\"two\nlines\",3\nx,y,4\n", nil, `t.csv:4: column "a" (index 0): "x"`},
		{"missing NA", "a,b\n1,2\nNA,3\n", nil, `t.csv:3: column "a" (index 0): missing value "NA" (CSVFillMissing fills it`},
		{"missing empty", "a,b\n1,2\n,3\n", nil, `t.csv:3: column "a" (index 0): missing value ""`},
		{"missing question mark", "a,b\n1,2\n ? ,3\n", nil, `missing value "?"`},
		{"missing nan", "a,b\n1,2\nnan,3\n", nil, `missing value "nan"`},
		{"missing in string column", "a,b\nx,2\nNA,3\n", nil, `t.csv:3: column "a" (index 0): missing value "NA"`},
		{"missing target", "a,b\n1,2\n3,\n", []CSVOption{CSVFillMissing()},
			`t.csv:3: target column "b" (index 1): missing value "" (a missing target is always an error)`},
		{"all missing with fill", "a,b\n,1\nNA,2\n", []CSVOption{CSVFillMissing()}, `t.csv: column "a" (index 0) has no values: all 2 are missing`},
		{"unknown target", "a,b\n1,2\n", []CSVOption{CSVTarget("z")}, `t.csv: CSVTarget: no column "z" (columns: "a", "b")`},
		{"unknown feature", "a,b,c\n1,2,3\n", []CSVOption{CSVFeatures("a", "q")}, `CSVFeatures: no column "q" (columns: "a", "b", "c")`},
		{"unknown one-hot", "a,b\n1,2\n", []CSVOption{CSVOneHot("q")}, `CSVOneHot: no column "q"`},
		{"target index high", "a,b\n1,2\n", []CSVOption{CSVTargetIndex(2)}, "CSVTargetIndex: index 2 out of range [0, 2)"},
		{"target index negative", "a,b\n1,2\n", []CSVOption{CSVTargetIndex(-1)}, "CSVTargetIndex: index -1 out of range"},
		{"target among features", "a,b\n1,2\n", []CSVOption{CSVFeatures("a", "b")}, `CSVFeatures: column "b" is the target`},
		{"feature twice", "a,b,c\n1,2,3\n", []CSVOption{CSVFeatures("a", "a")}, `CSVFeatures: column "a" is listed twice`},
		{"no features option", "a,b\n1,2\n", []CSVOption{CSVFeatures()}, "CSVFeatures: no columns"},
		{"one-hot target", "a,b\n1,x\n", []CSVOption{CSVOneHot("b")}, `CSVOneHot: column "b" is the target`},
		{"one-hot not a feature", "a,b,c\n1,2,x\n", []CSVOption{CSVFeatures("a"), CSVOneHot("b")}, `CSVOneHot: column "b" is not a feature`},
		{"only the target", "y\n1\n2\n", nil, `no feature columns: the only column, "y", is the target`},
		{"duplicate header", "a,a,b\n1,2,3\n", nil, `t.csv: columns 0 and 1 are both named "a"`},
		{"columns count", "1,2\n", []CSVOption{CSVColumns("a")}, "CSVColumns gives 1 names for 2 columns"},
		{"columns empty name", "1,2\n", []CSVOption{CSVColumns("a", " ")}, "CSVColumns: name 1 is empty"},
		{"columns none", "1,2\n", []CSVOption{CSVColumns()}, "CSVColumns: no names"},
		{"bad comma", "1,2\n", []CSVOption{CSVComma('"')}, `CSVComma: '"' is not a valid separator`},
		{"comma zero", "1,2\n", []CSVOption{CSVComma(0)}, "CSVComma"},
		{"quote error", "a,b\n1,\"2\n", nil, "t.csv: parse error on line 2"},
		{"bare quote", "a,b\n1,2\"x\n", nil, "t.csv: parse error on line 2, column 4"},
		{"unseen category", "c,y\nred,1\ngreen,2\n", []CSVOption{CSVVocabulary(vocab)},
			`t.csv:3: column "c" (index 0): category "green" is not in the vocabulary (2 categories: "red", "blue")`},
		{"unseen class", "x,y\n1,a\n2,b\n", []CSVOption{CSVVocabulary(&Vocabulary{Columns: map[string][]string{"y": {"a"}}})},
			`t.csv:3: target column "y" (index 1): category "b" is not in the vocabulary`},
		{"string where vocabulary wants numbers", "c,y\nred,1\nred,x\n", []CSVOption{CSVVocabulary(vocab)},
			`t.csv:3: target column "y" (index 1): "x" is not a finite number (the column is numeric: it is not a string column of the vocabulary)`},
		{"vocabulary duplicate", "c,y\nred,1\n", []CSVOption{CSVVocabulary(&Vocabulary{Columns: map[string][]string{"c": {"r", "r"}}})},
			`CSVVocabulary: vocabulary column "c" lists category "r" twice (codes 0 and 1)`},
		{"vocabulary one-hot without categories", "c,y\nred,1\n", []CSVOption{CSVVocabulary(&Vocabulary{OneHot: map[string]bool{"c": true}})},
			`vocabulary marks column "c" one-hot but lists no categories`},
		{"one-hot disagrees with vocabulary", "c,y\nred,1\n", []CSVOption{CSVOneHot("c"), CSVVocabulary(vocab)},
			`CSVOneHot lists column "c", which the vocabulary does not one-hot encode`},
		{"vocabulary one-hot not listed", "c,y\nred,1\n", []CSVOption{CSVOneHot(), CSVVocabulary(&Vocabulary{
			Columns: vocab.Columns, OneHot: map[string]bool{"c": true}})},
			`the vocabulary one-hot encodes column "c", which CSVOneHot does not list`},
		{"vocabulary one-hot target", "x,c\n1,red\n", []CSVOption{CSVVocabulary(&Vocabulary{
			Columns: vocab.Columns, OneHot: map[string]bool{"c": true}})},
			`the vocabulary one-hot encodes the target column "c"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := csvFrom(tc.in, tc.opts...)
			checkErr(t, err, tc.wantErr)
			if d != nil {
				t.Errorf("a result with the error: %+v", d)
			}
		})
	}
}

func TestReadCSVOpenErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.csv")
	_, err := ReadCSV(missing)
	checkErr(t, err, "datasets.ReadCSV: open "+missing)
	_, err = ReadCSVFrom(nil, "x.csv")
	checkErr(t, err, "datasets.ReadCSVFrom: x.csv: nil reader")
	d, err := ReadCSVFrom(iotest.OneByteReader(strings.NewReader("a,b\n1,2\n3,4\n")), "slow.csv")
	if err != nil || !equalFloats(d.X.Float64s(), []float64{1, 3}) {
		t.Errorf("one byte at a time: %v", err)
	}
	_, err = ReadCSVFrom(iotest.TimeoutReader(strings.NewReader("a,b\n1,2\n")), "slow.csv")
	checkErr(t, err, "datasets.ReadCSVFrom: slow.csv: timeout")
	_, err = ReadCSVFrom(iotest.ErrReader(iotest.ErrTimeout), "bad.csv")
	checkErr(t, err, "datasets.ReadCSVFrom: bad.csv: timeout")
}

func TestReadCSVHeaderDetection(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		opts      []CSVOption
		wantNames []string
		wantRows  int
	}{
		{"text over numbers", "a,b\n1,2\n3,4\n", nil, []string{"a"}, 2},
		{"numbers", "1,2\n3,4\n", nil, []string{"col0"}, 2},
		{"one text field over a number", "x,2\n1,3\n", nil, []string{"x"}, 1},
		{"string column", "red,1\nblue,2\n", nil, []string{"col0"}, 2},
		{"missing is not text", "NA,1\n2,3\n", []CSVOption{CSVFillMissing()}, []string{"col0"}, 2},
		{"missing below text", "a,b\n,1\n2,3\n", []CSVOption{CSVFillMissing()}, []string{"a"}, 2},
		{"all text", "name,city\nann,rome\nbob,oslo\n", nil, []string{"name"}, 2},
		{"all text, no header", "ann,rome\nbob,oslo\n", []CSVOption{CSVHeader(false)}, []string{"col0"}, 2},
		{"forced header", "1,2\n3,4\n", []CSVOption{CSVHeader(true)}, []string{"1"}, 1},
		{"inf is text", "inf,b\n1,2\n", nil, []string{"inf"}, 1},
		{"names given", "1,2\n3,4\n", []CSVOption{CSVColumns("p", "q")}, []string{"p"}, 2},
		{"names replace a header", "a,b\n1,2\n", []CSVOption{CSVColumns("p", "q")}, []string{"p"}, 1},
		{"empty header name", " ,b\n1,2\n", nil, []string{"col0"}, 1},
		{"single data row", "1,2\n", nil, []string{"col0"}, 1},
		{"byte order mark", "\ufeffa,b\n1,2\n", nil, []string{"a"}, 1},
		{"spaces", "  a , b \n 1 , 2 \n", nil, []string{"a"}, 1},
		{"crlf", "a,b\r\n1,2\r\n", nil, []string{"a"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := csvFrom(tc.in, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			csvCheckShapes(t, d)
			if !reflect.DeepEqual(d.FeatureNames, tc.wantNames) {
				t.Errorf("FeatureNames %q, want %q", d.FeatureNames, tc.wantNames)
			}
			if rows := d.X.Shape()[0]; rows != tc.wantRows {
				t.Errorf("%d rows, want %d", rows, tc.wantRows)
			}
		})
	}
}
