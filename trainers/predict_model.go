package trainers

import (
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Predict runs a built model (trained, or loaded with layers.Load) of one input and
// one output on x in one call, as Keras' model.predict(x): no loss, no optimizer,
// nothing to close.
//
//	model, err := layers.Load("iris.safetensors")
//	pred, err := trainers.Predict(model, x)
//
// It compiles the programs each call, so for many calls on one model keep a
// trainer (trainers.New(model) with no loss predicts; Fit and Evaluate then ask for
// one) or, for concurrent callers, a Predictor. Options and the result are those of
// Trainer.Predict: the output is in the model's dtype whatever the float type of x.
func Predict(model layers.Model, x *tensor.Dense, opts ...FitOption) (*tensor.Dense, error) {
	t, err := predictTrainer(model)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	return t.Predict(x, opts...)
}

// PredictNamed is Predict for a model of several inputs or outputs: x maps every
// input's name to its rows, and the result maps every output's name to its rows.
func PredictNamed(model layers.Model, x map[string]*tensor.Dense, opts ...FitOption) (map[string]*tensor.Dense, error) {
	t, err := predictTrainer(model)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	return t.PredictNamed(x, opts...)
}

// predictTrainer is a trainer without a loss for a built model.
func predictTrainer(model layers.Model) (*Trainer, error) {
	if model == nil {
		return nil, errors.New("predict: nil model")
	}
	if !model.Built() {
		return nil, errors.New("predict: the model is not built, so it has no weights: train it (trainers.New and Fit) or load it (layers.Load)")
	}
	t, err := New(model)
	return t, errors.Wrap(err, "predict")
}
