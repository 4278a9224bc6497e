package explain

import (
	"math"
	"math/rand"

	"github.com/gokeras/gokeras/internal/tensorvals"

	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Saliency returns, for each row of x (N, input...), the absolute gradient of the
// class score with respect to the input, or gradient × input with
// WithGradientTimesInput: a float64 tensor of x's shape. Options: WithClass,
// WithProbability, WithGradientTimesInput, WithBatchSize.
func Saliency(t *trainers.Trainer, x *tensor.Dense, opts ...Option) (*tensor.Dense, error) {
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	xs, err := prepare(t, x)
	if err != nil {
		return nil, errors.Wrap(err, "saliency")
	}
	classes, err := c.targetClasses(t, x)
	if err != nil {
		return nil, errors.Wrap(err, "saliency")
	}
	g, _, err := t.InputGradientsScores(x, c.target(classes...), trainers.BatchSize(c.batch))
	if err != nil {
		return nil, errors.Wrap(err, "saliency")
	}
	gs := tensorvals.Floats(g)
	out := make([]float64, len(gs))
	for i, v := range gs {
		if c.gradTimesInput {
			out[i] = v * xs[i]
		} else {
			out[i] = math.Abs(v)
		}
	}
	return like(x, out), nil
}

// SmoothGrad returns Saliency averaged over WithSamples (default 25) copies of
// each row with Gaussian noise added, of standard deviation WithNoise (default
// 0.15) times the row's value range (max − min): the mean of |gradient| (or of
// gradient × noisy input with WithGradientTimesInput). The class explained is the
// one of the clean row (its prediction unless WithClass). The noise is drawn from
// WithSeed (default 1), row after row, so the same options give the same map.
func SmoothGrad(t *trainers.Trainer, x *tensor.Dense, opts ...Option) (*tensor.Dense, error) {
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	xs, err := prepare(t, x)
	if err != nil {
		return nil, errors.Wrap(err, "smoothgrad")
	}
	classes, err := c.targetClasses(t, x)
	if err != nil {
		return nil, errors.Wrap(err, "smoothgrad")
	}
	n, per := rows(x)
	rng := rand.New(rand.NewSource(c.seed))
	out := make([]float64, len(xs))
	noisy := make([]float64, c.samples*per)
	shape := append([]int{c.samples}, x.Shape()[1:]...)
	for r := 0; r < n; r++ {
		row := xs[r*per : (r+1)*per]
		lo, hi := minMax(row)
		sigma := c.noise * (hi - lo)
		for s := 0; s < c.samples; s++ {
			for j, v := range row {
				noisy[s*per+j] = v + sigma*rng.NormFloat64()
			}
		}
		nt := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), noisy...)))
		g, _, err := t.InputGradientsScores(nt, c.target(classes[r]), trainers.BatchSize(c.batch))
		if err != nil {
			return nil, errors.Wrapf(err, "smoothgrad: row %d", r)
		}
		gs := tensorvals.Floats(g)
		dst := out[r*per : (r+1)*per]
		for s := 0; s < c.samples; s++ {
			for j := range dst {
				v := gs[s*per+j]
				if c.gradTimesInput {
					v *= noisy[s*per+j]
				} else {
					v = math.Abs(v)
				}
				dst[j] += v / float64(c.samples)
			}
		}
	}
	return like(x, out), nil
}

// IGResult is what IntegratedGradients returns.
type IGResult struct {
	// Attributions has x's shape, float64: (x − baseline) × the path-averaged
	// gradient.
	Attributions *tensor.Dense
	// Delta is, per row, F(x) − F(baseline): the class score's change along the
	// path, which the attributions of the row should add up to.
	Delta []float64
	// CompletenessError is, per row, |Σ attributions − Delta| / |Delta| (the
	// absolute |Σ attributions − Delta| where Delta is 0).
	CompletenessError []float64
}

// MaxCompletenessError is the largest completeness error of the rows.
func (r *IGResult) MaxCompletenessError() float64 {
	m := 0.0
	for _, e := range r.CompletenessError {
		m = math.Max(m, e)
	}
	return m
}

