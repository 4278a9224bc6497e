package trainers

import (
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Predict returns the outputs of a model of one input and one output for x, shape
// (N, input...) with any N >= 1, in inference mode (dropout off): a new tensor of
// shape (N, output...) in the model's dtype (Model().DType(): float32 unless built
// WithDType(Float64)), whatever the float type of x, as Keras returns the model's
// dtype (an output of ids, such as a StringLookup's, is Int64). It takes BatchSize
// (default 32) and Verbose (ignored). x must be float32 or float64 and finite
// (int32/int64 ids for an integer input, a String tensor of raw categories for a
// String input); float64 values beyond float32's range are an error for a float32
// model. A model of several inputs or outputs uses PredictNamed or PredictTensors.
// A trainer made without a loss predicts; so does the function Predict, in one
// call on a loaded model.
func (t *Trainer) Predict(x *tensor.Dense, opts ...FitOption) (*tensor.Dense, error) {
	if len(t.model.Inputs()) != 1 || len(t.heads) != 1 {
		return nil, errors.Errorf("predict: the model has %d inputs and %d outputs: use PredictNamed or PredictTensors", len(t.model.Inputs()), len(t.heads))
	}
	out, err := t.PredictTensors([]*tensor.Dense{x}, opts...)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// PredictNamed returns the outputs by name for inputs given by name (every model
// input, each of shape (N, input...)).
func (t *Trainer) PredictNamed(x map[string]*tensor.Dense, opts ...FitOption) (map[string]*tensor.Dense, error) {
	xs, err := orderInputs("predict", t.model.Inputs(), x)
	if err != nil {
		return nil, err
	}
	outs, err := t.PredictTensors(xs, opts...)
	if err != nil {
		return nil, err
	}
	res := make(map[string]*tensor.Dense, len(outs))
	for i, h := range t.heads {
		res[h.out.Name] = outs[i]
	}
	return res, nil
}

// PredictTensors returns the outputs, in the order of the model's outputs, for
// inputs given in the order of the model's inputs (each (N, input...), the same N).
func (t *Trainer) PredictTensors(xs []*tensor.Dense, opts ...FitOption) ([]*tensor.Dense, error) {
	outs, _, err := t.predictTensors(predictProgram, xs, opts)
	return outs, err
}

// predictTensors runs the programs of kind (predictProgram or logitsProgram) over
// the rows of xs, a batch at a time.
func (t *Trainer) predictTensors(kind programKind, xs []*tensor.Dense, opts []FitOption) (outs []*tensor.Dense, last *program, err error) {
	c, err := newFitConfig("predict", []string{"batch", "verbose"}, opts)
	if err != nil {
		return nil, nil, err
	}
	ins, steps, err := t.predictSpecs(xs)
	if err != nil {
		return nil, nil, err
	}
	n, err := checkInputs("predict", ins, t.inputLabel, xs)
	if err != nil {
		return nil, nil, err
	}
	if err := checkIDsOf("predict", t.model, t.inputLabel, xs); err != nil {
		return nil, nil, err
	}
	outSpecs := t.model.Outputs()
	outs = make([]*tensor.Dense, len(outSpecs))
	for i, o := range outSpecs {
		outs[i] = tensor.New(tensor.Of(outputDType(t.model, o)), tensor.WithShape(append([]int{n}, o.Shape...)...))
	}
	idx := make([]int, 0, c.batch)
	for start := 0; start < n; start += c.batch {
		b := min(c.batch, n-start)
		p, err := t.program(kind, b, steps)
		if err != nil {
			return nil, nil, errors.Wrapf(err, "predict: compile the program for batch %d%s", b, stepsLabel(steps))
		}
		for i, x := range xs {
			per := prod(ins[i].Shape)
			copyValues(p.xs[i], 0, x, start*per, b*per)
		}
		if err := p.run(nil); err != nil {
			idx = idx[:0]
			for r := 0; r < b; r++ {
				idx = append(idx, start+r)
			}
			return nil, nil, errors.Wrap(describeRunError(err, idx), "predict")
		}
		for i, o := range outSpecs {
			per := prod(o.Shape)
			copyValues(outs[i], start*per, p.output(i), 0, b*per)
		}
		last = p
	}
	return outs, last, nil
}

// outputDType is the dtype of predictions of output o: Int64 (or another integer
// type) for an output of ids (a lookup layer's), the model's float type otherwise.
func outputDType(m layers.Model, o layers.Spec) tensor.Dtype {
	if isIntType(o.DType) {
		return o.DType
	}
	return m.DType()
}

// orderInputs puts named inputs in the model's order; a missing or unknown name is
// an error listing the model's inputs.
func orderInputs(what string, ins []layers.Spec, x map[string]*tensor.Dense) ([]*tensor.Dense, error) {
	names := make([]string, len(ins))
	for i, s := range ins {
		names[i] = s.Name
	}
	xs := make([]*tensor.Dense, len(ins))
	for i, s := range ins {
		v, ok := x[s.Name]
		if !ok {
			return nil, errors.Errorf("%s: no input %q (the model's inputs are %v)", what, s.Name, names)
		}
		xs[i] = v
	}
	if len(x) != len(ins) {
		for k := range x {
			found := false
			for _, n := range names {
				found = found || n == k
			}
			if !found {
				return nil, errors.Errorf("%s: unknown input %q (the model's inputs are %v)", what, k, names)
			}
		}
	}
	return xs, nil
}

// checkInputs checks inputs for prediction: one per model input, each (N, shape...)
// with the same N >= 1, of a fitting dtype (see checkDType: strings for a String
// input and only there) and finite. It returns N. label names input i in errors.
func checkInputs(what string, ins []layers.Spec, label func(int) string, xs []*tensor.Dense) (int, error) {
	if len(xs) != len(ins) {
		return 0, errors.Errorf("%s: the model has %d input(s), given %d", what, len(ins), len(xs))
	}
	n := -1
	for i, x := range xs {
		if x == nil || x.Dims() < 1 || x.Shape()[0] == 0 {
			return 0, errors.Errorf("%s: no rows for %s", what, label(i))
		}
		if got := []int(x.Shape()[1:]); !sameInts(got, ins[i].Shape) {
			return 0, errors.Errorf("%s: %s expects examples of shape %s, x has %s", what, label(i), fmtShape(ins[i].Shape), fmtShape(got))
		}
		if n >= 0 && x.Shape()[0] != n {
			return 0, errors.Errorf("%s: %s has %d rows, the first input %d", what, label(i), x.Shape()[0], n)
		}
		n = x.Shape()[0]
		if err := checkDType(label(i), x.Dtype(), ins[i].DType); err != nil {
			return 0, errors.Wrap(err, what)
		}
		name := "x"
		if len(xs) > 1 {
			name = "input " + ins[i].Name
		}
		if err := checkValues(name, x, ins[i].DType); err != nil {
			return 0, errors.Wrap(err, what)
		}
	}
	return n, nil
}
