package poison_test

import (
	"math/rand"
	"reflect"
	"testing"

	"github.com/gokeras/gokeras/poison"
	"gorgonia.org/tensor"
)

// images returns n random images (h, w, c) of values in [0.1, 0.9): none
// equals a white trigger.
func images(n, h, w, c int, seed int64) *tensor.Dense {
	rng := rand.New(rand.NewSource(seed))
	d := make([]float32, n*h*w*c)
	for i := range d {
		d[i] = 0.1 + 0.8*rng.Float32()
	}
	return tensor.New(tensor.WithShape(n, h, w, c), tensor.WithBacking(d))
}

// changed returns, per row, the flat (i, j, k) pixel offsets where a and b differ.
func changed(t *testing.T, a, b *tensor.Dense) map[int][]int {
	t.Helper()
	sh := a.Shape()
	per := sh[1] * sh[2] * sh[3]
	da, db := a.Data().([]float32), b.Data().([]float32)
	out := map[int][]int{}
	for i := range da {
		if da[i] != db[i] {
			out[i/per] = append(out[i/per], i%per)
		}
	}
	return out
}

// patchOffsets are the offsets of rows r0..r0+h, columns c0..c0+w, every channel.
func patchOffsets(h, w, c, r0, c0, ph, pw int) []int {
	var out []int
	for i := r0; i < r0+ph; i++ {
		for j := c0; j < c0+pw; j++ {
			for k := 0; k < c; k++ {
				out = append(out, (i*w+j)*c+k)
			}
		}
	}
	return out
}

func TestNewPatchDefault(t *testing.T) {
	p, err := poison.NewPatch(28, 28)
	if err != nil {
		t.Fatal(err)
	}
	if want := (poison.Patch{Row: 23, Col: 23, Height: 4, Width: 4, Value: 1}); p != want {
		t.Errorf("default patch %+v, want %+v", p, want)
	}
	if p, _ := poison.NewPatch(28, 28, poison.PatchSize(3, 2), poison.PatchMargin(0), poison.PatchValue(255)); p != (poison.Patch{Row: 25, Col: 26, Height: 3, Width: 2, Value: 255}) {
		t.Errorf("patch %+v", p)
	}
	if _, err := poison.NewPatch(28, 28, poison.PatchAt(26, 0)); err == nil {
		t.Error("a 4x4 patch at row 26 of 28 fits")
	}
	if _, err := poison.NewPatch(3, 3); err == nil {
		t.Error("a 4x4 patch fits in a 3x3 image")
	}
}

// TestStampExactPixels stamps rows 1 and 3 of 4 three-channel images and checks
// that exactly the trigger's pixels of those rows changed, to the trigger value.
func TestStampExactPixels(t *testing.T) {
	x := images(4, 10, 9, 3, 1)
	orig := x.Clone().(*tensor.Dense)
	p, err := poison.NewPatch(10, 9, poison.PatchAt(2, 5), poison.PatchSize(3, 4))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Stamp(x, []int{1, 3}); err != nil {
		t.Fatal(err)
	}
	want := patchOffsets(10, 9, 3, 2, 5, 3, 4)
	got := changed(t, orig, x)
	if len(got) != 2 || !reflect.DeepEqual(got[1], want) || !reflect.DeepEqual(got[3], want) {
		t.Errorf("changed pixels %v, want rows 1 and 3 at %v", got, want)
	}
	for _, o := range want {
		if v := x.Data().([]float32)[1*10*9*3+o]; v != 1 {
			t.Fatalf("stamped pixel %g, want 1", v)
		}
	}
	if err := p.Stamp(x, []int{4}); err == nil {
		t.Error("row 4 of 4 stamped")
	}
	if err := p.Stamp(images(1, 4, 4, 1, 1), nil); err == nil {
		t.Error("a patch at (2, 5) stamped on a 4x4 image")
	}
}

func TestPoison(t *testing.T) {
	const n, target = 300, 3
	x := images(n, 8, 8, 1, 2)
	labels := make([]float32, n)
	for i := range labels {
		labels[i] = float32(i % 10)
	}
	y := tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(labels))
	xOrig, yOrig := x.Clone().(*tensor.Dense), y.Clone().(*tensor.Dense)
	p, err := poison.NewPatch(8, 8)
	if err != nil {
		t.Fatal(err)
	}
	px, py, idx, err := poison.Poison(x, y, 0.1, target, 7, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(idx) != 30 {
		t.Fatalf("%d rows poisoned, want 30 (0.1 of 300)", len(idx))
	}
	if !reflect.DeepEqual(x.Data(), xOrig.Data()) || !reflect.DeepEqual(y.Data(), yOrig.Data()) {
		t.Error("Poison changed its inputs")
	}
	isPoisoned := map[int]bool{}
	for k, i := range idx {
		if k > 0 && idx[k-1] >= i {
			t.Fatalf("indices not sorted and distinct: %v", idx)
		}
		isPoisoned[i] = true
		if labels[i] == target {
			t.Errorf("row %d of the target class poisoned", i)
		}
	}
	newLabels := py.Data().([]float32)
	for i := range labels {
		want := labels[i]
		if isPoisoned[i] {
			want = target
		}
		if newLabels[i] != want {
			t.Errorf("row %d: label %g, want %g", i, newLabels[i], want)
		}
	}
	got := changed(t, xOrig, px)
	offsets := patchOffsets(8, 8, 1, 3, 3, 4, 4)
	if len(got) != len(idx) {
		t.Errorf("%d images changed, want %d", len(got), len(idx))
	}
	for r, o := range got {
		if !isPoisoned[r] || !reflect.DeepEqual(o, offsets) {
			t.Errorf("row %d changed at %v (poisoned %v)", r, o, isPoisoned[r])
		}
	}
	_, _, again, err := poison.Poison(x, y, 0.1, target, 7, p)
	if err != nil || !reflect.DeepEqual(again, idx) {
		t.Errorf("same seed gave %v (%v), want %v", again, err, idx)
	}
	_, _, other, err := poison.Poison(x, y, 0.1, target, 8, p)
	if err != nil || reflect.DeepEqual(other, idx) {
		t.Errorf("another seed gave the same rows (%v)", err)
	}
	for _, f := range []float64{0, 1, 0.95, -0.1} {
		if _, _, _, err := poison.Poison(x, y, f, target, 7, p); err == nil {
			t.Errorf("fraction %g accepted (only 270 rows are not of class 3)", f)
		}
	}
}
