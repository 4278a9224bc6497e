package main

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"gorgonia.org/tensor"
)

// inputValues holds the rows of one model input, flat (row-major, the input's
// shape flattened): floats for a float input, ints for an integer one, strs for a
// String one.
type inputValues struct {
	n      int
	floats []float64
	ints   []int64
	strs   []string
}

// locator names value col of row of input in in an error: "row 2 value 0" for the
// "rows" form, `input "user_id" row 2 column 0` for the named form, the CSV's row and
// column name for demo predict.
type locator func(in, row, col int) string

// badRequest is an error of the caller's data (HTTP 400), as opposed to a failure
// of the prediction itself.
type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

func badf(format string, args ...interface{}) error {
	return &badRequest{fmt.Sprintf(format, args...)}
}

// intRange is the smallest and largest value of an integer dtype.
func intRange(dt tensor.Dtype) (lo, hi int64) {
	if dt == tensor.Int32 {
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64 // Int64, and Int on 64-bit platforms
}

// intLiteral reads the JSON number literal lit as an integer of dtype dt. Integral
// literals in any JSON spelling are taken ("3", "3.0", "3e2", "-0"); it returns a
// problem ("3.5 is not an integer", "1e30 is out of the range of int64") otherwise.
// It works on the decimal digits, so it is exact for every int64 and cheap for any
// exponent.
func intLiteral(lit string, dt tensor.Dtype) (int64, string) {
	s := lit
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		e, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil || e > 1000 || e < -1000 { // beyond any int64 either way
			e = 1000
			if strings.HasPrefix(s[i+1:], "-") {
				e = -1000
			}
		}
		exp = e
	}
	whole, frac, _ := strings.Cut(mant, ".")
	digits := whole + frac
	point := len(whole) + exp // digits[:point] is the integer part
	for digits != "" && digits[0] == '0' {
		digits, point = digits[1:], point-1
	}
	digits = strings.TrimRight(digits, "0")
	if digits == "" {
		return 0, ""
	}
	if point < len(digits) {
		return 0, fmt.Sprintf("%s is not an integer (the input is %v)", lit, dt)
	}
	lo, hi := intRange(dt)
	outside := fmt.Sprintf("%s is out of the range of %v [%d, %d]", lit, dt, lo, hi)
	if point > 19 {
		return 0, outside
	}
	u, err := strconv.ParseUint(digits+strings.Repeat("0", point-len(digits)), 10, 64)
	if err != nil {
		return 0, outside
	}
	if neg {
		if u > uint64(-(lo+1))+1 {
			return 0, outside
		}
		return -int64(u-1) - 1, ""
	}
	if u > uint64(hi) {
		return 0, outside
	}
	return int64(u), ""
}

// isNumberLiteral reports whether raw is a JSON number (not a string, null, ...).
func isNumberLiteral(raw []byte) bool {
	return len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9')
}

// parseRows reads rows of raw JSON values for input in (see servingModel.ins) into
// values, checking the width of every row and every value: a number, an integer
// within the dtype's range (and the ids of an Embedding fed by the input) for an
// integer input, a finite number for a float input, a JSON string of at most
// maxStringBytes (known to a lookup without out-of-vocabulary ids fed by the
// input) for a String input. where names values in errors; what names the input
// in errors about whole rows ("row 3", `input "x" row 3`).
func (s *servingModel) parseRows(in int, rows [][]json.RawMessage, where locator, what func(row int) string) (inputValues, error) {
	spec := s.ins[in]
	v := inputValues{n: len(rows)}
	switch {
	case spec.isInt:
		v.ints = make([]int64, 0, len(rows)*spec.width)
	case spec.isString:
		v.strs = make([]string, 0, len(rows)*spec.width)
	default:
		v.floats = make([]float64, 0, len(rows)*spec.width)
	}
	for r, row := range rows {
		if len(row) != spec.width {
			return v, badf("%s has %d values, %s", what(r), len(row), spec.takes())
		}
		for c, raw := range row {
			lit := strings.TrimSpace(string(raw))
			switch {
			case lit == "null":
				return v, badf("%s is null, want %s", where(in, r, c), spec.kindName())
			case spec.isString:
				str, problem := stringLiteral(lit, spec)
				if problem != "" {
					return v, badf("%s%s", where(in, r, c), problem)
				}
				v.strs = append(v.strs, str)
				continue
			case !isNumberLiteral([]byte(lit)):
				return v, badf("%s is %s, want a number", where(in, r, c), clip(lit))
			}
			if spec.isInt {
				id, problem := intLiteral(lit, spec.DType)
				if problem == "" {
					problem = spec.checkID(id)
				}
				if problem != "" {
					return v, badf("%s: %s", where(in, r, c), problem)
				}
				v.ints = append(v.ints, id)
				continue
			}
			f, err := strconv.ParseFloat(lit, 64)
			if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				if math.IsInf(f, 0) {
					return v, badf("%s: %s is not a finite number (beyond the range of float64)", where(in, r, c), clip(lit))
				}
				return v, badf("%s: %s is not a finite number", where(in, r, c), clip(lit))
			}
			v.floats = append(v.floats, f)
		}
	}
	return v, nil
}

// stringLiteral reads the JSON literal lit as a value of the String input spec.
// problem, for an error after the value's place, is " is 3, want a string (...)"
// for a literal that is not a JSON string, or ": ..." for a string the input does
// not take (too long, unknown to a strict lookup).
func stringLiteral(lit string, spec inputSpec) (string, string) {
	if !strings.HasPrefix(lit, `"`) {
		return "", fmt.Sprintf(" is %s, want a string (input %q takes strings: quote the value)", clip(lit), spec.Name)
	}
	if len(lit) > 6*maxStringBytes+2 { // beyond the limit even if every byte is escaped as \u00XX
		return "", fmt.Sprintf(": the string is over the limit of %d bytes", maxStringBytes)
	}
	// lit is valid JSON (its request decoded): without escapes and of valid UTF-8,
	// its text is the string.
	var str string
	if inner := lit[1:]; strings.HasSuffix(inner, `"`) && strings.IndexByte(inner, '\\') < 0 && utf8.ValidString(inner) {
		str = inner[:len(inner)-1]
	} else if err := json.Unmarshal([]byte(lit), &str); err != nil {
		return "", fmt.Sprintf(" is %s, not a valid JSON string", clip(lit))
	}
	if problem := spec.checkString(str); problem != "" {
		return "", ": " + problem
	}
	return str, ""
}

// clip shortens a long literal for an error message (at a rune boundary).
func clip(s string) string {
	if len(s) > 40 {
		cut := 37
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return s[:cut] + "..."
	}
	return s
}
