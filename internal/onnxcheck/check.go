package onnxcheck

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/pkg/errors"
)

// checkTimeout bounds one run of check_onnx.py.
const checkTimeout = 2 * time.Minute

// Dim is one dimension of a checked tensor: a fixed size (Value >= 0, Param
// ""), a symbolic one (Param, such as "batch"), or unknown (Value -1, Param "").
type Dim struct {
	Value int
	Param string
}

// String formats d as its size, its name or "?".
func (d Dim) String() string {
	switch {
	case d.Param != "":
		return d.Param
	case d.Value < 0:
		return "?"
	}
	return fmt.Sprint(d.Value)
}

// UnmarshalJSON reads a number, a string or null.
func (d *Dim) UnmarshalJSON(b []byte) error {
	var v interface{}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case nil:
		*d = Dim{Value: -1}
	case float64:
		*d = Dim{Value: int(x)}
	case string:
		*d = Dim{Value: -1, Param: x}
	default:
		return errors.Errorf("onnxcheck: dimension %s is no number, name or null", b)
	}
	return nil
}

// ValueInfo describes a graph input or output: its name, its element type by
// ONNX's TensorProto name ("FLOAT", "INT64") and its shape (nil when unknown).
type ValueInfo struct {
	Name     string `json:"name"`
	ElemType string `json:"elem_type"`
	Shape    []Dim  `json:"shape"`
}

// String formats v as `name FLOAT [batch, 10]`.
func (v ValueInfo) String() string {
	dims := make([]string, len(v.Shape))
	for i, d := range v.Shape {
		dims[i] = d.String()
	}
	return fmt.Sprintf("%s %s [%s]", v.Name, v.ElemType, strings.Join(dims, ", "))
}

// Info is what check_onnx.py reports on a model that passed the checker
// (full_check) and strict shape inference.
type Info struct {
	// ONNXVersion is the version of the checking onnx package.
	ONNXVersion string `json:"onnx_version"`
	// IRVersion is the model's IR version.
	IRVersion int `json:"ir_version"`
	// Opsets maps each imported operator set domain ("" for the default) to its
	// version.
	Opsets map[string]int `json:"opsets"`
	// Producer is the model's producer_name.
	Producer string `json:"producer"`
	// Inputs and Outputs are the graph's, outputs as shape inference gives them.
	Inputs  []ValueInfo `json:"inputs"`
	Outputs []ValueInfo `json:"outputs"`
}

// Check runs the ONNX checker (full_check) and strict shape inference on the
// model file at path. A model that fails either is an error naming the file and
// quoting the checker's message.
func (t *Tools) Check(path string) (*Info, error) {
	infos, errs := t.CheckAll([]string{path})
	return infos[0], errs[0]
}

// CheckAll is Check for several files in one Python process (onnx is imported
// once): the i-th Info or error is the i-th file's. Each error names its file.
func (t *Tools) CheckAll(paths []string) ([]*Info, []error) {
	infos, errs := make([]*Info, len(paths)), make([]error, len(paths))
	fail := func(err error) ([]*Info, []error) {
		for i, p := range paths {
			if errs[i] == nil && infos[i] == nil {
				errs[i] = errors.Wrapf(err, "onnxcheck: check %s", p)
			}
		}
		return infos, errs
	}
	if len(paths) == 0 {
		return infos, errs
	}
	args := []string{filepath.Join(t.Dir, "check_onnx.py")}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return fail(err)
		}
		args = append(args, abs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), checkTimeout+time.Duration(len(paths))*10*time.Second)
	defer cancel()
	out, runErr := runCmdOut(ctx, t.Python, t.Dir, args...)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for i, p := range paths {
		if i >= len(lines) || lines[i] == "" {
			break
		}
		var res struct {
			Info
			Error string `json:"error"`
		}
		if err := json.Unmarshal([]byte(lines[i]), &res); err != nil {
			errs[i] = errors.Wrapf(err, "onnxcheck: check %s: read the summary %q", p, lines[i])
			continue
		}
		if res.Error != "" {
			errs[i] = errors.Errorf("onnxcheck: check %s: %s", p, res.Error)
			continue
		}
		info := res.Info
		infos[i] = &info
	}
	if runErr == nil {
		runErr = errors.New("check_onnx.py gave no summary")
	}
	return fail(runErr)
}
