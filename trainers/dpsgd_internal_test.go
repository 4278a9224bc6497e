package trainers

import (
	"context"
	"math"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/privacy"
	"gorgonia.org/tensor"
)

// dpTestModels are float64 models of Dense and Conv2D layers ("same" padding
// with strides and with dilation and an odd total, "valid" with dilation, no
// bias) on (8, 8, 2) images or 8
// features, and 3 classes.
func dpTestModels() map[string]func() (*layers.Sequential, []int) {
	return map[string]func() (*layers.Sequential, []int){
		"mlp": func() (*layers.Sequential, []int) {
			return layers.NewSequential(layers.Input(8),
				layers.Dense(5, layers.WithActivation("tanh")),
				layers.Dense(4, layers.WithActivation("relu"), layers.WithBias(false)),
				layers.Dense(3, layers.WithActivation("softmax"))), []int{8}
		},
		"cnn": func() (*layers.Sequential, []int) {
			return layers.NewSequential(layers.Input(8, 8, 2),
				layers.Conv2D(3, 3, layers.WithActivation("tanh"), layers.WithPadding("same"), layers.WithStrides(2, 1)),
				layers.Conv2D(4, 2, layers.WithActivation("tanh"), layers.WithDilation(2, 1), layers.WithPadding("same"), layers.WithBias(false)),
				layers.Conv2D(3, 2, layers.WithActivation("tanh"), layers.WithDilation(1, 2)),
				layers.MaxPooling2D(2),
				layers.Flatten(),
				layers.Dense(3, layers.WithActivation("softmax"))), []int{8, 8, 2}
		},
	}
}

// dpTestTrainer builds m in float64 with a seed and returns a trainer of it.
func dpTestTrainer(t *testing.T, m *layers.Sequential, opt Optimizer) *Trainer {
	t.Helper()
	if err := m.Build(layers.WithDType(tensor.Float64), layers.WithSeed(3)); err != nil {
		t.Fatal(err)
	}
	tr, err := New(m, WithLoss("sparse_categorical_crossentropy"), WithOptimizer(opt), WithSeed(5), WithMetrics("accuracy"))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// dpTestData is n random examples of shape in and labels 0..2.
func dpTestData(n int, in []int, seed int64) (*tensor.Dense, *tensor.Dense) {
	rng := rand.New(rand.NewSource(seed))
	per := 1
	for _, s := range in {
		per *= s
	}
	xs := make([]float64, n*per)
	for i := range xs {
		xs[i] = rng.NormFloat64()
	}
	ys := make([]float64, n)
	for i := range ys {
		ys[i] = float64(rng.Intn(3))
	}
	return tensor.New(tensor.WithShape(append([]int{n}, in...)...), tensor.WithBacking(xs)),
		tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(ys))
}

// fillRows writes rows idx of src (N, ...) into dst (len(idx), ...).
func fillRows(dst, src *tensor.Dense, idx []int) {
	per := src.Shape().TotalSize() / src.Shape()[0]
	d, s := dst.Data().([]float64), src.Data().([]float64)
	for r, i := range idx {
		copy(d[r*per:(r+1)*per], s[i*per:(i+1)*per])
	}
}

// bruteForce returns each example's gradient (all trainable weights, in the
// training program's order, flattened) from a program of batch one per example.
func bruteForce(t *testing.T, tr *Trainer, x, y *tensor.Dense) [][]float64 {
	t.Helper()
	p, err := tr.program(trainProgram, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]float64
	for i := 0; i < x.Shape()[0]; i++ {
		fillRows(p.xs[0], x, []int{i})
		fillRows(p.ys[0], y, []int{i})
		if err := p.run(nil); err != nil {
			t.Fatal(err)
		}
		var g []float64
		for _, gt := range p.gradTs {
			g = append(g, gt.Data().([]float64)...)
		}
		out = append(out, g)
	}
	return out
}

func norm(v []float64) float64 { return math.Sqrt(sumSq(v)) }

// dpRun runs dp on the rows idx of (x, y), padded to its batch by repeating
// rows, and returns the clipped sum (flattened) and the norms of the rows.
func dpRun(t *testing.T, dp *dpProgram, x, y *tensor.Dense, idx []int, clip float64) ([]float64, []float64) {
	t.Helper()
	batch := dp.xs[0].Shape()[0]
	padded := make([]int, batch)
	for r := range padded {
		padded[r] = idx[r%len(idx)]
	}
	fillRows(dp.xs[0], x, padded)
	fillRows(dp.ys[0], y, padded)
	if err := dp.run(nil); err != nil {
		t.Fatal(err)
	}
	sum := make([][]float64, len(dp.params))
	for i, prm := range dp.params {
		sum[i] = make([]float64, prm.Value.Shape().TotalSize())
	}
	norms := make([]float64, len(idx))
	if err := dp.clipInto(&dpWork{}, sum, len(idx), clip, norms); err != nil {
		t.Fatal(err)
	}
	var flat []float64
	for _, s := range sum {
		flat = append(flat, s...)
	}
	return flat, norms
}

