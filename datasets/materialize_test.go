package datasets

import (
	"errors"
	"testing"

	"gorgonia.org/tensor"
)

// materializeFailing is a Dataset whose Gather always fails.
type materializeFailing struct{ n int }

func (m materializeFailing) Len() int    { return m.n }
func (materializeFailing) XShape() []int { return []int{2} }
func (materializeFailing) YShape() []int { return []int{1} }
func (materializeFailing) Gather(_ []int, _, _ *tensor.Dense) error {
	return errors.New("disk on fire")
}

func TestMaterialize(t *testing.T) {
	src32, err := NewTensor(dense(tensor.Float32, seq(12), 3, 2, 2), dense(tensor.Float32, []float64{7, 8, 9}, 3))
	if err != nil {
		t.Fatal(err)
	}
	src64, err := FromFlat(seq(6), []int{2}, []float64{0, 1, 2}, []int{1})
	if err != nil {
		t.Fatal(err)
	}
	view, err := Subset(src64, []int{2, 0, 2})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		ds           Dataset
		xShape       []int
		yShape       []int
		wantX, wantY []float64
		wantErr      string
	}{
		{"float32 tensor", src32, []int{3, 2, 2}, []int{3, 1}, seq(12), []float64{7, 8, 9}, ""},
		{"subset view", view, []int{3, 2}, []int{3, 1}, []float64{4, 5, 0, 1, 4, 5}, []float64{2, 0, 2}, ""},
		{"nil", nil, nil, nil, nil, nil, "datasets.Materialize: nil data set"},
		{"empty", materializeFailing{0}, nil, nil, nil, nil, "datasets.Materialize: empty data set (0 examples"},
		{"gather error", materializeFailing{2}, nil, nil, nil, nil, "datasets.Materialize: disk on fire"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Materialize(tc.ds)
			checkErr(t, err, tc.wantErr)
			if tc.wantErr != "" {
				return
			}
			if !equalInts(got.X().Shape(), tc.xShape) || !equalInts(got.Y().Shape(), tc.yShape) {
				t.Fatalf("shapes %v %v, want %v %v", got.X().Shape(), got.Y().Shape(), tc.xShape, tc.yShape)
			}
			if got.X().Dtype() != tensor.Float64 || got.Y().Dtype() != tensor.Float64 {
				t.Fatalf("dtypes %v %v, want float64", got.X().Dtype(), got.Y().Dtype())
			}
			if !equalFloats(got.X().Float64s(), tc.wantX) || !equalFloats(got.Y().Float64s(), tc.wantY) {
				t.Fatalf("values %v %v, want %v %v", got.X().Float64s(), got.Y().Float64s(), tc.wantX, tc.wantY)
			}
		})
	}
}

func TestMaterializeCopies(t *testing.T) {
	src, err := FromFlat(seq(4), []int{2}, []float64{0, 1}, []int{1})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Materialize(src)
	if err != nil {
		t.Fatal(err)
	}
	got.X().Float64s()[0] = 99
	got.Y().Float64s()[0] = 99
	if src.X().Float64s()[0] != 0 || src.Y().Float64s()[0] != 0 {
		t.Fatal("Materialize shares memory with its source")
	}
}
