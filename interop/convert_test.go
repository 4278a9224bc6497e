package interop

import (
	"strings"
	"testing"
)

func ramp(name string, shape ...int) *Tensor {
	t := &Tensor{Name: name, Shape: shape}
	t.Data = make([]float64, t.Size())
	for i := range t.Data {
		t.Data[i] = float64(i)
	}
	return t
}

// TestLayouts checks each layout against the index formula it stands for.
func TestLayouts(t *testing.T) {
	const o, i, kh, kw = 3, 2, 4, 5
	cases := []struct {
		layout Layout
		src    *Tensor
		shape  []int
		at     func(idx []int) float64 // the source value at output index idx
	}{
		{AsIs, ramp("w", 2, 3), []int{2, 3}, func(x []int) float64 { return float64(x[0]*3 + x[1]) }},
		{Transpose, ramp("w", 2, 3), []int{3, 2}, func(x []int) float64 { return float64(x[1]*3 + x[0]) }},
		{ConvKernel1D, ramp("w", o, i, kh), []int{kh, i, o}, func(x []int) float64 { return float64((x[2]*i+x[1])*kh + x[0]) }},
		{ConvKernel2D, ramp("w", o, i, kh, kw), []int{kh, kw, i, o}, func(x []int) float64 {
			return float64(((x[3]*i+x[2])*kh+x[0])*kw + x[1])
		}},
	}
	for _, c := range cases {
		conv, err := layoutConversion(c.layout)
		if err != nil {
			t.Fatal(err)
		}
		got, err := conv.fn([]*Tensor{c.src})
		if err != nil {
			t.Fatalf("%s: %v", c.layout, err)
		}
		if !sameShape(got.Shape, c.shape) {
			t.Fatalf("%s: shape %v, want %v", c.layout, got.Shape, c.shape)
		}
		idx := make([]int, len(c.shape))
		for k, v := range got.Data {
			if w := c.at(idx); v != w {
				t.Fatalf("%s: value at %v is %g, want %g", c.layout, idx, v, w)
			}
			for a := len(idx) - 1; a >= 0; a-- {
				if idx[a]++; idx[a] < c.shape[a] {
					break
				}
				idx[a] = 0
			}
			_ = k
		}
	}
	if _, err := layoutConversion(Layout(9)); err == nil {
		t.Error("an unknown layout was accepted")
	}
	if s := Layout(9).String(); s != "Layout(9)" {
		t.Errorf("String %q", s)
	}
}

func TestBlocks(t *testing.T) {
	w := ramp("w", 6, 2) // three blocks of two rows
	p, err := permuteBlocks(w, []int{1, 0, 2})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{4, 5, 6, 7, 0, 1, 2, 3, 8, 9, 10, 11}
	for k := range want {
		if p.Data[k] != want[k] {
			t.Fatalf("permuted %v, want %v", p.Data, want)
		}
	}
	if _, err := permuteBlocks(ramp("w", 5, 2), []int{1, 0, 2}); err == nil || !strings.Contains(err.Error(), "3 gate blocks") {
		t.Errorf("5 rows in 3 blocks: %v", err)
	}
	b, err := rowBlock(ramp("b", 9), 2, 3)
	if err != nil || b.Data[0] != 6 || len(b.Data) != 3 {
		t.Errorf("row block %v, %v", b, err)
	}
	if _, err := stackTensors(ramp("a", 2), ramp("b", 3)); err == nil {
		t.Error("stacked tensors of different shapes")
	}
	if _, err := sumTensors(ramp("a", 2), ramp("b", 3)); err == nil {
		t.Error("added tensors of different shapes")
	}
	if s := fmtShape([]int{784, 256}); s != "(784, 256)" {
		t.Errorf("fmtShape %q", s)
	}
}
