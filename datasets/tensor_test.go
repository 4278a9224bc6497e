package datasets

import (
	"testing"

	"gorgonia.org/tensor"
)

func TestNewTensorErrors(t *testing.T) {
	x := dense(tensor.Float64, seq(6), 3, 2)
	y := dense(tensor.Float64, seq(3), 3, 1)
	ints := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]int{1, 2, 3, 4, 5, 6}))
	scalar := tensor.New(tensor.FromScalar(1.0))
	tests := []struct {
		name    string
		x, y    *tensor.Dense
		wantErr string
	}{
		{"ok", x, y, ""},
		{"nil x", nil, y, "x is nil"},
		{"nil y", x, nil, "y is nil"},
		{"int x", ints, y, "x has dtype int"},
		{"int y", x, ints, "y has dtype int"},
		{"scalar x", scalar, y, "x is a scalar"},
		{"scalar y", x, scalar, "y is a scalar"},
		{"empty x", tensor.New(tensor.WithShape(0, 2), tensor.Of(tensor.Float64)), y, "x is empty (shape (0, 2))"},
		{"first dims differ", x, dense(tensor.Float64, seq(4), 4, 1), "x has 3 examples"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := NewTensor(tc.x, tc.y)
			checkErr(t, err, tc.wantErr)
			if err != nil && ds != nil {
				t.Errorf("got a data set with an error")
			}
		})
	}
}

func TestNewTensorShapes(t *testing.T) {
	tests := []struct {
		name           string
		x, y           *tensor.Dense
		n              int
		xShape, yShape []int
	}{
		{"matrix", dense(tensor.Float64, seq(6), 3, 2), dense(tensor.Float32, seq(3), 3, 1), 3, []int{2}, []int{1}},
		{"rank 1 y", dense(tensor.Float32, seq(6), 3, 2), dense(tensor.Float64, seq(3), 3), 3, []int{2}, []int{1}},
		{"images", dense(tensor.Float32, seq(2*4*3*1), 2, 4, 3, 1), dense(tensor.Float32, seq(20), 2, 10), 2, []int{4, 3, 1}, []int{10}},
		{"one example", dense(tensor.Float64, seq(1), 1, 1), dense(tensor.Float64, seq(1), 1, 1), 1, []int{1}, []int{1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := NewTensor(tc.x, tc.y)
			if err != nil {
				t.Fatal(err)
			}
			if ds.Len() != tc.n || !equalInts(ds.XShape(), tc.xShape) || !equalInts(ds.YShape(), tc.yShape) {
				t.Errorf("Len %d XShape %v YShape %v, want %d %v %v", ds.Len(), ds.XShape(), ds.YShape(), tc.n, tc.xShape, tc.yShape)
			}
			if ds.X() != tc.x || ds.Y() != tc.y {
				t.Errorf("X/Y are not the tensors given")
			}
			ds.XShape()[0] = 99
			if ds.XShape()[0] == 99 {
				t.Errorf("XShape exposes internal state")
			}
		})
	}
}

func TestNewTensorMaterializesTranspose(t *testing.T) {
	// x is (2, 3) transposed into (3, 2): example i is column i of the original.
	x := dense(tensor.Float64, []float64{1, 2, 3, 4, 5, 6}, 2, 3)
	if err := x.T(); err != nil {
		t.Fatal(err)
	}
	ds, err := NewTensor(x, dense(tensor.Float64, seq(3), 3, 1))
	if err != nil {
		t.Fatal(err)
	}
	gx, _ := gatherAll(t, ds)
	if want := []float64{1, 4, 2, 5, 3, 6}; !equalFloats(gx, want) {
		t.Errorf("x = %v, want %v", gx, want)
	}
}

