package audit

import (
	"math"
	"strings"

	"github.com/gokeras/gokeras/internal/tensorvals"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// probFloor is the least probability whose logarithm a cross-entropy takes on
// an output that is not a recorded softmax or sigmoid: far below Keras' 1e-7
// clip, which would tie every confident row at the same loss and hide what an
// attacker sees.
const probFloor = 1e-300

// ExampleLosses returns the loss of every row of (x, y) under the trainer's
// model, computed from its predictions with the trainer's loss: for an output
// of shape (K), mse, mae and huber (delta 1) average over the K values;
// binary_crossentropy averages over them too; categorical_crossentropy is
// −Σ y log p and sparse_categorical_crossentropy −log p[y] (y a class id, (N) or
// (N, 1)). The model's output must be probabilities (a sigmoid or softmax, as
// Keras expects by default). The cross-entropies are computed in float64 from
// the logits of an output ending in a softmax or sigmoid (Trainer.PredictLogits),
// so that a float32 model's confident rows, whose probabilities round to 1, keep
// distinct losses; from other outputs' probabilities, log 0 is taken as
// log 1e-300. x (N, input...) is what Predict takes; y holds N
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
	pred, act, err := t.PredictLogits(x, opts...)
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
		v, err := rowLoss(loss, act, row, tgt)
		if err != nil {
			return nil, errors.Wrapf(err, "audit: row %d", i)
		}
		out[i] = v
	}
	return out, nil
}

// rowLoss is one row's loss (see ExampleLosses). p holds the output's values,
// or with act "softmax" or "sigmoid" the logits that activation takes.
func rowLoss(loss, act string, p, y []float64) (float64, error) {
	if act != "" && !strings.HasSuffix(loss, "crossentropy") {
		p = activated(act, p)
	}
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
		logP, log1mP := logProbs(act, p)
		for j := range p {
			sum -= y[j]*logP[j] + (1-y[j])*log1mP[j]
		}
		return sum / float64(len(p)), nil
	case "categorical_crossentropy":
		if err := same(); err != nil {
			return 0, err
		}
		logP, _ := logProbs(act, p)
		for j := range p {
			sum -= y[j] * logP[j]
		}
		return sum, nil
	case "sparse_categorical_crossentropy":
		if len(y) != 1 || y[0] != math.Trunc(y[0]) || y[0] < 0 || int(y[0]) >= len(p) {
			return 0, errors.Errorf("target %v: want one class id in [0, %d)", y, len(p))
		}
		logP, _ := logProbs(act, p)
		return -logP[int(y[0])], nil
	}
	return 0, errors.Errorf("the loss %q is not one ExampleLosses knows (mse, mae, huber, binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy)", loss)
}

// activated applies act ("softmax" or "sigmoid") to logits z.
func activated(act string, z []float64) []float64 {
	logP, _ := logProbs(act, z)
	out := make([]float64, len(z))
	for j, v := range logP {
		out[j] = math.Exp(v)
	}
	return out
}

// logProbs returns log p and log(1 − p) for each value: from logits, exactly, when
// act is "softmax" (a stable log-softmax) or "sigmoid" (log σ(z) = −log(1+e^−z));
// from probabilities otherwise, floored at probFloor.
func logProbs(act string, v []float64) (logP, log1mP []float64) {
	logP, log1mP = make([]float64, len(v)), make([]float64, len(v))
	switch act {
	case "softmax":
		m := math.Inf(-1)
		for _, z := range v {
			m = math.Max(m, z)
		}
		s := 0.0
		for _, z := range v {
			s += math.Exp(z - m)
		}
		lse := m + math.Log(s)
		for j, z := range v {
			logP[j] = z - lse
			log1mP[j] = math.Log1p(-math.Exp(logP[j]))
		}
	case "sigmoid":
		for j, z := range v {
			logP[j] = -softplus(-z)
			log1mP[j] = -softplus(z)
		}
	default:
		for j, p := range v {
			logP[j] = math.Log(math.Min(math.Max(p, probFloor), 1))
			log1mP[j] = math.Log(math.Min(math.Max(1-p, probFloor), 1))
		}
	}
	return logP, log1mP
}

// softplus is log(1 + e^x), without overflow.
func softplus(x float64) float64 {
	if x > 30 {
		return x
	}
	return math.Log1p(math.Exp(x))
}
