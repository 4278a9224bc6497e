package datasets

import (
	"encoding/json"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestReadCSVOptions(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		opts      []CSVOption
		wantNames []string
		wantX     []float64
		wantY     []float64 // nil: no target
		target    string
	}{
		{"semicolon", "a;b\n1,5;2\n", []CSVOption{CSVComma(';')}, []string{"a"}, []float64{0}, []float64{2}, "b"},
		{"tab", "a\tb\tc\n1\t2\t3\n", []CSVOption{CSVComma('\t')}, []string{"a", "b"}, []float64{1, 2}, []float64{3}, "c"},
		{"target by name", "a,b,c\n1,2,3\n", []CSVOption{CSVTarget("a")}, []string{"b", "c"}, []float64{2, 3}, []float64{1}, "a"},
		{"last target option wins", "a,b,c\n1,2,3\n", []CSVOption{CSVTarget("a"), CSVTargetIndex(1)},
			[]string{"a", "c"}, []float64{1, 3}, []float64{2}, "b"},
		{"features reordered", "a,b,c,d\n1,2,3,4\n", []CSVOption{CSVFeatures("c", "a")}, []string{"c", "a"}, []float64{3, 1}, []float64{4}, "d"},
		{"no target", "a,b\n1,2\n3,4\n", []CSVOption{CSVNoTarget()}, []string{"a", "b"}, []float64{1, 2, 3, 4}, nil, ""},
		{"integer codes", "c,x,y\nb,1,0\na,2,1\nb,3,0\n", nil, []string{"c", "x"}, []float64{0, 1, 1, 2, 0, 3}, []float64{0, 1, 0}, "y"},
		{"numbers one-hot", "n,y\n3,0\n1,1\n3,2\n", []CSVOption{CSVOneHot("n")},
			[]string{"n=3", "n=1"}, []float64{1, 0, 0, 1, 1, 0}, []float64{0, 1, 2}, "y"},
		{"one-hot options add up", "p,q,y\na,b,1\n", []CSVOption{CSVOneHot("p"), CSVOneHot("q")},
			[]string{"p=a", "q=b"}, []float64{1, 1}, []float64{1}, "y"},
		{"string column with numbers later", "c,y\nx,1\n2,2\n", nil, []string{"c"}, []float64{0, 1}, []float64{1, 2}, "y"},
		{"fill numeric", "a,b\n1,0\n,0\n4,0\n", []CSVOption{CSVFillMissing()}, []string{"a"}, []float64{1, 2.5, 4}, []float64{0, 0, 0}, "b"},
		{"fill first value", "a,b\n?,0\n2,0\n", []CSVOption{CSVFillMissing()}, []string{"a"}, []float64{2, 2}, []float64{0, 0}, "b"},
		{"fill string ties", "c,y\nu,0\nv,0\nNA,0\n", []CSVOption{CSVFillMissing()}, []string{"c"}, []float64{0, 1, 0}, []float64{0, 0, 0}, "y"},
		{"fill large", "a,y\n1.7976931348623157e308,0\n1.7976931348623157e308,0\n,0\n", []CSVOption{CSVFillMissing()},
			[]string{"a"}, []float64{math.MaxFloat64, math.MaxFloat64, math.MaxFloat64}, []float64{0, 0, 0}, "y"},
		{"nil option skipped", "a,b\n1,2\n", []CSVOption{nil, CSVHeader(true)}, []string{"a"}, []float64{1}, []float64{2}, "b"},
		{"quoted", "a,b\n\"1\",\"x,y\"\n", nil, []string{"a"}, []float64{1}, []float64{0}, "b"},
		{"hex and exponent", "a,b\n0x1p4,1e-3\n", nil, []string{"a"}, []float64{16}, []float64{0.001}, "b"},
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
			if tc.wantX != nil && !equalFloats(d.X.Float64s(), tc.wantX) {
				t.Errorf("X %v, want %v", d.X.Float64s(), tc.wantX)
			}
			if d.TargetName != tc.target {
				t.Errorf("TargetName %q, want %q", d.TargetName, tc.target)
			}
			switch {
			case tc.target == "" && d.Y != nil:
				t.Errorf("Y %v, want none", d.Y)
			case tc.target != "" && tc.wantY != nil && !equalFloats(d.Y.Float64s(), tc.wantY):
				t.Errorf("Y %v, want %v", d.Y.Float64s(), tc.wantY)
			}
		})
	}
}