func TestGatherConversion(t *testing.T) {
	xv := []float64{0.5, -1.25, 2, 3.75, 1e-3, -7}
	yv := []float64{1, 0, 1}
	idx := []int{2, 0, 2}
	wantX := []float64{1e-3, -7, 0.5, -1.25, 1e-3, -7}
	wantY := []float64{1, 1, 1}
	dtypes := []tensor.Dtype{tensor.Float32, tensor.Float64}
	for _, src := range dtypes {
		for _, dst := range dtypes {
			t.Run(src.String()+"->"+dst.String(), func(t *testing.T) {
				ds, err := NewTensor(dense(src, xv, 3, 2), dense(src, yv, 3, 1))
				if err != nil {
					t.Fatal(err)
				}
				x := tensor.New(tensor.WithShape(3, 2), tensor.Of(dst))
				y := tensor.New(tensor.WithShape(3), tensor.Of(dst))
				if err := ds.Gather(idx, x, y); err != nil {
					t.Fatal(err)
				}
				gx, gy := values(x), values(y)
				for i := range wantX {
					// float32 cannot hold 1e-3 exactly: compare at float32 precision.
					if float32(gx[i]) != float32(wantX[i]) {
						t.Errorf("x[%d] = %v, want %v", i, gx[i], wantX[i])
					}
				}
				if !equalFloats(gy, wantY) {
					t.Errorf("y = %v, want %v", gy, wantY)
				}
			})
		}
	}
}

func TestGatherErrors(t *testing.T) {
	ds, err := NewTensor(dense(tensor.Float64, seq(6), 3, 2), dense(tensor.Float64, seq(3), 3, 1))
	if err != nil {
		t.Fatal(err)
	}
	f64 := func(shape ...int) *tensor.Dense {
		return tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float64))
	}
	transposed := f64(2, 2)
	if err := transposed.T(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		idx     []int
		x, y    *tensor.Dense
		wantErr string
	}{
		{"ok", []int{0, 2}, f64(2, 2), f64(2, 1), ""},
		{"any shape of right size", []int{0, 2}, f64(4), f64(1, 2), ""},
		{"empty idx", nil, f64(2, 2), f64(2, 1), "no indices"},
		{"negative index", []int{0, -1}, f64(2, 2), f64(2, 1), "index -1 at position 1 out of range [0, 3)"},
		{"index = Len", []int{3, 0}, f64(2, 2), f64(2, 1), "index 3 at position 0 out of range"},
		{"nil x", []int{0}, nil, f64(1, 1), "x is nil"},
		{"nil y", []int{0}, f64(1, 2), nil, "y is nil"},
		{"int x", []int{0}, tensor.New(tensor.WithShape(1, 2), tensor.Of(tensor.Int)), f64(1, 1), "x has dtype int"},
		{"x too small", []int{0, 1}, f64(1, 2), f64(2, 1), "x has 2 values"},
		{"x too big", []int{0, 1}, f64(3, 2), f64(2, 1), "x has 6 values"},
		{"y wrong size", []int{0, 1}, f64(2, 2), f64(3, 1), "y has 3 values"},
		{"transposed x", []int{0, 1}, transposed, f64(2, 1), "x is not contiguous"},
		{"scalar y", []int{0}, f64(1, 2), tensor.New(tensor.FromScalar(0.0)), "y is a scalar"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, ds.Gather(tc.idx, tc.x, tc.y), tc.wantErr)
		})
	}
}

func TestGatherIntoContiguousSlice(t *testing.T) {
	ds, err := NewTensor(dense(tensor.Float64, seq(6), 3, 2), dense(tensor.Float64, seq(3), 3, 1))
	if err != nil {
		t.Fatal(err)
	}
	big := tensor.New(tensor.WithShape(4, 2), tensor.Of(tensor.Float32))
	view, err := big.Slice(tensor.S(1, 3))
	if err != nil {
		t.Fatal(err)
	}
	x := view.(*tensor.Dense)
	y := tensor.New(tensor.WithShape(2, 1), tensor.Of(tensor.Float32))
	if err := ds.Gather([]int{2, 1}, x, y); err != nil {
		t.Fatal(err)
	}
	if got, want := values(big), []float64{0, 0, 4, 5, 2, 3, 0, 0}; !equalFloats(got, want) {
		t.Errorf("backing = %v, want %v", got, want)
	}
}
