package explain

import (
	"math"
	"math/rand"

	"github.com/gokeras/gokeras/internal/tensorvals"

	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// PermutationResult is what PermutationImportance returns.
type PermutationResult struct {
	// Metric is the metric used: MetricAccuracy or MetricMSE.
	Metric string
	// Baseline is the metric on the unshuffled data.
	Baseline float64
	// Mean and Std are, per feature (column of x), the mean and the population
	// standard deviation over the repeats of the importance: how much worse the
	// metric gets when the column is shuffled (Baseline − shuffled accuracy, or
	// shuffled MSE − Baseline). Near 0 (or below) for a feature the model ignores.
	Mean, Std []float64
	// Importances holds every repeat: Importances[feature][repeat].
	Importances [][]float64
}

// PermutationImportance measures how much each feature (column) of the tabular
// batch x (N, F) matters to the model (Breiman 2001): the column is shuffled
// across the rows, breaking its link with the target, and the drop of the metric
// is recorded, WithRepeats times (default 5) with shuffles drawn from WithSeed
// (default 1). The metric (WithMetric) is accuracy for a model of several outputs
// per row (classes: y holds N class labels, or N one-hot rows (N, K)) and the mean
// squared error for a model of one output per row (regression: y holds N targets),
// unless set; for MSE, y has as many values per row as the output. Options:
// WithRepeats, WithSeed, WithMetric, WithBatchSize.
func PermutationImportance(t *trainers.Trainer, x, y *tensor.Dense, opts ...Option) (*PermutationResult, error) {
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	xs, err := prepare(t, x)
	if err != nil {
		return nil, errors.Wrap(err, "permutation importance")
	}
	if x.Dims() != 2 {
		return nil, errors.Errorf("permutation importance: x has shape %v: want a table (N, features)", x.Shape())
	}
	n, f := x.Shape()[0], x.Shape()[1]
	if n < 2 {
		return nil, errors.Errorf("permutation importance: %d row: shuffling a column needs at least 2", n)
	}
	if y == nil {
		return nil, errors.New("permutation importance: no targets y")
	}
	ys := tensorvals.Floats(y)
	if ys == nil {
		ys = tensorvals.Ints(y)
	}
	if ys == nil || y.Dims() < 1 || y.Shape()[0] != n {
		return nil, errors.Errorf("permutation importance: targets of shape %v and dtype %v for %d rows: want %d numbers first", y.Shape(), y.Dtype(), n, n)
	}
	score := func(v []float64) (float64, string, error) {
		p, err := t.Predict(tensor.New(tensor.WithShape(n, f), tensor.WithBacking(v)), trainers.BatchSize(c.batch))
		if err != nil {
			return 0, "", err
		}
		return metricOf(c.metric, tensorvals.Floats(p), ys, n)
	}
	base, metric, err := score(append([]float64(nil), xs...))
	if err != nil {
		return nil, errors.Wrap(err, "permutation importance")
	}
	res := &PermutationResult{Metric: metric, Baseline: base, Mean: make([]float64, f), Std: make([]float64, f), Importances: make([][]float64, f)}
	rng := rand.New(rand.NewSource(c.seed))
	work := make([]float64, len(xs))
	for j := 0; j < f; j++ {
		res.Importances[j] = make([]float64, c.repeats)
		for r := 0; r < c.repeats; r++ {
			copy(work, xs)
			perm := rng.Perm(n)
			for i, src := range perm {
				work[i*f+j] = xs[src*f+j]
			}
			s, _, err := score(append([]float64(nil), work...))
			if err != nil {
				return nil, errors.Wrapf(err, "permutation importance: feature %d repeat %d", j, r)
			}
			imp := base - s
			if metric == MetricMSE {
				imp = s - base
			}
			res.Importances[j][r] = imp
		}
		res.Mean[j], res.Std[j] = meanStd(res.Importances[j])
	}
	return res, nil
}

// metricOf scores the predictions p (n rows) against the targets ys: by metric,
// or by default accuracy for several outputs per row and MSE for one.
func metricOf(metric string, p, ys []float64, n int) (float64, string, error) {
	if p == nil {
		return 0, "", errors.New("predictions are not floats")
	}
	k := len(p) / n
	if metric == "" {
		metric = MetricMSE
		if k > 1 {
			metric = MetricAccuracy
		}
	}
	yk := len(ys) / n
	switch metric {
	case MetricMSE:
		if yk != k {
			return 0, "", errors.Errorf("mse: %d target values per row for %d outputs per row", yk, k)
		}
		s := 0.0
		for i := range p {
			d := p[i] - ys[i]
			s += d * d
		}
		return s / float64(len(p)), metric, nil
	default:
		if yk != 1 && yk != k {
			return 0, "", errors.Errorf("accuracy: %d target values per row: want a label, or one-hot rows of the %d outputs", yk, k)
		}
		right := 0
		for r := 0; r < n; r++ {
			pred := argmaxOrThreshold(p[r*k : (r+1)*k])
			label := int(math.Round(ys[r]))
			if yk > 1 {
				label = argmaxOrThreshold(ys[r*yk : (r+1)*yk])
			}
			if pred == label {
				right++
			}
		}
		return float64(right) / float64(n), metric, nil
	}
}

// argmaxOrThreshold is the index of the largest value, or for a single value
// whether it exceeds 0.5.
func argmaxOrThreshold(v []float64) int {
	if len(v) == 1 {
		if v[0] > 0.5 {
			return 1
		}
		return 0
	}
	best := 0
	for j := range v {
		if v[j] > v[best] {
			best = j
		}
	}
	return best
}

// meanStd is the mean and population standard deviation of v.
func meanStd(v []float64) (mean, std float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(v)))
}
