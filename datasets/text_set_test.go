package datasets

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
)

// textSetOf returns a TextSet with counts[k] texts of class k, named
// "c<k>-<i>".
func textSetOf(counts ...int) *TextSet {
	s := &TextSet{}
	for k, n := range counts {
		s.Classes = append(s.Classes, fmt.Sprintf("c%d", k))
		for i := 0; i < n; i++ {
			s.Texts = append(s.Texts, fmt.Sprintf("c%d-%d", k, i))
			s.Labels = append(s.Labels, k)
		}
	}
	return s
}

func TestTextSetSplitStratified(t *testing.T) {
	cases := []struct {
		name       string
		counts     []int
		frac       float64
		wantTest   []int
		wantTrain  []int
		wantErrSub string
	}{
		{"even", []int{10, 20, 30}, 0.2, []int{2, 4, 6}, []int{8, 16, 24}, ""},
		{"rounding", []int{7, 5}, 0.25, []int{2, 1}, []int{5, 4}, ""},
		{"at least one in test", []int{100, 2}, 0.1, []int{10, 1}, []int{90, 1}, ""},
		{"at least one in train", []int{3, 4}, 0.9, []int{2, 3}, []int{1, 1}, ""},
		{"single text goes to train", []int{5, 1}, 0.4, []int{2, 0}, []int{3, 1}, ""},
		{"empty class", []int{4, 0, 4}, 0.5, []int{2, 0, 2}, []int{2, 0, 2}, ""},
		{"nothing for test", []int{1, 1}, 0.5, nil, nil, "leaves 2 for training and 0 for test"},
		{"fraction 0", []int{4}, 0, nil, nil, "test fraction 0 is not in (0, 1)"},
		{"fraction 1", []int{4}, 1, nil, nil, "is not in (0, 1)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := textSetOf(c.counts...)
			train, test, err := s.Split(c.frac, 7)
			checkErr(t, err, c.wantErrSub)
			if err != nil {
				return
			}
			if got := test.Counts(); !reflect.DeepEqual(got, c.wantTest) {
				t.Fatalf("test counts %v, want %v", got, c.wantTest)
			}
			if got := train.Counts(); !reflect.DeepEqual(got, c.wantTrain) {
				t.Fatalf("train counts %v, want %v", got, c.wantTrain)
			}
			all := append(append([]string(nil), train.Texts...), test.Texts...)
			sort.Strings(all)
			orig := append([]string(nil), s.Texts...)
			sort.Strings(orig)
			if !reflect.DeepEqual(all, orig) {
				t.Fatal("the parts are not a partition of the texts")
			}
			for _, p := range []*TextSet{train, test} {
				if err := p.Check(); err != nil {
					t.Fatal(err)
				}
				for i, text := range p.Texts {
					if want := fmt.Sprintf("c%d-", p.Labels[i]); text[:len(want)] != want {
						t.Fatalf("text %q has label %d", text, p.Labels[i])
					}
				}
				if !reflect.DeepEqual(p.Classes, s.Classes) {
					t.Fatalf("classes %v", p.Classes)
				}
			}
		})
	}
}

func TestTextSetSplitDeterministic(t *testing.T) {
	s := textSetOf(30, 40, 50)
	a1, b1, err := s.Split(0.3, 42)
	if err != nil {
		t.Fatal(err)
	}
	a2, b2, err := s.Split(0.3, 42)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a1, a2) || !reflect.DeepEqual(b1, b2) {
		t.Fatal("same seed, different splits")
	}
	a3, _, err := s.Split(0.3, 43)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a1.Texts, a3.Texts) {
		t.Fatal("seeds 42 and 43 give the same split")
	}
	// The parts are shuffled across classes, not grouped by class.
	if sort.IntsAreSorted(a1.Labels) {
		t.Fatal("train labels are grouped by class")
	}
	// A part's Classes is a copy.
	a1.Classes[0] = "changed"
	if s.Classes[0] != "c0" {
		t.Fatal("Split shares Classes with the source")
	}
}

func TestTextSetCheck(t *testing.T) {
	cases := []struct {
		name string
		s    *TextSet
		err  string
	}{
		{"nil", nil, "nil text set"},
		{"empty", &TextSet{Classes: []string{"a"}}, "empty text set"},
		{"lengths", &TextSet{Texts: []string{"x", "y"}, Labels: []int{0}, Classes: []string{"a"}}, "2 texts and 1 labels"},
		{"label range", &TextSet{Texts: []string{"x"}, Labels: []int{1}, Classes: []string{"a"}}, "label 1 of text 0 is out of range [0, 1)"},
		{"negative", &TextSet{Texts: []string{"x"}, Labels: []int{-1}, Classes: []string{"a"}}, "out of range"},
		{"ok", &TextSet{Texts: []string{"x"}, Labels: []int{0}, Classes: []string{"a"}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkErr(t, c.s.Check(), c.err)
		})
	}
	var nilSet *TextSet
	if nilSet.Len() != 0 || nilSet.Counts() != nil {
		t.Fatal("nil TextSet")
	}
}

func TestTextSetWriteCSV(t *testing.T) {
	s := &TextSet{
		Texts:   []string{"plain", "with, comma", "with \"quotes\"\nand a newline", "ünïcode"},
		Labels:  []int{1, 0, 1, 0},
		Classes: []string{"alpha", "beta"},
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "texts.csv")
	if err := os.WriteFile(path, []byte("old content"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteCSV(path, "text", "label"); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"text", "label"}, {"plain", "beta"}, {"with, comma", "alpha"},
		{"with \"quotes\"\nand a newline", "beta"}, {"ünïcode", "alpha"}}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("rows %q", rows)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("stat %v, %v", st, err)
	}

	checkErr(t, s.WriteCSV(path, "text", "text"), "must be non-empty and differ")
	checkErr(t, s.WriteCSV(path, "", "label"), "must be non-empty and differ")
	checkErr(t, (&TextSet{}).WriteCSV(path, "t", "l"), "empty text set")
	missing := filepath.Join(dir, "no", "such", "folder", "x.csv")
	checkErr(t, s.WriteCSV(missing, "t", "l"), "create temporary file")
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("files after failed writes: %v", entries)
	}
}
