package datasets

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// csvPeople has a numeric feature, two string features (city with a
// missing value) and a string target.
const csvPeople = "age,city,color,label\n30,paris,red,yes\n41,,blue,no\n25,rome,red,yes\n"

// writeCSV writes text to name in a temporary directory and returns its
// path.
func writeCSV(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// csvStrings returns the values of d.Strings, one slice per tensor, and
// checks their shapes and dtypes.
func csvStrings(t *testing.T, d *CSVData) [][]string {
	t.Helper()
	var out [][]string
	for i, s := range d.Strings {
		if s.Dtype() != tensor.String || !equalInts(s.Shape(), []int{csvRows(d), 1}) {
			t.Errorf("Strings[%d] has dtype %v and shape %v, want string (%d, 1)", i, s.Dtype(), s.Shape(), csvRows(d))
		}
		out = append(out, s.Strings())
	}
	return out
}

// csvRows returns the number of rows of d (from Y, X or Strings).
func csvRows(d *CSVData) int {
	switch {
	case d.Y != nil:
		return d.Y.Shape()[0]
	case d.X != nil:
		return d.X.Shape()[0]
	case len(d.Strings) > 0:
		return d.Strings[0].Shape()[0]
	}
	return 0
}

func TestReadCSVRawStrings(t *testing.T) {
	trainVocab := &Vocabulary{Columns: map[string][]string{"label": {"no", "yes"}}}
	tests := []struct {
		name        string
		text        string
		opts        []CSVOption
		wantX       []float64 // nil: X must be nil
		wantNames   []string
		wantStrs    [][]string
		wantStrName []string
		wantY       []float64 // nil: Y must be nil
		wantClasses []string
		wantVocab   []string // the columns of the Vocabulary
		wantErr     string
	}{
		{name: "raw", text: csvPeople, opts: []CSVOption{CSVRawStrings()},
			wantX: []float64{30, 41, 25}, wantNames: []string{"age"},
			wantStrs:    [][]string{{"paris", "", "rome"}, {"red", "blue", "red"}},
			wantStrName: []string{"city", "color"},
			wantY:       []float64{0, 1, 0}, wantClasses: []string{"yes", "no"}, wantVocab: []string{"label"}},
		{name: "raw with CSVFillMissing keeps the missing string empty", text: csvPeople, opts: []CSVOption{CSVRawStrings(), CSVFillMissing()},
			wantX: []float64{30, 41, 25}, wantNames: []string{"age"},
			wantStrs:    [][]string{{"paris", "", "rome"}, {"red", "blue", "red"}},
			wantStrName: []string{"city", "color"},
			wantY:       []float64{0, 1, 0}, wantClasses: []string{"yes", "no"}, wantVocab: []string{"label"}},
		{name: "codes without the option", text: csvPeople, opts: []CSVOption{CSVFillMissing()},
			wantX: []float64{30, 0, 0, 41, 0, 1, 25, 1, 0}, wantNames: []string{"age", "city", "color"},
			wantY: []float64{0, 1, 0}, wantClasses: []string{"yes", "no"}, wantVocab: []string{"city", "color", "label"}},
		{name: "missing string without the option", text: csvPeople,
			wantErr: `people.csv:3: column "city" (index 1): missing value ""`},
		{name: "missing values before the first string", text: "a,s,y\n1,NA,2\n2,?,3\n3,x,4\n", opts: []CSVOption{CSVRawStrings()},
			wantX: []float64{1, 2, 3}, wantNames: []string{"a"}, wantStrs: [][]string{{"", "", "x"}}, wantStrName: []string{"s"},
			wantY: []float64{2, 3, 4}, wantVocab: []string{}},
		{name: "missing number before the first number", text: "a,s,y\n,u,2\n2,v,3\n", opts: []CSVOption{CSVRawStrings()},
			wantErr: `people.csv:2: column "a" (index 0): missing value "" (CSVFillMissing`},
		{name: "missing number filled", text: "a,s,y\n,u,2\n2,v,3\n4,u,1\n", opts: []CSVOption{CSVRawStrings(), CSVFillMissing()},
			wantX: []float64{3, 2, 4}, wantNames: []string{"a"}, wantStrs: [][]string{{"u", "v", "u"}}, wantStrName: []string{"s"},
			wantY: []float64{2, 3, 1}, wantVocab: []string{}},
		{name: "a string in a numeric column", text: "a,s,y\n1,u,2\nx,v,3\n", opts: []CSVOption{CSVRawStrings()},
			wantErr: `people.csv:3: column "a" (index 0): "x" is not a finite number (the column is numeric: its first value, on line 2, is "1")`},
		{name: "every value missing", text: "a,s,y\n1,,2\n2,NA,3\n", opts: []CSVOption{CSVRawStrings()},
			wantErr: `column "s" (index 1) has no values: all 2 are missing`},
		{name: "only strings", text: "s,t,y\nu,v,1\nw,v,0\n", opts: []CSVOption{CSVRawStrings()},
			wantStrs: [][]string{{"u", "w"}, {"v", "v"}}, wantStrName: []string{"s", "t"},
			wantY: []float64{1, 0}, wantVocab: []string{}},
		{name: "CSVFeatures order and CSVNoTarget", text: csvPeople,
			opts:  []CSVOption{CSVRawStrings(), CSVNoTarget(), CSVFeatures("color", "label", "age", "city")},
			wantX: []float64{30, 41, 25}, wantNames: []string{"age"},
			wantStrs:    [][]string{{"red", "blue", "red"}, {"yes", "no", "yes"}, {"paris", "", "rome"}},
			wantStrName: []string{"color", "label", "city"}, wantVocab: []string{}},
		{name: "vocabulary of the target", text: "age,city,color,label\n1,oslo,red,yes\n", opts: []CSVOption{CSVRawStrings(), CSVVocabulary(trainVocab)},
			wantX: []float64{1}, wantNames: []string{"age"}, wantStrs: [][]string{{"oslo"}, {"red"}}, wantStrName: []string{"city", "color"},
			wantY: []float64{1}, wantClasses: []string{"no", "yes"}, wantVocab: []string{"label"}},
		{name: "vocabulary lists a feature", text: csvPeople,
			opts:    []CSVOption{CSVRawStrings(), CSVVocabulary(&Vocabulary{Columns: map[string][]string{"color": {"red"}}})},
			wantErr: `people.csv: CSVVocabulary lists feature column "color", but CSVRawStrings keeps string features as text`},
		{name: "one-hot", text: csvPeople, opts: []CSVOption{CSVOneHot("color"), CSVRawStrings()},
			wantErr: `people.csv: CSVOneHot lists column "color", but CSVRawStrings keeps string features as text`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ReadCSV(writeCSV(t, "people.csv", tc.text), tc.opts...)
			checkErr(t, err, tc.wantErr)
			if err != nil {
				return
			}
			if tc.wantX == nil {
				if d.X != nil {
					t.Errorf("X = %v, want nil", d.X)
				}
			} else if d.X == nil || !equalFloats(d.X.Float64s(), tc.wantX) || d.X.Shape()[1] != len(tc.wantNames) {
				t.Errorf("X = %v, want %v in %d columns", d.X, tc.wantX, len(tc.wantNames))
			}
			if !slices.Equal(d.FeatureNames, tc.wantNames) {
				t.Errorf("FeatureNames %q, want %q", d.FeatureNames, tc.wantNames)
			}
			if got := csvStrings(t, d); !slices.EqualFunc(got, tc.wantStrs, slices.Equal) {
				t.Errorf("Strings %q, want %q", got, tc.wantStrs)
			}
			if !slices.Equal(d.StringNames, tc.wantStrName) || (tc.wantStrName == nil) != (d.StringNames == nil) || (tc.wantStrs == nil) != (d.Strings == nil) {
				t.Errorf("StringNames %q (Strings nil %v), want %q", d.StringNames, d.Strings == nil, tc.wantStrName)
			}
			if (d.Y == nil) != (tc.wantY == nil) || (d.Y != nil && !equalFloats(d.Y.Float64s(), tc.wantY)) {
				t.Errorf("Y = %v, want %v", d.Y, tc.wantY)
			}
			if got := d.Classes(); !slices.Equal(got, tc.wantClasses) {
				t.Errorf("Classes %q, want %q", got, tc.wantClasses)
			}
			var cols []string
			for c := range d.Vocabulary.Columns {
				cols = append(cols, c)
			}
			slices.Sort(cols)
			if !slices.Equal(cols, tc.wantVocab) {
				t.Errorf("Vocabulary columns %q, want %q", cols, tc.wantVocab)
			}
		})
	}
}

