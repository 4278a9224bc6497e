package main

import (
	"context"
	"math"
	"strconv"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// scalerAttachment is the name under which a model carries the StandardScaler of
// its inputs (layers.Sequential.Attach).
const scalerAttachment = "scaler"

// servingModel is a loaded model with what predictions need beside it: a
// Predictor and the scaler of its inputs, if one is attached.
type servingModel struct {
	path    string
	model   layers.Model
	pred    *trainers.Predictor
	scaler  *datasets.StandardScaler // nil when none is attached
	in, out []int
	width   int // values per input row: the product of the input shape
	outW    int // values per output row
}

// loadServingModel loads the model file at path (written by "demo run -save", a
// model's Save or Trainer.Save) and starts a Predictor for it.
func loadServingModel(path string, opts ...trainers.PredictorOption) (*servingModel, error) {
	m, err := layers.Load(path)
	if err != nil {
		return nil, err
	}
	return newServingModel(path, m, opts...)
}

// newServingModel starts a Predictor for a built model m.
func newServingModel(path string, m layers.Model, opts ...trainers.PredictorOption) (*servingModel, error) {
	s := &servingModel{path: path, model: m, in: m.InputShape(), out: m.OutputShape()}
	s.width, s.outW = product(s.in), product(s.out)
	var sc datasets.StandardScaler
	ok, err := m.Attachment(scalerAttachment, &sc)
	if err != nil {
		return nil, err
	}
	if ok {
		if len(sc.Mean) != s.width {
			return nil, errors.Errorf("the attached scaler has %d features, the model takes %d values per row", len(sc.Mean), s.width)
		}
		s.scaler = &sc
	}
	if s.pred, err = trainers.NewPredictor(m, opts...); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *servingModel) close() { s.pred.Close() }

// predict runs n rows of s.width raw values (the attached scaler, if any, is
// applied first) and returns the outputs, shape (n, output...).
func (s *servingModel) predict(ctx context.Context, vals []float64, n int) (*tensor.Dense, error) {
	x := tensor.New(tensor.WithShape(n, s.width), tensor.WithBacking(vals))
	if s.scaler != nil {
		var err error
		if x, err = s.scaler.Transform(x); err != nil {
			return nil, errors.Wrap(err, "scale the inputs")
		}
	}
	if err := x.Reshape(append([]int{n}, s.in...)...); err != nil {
		return nil, errors.Wrap(err, "reshape the inputs")
	}
	return s.pred.Predict(ctx, x)
}

// outValue is one output value, written with the precision of its dtype (bits
// 32 or 64), as null in JSON when it is not finite.
type outValue struct {
	v    float64
	bits int
}

func (o outValue) String() string { return strconv.FormatFloat(o.v, 'g', -1, o.bits) }

// MarshalJSON implements json.Marshaler.
func (o outValue) MarshalJSON() ([]byte, error) {
	if math.IsNaN(o.v) || math.IsInf(o.v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, o.v, 'g', -1, o.bits), nil
}

// outputRows splits y, shape (n, output...), into n rows of values.
func outputRows(y *tensor.Dense) [][]outValue {
	n := y.Shape()[0]
	rows := make([][]outValue, n)
	switch d := y.Data().(type) {
	case []float32:
		w := len(d) / n
		for i := range rows {
			rows[i] = make([]outValue, w)
			for j := range rows[i] {
				rows[i][j] = outValue{float64(d[i*w+j]), 32}
			}
		}
	case []float64:
		w := len(d) / n
		for i := range rows {
			rows[i] = make([]outValue, w)
			for j := range rows[i] {
				rows[i][j] = outValue{d[i*w+j], 64}
			}
		}
	}
	return rows
}

// argmax is the index of the largest value of row (the first one on ties; NaN is
// never largest).
func argmax(row []outValue) int {
	best := 0
	for j, v := range row {
		if v.v > row[best].v || math.IsNaN(row[best].v) {
			best = j
		}
	}
	return best
}

func product(s []int) int {
	p := 1
	for _, d := range s {
		p *= d
	}
	return p
}
