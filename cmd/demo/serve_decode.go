package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/pkg/errors"
)

// wantForms is the reminder of the request forms in errors.
const wantForms = `want {"rows": [[...], ...]} or {"inputs": {"NAME": [[...], ...], ...}}`

// decodePredict reads a predict request and returns every input's rows in the
// model's order, whether it came in the named form, and the locator of its values;
// for a bad request an HTTP status and an error naming the problem.
func decodePredict(body io.Reader, sm *servingModel, maxBody int64) (vals []inputValues, named bool, where locator, status int, err error) {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	var req predictRequest
	tooBig := func(err error) bool {
		var mb *http.MaxBytesError
		return errors.As(err, &mb)
	}
	if err := dec.Decode(&req); err != nil {
		if tooBig(err) {
			return nil, false, nil, http.StatusRequestEntityTooLarge, errors.Errorf("the body is over the limit of %d bytes", maxBody)
		}
		return nil, false, nil, http.StatusBadRequest, errors.Wrap(err, "malformed JSON ("+wantForms+")")
	}
	if _, err := dec.Token(); err != io.EOF {
		if tooBig(err) {
			return nil, false, nil, http.StatusRequestEntityTooLarge, errors.Errorf("the body is over the limit of %d bytes", maxBody)
		}
		return nil, false, nil, http.StatusBadRequest, errors.New("malformed JSON: data after the request object")
	}
	hasRows := len(req.Rows) > 0 && string(req.Rows) != "null"
	switch {
	case hasRows && req.Inputs != nil:
		return nil, false, nil, http.StatusBadRequest, errors.New(`give either "rows" or "inputs", not both`)
	case req.Inputs != nil:
		vals, err = decodeNamed(req.Inputs, sm)
		where, named = sm.namedWhere, true
	case len(sm.ins) != 1 && !hasRows:
		return nil, false, nil, http.StatusBadRequest, errors.Errorf(`no inputs (the model's inputs are %s; send {"inputs": {%s}}, or {"rows": [[...], ...]} with every input's values in each row, in this order)`,
			sm.describeInputs(), namedExample(sm))
	default:
		vals, err = decodeRows(req.Rows, sm)
		where = sm.rowsWhere
	}
	if err != nil {
		return nil, false, nil, http.StatusBadRequest, err
	}
	return vals, named, where, 0, nil
}

// rowsWhere names a value of the "rows" form: "row 2 value 0"; for a model of
// several inputs, whose rows hold every input's values in input order, `row 2
// value 4 (input "color" column 0)`.
func (s *servingModel) rowsWhere(in, row, col int) string {
	if len(s.ins) == 1 {
		return fmt.Sprintf("row %d value %d", row, col)
	}
	at := col
	for _, prev := range s.ins[:in] {
		at += prev.width
	}
	return fmt.Sprintf("row %d value %d (input %q column %d)", row, at, s.ins[in].Name, col)
}

// namedWhere names a value of the named form: `input "user_id" row 2 column 0`.
func (s *servingModel) namedWhere(in, row, col int) string {
	return fmt.Sprintf("input %q row %d column %d", s.ins[in].Name, row, col)
}

// namedExample is `"user_id": [[...], ...], "features": [[...], ...]` for errors.
func namedExample(sm *servingModel) string {
	parts := make([]string, len(sm.ins))
	for i, in := range sm.ins {
		parts[i] = fmt.Sprintf("%q: [[...], ...]", in.Name)
	}
	return strings.Join(parts, ", ")
}

