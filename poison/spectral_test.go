package poison_test

import (
	"math"
	"math/rand"
	"testing"

	"github.com/gokeras/gokeras/poison"
	"gorgonia.org/tensor"
)

// TestSpectralSignaturesFindsShiftedRows plants, in class 1 of two Gaussian
// classes (500 rows each, 32 dimensions, unit variance), 25 rows shifted by 4
// along a random direction, and checks that spectral signatures flags
// ceil(1.5 x 0.05 x n_c) rows of each class and at least 24 of the 25.
func TestSpectralSignaturesFindsShiftedRows(t *testing.T) {
	const perClass, dim, planted = 500, 32, 25
	rng := rand.New(rand.NewSource(3))
	dir := make([]float64, dim)
	var norm float64
	for j := range dir {
		dir[j] = rng.NormFloat64()
		norm += dir[j] * dir[j]
	}
	for j := range dir {
		dir[j] *= 4 / math.Sqrt(norm)
	}
	n := 2*perClass + planted
	data := make([]float32, n*dim)
	labels := make([]int, n)
	var truth []int
	for i := 0; i < n; i++ {
		labels[i] = 0
		if i >= perClass {
			labels[i] = 1
		}
		for j := 0; j < dim; j++ {
			v := rng.NormFloat64() + 3*float64(labels[i])
			if i >= 2*perClass {
				v += dir[j]
			}
			data[i*dim+j] = float32(v)
		}
		if i >= 2*perClass {
			truth = append(truth, i)
		}
	}
	reps := tensor.New(tensor.WithShape(n, 4, dim/4), tensor.WithBacking(data))
	det, err := poison.SpectralSignatures(reps, labels)
	if err != nil {
		t.Fatal(err)
	}
	if det.PerClass[0] != 38 || det.PerClass[1] != 40 || len(det.Flagged) != 78 {
		t.Errorf("flagged %v per class, %d in all; want 38 (ceil 37.5) and 40 (ceil 39.375)", det.PerClass, len(det.Flagged))
	}
	precision, recall := poison.PrecisionRecall(det.Flagged, truth)
	t.Logf("precision %.3f recall %.3f", precision, recall)
	if recall < 24.0/25 {
		t.Errorf("recall %.3f, want >= 0.96", recall)
	}
	if want := 25.0 / 78; precision < want-1e-9 && recall == 1 {
		t.Errorf("precision %.3f with every planted row found, want %.3f", precision, want)
	}
	if _, err := poison.SpectralSignatures(reps, labels[:10]); err == nil {
		t.Error("10 labels for 1025 rows accepted")
	}
	if _, err := poison.SpectralSignatures(reps, labels, poison.ExpectedFraction(0)); err == nil {
		t.Error("expected fraction 0 accepted")
	}
}

func TestPrecisionRecall(t *testing.T) {
	p, r := poison.PrecisionRecall([]int{1, 2, 3, 3, 9}, []int{2, 3, 4, 5})
	if p != 0.5 || r != 0.5 {
		t.Errorf("precision %g recall %g, want 0.5 and 0.5", p, r)
	}
	if p, r := poison.PrecisionRecall(nil, nil); p != 0 || r != 1 {
		t.Errorf("nothing flagged or poisoned: %g %g", p, r)
	}
}
