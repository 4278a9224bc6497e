package onnxcheck

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// maxExactInt is the largest integer that JSON numbers carry exactly to Node.
const maxExactInt = 1 << 53

// Output is one output of an ONNX Runtime run: its name, ORT's dtype name
// ("float32", "int64"), its dimensions and its values (row-major) as float64.
type Output struct {
	Name  string    `json:"name"`
	DType string    `json:"dtype"`
	Shape []int     `json:"dims"`
	Data  []float64 `json:"data"`
}

// RunOption sets how Run runs the model.
type RunOption func(*runConfig)

type runConfig struct {
	optLevel string
	timeout  time.Duration
}

// WithOptLevel sets ONNX Runtime's graph optimization level: "disabled",
// "basic", "extended" or "all" (default "all", what a deployment gets).
func WithOptLevel(level string) RunOption { return func(c *runConfig) { c.optLevel = level } }

// WithTimeout bounds the run, loading Node and the model included (default 2
// minutes).
func WithTimeout(d time.Duration) RunOption { return func(c *runConfig) { c.timeout = d } }

// ortInput is one input as run_ort.js reads it.
type ortInput struct {
	Name  string    `json:"name"`
	DType string    `json:"dtype"`
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

// Job is one model file and its named inputs, for RunAll.
type Job struct {
	Path   string
	Inputs map[string]*tensor.Dense
}

// Run runs the model file at path in ONNX Runtime (CPU, one thread) on the named
// inputs and returns its outputs in the model's order. Each input is a Float32,
// Float64, Int64, Int32 or Int tensor (Int is sent as int64) of finite values;
// integers must lie within ±2^53. Errors name the file.
func (t *Tools) Run(path string, inputs map[string]*tensor.Dense, opts ...RunOption) ([]Output, error) {
	outs, errs := t.RunAll([]Job{{Path: path, Inputs: inputs}}, opts...)
	return outs[0], errs[0]
}

// RunAll is Run for several jobs in one Node.js process (ONNX Runtime loads
// once): the i-th outputs or error are the i-th job's. The timeout
// (WithTimeout) is for each job.
func (t *Tools) RunAll(jobs []Job, opts ...RunOption) ([][]Output, []error) {
	c := runConfig{optLevel: "all", timeout: 2 * time.Minute}
	for _, o := range opts {
		o(&c)
	}
	outs, errs := make([][]Output, len(jobs)), make([]error, len(jobs))
	if len(jobs) == 0 {
		return outs, errs
	}
	tmp, err := os.MkdirTemp("", "onnxcheck-")
	if err != nil {
		for i, j := range jobs {
			errs[i] = errors.Wrapf(err, "onnxcheck: run %s: temporary folder", j.Path)
		}
		return outs, errs
	}
	defer os.RemoveAll(tmp)
	args := []string{filepath.Join(t.Dir, "run_ort.js"), "--opt", c.optLevel}
	var ran []int
	for i, j := range jobs {
		in, out, err := writeJob(tmp, i, j)
		if err != nil {
			errs[i] = errors.Wrapf(err, "onnxcheck: run %s", j.Path)
			continue
		}
		args = append(args, in[0], in[1], out)
		ran = append(ran, i)
	}
	if len(ran) == 0 {
		return outs, errs
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(len(ran))*c.timeout)
	defer cancel()
	_, runErr := runCmdOut(ctx, t.Node, t.Dir, args...)
	for _, i := range ran {
		p := jobs[i].Path
		raw, err := os.ReadFile(filepath.Join(tmp, fmt.Sprintf("out%d.json", i)))
		if err != nil {
			if runErr == nil {
				runErr = err
			}
			errs[i] = errors.Wrapf(runErr, "onnxcheck: run %s in onnxruntime-node %s", p, t.ORTVersion)
			continue
		}
		var res struct {
			Outputs []Output `json:"outputs"`
			Error   string   `json:"error"`
		}
		if err := json.Unmarshal(raw, &res); err != nil {
			errs[i] = errors.Wrapf(err, "onnxcheck: run %s: decode the outputs", p)
			continue
		}
		if res.Error != "" {
			errs[i] = errors.Errorf("onnxcheck: run %s in onnxruntime-node %s: %s", p, t.ORTVersion, res.Error)
			continue
		}
		outs[i] = res.Outputs
	}
	return outs, errs
}

// writeJob writes job i's inputs into dir and returns the model's absolute path
// and the inputs file (in), and the outputs file to be (out).
func writeJob(dir string, i int, j Job) (in [2]string, out string, err error) {
	abs, err := filepath.Abs(j.Path)
	if err != nil {
		return in, "", err
	}
	names := make([]string, 0, len(j.Inputs))
	for n := range j.Inputs {
		names = append(names, n)
	}
	sort.Strings(names)
	req := struct {
		Inputs []ortInput `json:"inputs"`
	}{}
	for _, n := range names {
		x, err := toInput(n, j.Inputs[n])
		if err != nil {
			return in, "", err
		}
		req.Inputs = append(req.Inputs, x)
	}
	raw, err := json.Marshal(req)
	if err != nil {
		return in, "", errors.Wrap(err, "encode the inputs")
	}
	inPath := filepath.Join(dir, fmt.Sprintf("in%d.json", i))
	if err := os.WriteFile(inPath, raw, 0o600); err != nil {
		return in, "", errors.Wrap(err, "write the inputs")
	}
	return [2]string{abs, inPath}, filepath.Join(dir, fmt.Sprintf("out%d.json", i)), nil
}

// toInput converts x to run_ort.js's form.
func toInput(name string, x *tensor.Dense) (ortInput, error) {
	if x == nil {
		return ortInput{}, errors.Errorf("input %q is nil", name)
	}
	in := ortInput{Name: name, Shape: append([]int(nil), x.Shape()...)}
	switch d := x.Data().(type) {
	case []float32:
		in.DType = "float32"
		for _, v := range d {
			in.Data = append(in.Data, float64(v))
		}
	case []float64:
		in.DType, in.Data = "float64", append([]float64(nil), d...)
	case []int64:
		in.DType = "int64"
		for _, v := range d {
			in.Data = append(in.Data, float64(v))
		}
	case []int:
		in.DType = "int64"
		for _, v := range d {
			in.Data = append(in.Data, float64(v))
		}
	case []int32:
		in.DType = "int32"
		for _, v := range d {
			in.Data = append(in.Data, float64(v))
		}
	default:
		return ortInput{}, errors.Errorf("input %q: dtype %v is not float32, float64, int64, int32 or int", name, x.Dtype())
	}
	for i, v := range in.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return ortInput{}, errors.Errorf("input %q: value %d is %v (JSON carries finite values only)", name, i, v)
		}
		if in.DType == "int64" && math.Abs(v) > maxExactInt {
			return ortInput{}, errors.Errorf("input %q: value %d (%v) is beyond ±2^53", name, i, v)
		}
	}
	return in, nil
}
