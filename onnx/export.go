package onnx

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	pb "github.com/advancedclimatesystems/gonnx/onnx"
	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
	"google.golang.org/protobuf/proto"
	"gorgonia.org/tensor"
)

// IRVersion is the ONNX IR version of the files Export writes.
const IRVersion = 8

// Producer is the producer name written in every file.
const Producer = "gokeras"

// Export writes model m (built, Sequential or Functional) as an ONNX model to w.
// Inputs and outputs keep gokeras' shapes with a dynamic leading "batch"
// dimension. Options: WithOpset (default 17), WithInputNames, WithOutputNames.
// A layer that cannot be exported is an error naming it and its type.
func Export(m layers.Model, w io.Writer, opts ...Option) error {
	mp, err := Convert(m, opts...)
	if err != nil {
		return err
	}
	b, err := proto.Marshal(mp)
	if err != nil {
		return errors.Wrap(err, "onnx: encode model")
	}
	if _, err := w.Write(b); err != nil {
		return errors.Wrap(err, "onnx: write model")
	}
	return nil
}

// Save exports model m to the file path (written to a temporary file beside it,
// then renamed). Options as for Export.
func Save(m layers.Model, path string, opts ...Option) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".onnx-*")
	if err != nil {
		return errors.Wrapf(err, "onnx: save %s", path)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return errors.Wrapf(err, "onnx: save %s", path)
	}
	if err := Export(m, f, opts...); err != nil {
		f.Close()
		return errors.Wrapf(err, "save %s", path)
	}
	if err := f.Close(); err != nil {
		return errors.Wrapf(err, "onnx: save %s", path)
	}
	return errors.Wrapf(os.Rename(tmp, path), "onnx: save %s", path)
}

// Convert returns model m as an ONNX ModelProto (what Export serializes).
func Convert(m layers.Model, opts ...Option) (mp *pb.ModelProto, err error) {
	defer func() {
		if r := recover(); r != nil {
			mp, err = nil, errors.Errorf("onnx: export panicked: %v", r)
		}
	}()
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("onnx: model is nil")
	}
	if !m.Built() {
		return nil, errors.Errorf("onnx: model %q is not built (call Build or load it)", m.Name())
	}
	e := &exporter{cfg: cfg, dtype: m.DType(), g: &pb.GraphProto{Name: m.Name()},
		used: map[string]bool{}, params: map[paramKey]string{}, convs: converters()}
	if e.dtype.Type == nil {
		e.dtype = tensor.Float32
	}
	if cfg.floatDT.Type != nil {
		e.dtype = cfg.floatDT
	}
	for k, v := range cfg.extra {
		if v != nil {
			e.convs[k] = v
		}
	}
	ins, outs := m.Inputs(), m.Outputs()
	inNames, err := pickNames("input", cfg.inNames, ins)
	if err != nil {
		return nil, err
	}
	outNames, err := pickNames("output", cfg.outNames, outs)
	if err != nil {
		return nil, err
	}
	for i, s := range ins {
		e.used[inNames[i]] = true
		vi, err := valueInfo(inNames[i], e.floatOr(s.DType), s.Shape)
		if err != nil {
			return nil, errors.Wrapf(err, "onnx: input %d", i)
		}
		e.g.Input = append(e.g.Input, vi)
	}
	for _, n := range outNames {
		if e.used[n] {
			return nil, errors.Errorf("onnx: output name %q is also an input name", n)
		}
		e.used[n] = true
	}
	vals, err := e.convertModel(m, inNames)
	if err != nil {
		return nil, errors.Wrap(err, "onnx")
	}
	if len(vals) != len(outs) {
		return nil, errors.Errorf("onnx: model gives %d values for %d outputs", len(vals), len(outs))
	}
	for i, s := range outs {
		e.g.Node = append(e.g.Node, &pb.NodeProto{Name: e.fresh(outNames[i] + "_identity"), OpType: "Identity",
			Input: []string{vals[i]}, Output: []string{outNames[i]}})
		vi, err := valueInfo(outNames[i], e.floatOr(s.DType), s.Shape)
		if err != nil {
			return nil, errors.Wrapf(err, "onnx: output %d", i)
		}
		e.g.Output = append(e.g.Output, vi)
	}
	e.simplify()
	return &pb.ModelProto{
		IrVersion: IRVersion, ProducerName: Producer, ProducerVersion: "1",
		OpsetImport: []*pb.OperatorSetIdProto{{Domain: "", Version: int64(cfg.opset)}},
		Graph:       e.g,
	}, nil
}

func pickNames(what string, given []string, specs []layers.Spec) ([]string, error) {
	if given == nil {
		names := make([]string, len(specs))
		for i, s := range specs {
			names[i] = s.Name
			if names[i] == "" {
				names[i] = fmt.Sprintf("%s_%d", what, i)
			}
		}
		given = names
	}
	if len(given) != len(specs) {
		return nil, errors.Errorf("onnx: %d %s names for a model of %d %ss", len(given), what, len(specs), what)
	}
	seen := map[string]bool{}
	for _, n := range given {
		if n == "" || seen[n] {
			return nil, errors.Errorf("onnx: %s name %q is empty or given twice", what, n)
		}
		seen[n] = true
	}
	return append([]string(nil), given...), nil
}

type paramKey struct {
	p   *graph.Param
	tag string
}

