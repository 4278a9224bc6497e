package datasets

import "testing"

func TestOneHot(t *testing.T) {
	tests := []struct {
		name       string
		labels     []int
		numClasses int
		want       []float64
		wantErr    string
	}{
		{"three classes", []int{2, 0, 1, 2}, 3, []float64{0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1}, ""},
		{"single class", []int{0, 0}, 1, []float64{1, 1}, ""},
		{"no labels", nil, 3, nil, "no labels"},
		{"zero classes", []int{0}, 0, nil, "numClasses = 0"},
		{"label too big", []int{0, 1, 3}, 3, nil, "label 3 at index 2 out of range [0, 3)"},
		{"negative label", []int{-1}, 3, nil, "label -1 at index 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := OneHot(tc.labels, tc.numClasses)
			checkErr(t, err, tc.wantErr)
			if err != nil {
				return
			}
			if got := d.Shape(); !equalInts(got, []int{len(tc.labels), tc.numClasses}) {
				t.Errorf("shape %v", got)
			}
			if got := d.Float64s(); !equalFloats(got, tc.want) {
				t.Errorf("values %v, want %v", got, tc.want)
			}
		})
	}
}