// A CSV file read with CSVRawStrings feeds NewNamedTensors, and its Dataset
// is the numeric part.
func TestCSVRawStringsToMulti(t *testing.T) {
	d, err := ReadCSV(writeCSV(t, "people.csv", csvPeople), CSVRawStrings())
	if err != nil {
		t.Fatal(err)
	}
	ins := map[string]*tensor.Dense{"numeric": d.X}
	for i, s := range d.Strings {
		ins[d.StringNames[i]] = s
	}
	m, err := NewNamedTensors(ins, map[string]*tensor.Dense{d.TargetName: d.Y})
	if err != nil {
		t.Fatal(err)
	}
	city := zeros(tensor.String, 2, 1)
	if err := GatherInputMulti(m, []int{1, 2}, 0, city); err != nil {
		t.Fatal(err)
	}
	if got := city.Strings(); !slices.Equal(got, []string{"", "rome"}) {
		t.Errorf("city %q, want [\"\" rome]", got)
	}
	ds, err := d.Dataset()
	if err != nil {
		t.Fatal(err)
	}
	if !equalInts(ds.XShape(), []int{1}) {
		t.Errorf("Dataset XShape %v, want [1]", ds.XShape())
	}
	only, err := ReadCSV(writeCSV(t, "s.csv", "s,y\nu,1\nv,0\n"), CSVRawStrings())
	if err != nil {
		t.Fatal(err)
	}
	_, err = only.Dataset()
	checkErr(t, err, "datasets.CSVData.Dataset: no numeric features (every feature is in Strings")
}

