package main

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// scalerAttachment is the name under which a model carries the StandardScaler of
// its inputs (a model's Attach). demo serve and demo predict apply it to the input
// of a model of one float input; for any other model they refuse the file.
const scalerAttachment = "scaler"

// servingModel is a loaded model with what predictions need beside it: a
// Predictor, the scaler of its input if one is attached, and the inputs' and
// outputs' descriptions.
type servingModel struct {
	path   string
	model  layers.Model
	pred   *trainers.Predictor
	scaler *datasets.StandardScaler // nil when none is attached
	ins    []inputSpec
	outs   []outputSpec
	lookup map[string]int // lookup layer name -> the input it takes directly
}

// maxStringBytes is the longest value a String input takes from a request or a
// CSV file, in bytes (longer ones are the caller's error naming row and column).
const maxStringBytes = 4 << 10

// inputSpec describes one model input for serving.
type inputSpec struct {
	layers.Spec                // DType resolved: the model's float type for a float input
	width       int            // values per row: the product of the shape
	isInt       bool           // integer ids (int32, int64)
	isString    bool           // raw strings (tensor.String), mapped to ids inside the model
	vocab       int            // > 0: an Embedding (embedding) takes the input: ids in [0, vocab)
	embedding   string         // that Embedding's name
	strict      []strictLookup // lookups without out-of-vocabulary ids that take the input
}

// kindName says what the input's values are, for errors: "a number", "a string".
func (s inputSpec) kindName() string {
	if s.isString {
		return "a string"
	}
	return "a number"
}

// takes says how many values a row of the input holds, for errors.
func (s inputSpec) takes() string {
	return fmt.Sprintf("the input takes %d (shape %s)", s.width, fmtShape(s.Shape))
}

// checkID returns a problem for an id the input's Embedding cannot look up (or a
// lookup without out-of-vocabulary ids does not know), or "".
func (s inputSpec) checkID(id int64) string {
	if s.vocab > 0 && (id < 0 || id >= int64(s.vocab)) {
		return fmt.Sprintf("id %d is out of range [0, %d) of embedding %q", id, s.vocab, s.embedding)
	}
	if len(s.strict) > 0 {
		return checkLookups(s.strict, strconv.FormatInt(id, 10), false)
	}
	return ""
}

// checkString returns a problem for a value of a String input: longer than
// maxStringBytes, or unknown to a lookup without out-of-vocabulary ids that
// takes the input; "" when the model takes it.
func (s inputSpec) checkString(v string) string {
	if len(v) > maxStringBytes {
		return fmt.Sprintf("the string %q is %d bytes, over the limit of %d bytes", clip(v), len(v), maxStringBytes)
	}
	return checkLookups(s.strict, v, true)
}

// outputSpec describes one model output for serving.
type outputSpec struct {
	layers.Spec
	width   int      // values per row
	classes bool     // shape (k), k > 1, or binary: the answers add the class per row (see class)
	binary  bool     // shape (1) with exactly 2 class names: a binary classifier (a sigmoid's probability of class 1)
	names   []string // the names of its classes (layers.OutputClassNames), in class id order; nil: none
}

// newOutputSpec describes output sp (its DType resolved) of class names names
// (nil: none). An output of shape (k), k > 1, has classes, the argmax of each
// row; one of shape (1) has classes only when the model gives it exactly two
// class names (a binary classifier: see binaryClass). Any other output (a
// regression, a sigmoid without names) answers its values only.
func newOutputSpec(sp layers.Spec, names []string) outputSpec {
	o := outputSpec{Spec: sp, width: product(sp.Shape), names: names}
	o.binary = len(sp.Shape) == 1 && sp.Shape[0] == 1 && len(names) == 2
	o.classes = len(sp.Shape) == 1 && sp.Shape[0] > 1 || o.binary
	return o
}

// class is the class of row, a row of the output's values: binaryClass of its
// one value for a binary classifier, the argmax otherwise.
func (o outputSpec) class(row []outValue) int {
	if o.binary && len(row) == 1 {
		return binaryClass(row[0].v)
	}
	return argmax(row)
}

