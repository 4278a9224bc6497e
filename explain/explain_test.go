package explain_test

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/gokeras/gokeras/explain"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// TestIntegratedGradientsCompleteness checks that the attributions of a trained
// digits MLP (tanh hidden layer) add up to F(x) − F(0) within 1% at the default 50
// steps. (Measured: max 0.12% over the 360 test images.)
func TestIntegratedGradientsCompleteness(t *testing.T) {
	d := trainedDigits(t)
	if d.acc < 0.9 {
		t.Fatalf("the digits model reaches only %.3f test accuracy", d.acc)
	}
	x := firstRows(d.testX, 20)
	res, err := explain.IntegratedGradients(d.tr, x)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Attributions.Shape().Eq(x.Shape()) {
		t.Fatalf("attributions %v, want %v", res.Attributions.Shape(), x.Shape())
	}
	t.Logf("test accuracy %.3f; completeness error: max %.5f over %d rows (first %.5f, delta %.3f)",
		d.acc, res.MaxCompletenessError(), len(res.CompletenessError), res.CompletenessError[0], res.Delta[0])
	for r, e := range res.CompletenessError {
		if !(e <= 0.01) {
			t.Errorf("row %d: completeness error %.4f (delta %.4f) exceeds 1%%", r, e, res.Delta[r])
		}
	}
	// Fewer steps are less complete (on average).
	coarse, err := explain.IntegratedGradients(d.tr, x, explain.WithSteps(2))
	if err != nil {
		t.Fatal(err)
	}
	if mean(coarse.CompletenessError) < mean(res.CompletenessError) {
		t.Errorf("2 steps: mean completeness error %.4f below 50 steps' %.4f", mean(coarse.CompletenessError), mean(res.CompletenessError))
	}
}

