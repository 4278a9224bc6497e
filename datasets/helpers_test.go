package datasets

import (
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// dense returns a tensor of the given dtype and shape holding vals.
func dense(dt tensor.Dtype, vals []float64, shape ...int) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(vals))
		for i, v := range vals {
			f[i] = float32(v)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), vals...)))
}

// seq returns 0, 1, ..., n-1 as float64.
func seq(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = float64(i)
	}
	return s
}

// values returns the values of a float tensor as float64.
func values(d *tensor.Dense) []float64 {
	f := rawFloats(d)
	out := make([]float64, f.len())
	for i := range out {
		out[i] = f.at(i)
	}
	return out
}

// gather returns examples idx of ds gathered into float64 tensors.
func gather(t *testing.T, ds Dataset, idx []int) (x, y []float64) {
	t.Helper()
	xd := tensor.New(tensor.WithShape(len(idx), prod(ds.XShape())), tensor.Of(tensor.Float64))
	yd := tensor.New(tensor.WithShape(len(idx), prod(ds.YShape())), tensor.Of(tensor.Float64))
	if err := ds.Gather(idx, xd, yd); err != nil {
		t.Fatalf("Gather(%v): %v", idx, err)
	}
	return xd.Float64s(), yd.Float64s()
}

// gatherAll returns every example of ds gathered into float64.
func gatherAll(t *testing.T, ds Dataset) (x, y []float64) {
	t.Helper()
	return gather(t, ds, identity(ds.Len()))
}

// checkErr fails t unless err is nil when want is "" and otherwise contains
// want.
func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != "" && err == nil:
		t.Fatalf("no error, want one containing %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Fatalf("error %q does not contain %q", err, want)
	}
}

// equalFloats reports whether a and b are equal element by element.
func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// equalInts reports whether a and b are equal element by element.
func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