// exporter holds the graph being written.
type exporter struct {
	cfg    config
	dtype  tensor.Dtype
	g      *pb.GraphProto
	used   map[string]bool
	params map[paramKey]string
	convs  map[string]Converter
}

// floatOr is the float type written for dt when dt is a float type or the zero
// (model float) placeholder; any other dtype is kept.
func (e *exporter) floatOr(dt tensor.Dtype) tensor.Dtype {
	if dt.Type == nil || dt == tensor.Float32 || dt == tensor.Float64 {
		return e.dtype
	}
	return dt
}

// fresh returns base, or base_1, base_2, ... if taken, and marks it taken.
func (e *exporter) fresh(base string) string {
	name := base
	for i := 1; e.used[name]; i++ {
		name = fmt.Sprintf("%s_%d", base, i)
	}
	e.used[name] = true
	return name
}

func (e *exporter) param(p *graph.Param, tag string, fn func([]int, []float64) ([]int, []float64, error)) (string, error) {
	k := paramKey{p, tag}
	if n, ok := e.params[k]; ok {
		return n, nil
	}
	data, err := Floats(p.Value)
	if err != nil {
		return "", errors.Wrapf(err, "weight %q", p.Name)
	}
	shape := append([]int(nil), p.Value.Shape()...)
	if fn != nil {
		if shape, data, err = fn(shape, data); err != nil {
			return "", errors.Wrapf(err, "weight %q (%s)", p.Name, tag)
		}
	}
	base := p.Name
	if tag != "" {
		base += "/" + tag
	}
	name := e.fresh(base)
	t, err := floatTensor(name, e.dtype, shape, data)
	if err != nil {
		return "", errors.Wrapf(err, "weight %q", p.Name)
	}
	e.g.Initializer = append(e.g.Initializer, t)
	e.params[k] = name
	return name, nil
}

// convertModel writes a model's calls, its inputs held by the values inputs, and
// returns the values of its outputs.
func (e *exporter) convertModel(m layers.Model, inputs []string) ([]string, error) {
	var f *layers.Functional
	switch t := m.(type) {
	case *layers.Functional:
		f = t
	case *layers.Sequential:
		f = t.Functional()
	default:
		return nil, errors.Errorf("model %q (%s): only Sequential and Functional models can be exported", m.Name(), m.Type())
	}
	if f == nil {
		return nil, errors.Errorf("model %q is not built", m.Name())
	}
	ins := f.InputTensors()
	if len(ins) != len(inputs) {
		return nil, errors.Errorf("model %q takes %d inputs, given %d", m.Name(), len(ins), len(inputs))
	}
	vals := map[*layers.Tensor]string{}
	for i, t := range ins {
		vals[t] = inputs[i]
	}
	for _, call := range f.Calls() {
		if _, ok := call.Layer.(*layers.InputLayer); ok {
			if _, ok := vals[call.Outputs[0]]; !ok {
				return nil, errors.Errorf("model %q: input %q is not among its inputs", m.Name(), call.Layer.Name())
			}
			continue
		}
		names := make([]string, len(call.Inputs))
		inSpecs := make([]layers.Spec, len(call.Inputs))
		for i, t := range call.Inputs {
			v, ok := vals[t]
			if !ok {
				return nil, errors.Errorf("layer %q: input %d has no value", call.Layer.Name(), i)
			}
			names[i] = v
			inSpecs[i] = layers.Spec{Shape: t.Shape(), DType: e.floatOr(t.DType())}
		}
		outSpecs := make([]layers.Spec, len(call.Outputs))
		for i, t := range call.Outputs {
			outSpecs[i] = layers.Spec{Shape: t.Shape(), DType: e.floatOr(t.DType())}
		}
		outs, err := e.convertCall(call.Layer, names, inSpecs, outSpecs)
		if err != nil {
			return nil, err
		}
		for i, t := range call.Outputs {
			vals[t] = outs[i]
		}
	}
	var outs []string
	for i, t := range f.OutputTensors() {
		v, ok := vals[t]
		if !ok {
			return nil, errors.Errorf("model %q: output %d has no value", m.Name(), i)
		}
		outs = append(outs, v)
	}
	return outs, nil
}

// convertCall converts one call of layer l on the values inputs.
func (e *exporter) convertCall(l layers.Layer, inputs []string, in, out []layers.Spec) ([]string, error) {
	for i := range in {
		in[i].DType = e.floatOr(in[i].DType)
	}
	for i := range out {
		out[i].DType = e.floatOr(out[i].DType)
	}
	if sub, ok := l.(layers.Model); ok {
		outs, err := e.convertModel(sub, inputs)
		return outs, errors.Wrapf(err, "model %q", l.Name())
	}
	conv, ok := e.convs[l.Type()]
	if !ok {
		why := refusal(l.Type())
		return nil, errors.Errorf("layer %q (%s) cannot be exported: %s", l.Name(), l.Type(), why)
	}
	c := &Context{e: e, layer: l, inputs: append([]string(nil), inputs...), in: in, out: out}
	outs, err := conv(c)
	if err != nil {
		return nil, errors.Wrapf(err, "layer %q (%s)", l.Name(), l.Type())
	}
	if len(outs) != len(out) {
		return nil, errors.Errorf("layer %q (%s): converter gave %d values for %d outputs", l.Name(), l.Type(), len(outs), len(out))
	}
	return outs, nil
}