// binaryClass is the class of a binary classifier's output p, the probability
// of class 1: 1 when p >= 0.5 (0.5 itself included), 0 below. A NaN p gives 1, as
// argmax gives the last class of a row of NaNs: p's two-class row [1-p, p] is all
// NaN then.
func binaryClass(p float64) int {
	if p >= 0.5 || math.IsNaN(p) {
		return 1
	}
	return 0
}

// label returns the name of class c of the output, or "" when it has no names.
func (o outputSpec) label(c int) string {
	if c < 0 || c >= len(o.names) {
		return ""
	}
	return o.names[c]
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
	if m == nil || !m.Built() {
		return nil, errors.New("the model is not built")
	}
	s := &servingModel{path: path, model: m, lookup: lookupInputs(m)}
	vocab, embedding := embeddingInputs(m)
	strict := strictLookupInputs(m)
	for i, sp := range m.Inputs() {
		in := inputSpec{Spec: sp, width: product(sp.Shape)}
		switch sp.DType {
		case tensor.Int32, tensor.Int64, tensor.Int:
			in.isInt = true
			in.vocab, in.embedding, in.strict = vocab[i], embedding[i], strict[i]
		case tensor.String:
			in.isString = true
			in.strict = strict[i]
		case tensor.Float32, tensor.Float64:
		default:
			in.DType = m.DType() // the model's float type
		}
		s.ins = append(s.ins, in)
	}
	for _, sp := range m.Outputs() {
		if sp.DType.Type == nil {
			sp.DType = m.DType()
		}
		names, err := layers.OutputClassNames(m, sp.Name)
		if err != nil {
			return nil, errors.Wrapf(err, "the model's %q attachment", layers.AttachmentClassNames)
		}
		s.outs = append(s.outs, newOutputSpec(sp, names))
	}
	var sc datasets.StandardScaler
	ok, err := m.Attachment(scalerAttachment, &sc)
	if err != nil {
		return nil, err
	}
	if ok {
		if len(s.ins) != 1 || s.ins[0].isInt || s.ins[0].isString {
			return nil, errors.Errorf("the model carries a %q attachment, which demo serve and demo predict apply only to a model of one float input; "+
				"this model's inputs are %s: scale on the client, and remove the attachment (or save it under another name) to serve the model",
				scalerAttachment, s.describeInputs())
		}
		if len(sc.Mean) != s.ins[0].width {
			return nil, errors.Errorf("the attached scaler has %d features, the model takes %d values per row", len(sc.Mean), s.ins[0].width)
		}
		s.scaler = &sc
	}
	if s.pred, err = trainers.NewPredictor(m, opts...); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *servingModel) close() { s.pred.Close() }

// describeInputs lists the inputs for messages: `"user_id" (1) int64, "features" (3) float32`.
func (s *servingModel) describeInputs() string {
	parts := make([]string, len(s.ins))
	for i, in := range s.ins {
		parts[i] = fmt.Sprintf("%q %s %v", in.Name, fmtShape(in.Shape), in.DType)
	}
	return strings.Join(parts, ", ")
}

// inputNames lists the inputs' names, in order.
func (s *servingModel) inputNames() []string {
	names := make([]string, len(s.ins))
	for i, in := range s.ins {
		names[i] = in.Name
	}
	return names
}

// width is the number of values per row of all inputs together.
func (s *servingModel) width() int {
	w := 0
	for _, in := range s.ins {
		w += in.width
	}
	return w
}

