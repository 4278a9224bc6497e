package zoo

import (
	"strings"
	"testing"
)

// TestTextReadCSV: ReadTextCSV's classes are the sorted names (or the given
// ones, in their order), a byte order mark and spaces around names are
// skipped, and bad rows are errors naming them.
func TestTextReadCSV(t *testing.T) {
	tests := []struct {
		name    string
		csv     string
		classes []string
		labels  []int
		want    []string // the classes, or the error's text
	}{
		{"sorted classes", "\ufefftext, label\nhello world,b\nbye now, a \nsee you,b\n", nil, []int{1, 0, 1}, []string{"a", "b"}},
		{"given classes", "text,label\nhello world,b\nbye now,a\n", []string{"b", "a"}, []int{0, 1}, []string{"b", "a"}},
		{"unknown class", "text,label\nhello world,c\n", []string{"a", "b"}, nil, []string{`row 1: class "c" is not a class`}},
		{"empty class", "text,label\nhello,a\nworld,\n", nil, nil, []string{`row 2 (line 3): empty class in column "label"`}},
		{"no rows", "text,label\n", nil, nil, []string{"no data row"}},
		{"ragged row", "text,label\nhello,a,extra\n", nil, nil, []string{"row 1", "wrong number of fields"}},
		{"no header", "", nil, nil, []string{"empty file"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set, err := readTextCSV(strings.NewReader(tc.csv), "text", "label", tc.classes)
			if tc.labels == nil {
				for _, w := range tc.want {
					if err == nil || !strings.Contains(err.Error(), w) {
						t.Errorf("error %v, want %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(set.Classes, ",") != strings.Join(tc.want, ",") || len(set.Labels) != len(tc.labels) {
				t.Fatalf("classes %q labels %v, want %q %v", set.Classes, set.Labels, tc.want, tc.labels)
			}
			for i, l := range tc.labels {
				if set.Labels[i] != l {
					t.Errorf("labels %v, want %v", set.Labels, tc.labels)
					break
				}
			}
		})
	}
}

// TestTextConfigErrors: an unknown model and clashing names are errors.
func TestTextConfigErrors(t *testing.T) {
	for _, c := range []TextConfig{{Model: "gru"}, {Input: "x", Output: "x"}} {
		if _, err := c.withDefaults(); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	if c, err := (TextConfig{}).withDefaults(); err != nil || c.Model != TextCNN || c.Patience != textPatience {
		t.Errorf("defaults %+v, %v", c, err)
	}
}