// TestDPSGDMatchesBruteForce checks the per-example gradient norms of Dense and
// Conv2D models, and the clipped sums, against programs of batch one per
// example (float64, to 1e-9 relative), on a full batch and on a padded one.
func TestDPSGDMatchesBruteForce(t *testing.T) {
	for name, mk := range dpTestModels() {
		t.Run(name, func(t *testing.T) {
			m, in := mk()
			tr := dpTestTrainer(t, m, SGD(0.1))
			x, y := dpTestData(7, in, 11)
			ref := bruteForce(t, tr, x, y)
			refNorms := make([]float64, len(ref))
			for i, g := range ref {
				refNorms[i] = norm(g)
			}
			sorted := append([]float64(nil), refNorms...)
			sort.Float64s(sorted)
			clip := sorted[3] // about half the examples are clipped
			want := make([]float64, len(ref[0]))
			for i, g := range ref {
				c := math.Min(1, clip/refNorms[i])
				if c*refNorms[i] > clip*(1+1e-12) {
					t.Fatalf("example %d: contribution %g exceeds the clip norm %g", i, c*refNorms[i], clip)
				}
				axpy(c, g, want)
			}
			for _, batch := range []int{7, 10} {
				dp, err := tr.compileDP(batch)
				if err != nil {
					t.Fatal(err)
				}
				if len(dp.params) == 0 || len(dp.layers) == 0 {
					t.Fatal("no tapped layers")
				}
				got, norms := dpRun(t, dp, x, y, []int{0, 1, 2, 3, 4, 5, 6}, clip)
				worst := 0.0
				for i := range norms {
					d := math.Abs(norms[i]-refNorms[i]) / refNorms[i]
					worst = math.Max(worst, d)
					if d > 1e-9 {
						t.Errorf("batch %d: example %d: norm %.15g, brute force %.15g (rel %g)", batch, i, norms[i], refNorms[i], d)
					}
				}
				if len(got) != len(want) {
					t.Fatalf("clipped sum of %d values, want %d", len(got), len(want))
				}
				d := maxRelDiff(got, want)
				if d > 1e-9 {
					t.Errorf("batch %d: clipped sum differs from the brute-force one by %g (relative to its largest value)", batch, d)
				}
				t.Logf("batch %d: norms within %.1e (relative), clipped sum within %.1e", batch, worst, d)
			}
			// The bound: one example's clipped gradient never exceeds C.
			dp, err := tr.compileDP(1)
			if err != nil {
				t.Fatal(err)
			}
			for i := range ref {
				g, n := dpRun(t, dp, x, y, []int{i}, clip)
				if gn := norm(g); gn > clip*(1+1e-9) || math.Abs(n[0]-refNorms[i]) > 1e-9*refNorms[i] {
					t.Errorf("example %d alone: clipped norm %g (clip %g), norm %g want %g", i, gn, clip, n[0], refNorms[i])
				}
			}
		})
	}
}