// IntegratedGradients returns, for each row of x (N, input...), the integrated
// gradients of the class score from a baseline (zeros unless WithBaseline):
// (x − baseline) × (1/m) Σ_k w_k ∇F(baseline + (k/m)(x − baseline)), k = 0..m with
// m = WithSteps (default 50) and the trapezoid weights w_0 = w_m = 1/2, w_k = 1
// otherwise; and each row's completeness error, which shrinks as m grows. Options:
// WithClass, WithProbability, WithBaseline, WithSteps, WithBatchSize.
func IntegratedGradients(t *trainers.Trainer, x *tensor.Dense, opts ...Option) (*IGResult, error) {
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	xs, err := prepare(t, x)
	if err != nil {
		return nil, errors.Wrap(err, "integrated gradients")
	}
	classes, err := c.targetClasses(t, x)
	if err != nil {
		return nil, errors.Wrap(err, "integrated gradients")
	}
	n, per := rows(x)
	base := make([]float64, len(xs))
	if c.baseline != nil {
		b := tensorvals.Floats(c.baseline)
		switch {
		case b == nil:
			return nil, errors.Errorf("integrated gradients: the baseline must be float32 or float64, not %v", c.baseline.Dtype())
		case len(b) == per:
			for r := 0; r < n; r++ {
				copy(base[r*per:], b)
			}
		case len(b) == n*per:
			copy(base, b)
		default:
			return nil, errors.Errorf("integrated gradients: the baseline %v has neither one example's %d values nor the batch's %d", c.baseline.Shape(), per, n*per)
		}
	}
	m := c.steps
	res := &IGResult{Delta: make([]float64, n), CompletenessError: make([]float64, n)}
	out := make([]float64, len(xs))
	path := make([]float64, (m+1)*per)
	shape := append([]int{m + 1}, x.Shape()[1:]...)
	for r := 0; r < n; r++ {
		row, b := xs[r*per:(r+1)*per], base[r*per:(r+1)*per]
		for k := 0; k <= m; k++ {
			a := float64(k) / float64(m)
			for j := range row {
				path[k*per+j] = b[j] + a*(row[j]-b[j])
			}
		}
		pt := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), path...)))
		g, scores, err := t.InputGradientsScores(pt, c.target(classes[r]), trainers.BatchSize(c.batch))
		if err != nil {
			return nil, errors.Wrapf(err, "integrated gradients: row %d", r)
		}
		gs := tensorvals.Floats(g)
		dst := out[r*per : (r+1)*per]
		sum := 0.0
		for j := range dst {
			avg := 0.0
			for k := 0; k <= m; k++ {
				w := 1.0
				if k == 0 || k == m {
					w = 0.5
				}
				avg += w * gs[k*per+j]
			}
			dst[j] = (row[j] - b[j]) * avg / float64(m)
			sum += dst[j]
		}
		delta := scores[m] - scores[0]
		res.Delta[r] = delta
		res.CompletenessError[r] = math.Abs(sum - delta)
		if delta != 0 {
			res.CompletenessError[r] /= math.Abs(delta)
		}
	}
	res.Attributions = like(x, out)
	return res, nil
}

// Occlusion slides a patch (WithPatch, default 3x3) over each image of x by
// WithStride (default 1), sets the patch's pixels in every channel to
// WithOcclusionValue (default 0), and records the drop of the class score, F(x) −
// F(occluded). A pixel's attribution is the mean drop over the patches covering it
// (0 for a pixel no patch covers), the same in every channel: a float64 tensor of
// x's shape. x is (N, H, W, C) or (N, H, W); for a flat input give the geometry
// with WithImageShape. Options: WithClass, WithProbability, WithPatch, WithStride,
// WithOcclusionValue, WithImageShape, WithBatchSize.
func Occlusion(t *trainers.Trainer, x *tensor.Dense, opts ...Option) (*tensor.Dense, error) {
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	xs, err := prepare(t, x)
	if err != nil {
		return nil, errors.Wrap(err, "occlusion")
	}
	n, per := rows(x)
	h, w, ch, err := imageGeometry(x.Shape()[1:], c.image)
	if err != nil {
		return nil, errors.Wrap(err, "occlusion")
	}
	if c.patchH > h || c.patchW > w {
		return nil, errors.Errorf("occlusion: patch %dx%d is larger than the image %dx%d", c.patchH, c.patchW, h, w)
	}
	classes, err := c.targetClasses(t, x)
	if err != nil {
		return nil, errors.Wrap(err, "occlusion")
	}
	var tops, lefts []int
	for y := 0; y+c.patchH <= h; y += c.strideH {
		tops = append(tops, y)
	}
	for x := 0; x+c.patchW <= w; x += c.strideW {
		lefts = append(lefts, x)
	}
	np := len(tops) * len(lefts)
	out := make([]float64, len(xs))
	batch := make([]float64, (np+1)*per)
	shape := append([]int{np + 1}, x.Shape()[1:]...)
	for r := 0; r < n; r++ {
		row := xs[r*per : (r+1)*per]
		copy(batch, row) // example 0: the image itself
		k := 1
		for _, y0 := range tops {
			for _, x0 := range lefts {
				dst := batch[k*per : (k+1)*per]
				copy(dst, row)
				for y := y0; y < y0+c.patchH; y++ {
					for xx := x0; xx < x0+c.patchW; xx++ {
						for q := 0; q < ch; q++ {
							dst[(y*w+xx)*ch+q] = c.occValue
						}
					}
				}
				k++
			}
		}
		bt := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), batch...)))
		_, scores, err := t.InputGradientsScores(bt, c.target(classes[r]), trainers.BatchSize(c.batch))
		if err != nil {
			return nil, errors.Wrapf(err, "occlusion: row %d", r)
		}
		sum := make([]float64, h*w)
		count := make([]int, h*w)
		k = 1
		for _, y0 := range tops {
			for _, x0 := range lefts {
				drop := scores[0] - scores[k]
				for y := y0; y < y0+c.patchH; y++ {
					for xx := x0; xx < x0+c.patchW; xx++ {
						sum[y*w+xx] += drop
						count[y*w+xx]++
					}
				}
				k++
			}
		}
		dst := out[r*per : (r+1)*per]
		for p := range sum {
			if count[p] == 0 {
				continue
			}
			for q := 0; q < ch; q++ {
				dst[p*ch+q] = sum[p] / float64(count[p])
			}
		}
	}
	return like(x, out), nil
}

