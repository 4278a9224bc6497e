package main

import "gorgonia.org/tensor"

// The answers of POST /v1/predict built with encoding/json (appendPredictions
// writes the "rows" form's faster): "classes" holds the class of each row (the
// argmax, or for a binary classifier, one value with two class names, 1 when the
// value is >= 0.5: outputSpec.class), and "labels" the names of those classes for
// the outputs that have names (layers.OutputClassNames, read when the model is
// loaded).

// rowsResponse is the answer of the "rows" form for a model of one output o, its
// rows given: "classes" for more than one value per row or a binary classifier,
// "labels" too when o's classes have names. appendPredictions writes the same
// bytes faster.
func rowsResponse(o outputSpec, rows [][]outValue) predictResponse {
	resp := predictResponse{Predictions: rows}
	if o.width > 1 || o.binary {
		resp.Classes = make([]int, len(rows))
		for i, row := range rows {
			resp.Classes[i] = o.class(row)
		}
		if o.names != nil {
			resp.Labels = make([]string, len(rows))
			for i, c := range resp.Classes {
				resp.Labels[i] = o.label(c)
			}
		}
	}
	return resp
}

// namedAnswer is the named answer for the outputs ys (in the model's order):
// every output's rows, "classes" for the outputs with classes (shape (k), k > 1,
// or a binary classifier: shape (1) with two class names), and "labels" for
// those of them whose classes have names.
func (sm *servingModel) namedAnswer(ys []*tensor.Dense) namedResponse {
	resp := namedResponse{Outputs: make(map[string][][]outValue, len(ys))}
	for k, y := range ys {
		o := sm.outs[k]
		rows := outputRows(y)
		resp.Outputs[o.Name] = rows
		if !o.classes {
			continue
		}
		if resp.Classes == nil {
			resp.Classes = map[string][]int{}
		}
		cl := make([]int, len(rows))
		for i, row := range rows {
			cl[i] = o.class(row)
		}
		resp.Classes[o.Name] = cl
		if o.names == nil {
			continue
		}
		if resp.Labels == nil {
			resp.Labels = map[string][]string{}
		}
		labels := make([]string, len(rows))
		for i, c := range cl {
			labels[i] = o.label(c)
		}
		resp.Labels[o.Name] = labels
	}
	return resp
}