// TestIntegratedGradientsReLU checks completeness on a ReLU MLP, whose gradient
// jumps at the kinks the path crosses, so the trapezoid rule converges in 1/steps
// only: at 50 steps the median row is within 1% (measured: median 0.23%, 3 of 360
// test images above 1%, max 3.9%), and at 200 steps every one of 60 rows.
func TestIntegratedGradientsReLU(t *testing.T) {
	d := trainedDigits(t, "relu")
	x := firstRows(d.testX, 60)
	res, err := explain.IntegratedGradients(d.tr, x)
	if err != nil {
		t.Fatal(err)
	}
	e := append([]float64(nil), res.CompletenessError...)
	sort.Float64s(e)
	t.Logf("relu, 50 steps: median %.5f, max %.5f", e[len(e)/2], e[len(e)-1])
	if e[len(e)/2] > 0.01 {
		t.Errorf("median completeness error %.4f exceeds 1%%", e[len(e)/2])
	}
	fine, err := explain.IntegratedGradients(d.tr, x, explain.WithSteps(200))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("relu, 200 steps: max %.5f", fine.MaxCompletenessError())
	if m := fine.MaxCompletenessError(); m > 0.01 {
		t.Errorf("200 steps: max completeness error %.4f exceeds 1%%", m)
	}
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// TestSaliencyShape checks the shape and sign of saliency maps.
func TestSaliencyShape(t *testing.T) {
	d := trainedDigits(t)
	x := firstRows(d.testX, 3)
	s, err := explain.Saliency(d.tr, x)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Shape().Eq(x.Shape()) || s.Dtype() != tensor.Float64 {
		t.Fatalf("saliency %v %v, want %v float64", s.Shape(), s.Dtype(), x.Shape())
	}
	nonzero := 0
	for _, v := range s.Data().([]float64) {
		if v < 0 || math.IsNaN(v) {
			t.Fatalf("saliency value %g is not >= 0", v)
		}
		if v > 0 {
			nonzero++
		}
	}
	if nonzero == 0 {
		t.Error("saliency is all zeros")
	}
	gx, err := explain.Saliency(d.tr, x, explain.WithGradientTimesInput(), explain.WithClass(3))
	if err != nil {
		t.Fatal(err)
	}
	xs := x.Data().([]float64)
	for i, v := range gx.Data().([]float64) {
		if xs[i] == 0 && v != 0 {
			t.Fatalf("gradient × input is %g at a zero input", v)
		}
	}
	if _, err := explain.Saliency(d.tr, x, explain.WithClass(1, 2)); err == nil {
		t.Error("2 classes for 3 rows: no error")
	}
}

// onePixelModel scores class 0 as 5 × the pixel (row 1, column 2) of a 4x4 image
// and class 1 as 0.
func onePixelModel(t *testing.T) *trainers.Trainer {
	t.Helper()
	m := layers.NewSequential(layers.Input(4, 4, 1), layers.Flatten(), layers.Dense(2, layers.WithActivation("softmax")))
	tr, err := trainers.New(m, trainers.WithDType(tensor.Float64))
	if err != nil {
		t.Fatal(err)
	}
	ps := m.Params()
	kernel := make([]float64, 16*2)
	kernel[(1*4+2)*2+0] = 5
	if err := ps[0].SetFloat64s(kernel); err != nil {
		t.Fatal(err)
	}
	if err := ps[1].SetFloat64s(make([]float64, 2)); err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestOcclusionOnePixel checks that occlusion on a model that reads one pixel
// highlights that pixel only (patch 1) or most (patch 2).
func TestOcclusionOnePixel(t *testing.T) {
	tr := onePixelModel(t)
	ones := make([]float64, 16)
	for i := range ones {
		ones[i] = 1
	}
	x := tensor.New(tensor.WithShape(1, 4, 4, 1), tensor.WithBacking(ones))
	for _, patch := range []int{1, 2} {
		a, err := explain.Occlusion(tr, x, explain.WithPatch(patch), explain.WithClass(0))
		if err != nil {
			t.Fatal(err)
		}
		vals := a.Data().([]float64)
		const best = 1*4 + 2
		for i, v := range vals {
			if v > vals[best] {
				t.Errorf("patch %d: pixel %d has %g, more than the read pixel's %g", patch, i, v, vals[best])
			}
		}
		if math.Abs(vals[best]-5) > 1e-9 || vals[3*4+0] != 0 {
			t.Errorf("patch %d: attribution %g at the read pixel (want 5), %g far from it (want 0): %v", patch, vals[best], vals[3*4], vals)
		}
		if patch == 1 {
			for i, v := range vals {
				if i != best && v != 0 {
					t.Errorf("patch 1: pixel %d has attribution %g", i, v)
				}
			}
		}
	}
	// The saliency of the same model is its weight at that pixel.
	s, err := explain.Saliency(tr, x, explain.WithClass(0))
	if err != nil {
		t.Fatal(err)
	}
	if v := s.Data().([]float64)[6]; math.Abs(v-5) > 1e-12 {
		t.Errorf("saliency at the pixel %g, want 5", v)
	}
	if _, err := explain.Occlusion(tr, x, explain.WithPatch(5)); err == nil {
		t.Error("a patch larger than the image: no error")
	}
}

// TestSmoothGradDeterministic checks that a seed fixes SmoothGrad's map.
func TestSmoothGradDeterministic(t *testing.T) {
	d := trainedDigits(t)
	x := firstRows(d.testX, 2)
	run := func(seed int64) []float64 {
		s, err := explain.SmoothGrad(d.tr, x, explain.WithSamples(8), explain.WithSeed(seed))
		if err != nil {
			t.Fatal(err)
		}
		if !s.Shape().Eq(x.Shape()) {
			t.Fatalf("smoothgrad %v, want %v", s.Shape(), x.Shape())
		}
		return s.Data().([]float64)
	}
	a, b, c := run(7), run(7), run(8)
	same := true
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("seed 7 twice: value %d differs: %g, %g", i, a[i], b[i])
		}
		same = same && a[i] == c[i]
	}
	if same {
		t.Error("seeds 7 and 8 give the same map")
	}
	// No noise: the mean of identical saliency maps is the saliency map.
	z, err := explain.SmoothGrad(d.tr, x, explain.WithSamples(3), explain.WithNoise(0))
	if err != nil {
		t.Fatal(err)
	}
	s, err := explain.Saliency(d.tr, x)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range s.Data().([]float64) {
		if w := z.Data().([]float64)[i]; math.Abs(v-w) > 1e-6*math.Max(1, math.Abs(v)) {
			t.Fatalf("noise 0: value %d: smoothgrad %g, saliency %g", i, w, v)
		}
	}
}

// TestOverlayPNG checks the heat map's size, colours and the atomic write.
func TestOverlayPNG(t *testing.T) {
	pixels := []float64{0, 1, 2, 3}
	attr := []float64{0, 1, -1, 0}
	img, err := explain.Overlay(pixels, attr, 2, 2, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 6 || b.Dy() != 6 {
		t.Fatalf("overlay %v, want 6x6", b)
	}
	if c := img.RGBAAt(0, 0); c.R != 0 || c.G != 0 || c.B != 0 {
		t.Errorf("darkest pixel without attribution %v, want black", c)
	}
	if c := img.RGBAAt(3, 0); c.R <= c.B {
		t.Errorf("positive attribution %v is not red", c)
	}
	if c := img.RGBAAt(0, 3); c.B <= c.R {
		t.Errorf("negative attribution %v is not blue", c)
	}
	path := filepath.Join(t.TempDir(), "heat.png")
	if err := explain.WritePNG(path, img); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if back, err := png.Decode(f); err != nil || back.Bounds() != img.Bounds() {
		t.Errorf("read back: %v %v", err, back)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("the folder holds %d files, want only the PNG", len(entries))
	}
	if _, err := explain.Overlay(pixels, attr[:3], 2, 2, 1, 1); err == nil {
		t.Error("3 attributions for 4 pixels: no error")
	}
	if err := explain.WritePNG(filepath.Join(t.TempDir(), "no", "such", "dir.png"), img); err == nil {
		t.Error("a missing folder: no error")
	}
}
