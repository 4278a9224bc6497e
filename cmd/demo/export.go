package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/onnx"
	"github.com/pkg/errors"
)

// exportValue is one input or output of the exported graph, as -json prints it:
// its name, its shape with the dynamic batch as -1, and its element type.
type exportValue struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
	DType string `json:"dtype"`
}

// exportResult is what demo export prints with -json.
type exportResult struct {
	Model        string        `json:"model"`
	Out          string        `json:"onnx"`
	Opset        int           `json:"opset"`
	Inputs       []exportValue `json:"inputs"`
	Outputs      []exportValue `json:"outputs"`
	Nodes        int           `json:"nodes"`
	Initializers int           `json:"initializers"`
	Parameters   int           `json:"parameters"`
}

// exportCmd is "demo export -model FILE -onnx OUT.onnx [-opset 17] [-json]".
func exportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	model := fs.String("model", "", "the gokeras model file to export (required)")
	out := fs.String("onnx", "", "the ONNX file to write (required)")
	opset := fs.Int("opset", onnx.DefaultOpset, fmt.Sprintf("the ONNX opset (%d to %d)", onnx.MinOpset, onnx.DefaultOpset))
	asJSON := fs.Bool("json", false, "print one JSON object (model, onnx, opset, inputs, outputs, nodes, initializers, parameters)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: demo export -model FILE -onnx OUT.onnx [-opset 17] [-json]\n"+
			"writes a saved gokeras model as an ONNX model (IR 8, dynamic batch \"batch\",\n"+
			"inputs and outputs in gokeras' layout: images NHWC). A layer ONNX cannot express\n"+
			"(the string preprocessing layers) is an error naming it.\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return parseStatus(err)
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "demo export: unexpected arguments %q\n", fs.Args())
		return exitUsage
	case *model == "" || *out == "":
		fmt.Fprintln(stderr, "demo export: -model and -onnx are required")
		return exitUsage
	case *opset < onnx.MinOpset || *opset > onnx.DefaultOpset:
		fmt.Fprintf(stderr, "demo export: -opset %d must be in [%d, %d]\n", *opset, onnx.MinOpset, onnx.DefaultOpset)
		return exitUsage
	case samePath(*model, *out):
		fmt.Fprintf(stderr, "demo export: -onnx %s is the -model file\n", *out)
		return exitUsage
	}
	res, err := exportONNX(*model, *out, *opset)
	if err != nil {
		fmt.Fprintf(stderr, "demo export: %s\n", errorText(ctx, err))
		return exitFailure
	}
	if *asJSON {
		b, err := json.Marshal(res)
		if err != nil {
			fmt.Fprintf(stderr, "demo export: %v\n", err)
			return exitFailure
		}
		fmt.Fprintln(stdout, string(b))
		return exitOK
	}
	fmt.Fprintf(stdout, "exported %s to %s (ONNX opset %d): %d nodes, %d initializers (%d parameters)\n",
		res.Model, res.Out, res.Opset, res.Nodes, res.Initializers, res.Parameters)
	for _, v := range res.Inputs {
		fmt.Fprintf(stdout, "  input  %s %s %v\n", v.Name, v.DType, v.Shape)
	}
	for _, v := range res.Outputs {
		fmt.Fprintf(stdout, "  output %s %s %v\n", v.Name, v.DType, v.Shape)
	}
	return exitOK
}

// exportONNX loads the model file, converts it and writes the ONNX file.
func exportONNX(modelPath, out string, opset int) (*exportResult, error) {
	m, err := layers.Load(modelPath)
	if err != nil {
		return nil, errors.Wrapf(err, "load %s", modelPath)
	}
	mp, err := onnx.Convert(m, onnx.WithOpset(opset))
	if err != nil {
		return nil, err
	}
	if err := onnx.Save(m, out, onnx.WithOpset(opset)); err != nil {
		return nil, err
	}
	res := &exportResult{Model: modelPath, Out: out, Opset: opset, Nodes: len(mp.Graph.Node), Initializers: len(mp.Graph.Initializer)}
	for _, t := range mp.Graph.Initializer {
		n := 1
		for _, d := range t.Dims {
			n *= int(d)
		}
		res.Parameters += n
	}
	for _, s := range m.Inputs() {
		res.Inputs = append(res.Inputs, exportValue{s.Name, append([]int{-1}, s.Shape...), dtypeName(s, m)})
	}
	for i, s := range m.Outputs() {
		name := s.Name
		if i < len(mp.Graph.Output) {
			name = mp.Graph.Output[i].Name
		}
		res.Outputs = append(res.Outputs, exportValue{name, append([]int{-1}, s.Shape...), dtypeName(s, m)})
	}
	return res, nil
}

// dtypeName names a spec's dtype, the model's float type standing for the zero one.
func dtypeName(s layers.Spec, m layers.Model) string {
	if s.DType.Type == nil {
		return m.DType().String()
	}
	return s.DType.String()
}
