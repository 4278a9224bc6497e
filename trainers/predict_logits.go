package trainers

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// PredictLogits is Predict before the output's activation: for an output ending
// in a softmax or a sigmoid (a Dense layer's or an Activation layer's) it
// returns the values that activation takes, (N, output...) in the model's
// dtype, and the activation's name, "softmax" or "sigmoid"; for any other
// output, the outputs themselves and "". Logits keep what a float32 softmax
// rounds away (a probability of 1 − 1e-9 is 1 in float32; its logits still
// differ), which losses and membership audits computed outside the graph need.
// It takes BatchSize (default 32) and Verbose (ignored); x is as for Predict.
func (t *Trainer) PredictLogits(x *tensor.Dense, opts ...FitOption) (*tensor.Dense, string, error) {
	if len(t.model.Inputs()) != 1 || len(t.heads) != 1 {
		return nil, "", errors.Errorf("predict logits: the model has %d inputs and %d outputs: only a model of one input and one output is supported", len(t.model.Inputs()), len(t.heads))
	}
	out, p, err := t.predictTensors(logitsProgram, []*tensor.Dense{x}, opts)
	if err != nil {
		return nil, "", errors.Wrap(err, "logits")
	}
	return out[0], p.activation, nil
}