// decodeRows reads the "rows" form. A row holds one example's values of every
// input, flattened, in the model's input order (for a model of one input, that
// input's values). A model of one float input reads as it always has (numbers
// decoded as float64, the fast path first); any other goes through parseRows
// input by input, which takes only integers in range for an integer input and
// JSON strings for a String input.
func decodeRows(raw json.RawMessage, sm *servingModel) ([]inputValues, error) {
	in := sm.ins[0]
	if !hasRowsJSON(raw) {
		return nil, errors.New("no rows (" + wantForms + ")")
	}
	if len(sm.ins) != 1 || in.isInt || in.isString {
		var rows [][]json.RawMessage
		if err := json.Unmarshal(raw, &rows); err != nil {
			return nil, errors.Wrap(err, `malformed JSON (want {"rows": [[...], ...]})`)
		}
		return sm.splitRows(rows)
	}
	if vals, n, ok := parseFloatRows(raw, in.width); ok && n > 0 {
		return []inputValues{{n: n, floats: vals}}, nil
	}
	var rows [][]*float64
	if err := json.Unmarshal(raw, &rows); err != nil {
		// Read the rows again value by value to name the one at fault (a number
		// beyond float64 such as 1e999, a string) by row and column.
		var lits [][]json.RawMessage
		if json.Unmarshal(raw, &lits) == nil {
			if _, bad := sm.parseRows(0, lits, sm.rowsWhere, func(row int) string { return fmt.Sprintf("row %d", row) }); bad != nil {
				return nil, bad
			}
		}
		return nil, errors.Wrap(err, `malformed JSON (want {"rows": [[...], ...]})`)
	}
	vals := make([]float64, 0, len(rows)*in.width)
	for i, row := range rows {
		if len(row) != in.width {
			return nil, errors.Errorf("row %d has %d values, the model takes %d", i, len(row), in.width)
		}
		for j, v := range row {
			if v == nil {
				return nil, errors.Errorf("row %d value %d is null, want a number", i, j)
			}
			vals = append(vals, *v)
		}
	}
	return []inputValues{{n: len(rows), floats: vals}}, nil
}

// splitRows reads rows of the "rows" form (see decodeRows) input by input.
func (s *servingModel) splitRows(rows [][]json.RawMessage) ([]inputValues, error) {
	if len(s.ins) == 1 {
		v, err := s.parseRows(0, rows, s.rowsWhere, func(row int) string { return fmt.Sprintf("row %d", row) })
		return []inputValues{v}, err
	}
	width := s.width()
	for r, row := range rows {
		if len(row) != width {
			return nil, badf("row %d has %d values, the model takes %d (%s, in this order)", r, len(row), width, s.describeWidths())
		}
	}
	vals := make([]inputValues, len(s.ins))
	part := make([][]json.RawMessage, len(rows))
	from := 0
	for i, in := range s.ins {
		for r, row := range rows {
			part[r] = row[from : from+in.width]
		}
		v, err := s.parseRows(i, part, s.rowsWhere, func(row int) string { return fmt.Sprintf("row %d", row) })
		if err != nil {
			return nil, err
		}
		vals[i] = v
		from += in.width
	}
	return vals, nil
}

// hasRowsJSON reports whether raw, a JSON value, is anything but null, an empty
// array or nothing (a non-array: the decoder says what is wrong with it).
func hasRowsJSON(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	switch {
	case len(t) == 0, string(t) == "null":
		return false
	case t[0] != '[':
		return true
	}
	rest := bytes.TrimSpace(t[1:])
	return len(rest) == 0 || rest[0] != ']'
}

// decodeNamed reads the named form: every model input by name, no other name, the
// same number of rows each.
func decodeNamed(inputs map[string]json.RawMessage, sm *servingModel) ([]inputValues, error) {
	known := map[string]bool{}
	for _, in := range sm.ins {
		known[in.Name] = true
	}
	var unknown []string
	for name := range inputs {
		if !known[name] {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	if len(unknown) > 0 {
		return nil, errors.Errorf("unknown input %q (the model's inputs are %s)", unknown[0], sm.describeInputs())
	}
	vals := make([]inputValues, len(sm.ins))
	first := -1
	for i, in := range sm.ins {
		raw, ok := inputs[in.Name]
		if !ok {
			return nil, errors.Errorf("missing input %q (the model's inputs are %s)", in.Name, sm.describeInputs())
		}
		var rows [][]json.RawMessage
		if err := json.Unmarshal(raw, &rows); err != nil {
			return nil, errors.Wrapf(err, "input %q: malformed JSON (want rows of values: [[...], ...])", in.Name)
		}
		if len(rows) == 0 {
			return nil, errors.Errorf("input %q has no rows", in.Name)
		}
		if first >= 0 && len(rows) != vals[first].n {
			return nil, errors.Errorf("input %q has %d rows, input %q has %d: every input needs the same number of rows",
				in.Name, len(rows), sm.ins[first].Name, vals[first].n)
		}
		v, err := sm.parseRows(i, rows, sm.namedWhere, func(row int) string { return fmt.Sprintf("input %q row %d", in.Name, row) })
		if err != nil {
			return nil, err
		}
		vals[i] = v
		if first < 0 {
			first = i
		}
	}
	return vals, nil
}
