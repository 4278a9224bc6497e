package datasets

import (
	"encoding/json"
	"testing"
)

func TestLabelEncoder(t *testing.T) {
	tests := []struct {
		name        string
		fit         []string
		wantClasses []string
		transform   []string
		wantIDs     []int
	}{
		{"sorted like scikit-learn", []string{"dog", "cat", "ant", "cat"}, []string{"ant", "cat", "dog"},
			[]string{"cat", "dog", "ant", "ant"}, []int{1, 2, 0, 0}},
		{"byte order", []string{"b", "B", "a", "10", "9"}, []string{"10", "9", "B", "a", "b"},
			[]string{"9", "a"}, []int{1, 3}},
		{"single", []string{"x", "x"}, []string{"x"}, []string{"x"}, []int{0}},
		{"empty transform", []string{"x"}, []string{"x"}, []string{}, []int{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var e LabelEncoder
			if err := e.Fit(tc.fit); err != nil {
				t.Fatal(err)
			}
			if len(e.Classes) != len(tc.wantClasses) {
				t.Fatalf("classes %q, want %q", e.Classes, tc.wantClasses)
			}
			for i := range e.Classes {
				if e.Classes[i] != tc.wantClasses[i] {
					t.Fatalf("classes %q, want %q", e.Classes, tc.wantClasses)
				}
			}
			ids, err := e.Transform(tc.transform)
			if err != nil {
				t.Fatal(err)
			}
			if ids == nil || !equalInts(ids, tc.wantIDs) {
				t.Fatalf("ids %v, want %v", ids, tc.wantIDs)
			}
			back, err := e.Inverse(ids)
			if err != nil {
				t.Fatal(err)
			}
			for i := range back {
				if back[i] != tc.transform[i] {
					t.Fatalf("inverse %q, want %q", back, tc.transform)
				}
			}
		})
	}
}

func TestLabelEncoderFitTransformOneHot(t *testing.T) {
	var e LabelEncoder
	ids, err := e.FitTransform([]string{"b", "a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	oh, err := OneHot(ids, len(e.Classes))
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{0, 1, 1, 0, 0, 1}; !equalFloats(oh.Float64s(), want) {
		t.Fatalf("one-hot %v, want %v", oh.Float64s(), want)
	}
}

func TestLabelEncoderErrors(t *testing.T) {
	fitted := func() *LabelEncoder { return &LabelEncoder{Classes: []string{"a", "b"}} }
	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"fit empty", func() error { return (&LabelEncoder{}).Fit(nil) }, "datasets.LabelEncoder.Fit: no labels"},
		{"fit nil receiver", func() error { var e *LabelEncoder; return e.Fit([]string{"a"}) }, "nil encoder"},
		{"unseen", func() error { _, err := fitted().Transform([]string{"a", "c"}); return err },
			`datasets.LabelEncoder.Transform: unseen label "c" at index 1 (2 known classes)`},
		{"not fitted", func() error { _, err := (&LabelEncoder{}).Transform([]string{"a"}); return err },
			"datasets.LabelEncoder.Transform: encoder is not fitted"},
		{"inverse out of range", func() error { _, err := fitted().Inverse([]int{0, 2}); return err },
			"datasets.LabelEncoder.Inverse: id 2 at index 1 out of range [0, 2)"},
		{"inverse negative", func() error { _, err := fitted().Inverse([]int{-1}); return err },
			"id -1 at index 0 out of range [0, 2)"},
		{"unsorted restored classes", func() error {
			_, err := (&LabelEncoder{Classes: []string{"b", "a"}}).Transform([]string{"a"})
			return err
		}, `classes "b" and "a" at 0 and 1 are not sorted and distinct`},
		{"fit transform empty", func() error { _, err := (&LabelEncoder{}).FitTransform(nil); return err },
			"datasets.LabelEncoder.FitTransform: datasets.LabelEncoder.Fit: no labels"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, tc.run(), tc.want)
		})
	}
}

func TestLabelEncoderJSON(t *testing.T) {
	var e LabelEncoder
	if err := e.Fit([]string{"setosa", "virginica", "versicolor"}); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(&e)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"classes":["setosa","versicolor","virginica"]}`; string(b) != want {
		t.Fatalf("JSON %s, want %s", b, want)
	}
	var r LabelEncoder
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	ids, err := r.Transform([]string{"virginica"})
	if err != nil || !equalInts(ids, []int{2}) {
		t.Fatalf("restored encoder: %v, %v", ids, err)
	}
}
