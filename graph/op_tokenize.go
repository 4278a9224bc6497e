package graph

import (
	"fmt"
	"reflect"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TextEncoder is what Tokenize needs of a tokenizer (package text's tokenizers
// have it): Encode maps a text to ids in [1, VocabSize()), id 0 being padding.
// It must be safe to call from several goroutines.
type TextEncoder interface {
	Encode(s string) ([]int, error)
	VocabSize() int
}

// TokenizeSpec says what Tokenize outputs.
type TokenizeSpec struct {
	// Name identifies the tokenizer in errors and in the graph.
	Name string
	// Mode is "int" (ids (B, Length), Int64, padded with 0 and cut at the end),
	// "multi_hot" (B, VocabSize) 1 where an id occurs, or "count" (B, VocabSize)
	// the number of times it occurs; the last two in the graph's float dtype.
	Mode string
	// Length is the number of ids per example of mode "int" (T >= 1).
	Length int
}

// TokenizeError is the error of a text that cannot be tokenized: invalid UTF-8
// (Err then names the byte offset), an empty text, or a text without tokens. Row
// is the example's row in the batch the graph ran on. It survives wrapping: find
// it with errors.As.
type TokenizeError struct {
	Name string
	Row  int
	Err  error
}

// Error names the example, e.g. `tokenize "text_vectorization": example 3: empty text`.
func (e *TokenizeError) Error() string {
	return fmt.Sprintf("tokenize %q: example %d: %v", e.Name, e.Row, e.Err)
}

// Unwrap returns the cause.
func (e *TokenizeError) Unwrap() error { return e.Err }

// tokenizeOp maps a String tensor (B,) or (B, 1) to ids (B, T) or counts (B, V).
type tokenizeOp struct {
	opBase
	noDiff
	enc  TextEncoder
	spec TokenizeSpec
	dims int
	out  tensor.Dtype
	cols int
}

// Tokenize encodes each text of x, a String tensor of shape (B,) or (B, 1), with
// enc, as spec says: Int64 ids (B, spec.Length) for mode "int", or dt values (B,
// enc.VocabSize()) for "multi_hot" and "count" (dt Float32 or Float64). An empty
// text, a text without tokens, invalid UTF-8 or an id out of range is a
// *TokenizeError of the run naming the example. It is not differentiable.
func Tokenize(x *G.Node, enc TextEncoder, spec TokenizeSpec, dt tensor.Dtype) (n *G.Node, err error) {
	defer recoverOp(&err, "tokenize")
	if enc == nil {
		return nil, errors.Errorf("tokenize %q: nil tokenizer", spec.Name)
	}
	if x.Dtype() != tensor.String {
		return nil, errors.Errorf("tokenize %q: input dtype %v (want string)", spec.Name, x.Dtype())
	}
	s := x.Shape()
	if s.Dims() < 1 || s.Dims() > 2 || s.Dims() == 2 && s[1] != 1 {
		return nil, errors.Errorf("tokenize %q: input shape %v (want (B,) or (B, 1))", spec.Name, s)
	}
	op := tokenizeOp{enc: enc, spec: spec, dims: s.Dims()}
	switch spec.Mode {
	case "int":
		if spec.Length < 1 {
			return nil, errors.Errorf("tokenize %q: output sequence length %d must be positive", spec.Name, spec.Length)
		}
		op.out, op.cols = tensor.Int64, spec.Length
	case "multi_hot", "count":
		if err := checkFloat("tokenize", dt); err != nil {
			return nil, err
		}
		op.out, op.cols = dt, enc.VocabSize()
	default:
		return nil, errors.Errorf("tokenize %q: output mode %q (want int, multi_hot or count)", spec.Name, spec.Mode)
	}
	if op.cols < 1 {
		return nil, errors.Errorf("tokenize %q: vocabulary size %d", spec.Name, op.cols)
	}
	var addr uintptr
	if v := reflect.ValueOf(enc); v.Kind() == reflect.Ptr {
		addr = v.Pointer()
	}
	// The tokenizer's address makes the op unique: Gorgonia merges nodes of equal hashes.
	op.opBase = opBase{name: fmt.Sprintf("tokenize(%q,%s,%d,%d,%v,%T@%#x)", spec.Name, spec.Mode, op.cols, op.dims, op.out, enc, addr), arity: 1}
	n, err = G.ApplyOp(op, x)
	return n, errors.Wrap(err, "tokenize")
}

func (o tokenizeOp) Type() hm.Type {
	return hm.NewFnType(G.TensorType{Dims: o.dims, Of: tensor.String}, G.TensorType{Dims: 2, Of: o.out})
}

func (o tokenizeOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := o.firstShape(in...)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0], o.cols}, nil
}

func (o tokenizeOp) Do(in ...G.Value) (G.Value, error) { return o.UsePreallocDo(nil, in...) }

func (o tokenizeOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	args, err := denseArgs(o.name, 1, in)
	if err != nil {
		return nil, err
	}
	x := args[0]
	if x.Dtype() != tensor.String || x.Shape().Dims() < 1 {
		return nil, errors.Errorf("%s: input %v of dtype %v", o.name, x.Shape(), x.Dtype())
	}
	rows := x.Shape()[0]
	out := outputLike(prealloc, o.out, tensor.Shape{rows, o.cols})
	if rows == 0 {
		return out, nil
	}
	texts, ok := x.Data().([]string)
	if !ok || len(texts) < rows || x.Shape().TotalSize() != rows {
		return nil, errors.Errorf("%s: input of shape %v holds too few texts", o.name, x.Shape())
	}
	var vals []float64
	ids64, _ := out.Data().([]int64)
	if o.out != tensor.Int64 {
		vals = make([]float64, rows*o.cols)
	} else {
		for i := range ids64 {
			ids64[i] = 0
		}
	}
	V := o.enc.VocabSize()
	for r := 0; r < rows; r++ {
		ids, err := o.row(texts[r], r, V)
		if err != nil {
			return nil, err
		}
		if o.out == tensor.Int64 {
			for j := 0; j < len(ids) && j < o.cols; j++ {
				ids64[r*o.cols+j] = int64(ids[j])
			}
			continue
		}
		for _, id := range ids {
			if o.spec.Mode == "count" {
				vals[r*o.cols+id]++
			} else {
				vals[r*o.cols+id] = 1
			}
		}
	}
	switch d := out.Data().(type) {
	case []float32:
		for i, v := range vals {
			d[i] = float32(v)
		}
	case []float64:
		copy(d, vals)
	}
	return out, nil
}

// row encodes the text of example r and checks its ids against V.
func (o tokenizeOp) row(s string, r, V int) ([]int, error) {
	fail := func(err error) error { return &TokenizeError{Name: o.spec.Name, Row: r, Err: err} }
	if s == "" {
		return nil, fail(errors.New("empty text"))
	}
	ids, err := o.enc.Encode(s)
	if err != nil {
		return nil, fail(err)
	}
	if len(ids) == 0 {
		return nil, fail(errors.Errorf("text %q gives no tokens", s))
	}
	for j, id := range ids {
		if id < 1 || id >= V || id >= o.cols && o.out != tensor.Int64 {
			return nil, fail(errors.Errorf("id %d at position %d is out of range [1, %d)", id, j, V))
		}
	}
	return ids, nil
}
