package tensorvals

import (
	"reflect"
	"testing"

	"gorgonia.org/tensor"
)

func TestValues(t *testing.T) {
	cases := []struct {
		name         string
		t            *tensor.Dense
		floats, ints []float64
	}{
		{"float32", tensor.New(tensor.WithBacking([]float32{1.5, -2})), []float64{1.5, -2}, nil},
		{"float64", tensor.New(tensor.WithBacking([]float64{3, 0.25})), []float64{3, 0.25}, nil},
		{"int", tensor.New(tensor.WithBacking([]int{4, -1})), nil, []float64{4, -1}},
		{"int64", tensor.New(tensor.WithShape(1), tensor.WithBacking([]int64{7})), nil, []float64{7}},
		{"int32", tensor.New(tensor.WithBacking([]int32{-3, 9})), nil, []float64{-3, 9}},
		{"bool", tensor.New(tensor.WithShape(1), tensor.WithBacking([]bool{true})), nil, nil},
	}
	for _, c := range cases {
		if got := Floats(c.t); !reflect.DeepEqual(got, c.floats) {
			t.Errorf("%s: Floats = %v, want %v", c.name, got, c.floats)
		}
		if got := Ints(c.t); !reflect.DeepEqual(got, c.ints) {
			t.Errorf("%s: Ints = %v, want %v", c.name, got, c.ints)
		}
	}
	x := tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{1}))
	Floats(x)[0] = 5
	if x.Data().([]float64)[0] != 1 {
		t.Error("Floats shares the tensor's backing array")
	}
}
