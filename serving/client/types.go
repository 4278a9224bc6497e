package client

import (
	"bytes"
	"encoding/json"
	"math"

	"github.com/pkg/errors"
)

// ModelStatus is one model of GET /v1/models and GET /v1/models/NAME: its
// versions, highest first.
type ModelStatus struct {
	Name     string          `json:"name"`
	Versions []VersionStatus `json:"versions"`
}

// The states of a version.
const (
	Loading   = "LOADING"
	Available = "AVAILABLE"
	Failed    = "FAILED"
)

// VersionStatus is one version of a model: its state (Loading, Available or
// Failed, with Error), its file's base name, and the inputs and outputs of a
// version Available.
type VersionStatus struct {
	Version int64        `json:"version"`
	State   string       `json:"state"`
	Error   string       `json:"error,omitempty"`
	File    string       `json:"file,omitempty"`
	Inputs  []InputInfo  `json:"inputs,omitempty"`
	Outputs []OutputInfo `json:"outputs,omitempty"`
}

// InputInfo describes one input of a model: Values is the number of values
// per row (the product of Shape), Vocab, when not 0, the bound of its ids.
type InputInfo struct {
	Name   string `json:"name"`
	Shape  []int  `json:"shape"`
	DType  string `json:"dtype"` // "float32", "float64", "int64", "string", ...
	Values int    `json:"values"`
	Vocab  int    `json:"vocab,omitempty"`
}

// OutputInfo describes one output of a model: Classes says the answers carry
// its class per row, ClassNames the names of its classes (the answers then
// carry labels).
type OutputInfo struct {
	Name       string   `json:"name"`
	Shape      []int    `json:"shape"`
	DType      string   `json:"dtype"`
	Values     int      `json:"values"`
	Classes    bool     `json:"classes"`
	ClassNames []string `json:"class_names,omitempty"`
}

// PredictRequest is the body of a prediction, in one of two forms:
//
//   - Rows: one row per example holding the values of every input, flattened,
//     in the model's input order (numbers, or strings for string inputs):
//     {"rows": [[1.5, -2, "red"]]};
//   - Inputs: every input by name, a row per example holding that input's
//     values: {"inputs": {"numeric": [[1.5, -2]], "color": [["red"]]}}.
//
// Exactly one of them must be set. A value is a number (any Go integer or
// float type, or json.Number) or a string.
type PredictRequest struct {
	Rows   [][]any            `json:"rows,omitempty"`
	Inputs map[string][][]any `json:"inputs,omitempty"`
}

func (r PredictRequest) check() error {
	switch {
	case r.Rows != nil && r.Inputs != nil:
		return errors.New("client: a PredictRequest has Rows and Inputs: give one of them")
	case len(r.Rows) == 0 && len(r.Inputs) == 0:
		return errors.New("client: an empty PredictRequest: give Rows or Inputs")
	}
	return nil
}

// PredictResponse is the answer of a prediction. A model of one output asked in
// the rows form answers Predictions, with Classes (the class of every row) when
// its rows have more than one value or it is a binary classifier, and Labels
// (their names) when the model names its classes. A model of several outputs,
// or one asked in the named form, answers Outputs by name, with
// OutputClasses and OutputLabels for the outputs that have them. A value the
// server could not write as a number (NaN, ±Inf: JSON null) is NaN.
type PredictResponse struct {
	ModelName    string
	ModelVersion int64

	Predictions [][]float64
	Classes     []int
	Labels      []string

	Outputs       map[string][][]float64
	OutputClasses map[string][]int
	OutputLabels  map[string][]string
}

// UnmarshalJSON implements json.Unmarshaler: "classes" and "labels" are lists
// in the rows form and objects in the named form.
func (p *PredictResponse) UnmarshalJSON(b []byte) error {
	var raw struct {
		ModelName    string                  `json:"model_name"`
		ModelVersion int64                   `json:"model_version"`
		Predictions  [][]*float64            `json:"predictions"`
		Outputs      map[string][][]*float64 `json:"outputs"`
		Classes      json.RawMessage         `json:"classes"`
		Labels       json.RawMessage         `json:"labels"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*p = PredictResponse{ModelName: raw.ModelName, ModelVersion: raw.ModelVersion, Predictions: floats(raw.Predictions)}
	if raw.Outputs != nil {
		p.Outputs = make(map[string][][]float64, len(raw.Outputs))
		for k, rows := range raw.Outputs {
			p.Outputs[k] = floats(rows)
		}
	}
	if isObject(raw.Classes) {
		if err := json.Unmarshal(raw.Classes, &p.OutputClasses); err != nil {
			return errors.Wrap(err, `"classes"`)
		}
	} else if len(raw.Classes) > 0 {
		if err := json.Unmarshal(raw.Classes, &p.Classes); err != nil {
			return errors.Wrap(err, `"classes"`)
		}
	}
	if isObject(raw.Labels) {
		if err := json.Unmarshal(raw.Labels, &p.OutputLabels); err != nil {
			return errors.Wrap(err, `"labels"`)
		}
	} else if len(raw.Labels) > 0 {
		if err := json.Unmarshal(raw.Labels, &p.Labels); err != nil {
			return errors.Wrap(err, `"labels"`)
		}
	}
	return nil
}

func isObject(b json.RawMessage) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '{'
}

// floats is rows with nil (JSON null) as NaN.
func floats(rows [][]*float64) [][]float64 {
	if rows == nil {
		return nil
	}
	out := make([][]float64, len(rows))
	for i, row := range rows {
		out[i] = make([]float64, len(row))
		for j, v := range row {
			if v == nil {
				out[i][j] = math.NaN()
			} else {
				out[i][j] = *v
			}
		}
	}
	return out
}