func TestReadCSVNoTargetDataset(t *testing.T) {
	d, err := csvFrom("a,b\n1,2\n", CSVNoTarget())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Dataset(); err == nil || !strings.Contains(err.Error(), "no target") {
		t.Errorf("Dataset without a target: %v", err)
	}
	if c := d.Classes(); c != nil {
		t.Errorf("Classes %q without a target", c)
	}
	var nilData *CSVData
	if _, err := nilData.Dataset(); err == nil {
		t.Errorf("Dataset on nil CSVData: no error")
	}
}

// Training data, then test data and prediction inputs encoded with the
// training vocabulary after a JSON round trip.
func TestReadCSVVocabulary(t *testing.T) {
	train := "color,size,city,y\nred,1,rome,yes\nblue,2,oslo,no\nred,3,oslo,maybe\n"
	opts := []CSVOption{CSVOneHot("color")}
	tr, err := csvFrom(train, opts...)
	if err != nil {
		t.Fatal(err)
	}
	want := &Vocabulary{
		Columns: map[string][]string{"color": {"red", "blue"}, "city": {"rome", "oslo"}, "y": {"yes", "no", "maybe"}},
		OneHot:  map[string]bool{"color": true},
	}
	if !reflect.DeepEqual(tr.Vocabulary, want) {
		t.Fatalf("Vocabulary %+v, want %+v", tr.Vocabulary, want)
	}
	if !reflect.DeepEqual(tr.Classes(), []string{"yes", "no", "maybe"}) {
		t.Errorf("Classes %q", tr.Classes())
	}
	buf, err := json.Marshal(tr.Vocabulary)
	if err != nil {
		t.Fatal(err)
	}
	var v Vocabulary
	if err := json.Unmarshal(buf, &v); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&v, want) {
		t.Fatalf("after JSON %s: %+v", buf, v)
	}

	tests := []struct {
		name    string
		in      string
		opts    []CSVOption
		wantX   []float64
		wantY   []float64
		wantErr string
	}{
		{"test data", "color,size,city,y\nblue,5,oslo,maybe\nred,6,rome,yes\n", append(opts, CSVVocabulary(&v)),
			[]float64{0, 1, 5, 1, 1, 0, 6, 0}, []float64{2, 0}, ""},
		{"vocabulary alone decides one-hot", "color,size,city,y\nblue,5,oslo,no\n", []CSVOption{CSVVocabulary(&v)},
			[]float64{0, 1, 5, 1}, []float64{1}, ""},
		{"prediction inputs", "color,size,city\nred,7,rome\n", []CSVOption{CSVNoTarget(), CSVVocabulary(&v)},
			[]float64{1, 0, 7, 0}, nil, ""},
		{"unseen color", "color,size,city,y\ngreen,5,oslo,no\n", []CSVOption{CSVVocabulary(&v)}, nil, nil,
			`t.csv:2: column "color" (index 0): category "green" is not in the vocabulary (2 categories: "red", "blue")`},
		{"unseen class", "color,size,city,y\nred,5,oslo,never\n", []CSVOption{CSVVocabulary(&v)}, nil, nil,
			`t.csv:2: target column "y" (index 3): category "never" is not in the vocabulary (3 categories: "yes", "no", "maybe")`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := csvFrom(tc.in, tc.opts...)
			checkErr(t, err, tc.wantErr)
			if err != nil {
				return
			}
			csvCheckShapes(t, d)
			if !reflect.DeepEqual(d.FeatureNames, []string{"color=red", "color=blue", "size", "city"}) {
				t.Errorf("FeatureNames %q", d.FeatureNames)
			}
			if !equalFloats(d.X.Float64s(), tc.wantX) {
				t.Errorf("X %v, want %v", d.X.Float64s(), tc.wantX)
			}
			if tc.wantY != nil && !equalFloats(d.Y.Float64s(), tc.wantY) {
				t.Errorf("Y %v, want %v", d.Y.Float64s(), tc.wantY)
			}
			if !reflect.DeepEqual(d.Vocabulary, want) {
				t.Errorf("Vocabulary %+v, want a copy of %+v", d.Vocabulary, want)
			}
			if d.Vocabulary == &v {
				t.Errorf("the given vocabulary is returned, not a copy")
			}
		})
	}
	if !reflect.DeepEqual(&v, want) {
		t.Errorf("reading changed the given vocabulary: %+v", v)
	}
}

