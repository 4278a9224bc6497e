package main

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"

	"gorgonia.org/tensor"
)

// The "rows" form of a float input and the "predictions" answer are the bulk of a
// large request: read and written here without reflection, into and out of flat
// slices (encoding/json spends about 2 slice growths per row reading [][]float64
// and a MarshalJSON call per value writing, which made a 1 MB body cost about 80
// MB of allocations). Anything these fast paths do not take (a null, a string, a
// number beyond float64, a ragged row, any malformed JSON) goes to encoding/json,
// whose errors name the row and column.

// parseFloatRows reads raw, a JSON array of rows of width numbers each, into one
// flat slice. ok is false for anything else, including a number that is not
// finite in float64 (1e999); the caller then reads raw the slow way for the error.
func parseFloatRows(raw []byte, width int) (vals []float64, n int, ok bool) {
	p := &numScanner{b: raw}
	p.space()
	if !p.byte('[') {
		return nil, 0, false
	}
	vals = make([]float64, 0, bytes.Count(raw, []byte{','})+1) // at least one comma per value but the last
	p.space()
	if p.byte(']') {
		return vals, 0, p.end()
	}
	for {
		p.space()
		if !p.byte('[') {
			return nil, 0, false
		}
		for c := 0; c < width; c++ {
			if c > 0 && !p.comma() {
				return nil, 0, false
			}
			p.space()
			f, ok := p.number()
			if !ok {
				return nil, 0, false
			}
			vals = append(vals, f)
		}
		p.space()
		if !p.byte(']') {
			return nil, 0, false
		}
		n++
		p.space()
		if p.byte(']') {
			return vals, n, p.end()
		}
		if !p.byte(',') {
			return nil, 0, false
		}
	}
}

// numScanner reads JSON arrays of numbers.
type numScanner struct {
	b []byte
	i int
}

func (p *numScanner) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// byte consumes c if it is next.
func (p *numScanner) byte(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *numScanner) comma() bool {
	p.space()
	return p.byte(',')
}

// end reports whether only white space is left.
func (p *numScanner) end() bool {
	p.space()
	return p.i == len(p.b)
}

func (p *numScanner) digits() int {
	k := 0
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
		k++
	}
	return k
}

// number reads a JSON number (RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)
// that is finite in float64.
func (p *numScanner) number() (float64, bool) {
	start := p.i
	p.byte('-')
	switch {
	case p.byte('0'):
	case p.i < len(p.b) && p.b[p.i] >= '1' && p.b[p.i] <= '9':
		p.digits()
	default:
		return 0, false
	}
	if p.byte('.') && p.digits() == 0 {
		return 0, false
	}
	if p.byte('e') || p.byte('E') {
		if !p.byte('+') {
			p.byte('-')
		}
		if p.digits() == 0 {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(string(p.b[start:p.i]), 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// appendPredictions appends the answer of the "rows" form for a model of one
// output, y of shape (n, output...), as encoding/json writes predictResponse
// (rowsResponse): {"predictions":[[...],...],"classes":[...],"labels":[...]} and
// a newline; "classes" (the class of every row) only when classes is set, and
// "labels" (names[class] of every row) only then and when names is not nil. The
// class of a row of several values is its argmax; that of a row of one value
// (classes set for it: a binary classifier, two names) is binaryClass's, 1 when
// the value is >= 0.5.
// Values are written with the precision of y's dtype, as null when not finite;
// labels as encoding/json escapes them. ok is false for a dtype other than
// float32 and float64.
func appendPredictions(buf []byte, y *tensor.Dense, classes bool, names []string) (_ []byte, ok bool) {
	n := y.Shape()[0]
	var at func(i int) float64
	bits := 64
	switch d := y.Data().(type) {
	case []float32:
		at, bits = func(i int) float64 { return float64(d[i]) }, 32
	case []float64:
		at = func(i int) float64 { return d[i] }
	default:
		return buf, false
	}
	w := 0
	if n > 0 {
		w = y.Shape().TotalSize() / n
	}
	buf = append(buf, `{"predictions":[`...)
	for i := 0; i < n; i++ {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '[')
		for j := 0; j < w; j++ {
			if j > 0 {
				buf = append(buf, ',')
			}
			v := at(i*w + j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				buf = append(buf, "null"...)
			} else {
				buf = strconv.AppendFloat(buf, v, 'g', -1, bits)
			}
		}
		buf = append(buf, ']')
	}
	buf = append(buf, ']')
	if !classes || n == 0 {
		return append(buf, "}\n"...), true
	}
	best := make([]int, n)
	buf = append(buf, `,"classes":[`...)
	for i := 0; i < n; i++ {
		if i > 0 {
			buf = append(buf, ',')
		}
		if w == 1 {
			best[i] = binaryClass(at(i))
		}
		for j := 1; j < w; j++ {
			v, b := at(i*w+j), at(i*w+best[i])
			if v > b || math.IsNaN(b) {
				best[i] = j
			}
		}
		buf = strconv.AppendInt(buf, int64(best[i]), 10)
	}
	buf = append(buf, ']')
	if names != nil {
		buf = append(buf, `,"labels":[`...)
		quoted := make([][]byte, len(names)) // the JSON of the names met so far
		for i, c := range best {
			if i > 0 {
				buf = append(buf, ',')
			}
			if c >= len(names) { // not for a model's names, which are one per value
				buf = append(buf, `""`...)
				continue
			}
			if quoted[c] == nil {
				quoted[c], _ = json.Marshal(names[c]) // a string always encodes
			}
			buf = append(buf, quoted[c]...)
		}
		buf = append(buf, ']')
	}
	return append(buf, "}\n"...), true
}
