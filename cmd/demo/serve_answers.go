package main

import "gorgonia.org/tensor"

// The answers of POST /v1/predict built with encoding/json (appendPredictions
// writes the "rows" form's faster): "classes" holds the argmax of each row, and
// "labels" the names of those classes for the outputs that have names
// (layers.OutputClassNames, read when the model is loaded).

// rowsResponse is the answer of the "rows" form for a model of one output o, its
// rows given: "classes" for more than one value per row, "labels" too when o's
// classes have names. appendPredictions writes the same bytes faster.
func rowsResponse(o outputSpec, rows [][]outValue) predictResponse {
	resp := predictResponse{Predictions: rows}
	if o.width > 1 {
		resp.Classes = make([]int, len(rows))
		for i, row := range rows {
			resp.Classes[i] = argmax(row)
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
// every output's rows, "classes" for the outputs of shape (k), k > 1, and
// "labels" for those of them whose classes have names.
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
			cl[i] = argmax(row)
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
