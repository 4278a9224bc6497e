package layers

import (
	"encoding/json"
	"fmt"

	"github.com/pkg/errors"
)

// Describing a model (Summary, ToDot) never builds it. A model's weights are made
// once, by its first Build, with the seed and dtype given there: trainers.New
// builds an unbuilt model with its WithSeed and WithDType. Were Summary to build the
// model, with the default seed and float32, a later trainers.New(model,
// WithSeed(7)) or WithDType(Float64) would find the model built and be ignored. So
// Summary and ToDot of an unbuilt model describe a copy made from the model's
// configuration (the Config of every layer, as Save writes it) and built with the
// default seed: shapes and parameter counts do not depend on the seed. The copy is
// thrown away; the model stays unbuilt.

// describeTarget returns the model Summary and ToDot describe: m itself once
// built, otherwise a built copy of it. copyErr says why no copy could be made (a
// layer without Config, or of a class Load does not know without WithCustomLayer):
// the description then lists the layers without shapes. buildErr is the error of
// building the copy, which is the model's own: its shapes do not fit.
func describeTarget(m Model) (d Model, copyErr, buildErr error) {
	if m.Built() {
		return m, nil, nil
	}
	if s, ok := m.(*Sequential); ok {
		// Connecting names the layers (dense, dense_1, ...) as Build would, and
		// makes no weights.
		if err := s.connect(nil); err != nil {
			return nil, nil, err
		}
	}
	c, err := unbuiltCopy(m)
	if err != nil {
		return nil, err, nil
	}
	if err := c.Build(WithDType(m.DType())); err != nil {
		return nil, nil, err
	}
	return c, nil, nil
}

// unbuiltCopy makes a new, unbuilt model of m's architecture through the layers'
// configurations, as Save and Load would.
func unbuiltCopy(m Model) (c Model, err error) {
	defer recoverTo(&err, "copy the model")
	lc, err := configOf(m)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(lc)
	if err != nil {
		return nil, errors.Wrap(err, "copy the model")
	}
	var back LayerConfig
	if err := json.Unmarshal(b, &back); err != nil {
		return nil, errors.Wrap(err, "copy the model")
	}
	l, err := registry{}.layer(back)
	if err != nil {
		return nil, err
	}
	c, ok := l.(Model)
	if !ok {
		return nil, errors.Errorf("copy the model: got a %T", l)
	}
	return c, nil
}

// unknownRows lists the layers of m for a summary when no copy could be made: name
// and type, "?" for the shape and the parameter count.
func unknownRows(ls []Layer, cols int) [][]string {
	var rows [][]string
	for _, l := range ls {
		if _, ok := l.(*InputLayer); ok {
			continue
		}
		name := l.Type()
		if l.Name() != "" {
			name = fmt.Sprintf("%s (%s)", l.Name(), l.Type())
		}
		row := []string{name, "?", "?"}
		for len(row) < cols {
			row = append(row, "?")
		}
		rows = append(rows, row)
	}
	return rows
}

// unknownTable is the summary of a model that is not built and could not be
// copied: its layers, and why the shapes are not shown.
func unknownTable(name string, header []string, ls []Layer, why error) string {
	rows := append([][]string{header}, unknownRows(ls, len(header))...)
	return summaryTable(name, rows, -1, -1) +
		fmt.Sprintf("Shapes and parameters are shown once the model is built (Build, or trainers.New); Summary does not build it, and no copy of it could be made: %v\n", why)
}