// imageGeometry is (H, W, C) of one example of shape s: s itself for (H, W, C),
// (H, W, 1) for (H, W), or the given image shape when its size matches.
func imageGeometry(s, image []int) (h, w, c int, err error) {
	size := 1
	for _, d := range s {
		size *= d
	}
	switch {
	case image != nil:
		if image[0] < 1 || image[1] < 1 || image[2] < 1 || image[0]*image[1]*image[2] != size {
			return 0, 0, 0, errors.Errorf("image shape %v does not fit examples of shape %v", image, s)
		}
		return image[0], image[1], image[2], nil
	case len(s) == 3:
		return s[0], s[1], s[2], nil
	case len(s) == 2:
		return s[0], s[1], 1, nil
	}
	return 0, 0, 0, errors.Errorf("examples of shape %v are not images (H, W, C) or (H, W): give WithImageShape", s)
}

// target is the trainers target of the configuration for the classes.
func (c *config) target(classes ...int) trainers.InputGradTarget {
	if c.probability {
		return trainers.ClassProbability(classes...)
	}
	return trainers.ClassLogit(classes...)
}

// targetClasses is one class per row of x: WithClass's, or the predicted ones.
func (c *config) targetClasses(t *trainers.Trainer, x *tensor.Dense) ([]int, error) {
	n, _ := rows(x)
	switch len(c.classes) {
	case 0:
		return PredictedClasses(t, x)
	case 1:
		out := make([]int, n)
		for i := range out {
			out[i] = c.classes[0]
		}
		return out, nil
	case n:
		return append([]int(nil), c.classes...), nil
	}
	return nil, errors.Errorf("%d classes given for %d rows: give one for all rows or one per row", len(c.classes), n)
}

// PredictedClasses returns, for each row of x, the index of the model's largest
// output value (the output of a row flattened): the class it predicts.
func PredictedClasses(t *trainers.Trainer, x *tensor.Dense) ([]int, error) {
	p, err := t.Predict(x)
	if err != nil {
		return nil, err
	}
	ps := tensorvals.Floats(p)
	if ps == nil {
		return nil, errors.Errorf("predictions of dtype %v have no class", p.Dtype())
	}
	n := p.Shape()[0]
	k := len(ps) / n
	out := make([]int, n)
	for r := range out {
		best := 0
		for j := 1; j < k; j++ {
			if ps[r*k+j] > ps[r*k+best] {
				best = j
			}
		}
		out[r] = best
	}
	return out, nil
}

// prepare checks x and returns its values as float64.
func prepare(t *trainers.Trainer, x *tensor.Dense) ([]float64, error) {
	if t == nil {
		return nil, errors.New("no trainer")
	}
	if x == nil || x.Dims() < 2 || x.Shape()[0] < 1 {
		return nil, errors.New("x must be a batch (N, input...) of at least one row")
	}
	xs := tensorvals.Floats(x)
	if xs == nil {
		return nil, errors.Errorf("x must be float32 or float64, not %v", x.Dtype())
	}
	return xs, nil
}

// rows is x's number of rows and values per row.
func rows(x *tensor.Dense) (n, per int) {
	n = x.Shape()[0]
	return n, x.Shape().TotalSize() / n
}

// like is vals as a float64 tensor of x's shape.
func like(x *tensor.Dense, vals []float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(x.Shape().Clone()...), tensor.WithBacking(vals))
}

func minMax(v []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return lo, hi
}
