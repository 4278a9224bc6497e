package datasets

import (
	"bytes"
	"compress/gzip"
	"math"
	"strings"
	"testing"
)

// classicCase describes the expected content of one classic data set.
type classicCase struct {
	name       string
	load       func() (*Split, error)
	n, d       int
	classes    []int // examples per class id; nil for regression
	firstRow   []float64
	firstY     float64
	citeSubstr string
}

// classicCases lists the classic data sets with their sizes, class counts
// and first row (from the source files).
func classicCases() []classicCase {
	return []classicCase{
		{"iris", Iris, 150, 4, []int{50, 50, 50}, []float64{5.1, 3.5, 1.4, 0.2}, 0, "Fisher"},
		{"wine", Wine, 178, 13, []int{59, 71, 48},
			[]float64{14.23, 1.71, 2.43, 15.6, 127, 2.8, 3.06, 0.28, 2.29, 5.64, 1.04, 3.92, 1065}, 0, "Forina"},
		{"breast cancer", BreastCancer, 569, 30, []int{212, 357}, []float64{17.99, 10.38, 122.8, 1001}, 0, "Wolberg"},
		{"digits", Digits, 1797, 64, []int{178, 182, 177, 183, 181, 182, 181, 179, 174, 180},
			[]float64{0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0}, 0, "Alpaydin"},
		{"diabetes", Diabetes, 442, 10, nil, []float64{59, 2, 32.1, 101, 157, 93.2, 38, 4, 4.8598, 87}, 151, "Efron"},
	}
}

// classicRows returns the rows of X and the targets of a float64 Tensor.
func classicRows(t *Tensor) ([][]float64, []float64) {
	x, y := t.X().Float64s(), t.Y().Float64s()
	d := len(x) / len(y)
	rows := make([][]float64, len(y))
	for i := range rows {
		rows[i] = x[i*d : (i+1)*d]
	}
	return rows, y
}

// classicHasPrefix reports whether some row starts with prefix and has
// target y.
func classicHasPrefix(rows [][]float64, ys []float64, prefix []float64, y float64) bool {
	for i, r := range rows {
		if ys[i] == y && equalFloats(r[:len(prefix)], prefix) {
			return true
		}
	}
	return false
}

func TestClassicSizes(t *testing.T) {
	for _, c := range classicCases() {
		t.Run(c.name, func(t *testing.T) {
			s, err := c.load()
			if err != nil {
				t.Fatal(err)
			}
			nTest := int(math.Ceil(0.2 * float64(c.n)))
			if got := s.Test.Len(); got != nTest {
				t.Errorf("test has %d examples, want %d", got, nTest)
			}
			if got := s.Train.Len(); got != c.n-nTest {
				t.Errorf("train has %d examples, want %d", got, c.n-nTest)
			}
			for _, part := range []*Tensor{s.Train, s.Test} {
				if !equalInts(part.X().Shape(), []int{part.Len(), c.d}) || !equalInts(part.Y().Shape(), []int{part.Len(), 1}) {
					t.Errorf("shapes x %v y %v, want (N, %d) and (N, 1)", part.X().Shape(), part.Y().Shape(), c.d)
				}
				if part.X().Dtype().Name() != "float64" || part.Y().Dtype().Name() != "float64" {
					t.Errorf("dtypes %v %v, want float64", part.X().Dtype(), part.Y().Dtype())
				}
			}
			if len(s.Features) != c.d {
				t.Errorf("%d feature names, want %d", len(s.Features), c.d)
			}
			if len(s.Classes) != len(c.classes) || (c.classes == nil) != (s.Classes == nil) {
				t.Errorf("classes %v, want %d", s.Classes, len(c.classes))
			}
			if !strings.Contains(s.Description, c.citeSubstr) {
				t.Errorf("description lacks %q", c.citeSubstr)
			}
			trainRows, trainY := classicRows(s.Train)
			testRows, testY := classicRows(s.Test)
			if !classicHasPrefix(append(trainRows, testRows...), append(trainY, testY...), c.firstRow, c.firstY) {
				t.Errorf("first row %v (target %v) of the source file not found", c.firstRow, c.firstY)
			}
			if CheckFinite(s.Train) != nil || CheckFinite(s.Test) != nil {
				t.Errorf("non-finite values")
			}
		})
	}
}

func TestClassicStratified(t *testing.T) {
	for _, c := range classicCases() {
		if c.classes == nil {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			s, err := c.load()
			if err != nil {
				t.Fatal(err)
			}
			count := func(y []float64) []int {
				k := make([]int, len(c.classes))
				for _, v := range y {
					if v != math.Trunc(v) || v < 0 || int(v) >= len(k) {
						t.Fatalf("target %v is not a class id", v)
					}
					k[int(v)]++
				}
				return k
			}
			train, test := count(s.Train.Y().Float64s()), count(s.Test.Y().Float64s())
			frac := float64(s.Test.Len()) / float64(c.n)
			for id, total := range c.classes {
				if train[id]+test[id] != total {
					t.Errorf("class %d: %d+%d examples, want %d", id, train[id], test[id], total)
				}
				if want := frac * float64(total); math.Abs(float64(test[id])-want) >= 1 {
					t.Errorf("class %d: %d test examples, want %.2f within 1", id, test[id], want)
				}
			}
		})
	}
}

