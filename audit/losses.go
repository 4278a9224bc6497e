package audit

import (
	"math"

	"github.com/gokeras/gokeras/internal/tensorvals"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// probFloor is the least probability whose logarithm a cross-entropy takes: far
// below Keras' 1e-7 clip, which would tie every confident row at the same loss
// and hide what an attacker sees.
const probFloor = 1e-300

// ExampleLosses returns the loss of every row of (x, y) under the trainer's
// model, computed from its predictions with the trainer's loss: for an output
// of shape (K), mse, mae and huber (delta 1) average over the K values;
// binary_crossentropy averages over them too; categorical_crossentropy is
// −Σ y log p and sparse_categorical_crossentropy −log p[y] (y a class id, (N) or
// (N, 1)). The model's output must be probabilities (a sigmoid or softmax, as
// Keras expects by default); log 0 is taken as log 1e-300. A float32 model
// rounds the probabilities of its confident rows to exactly 1, whose losses then
// tie at 0: the attack sees less than one on a float64 model would, so its
// figures are a lower bound on what the model leaks. x (N, input...) is what Predict takes; y holds N
// rows of targets. The model must have one output of rank 1 per row and a loss
// given by name; opts are Predict's (BatchSize).
func ExampleLosses(t *trainers.Trainer, x, y *tensor.Dense, opts ...trainers.FitOption) ([]float64, error) {
	names := t.LossNames()
	if len(names) != 1 {
		return nil, errors.Errorf("audit: the model has %d outputs: only a model of one output is supported", len(names))
	}
	loss := names[0]
	if loss == "" {
		return nil, errors.New("audit: the trainer's loss is a function (or it has none): give it a loss by name (WithLoss)")
	}
	pred, err := t.Predict(x, opts...)
	if err != nil {
		return nil, errors.Wrap(err, "audit: predict")
	}
	s := pred.Shape()
	if len(s) != 2 {
		return nil, errors.Errorf("audit: the model's output has shape %v per batch: only (N, K) outputs are supported", s)
	}
	n, k := s[0], s[1]
	p := tensorvals.Floats(pred)
	targets := tensorvals.Floats(y)
	if targets == nil {
		targets = tensorvals.Ints(y)
	}
	if y.Shape()[0] != n || targets == nil {
		return nil, errors.Errorf("audit: targets of shape %v (%v): want %d rows of numbers", y.Shape(), y.Dtype(), n)
	}
	per := len(targets) / n
	out := make([]float64, n)
	for i := range out {
		row, tgt := p[i*k:(i+1)*k], targets[i*per:(i+1)*per]
		v, err := rowLoss(loss, row, tgt)
		if err != nil {
			return nil, errors.Wrapf(err, "audit: row %d", i)
		}
		out[i] = v
	}
	return out, nil
}

// rowLoss is one row's loss (see ExampleLosses).
func rowLoss(loss string, p, y []float64) (float64, error) {
	clip := func(v float64) float64 { return math.Min(math.Max(v, probFloor), 1) }
	same := func() error {
		if len(y) != len(p) {
			return errors.Errorf("%d target values for %d outputs (loss %s)", len(y), len(p), loss)
		}
		return nil
	}
	sum := 0.0
	switch loss {
	case "mse", "mean_squared_error", "mae", "mean_absolute_error", "huber":
		if err := same(); err != nil {
			return 0, err
		}
		for j := range p {
			d := math.Abs(p[j] - y[j])
			switch {
			case loss == "mae" || loss == "mean_absolute_error":
				sum += d
			case loss == "huber" && d > 1:
				sum += d - 0.5
			case loss == "huber":
				sum += 0.5 * d * d
			default:
				sum += d * d
			}
		}
		return sum / float64(len(p)), nil
	case "binary_crossentropy":
		if err := same(); err != nil {
			return 0, err
		}
		for j := range p {
			sum -= y[j]*math.Log(clip(p[j])) + (1-y[j])*math.Log(clip(1-p[j]))
		}
		return sum / float64(len(p)), nil
	case "categorical_crossentropy":
		if err := same(); err != nil {
			return 0, err
		}
		for j := range p {
			sum -= y[j] * math.Log(clip(p[j]))
		}
		return sum, nil
	case "sparse_categorical_crossentropy":
		if len(y) != 1 || y[0] != math.Trunc(y[0]) || y[0] < 0 || int(y[0]) >= len(p) {
			return 0, errors.Errorf("target %v: want one class id in [0, %d)", y, len(p))
		}
		return -math.Log(clip(p[int(y[0])])), nil
	}
	return 0, errors.Errorf("the loss %q is not one ExampleLosses knows (mse, mae, huber, binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy)", loss)
}