func TestReadCSVDeterministic(t *testing.T) {
	in := "a,b,c\nz,1,q\ny,2,r\nz,3,s\nx,4,q\n"
	first, err := csvFrom(in, CSVOneHot("a"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		d, err := csvFrom(in, CSVOneHot("a"))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(d.Vocabulary, first.Vocabulary) || !equalFloats(d.X.Float64s(), first.X.Float64s()) {
			t.Fatalf("run %d differs", i)
		}
	}
	if !reflect.DeepEqual(first.Vocabulary.Columns["a"], []string{"z", "y", "x"}) {
		t.Errorf("codes not in order of first appearance: %q", first.Vocabulary.Columns["a"])
	}
}

func TestVocabularyClone(t *testing.T) {
	var nilVocab *Vocabulary
	if nilVocab.Clone() != nil {
		t.Errorf("Clone of nil is not nil")
	}
	v := &Vocabulary{Columns: map[string][]string{"a": {"x"}}, OneHot: map[string]bool{"a": true, "b": false}}
	c := v.Clone()
	c.Columns["a"][0] = "changed"
	if v.Columns["a"][0] != "x" {
		t.Errorf("Clone shares categories")
	}
	if _, ok := c.OneHot["b"]; ok {
		t.Errorf("Clone keeps false one-hot entries")
	}
}

func TestCSVBuffer(t *testing.T) {
	tests := []struct {
		name       string
		rows, cols int
		minChunks  int // full chunks before flat, at least
		maxChunks  int // and at most
	}{
		{"empty", 0, 3, 0, 0},
		{"one row", 1, 3, 0, 0},
		{"just under a chunk", csvChunk / 3, 3, 0, 0},
		{"just over a chunk", csvChunk/3 + 2, 3, 0, 1},
		{"several chunks", 3*csvChunk/7 + 11, 7, 1, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b csvBuffer
			n := 0
			for i := 0; i < tc.rows; i++ {
				b.reserve(tc.cols)
				l, c := len(b.cur), cap(b.cur)
				for j := 0; j < tc.cols; j++ {
					b.cur = append(b.cur, float64(n))
					n++
				}
				if l >= csvChunk && cap(b.cur) != c {
					t.Fatalf("row %d: a full chunk was copied", i)
				}
			}
			if len(b.full) < tc.minChunks || len(b.full) > tc.maxChunks {
				t.Errorf("%d full chunks, want %d to %d", len(b.full), tc.minChunks, tc.maxChunks)
			}
			got := b.flat()
			if len(got) != n || cap(got) != n {
				t.Fatalf("flat: len %d cap %d, want %d", len(got), cap(got), n)
			}
			for i, v := range got {
				if v != float64(i) {
					t.Fatalf("value %d is %v", i, v)
				}
			}
		})
	}
}

// A stream (no size known) of more rows than a buffer chunk holds gives the
// same data as the same text read from a string, with missing values filled
// across chunks.
func TestReadCSVChunked(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("a,b,c\n")
	rows := 2*csvChunk + 100 // 4 chunks of features
	for i := 0; i < rows; i++ {
		if i%1000 == 999 {
			sb.WriteString(",x,1\n")
			continue
		}
		sb.WriteString(strconv.Itoa(i%10) + ",y,1\n")
	}
	text := sb.String()
	whole, err := csvFrom(text, CSVFillMissing(), CSVOneHot("b"))
	if err != nil {
		t.Fatal(err)
	}
	stream, err := ReadCSVFrom(io.MultiReader(strings.NewReader(text)), "t.csv", CSVFillMissing(), CSVOneHot("b"))
	if err != nil {
		t.Fatal(err)
	}
	csvCheckShapes(t, stream)
	if !equalFloats(whole.X.Float64s(), stream.X.Float64s()) || !equalFloats(whole.Y.Float64s(), stream.Y.Float64s()) {
		t.Fatalf("stream and string give different data")
	}
	if got := stream.X.Shape(); got[0] != rows || got[1] != 3 {
		t.Fatalf("X shape %v", got)
	}
	x := stream.X.Float64s()
	if x[999*3] == 0 || x[999*3] != x[1999*3] {
		t.Errorf("filled values %v, %v, want the mean", x[999*3], x[1999*3])
	}
}
