package explain

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Defaults of the options.
const (
	DefaultSamples   = 25   // SmoothGrad's noisy copies per row
	DefaultNoise     = 0.15 // SmoothGrad's noise σ, as a fraction of the row's value range
	DefaultSeed      = 1    // SmoothGrad's noise seed
	DefaultSteps     = 50   // IntegratedGradients' intervals
	DefaultPatch     = 3    // Occlusion's patch side
	DefaultStride    = 1    // Occlusion's stride
	DefaultBatchSize = 64   // rows differentiated or evaluated at a time
	DefaultRepeats   = 5    // PermutationImportance's shuffles per feature
	// DefaultCoalitions is KernelSHAP's budget of sampled coalitions when it
	// cannot enumerate them all (more than MaxExactFeatures features).
	DefaultCoalitions = 2048
	// MaxExactFeatures is the largest number of features whose 2^M coalitions
	// KernelSHAP enumerates exactly.
	MaxExactFeatures = 11
)

// Option sets a parameter of an explanation method; each method ignores the
// options that are not its own.
type Option func(*config)

type config struct {
	classes        []int
	probability    bool
	gradTimesInput bool
	samples        int
	noise          float64
	seed           int64
	baseline       *tensor.Dense
	steps          int
	patchH, patchW int
	strideH        int
	strideW        int
	occValue       float64
	image          []int // (H, W, C) of a flat input; nil: the input's shape
	batch          int
	layer          string // GradCAM's layer; "": the last of rank-4 output
	repeats        int
	metric         string // PermutationImportance's; "": by the output's width
	coalitions     int
}

func newConfig(opts []Option) (*config, error) {
	c := &config{samples: DefaultSamples, noise: DefaultNoise, seed: DefaultSeed, steps: DefaultSteps,
		patchH: DefaultPatch, patchW: DefaultPatch, strideH: DefaultStride, strideW: DefaultStride, batch: DefaultBatchSize,
		repeats: DefaultRepeats, coalitions: DefaultCoalitions}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	switch {
	case c.samples < 1:
		return nil, errors.Errorf("explain: %d samples: want at least 1", c.samples)
	case !(c.noise >= 0):
		return nil, errors.Errorf("explain: noise %g: want a fraction >= 0", c.noise)
	case c.steps < 1:
		return nil, errors.Errorf("explain: %d steps: want at least 1", c.steps)
	case c.patchH < 1 || c.patchW < 1:
		return nil, errors.Errorf("explain: patch %dx%d: want sides of at least 1", c.patchH, c.patchW)
	case c.strideH < 1 || c.strideW < 1:
		return nil, errors.Errorf("explain: stride %dx%d: want at least 1", c.strideH, c.strideW)
	case c.batch < 1:
		return nil, errors.Errorf("explain: batch size %d: want at least 1", c.batch)
	case c.repeats < 1:
		return nil, errors.Errorf("explain: %d repeats: want at least 1", c.repeats)
	case c.coalitions < 2:
		return nil, errors.Errorf("explain: %d coalitions: want at least 2", c.coalitions)
	case c.metric != "" && c.metric != MetricAccuracy && c.metric != MetricMSE:
		return nil, errors.Errorf("explain: unknown metric %q (valid: %s, %s)", c.metric, MetricAccuracy, MetricMSE)
	}
	return c, nil
}

// WithClass explains the given class for every row (one class), or class[i] for
// row i (one per row). Default: the class each row is predicted (the largest
// output value).
func WithClass(classes ...int) Option {
	return func(c *config) { c.classes = append([]int(nil), classes...) }
}

// WithProbability scores a class by the model's output after its activation (the
// probability of a softmax output) instead of the logit.
func WithProbability() Option { return func(c *config) { c.probability = true } }

// WithGradientTimesInput makes Saliency and SmoothGrad return gradient × input
// (signed) instead of the absolute gradient.
func WithGradientTimesInput() Option { return func(c *config) { c.gradTimesInput = true } }

// WithSamples sets SmoothGrad's number of noisy copies per row (default 25).
func WithSamples(n int) Option { return func(c *config) { c.samples = n } }

// WithNoise sets SmoothGrad's noise standard deviation as a fraction of each row's
// value range max − min (default 0.15).
func WithNoise(fraction float64) Option { return func(c *config) { c.noise = fraction } }

// WithSeed seeds SmoothGrad's noise, PermutationImportance's shuffles and
// KernelSHAP's sampled coalitions (default 1): the same seed gives the same result.
func WithSeed(seed int64) Option { return func(c *config) { c.seed = seed } }

// WithBaseline sets IntegratedGradients' baseline: one example (input...) or
// (1, input...) for every row, or one per row (N, input...). Default: zeros.
func WithBaseline(b *tensor.Dense) Option { return func(c *config) { c.baseline = b } }

// WithSteps sets IntegratedGradients' number of intervals of the path (default 50:
// the gradient is taken at steps+1 points).
func WithSteps(n int) Option { return func(c *config) { c.steps = n } }

// WithPatch sets Occlusion's square patch side in pixels (default 3).
func WithPatch(side int) Option { return func(c *config) { c.patchH, c.patchW = side, side } }

// WithStride sets Occlusion's step between patches in pixels (default 1).
func WithStride(s int) Option { return func(c *config) { c.strideH, c.strideW = s, s } }

// WithOcclusionValue sets the value Occlusion writes into a patch (default 0), in
// the units of the input the model takes.
func WithOcclusionValue(v float64) Option { return func(c *config) { c.occValue = v } }

// WithImageShape gives Occlusion the image geometry (height, width, channels) of a
// model whose input is flat (h*w*c values per row, in row-major H, W, C order).
// Default: the input's own shape, (H, W, C) or (H, W).
func WithImageShape(h, w, c int) Option { return func(cf *config) { cf.image = []int{h, w, c} } }

// WithBatchSize sets how many rows the model differentiates or evaluates at a time
// (default 64).
func WithBatchSize(n int) Option { return func(c *config) { c.batch = n } }

// WithLayer names the layer whose feature maps GradCAM weighs (one of the model's
// Layers, with an output (N, H', W', C)). Default: the last layer of the model's
// Layers whose output has rank 4.
func WithLayer(name string) Option { return func(c *config) { c.layer = name } }

// WithRepeats sets how many times PermutationImportance shuffles each feature
// (default 5).
func WithRepeats(n int) Option { return func(c *config) { c.repeats = n } }

// Metrics of PermutationImportance (WithMetric).
const (
	// MetricAccuracy is the fraction of rows whose predicted class (the largest
	// output value; for an output of one value, whether it exceeds 0.5) is the
	// label.
	MetricAccuracy = "accuracy"
	// MetricMSE is the mean squared error of the outputs against the targets.
	MetricMSE = "mse"
)

// WithMetric sets PermutationImportance's metric: MetricAccuracy or MetricMSE.
// Default: accuracy for a model of more than one output value per row (classes),
// MSE for one of a single value (regression).
func WithMetric(name string) Option { return func(c *config) { c.metric = name } }

// WithCoalitions sets KernelSHAP's budget of sampled coalitions for models of more
// than MaxExactFeatures features (default 2048); below that it enumerates them all.
func WithCoalitions(n int) Option { return func(c *config) { c.coalitions = n } }