// FuzzReadCSVRawStrings reads arbitrary bytes with CSVRawStrings: the
// reader must return an error naming the input or consistent data (X, Y
// and every string tensor of the same rows), and reading again with its
// vocabulary must give the same data.
func FuzzReadCSVRawStrings(f *testing.F) {
	for _, s := range []string{csvPeople, "a,s,y\nNA,u,1\n2,,x\n", "s,t\nu,v\n,w\n", "1,x\n2,\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for i, opts := range [][]CSVOption{
			{CSVRawStrings()},
			{CSVRawStrings(), CSVFillMissing()},
			{CSVRawStrings(), CSVNoTarget(), CSVHeader(false)},
		} {
			d, err := ReadCSVFrom(bytes.NewReader(data), "fuzz.csv", opts...)
			if err != nil {
				if d != nil || !strings.Contains(err.Error(), "fuzz.csv") {
					t.Fatalf("options %d: error %v with data %v", i, err, d != nil)
				}
				continue
			}
			rows := csvRows(d)
			if rows < 1 || len(d.Strings) != len(d.StringNames) || (d.X == nil) != (len(d.FeatureNames) == 0) {
				t.Fatalf("options %d: %d rows, %d strings named %q, X %v with names %q", i, rows, len(d.Strings), d.StringNames, d.X, d.FeatureNames)
			}
			if d.X != nil && !equalInts(d.X.Shape(), []int{rows, len(d.FeatureNames)}) {
				t.Fatalf("options %d: X shape %v for %d rows", i, d.X.Shape(), rows)
			}
			strs := csvStrings(t, d)
			again, err := ReadCSVFrom(bytes.NewReader(data), "fuzz.csv", append(opts, CSVVocabulary(d.Vocabulary))...)
			if err != nil {
				t.Fatalf("options %d: reading again with its vocabulary: %v", i, err)
			}
			if !slices.EqualFunc(csvStrings(t, again), strs, slices.Equal) || (d.X != nil && !equalFloats(again.X.Float64s(), d.X.Float64s())) ||
				(d.Y != nil && !equalFloats(again.Y.Float64s(), d.Y.Float64s())) {
				t.Fatalf("options %d: reading again with its vocabulary gives other data", i)
			}
		}
	})
}