// predict runs the rows of every input (vals in the model's input order, the same
// n each, checked by parseRows or the caller) and returns the outputs in the
// model's order, each (n, output...). The attached scaler, if any, is applied to
// the (one, float) input first. A value that does not fit the model's float type
// (beyond float32's range, after scaling) is a *badRequest naming it with where.
func (s *servingModel) predict(ctx context.Context, vals []inputValues, where locator) ([]*tensor.Dense, error) {
	if len(vals) != len(s.ins) {
		return nil, errors.Errorf("%d inputs given, the model has %d", len(vals), len(s.ins))
	}
	xs := make([]*tensor.Dense, len(vals))
	for i, v := range vals {
		in := s.ins[i]
		if in.isInt {
			xs[i] = tensor.New(tensor.WithShape(append([]int{v.n}, in.Shape...)...), tensor.WithBacking(v.ints))
			continue
		}
		if in.isString {
			xs[i] = tensor.New(tensor.WithShape(append([]int{v.n}, in.Shape...)...), tensor.WithBacking(v.strs))
			continue
		}
		x := tensor.New(tensor.WithShape(v.n, in.width), tensor.WithBacking(v.floats))
		scaled := v.floats
		if s.scaler != nil {
			var err error
			if x, err = s.scaler.Transform(x); err != nil {
				return nil, errors.Wrap(err, "scale the inputs")
			}
			var ok bool
			if scaled, ok = x.Data().([]float64); !ok {
				return nil, errors.Errorf("the scaler gave %v values, want float64", x.Dtype())
			}
		}
		if err := checkRange(scaled, v.floats, in, s.scaler != nil, func(k int) string { return where(i, k/in.width, k%in.width) }); err != nil {
			return nil, err
		}
		if err := x.Reshape(append([]int{v.n}, in.Shape...)...); err != nil {
			return nil, errors.Wrap(err, "reshape the inputs")
		}
		xs[i] = x
	}
	ys, err := s.pred.PredictTensors(ctx, xs)
	if err != nil {
		return nil, s.lookupError(err, where)
	}
	return ys, nil
}

// lookupError turns a *graph.LookupError (a value unknown to a lookup without
// out-of-vocabulary ids that the server did not check itself: one reached through
// other layers) into a *badRequest naming the value, and the input, row and column
// with where when the lookup takes an input directly. The Predictor gives the
// error to the request that holds the value only, its Row that request's row.
// A *graph.TokenizeError (a text that is empty, not valid UTF-8 or without
// tokens) is a *badRequest naming the row too. Other errors are returned as
// they are.
func (s *servingModel) lookupError(err error, where locator) error {
	var te *graph.TokenizeError
	if errors.As(err, &te) {
		return badf("row %d: the text cannot be tokenized by %q: %v", te.Row, te.Name, te.Err)
	}
	var le *graph.LookupError
	if !errors.As(err, &le) {
		return err
	}
	if i, ok := s.lookup[le.Table]; ok && le.Pos >= 0 && le.Pos < s.ins[i].width {
		return badf("%s: %q is not in the vocabulary of lookup %q, which has no out-of-vocabulary ids", where(i, le.Row, le.Pos), clip(le.Value), le.Table)
	}
	return badf("row %d: %q (position %d) is not in the vocabulary of lookup %q, which has no out-of-vocabulary ids", le.Row, clip(le.Value), le.Pos, le.Table)
}

// checkRange returns a *badRequest for the first value of scaled (the values of
// input in, after the scaler if scaled) that the model cannot take: beyond the
// range of float32 for a float32 model, not finite (a scaler can overflow float64)
// for any. raw are the values as given; at names value k.
func checkRange(scaled, raw []float64, in inputSpec, scaler bool, at func(k int) string) error {
	limit := math.MaxFloat64
	if in.DType == tensor.Float32 {
		limit = math.MaxFloat32
	}
	for k, f := range scaled {
		if !(math.Abs(f) <= limit) { // NaN fails too
			dt := in.DType.String() + ", the model's dtype"
			if scaler {
				return &badRequest{fmt.Sprintf("%s: %v scales to %v, beyond the range of %s", at(k), raw[k], f, dt)}
			}
			return &badRequest{fmt.Sprintf("%s: %v is beyond the range of %s", at(k), raw[k], dt)}
		}
	}
	return nil
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
// never largest; a row of NaNs alone gives its last index).
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

// fmtShape formats a shape as "(3)" or "(28, 28, 1)".
func fmtShape(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = strconv.Itoa(d)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