func maxRelDiff(a, b []float64) float64 {
	var scale, d float64
	for i := range a {
		scale = math.Max(scale, math.Abs(b[i]))
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d / scale
}

// TestDPSGDWithoutNoiseIsSGD checks the whole step: with no noise, a clip norm
// no example reaches and shuffled batches, DP-SGD trains exactly as Fit does.
func TestDPSGDWithoutNoiseIsSGD(t *testing.T) {
	m1, in := dpTestModels()["cnn"]()
	m2, _ := dpTestModels()["cnn"]()
	a, b := dpTestTrainer(t, m1, SGD(0.1)), dpTestTrainer(t, m2, SGD(0.1))
	x, y := dpTestData(23, in, 12)
	ctx := context.Background()
	if _, err := a.Fit(ctx, x, y, Epochs(2), BatchSize(5), Verbose(0)); err != nil {
		t.Fatal(err)
	}
	d := DPSGD(1e9, 0, WithDPSampling(ShuffledSampling))
	if _, err := b.Fit(ctx, x, y, Epochs(2), BatchSize(5), Verbose(0), d); err != nil {
		t.Fatal(err)
	}
	wa, wb := dpWeights(m1), dpWeights(m2)
	if d := maxRelDiff(wb, wa); d > 1e-9 || len(wa) == 0 {
		t.Errorf("DP-SGD without noise or clipping differs from SGD by %g", d)
	}
	if d.Steps() != 10 {
		t.Errorf("steps %d, want 10", d.Steps())
	}
	if s, err := d.Spent(1e-5); err != nil || !math.IsInf(s.Epsilon, 1) {
		t.Errorf("no noise: epsilon %g, %v; want +Inf", s.Epsilon, err)
	}
}

func dpWeights(m layers.Model) []float64 {
	var out []float64
	for _, p := range m.Params() {
		out = append(out, p.Value.Data().([]float64)...)
	}
	return out
}

// TestDPSGDFit checks a Poisson-sampled Fit: determinism for the seed, noise
// that changes the weights, and the privacy spent equal to the accountant's.
func TestDPSGDFit(t *testing.T) {
	train := func(noise float64) ([]float64, *DPSGDOption) {
		m, in := dpTestModels()["mlp"]()
		tr := dpTestTrainer(t, m, Adam(0.01))
		x, y := dpTestData(200, in, 13)
		d := DPSGD(1, noise)
		h, err := tr.Fit(context.Background(), x, y, Epochs(3), BatchSize(20), Verbose(0), d)
		if err != nil {
			t.Fatal(err)
		}
		if l, acc := h.Metrics["loss"], h.Metrics["accuracy"]; len(l) != 3 || math.IsNaN(l[2]) || acc[2] <= 0 {
			t.Errorf("logs %v", h.Metrics)
		}
		return dpWeights(m), d
	}
	w1, d := train(1.1)
	w2, _ := train(1.1)
	w3, _ := train(0.5)
	if maxRelDiff(w1, w2) != 0 {
		t.Error("two runs of the same seed differ")
	}
	if maxRelDiff(w1, w3) == 0 {
		t.Error("the noise multiplier changes nothing")
	}
	got, err := d.Spent(1e-5)
	if err != nil {
		t.Fatal(err)
	}
	want, err := privacy.DPSGDEpsilon(200, 20, 1.1, 3, 1e-5)
	if err != nil {
		t.Fatal(err)
	}
	if got.Steps != 30 || got.SamplingRate != 0.1 || math.Abs(got.Epsilon-want.Epsilon) > 1e-12 {
		t.Errorf("spent %+v, want %+v", got, want)
	}
}

// TestPoissonSample checks the sampler's mean and variance and that it is
// sorted without repeats.
func TestPoissonSample(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	const n, q, runs = 1000, 0.05, 2000
	var s, s2 float64
	for r := 0; r < runs; r++ {
		idx := poissonSample(n, q, rng)
		for i := 1; i < len(idx); i++ {
			if idx[i] <= idx[i-1] || idx[i] >= n {
				t.Fatalf("sample %v is not increasing within [0, %d)", idx, n)
			}
		}
		m := float64(len(idx))
		s, s2 = s+m, s2+m*m
	}
	mean, v := s/runs, s2/runs-(s/runs)*(s/runs)
	if math.Abs(mean-n*q) > 0.5 || math.Abs(v-n*q*(1-q)) > 6 {
		t.Errorf("batch size mean %g variance %g, want %g and %g", mean, v, n*q, n*q*(1-q))
	}
}

// TestDPSGDRefuses checks the errors: batch statistics, layers without a
// per-example rule, and bad settings.
func TestDPSGDRefuses(t *testing.T) {
	for _, c := range []struct {
		model *layers.Sequential
		want  string
	}{
		{layers.NewSequential(layers.Input(8), layers.Dense(4), layers.BatchNormalization(layers.WithName("bn")), layers.Dense(3, layers.WithActivation("softmax"))), `"bn" (BatchNormalization)`},
		{layers.NewSequential(layers.Input(8), layers.LayerNormalization(layers.WithName("ln")), layers.Dense(3, layers.WithActivation("softmax"))), `"ln" (LayerNormalization)`},
	} {
		tr := dpTestTrainer(t, c.model, SGD(0.1))
		x, y := dpTestData(10, []int{8}, 1)
		_, err := tr.Fit(context.Background(), x, y, BatchSize(5), Verbose(0), DPSGD(1, 1))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one naming %s", err, c.want)
		}
	}
	m, _ := dpTestModels()["mlp"]()
	tr := dpTestTrainer(t, m, SGD(0.1))
	x, y := dpTestData(10, []int{8}, 1)
	for _, o := range []*DPSGDOption{DPSGD(0, 1), DPSGD(1, -1), DPSGD(math.NaN(), 1), DPSGD(1, 1, WithDPSampling(7))} {
		if _, err := tr.Fit(context.Background(), x, y, Verbose(0), o); err == nil {
			t.Error("a bad setting trains")
		}
	}
	if _, err := tr.Evaluate(context.Background(), x, y, DPSGD(1, 1)); err == nil {
		t.Error("Evaluate takes DPSGD")
	}
	if _, err := tr.Fit(context.Background(), x, y, BatchSize(20), Verbose(0), DPSGD(1, 1)); err == nil {
		t.Error("a batch larger than the data trains")
	}
}

// TestChunkSize checks the program batches of Poisson steps: multiples of
// about the batch size's standard deviation, capped (larger steps run in
// chunks), and the exact size for shuffled batches.
func TestChunkSize(t *testing.T) {
	for _, c := range []struct {
		m, L     int
		q        float64
		shuffled bool
		want     int
	}{
		{13, 20, 0.1, false, 15}, // sd sqrt(18): multiples of 5
		{20, 20, 0.1, false, 20},
		{39, 20, 0.1, false, 40},
		{100, 20, 0.1, false, 40}, // L + 4 multiples: the cap
		{0, 20, 0.1, false, 0},
		{13, 20, 0.1, true, 13},
		{250, 256, 256.0 / 60000, false, 256}, // multiples of 16
	} {
		if got := chunkSize(c.m, c.L, c.q, c.shuffled); got != c.want {
			t.Errorf("chunkSize(%d, %d, %g, %v) = %d, want %d", c.m, c.L, c.q, c.shuffled, got, c.want)
		}
	}
}