func TestClassicDeterministic(t *testing.T) {
	for _, c := range classicCases() {
		t.Run(c.name, func(t *testing.T) {
			a, err := c.load()
			if err != nil {
				t.Fatal(err)
			}
			b, err := c.load()
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range [][2]*Tensor{{a.Train, b.Train}, {a.Test, b.Test}} {
				if !equalFloats(p[0].X().Float64s(), p[1].X().Float64s()) || !equalFloats(p[0].Y().Float64s(), p[1].Y().Float64s()) {
					t.Fatal("two calls give different splits")
				}
			}
			a.Train.X().Float64s()[0] = -12345
			a.Features[0] = "changed"
			if b.Train.X().Float64s()[0] == -12345 || b.Features[0] == "changed" {
				t.Error("two calls share memory")
			}
		})
	}
}

func TestClassicValues(t *testing.T) {
	digits, err := Digits()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range append(digits.Train.X().Float64s(), digits.Test.X().Float64s()...) {
		if v != math.Trunc(v) || v < 0 || v > 16 {
			t.Fatalf("digit pixel %v is not an integer in [0, 16]", v)
		}
	}
	if digits.Features[9] != "pixel_1_1" {
		t.Errorf("feature 9 is %q, want pixel_1_1", digits.Features[9])
	}
	diabetes, err := Diabetes()
	if err != nil {
		t.Fatal(err)
	}
	rows, ys := classicRows(diabetes.Train)
	for i, r := range rows {
		if r[1] != 1 && r[1] != 2 {
			t.Fatalf("sex %v, want raw 1 or 2", r[1])
		}
		if ys[i] < 25 || ys[i] > 346 {
			t.Fatalf("target %v outside [25, 346]", ys[i])
		}
	}
	bc, err := BreastCancer()
	if err != nil {
		t.Fatal(err)
	}
	wantBC := map[int]string{0: "mean radius", 10: "radius error", 20: "worst radius", 29: "worst fractal dimension"}
	for i, name := range wantBC {
		if bc.Features[i] != name {
			t.Errorf("breast cancer feature %d is %q, want %q", i, bc.Features[i], name)
		}
	}
	if bc.Classes[0] != "malignant" || bc.Classes[1] != "benign" {
		t.Errorf("breast cancer classes %v", bc.Classes)
	}
}

func TestParseHeaderCSVErrors(t *testing.T) {
	tests := []struct {
		name, raw, want string
	}{
		{"ok", "2,1,a,b\n0.5,0\n1.5,1\n", ""},
		{"empty", "", "t.csv: reading the header: EOF"},
		{"short header", "2,1\n", `t.csv: header ["2" "1"] has 2 fields`},
		{"wrong width", "2,3,a,b\n", `t.csv: header ["2" "3"], want a positive n_samples and n_features = 1`},
		{"bad count", "x,1,a,b\n", `t.csv: header ["x" "1"]`},
		{"ragged row", "2,1,a,b\n0.5,0\n1.5\n", "t.csv: line 3 has 1 fields, want 2"},
		{"bad number", "2,1,a,b\n0.5,0\nabc,1\n", `t.csv: line 3: field 1: "abc" is not a number`},
		{"class out of range", "2,1,a,b\n0.5,0\n1.5,2\n", `t.csv: line 3 has class "2", want an id in [0, 2)`},
		{"too few rows", "3,1,a,b\n0.5,0\n1.5,1\n", "t.csv: 2 rows, the header announces 3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, y, classes, err := parseHeaderCSV("t.csv", []byte(tc.raw), 1)
			checkErr(t, err, tc.want)
			if tc.want == "" && (!equalFloats(x, []float64{0.5, 1.5}) || !equalFloats(y, []float64{0, 1}) || len(classes) != 2) {
				t.Fatalf("parsed %v %v %v", x, y, classes)
			}
		})
	}
}

func TestGunzipRowsErrors(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte("1 2\n\n3 4\n")); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	var emptyBuf bytes.Buffer
	ew := gzip.NewWriter(&emptyBuf)
	if err := ew.Close(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		raw  []byte
		want string
	}{
		{"ok", good, ""},
		{"not gzip", []byte("plain text, not gzip\n"), "t.gz: gzip: invalid header"},
		{"truncated", good[:len(good)-6], "t.gz: unexpected EOF"},
		{"no rows", emptyBuf.Bytes(), "t.gz holds no rows"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := gunzipRows("t.gz", tc.raw, strings.Fields)
			checkErr(t, err, tc.want)
			if tc.want == "" && (len(rows) != 2 || rows[1][1] != "4") {
				t.Fatalf("rows %q", rows)
			}
		})
	}
}
