package main

import (
	"encoding/json"
	"math"
	"testing"

	"gorgonia.org/tensor"
)

// slowFloatRows reads raw as encoding/json does for the "rows" form of width
// values: ok when it is an array of rows of width numbers (no null).
func slowFloatRows(raw []byte, width int) (vals []float64, n int, ok bool) {
	var rows [][]*float64
	if json.Unmarshal(raw, &rows) != nil {
		return nil, 0, false
	}
	for _, row := range rows {
		if len(row) != width {
			return nil, 0, false
		}
		for _, v := range row {
			if v == nil {
				return nil, 0, false
			}
			vals = append(vals, *v)
		}
	}
	return vals, len(rows), true
}

// checkFastRows: the fast path takes what encoding/json takes (rows of width
// numbers; null aside), gives the same values, and takes nothing else.
func checkFastRows(t *testing.T, raw []byte, width int) {
	fast, fn, fok := parseFloatRows(raw, width)
	slow, sn, sok := slowFloatRows(raw, width)
	if sok && sn == 0 && !fok { // null: no rows either way (the caller refuses it)
		return
	}
	if fok != sok {
		t.Fatalf("%q (width %d): fast path ok %v, encoding/json ok %v", raw, width, fok, sok)
	}
	if !fok {
		return
	}
	if fn != sn || len(fast) != len(slow) {
		t.Fatalf("%q: fast %d rows %v, encoding/json %d rows %v", raw, fn, fast, sn, slow)
	}
	for i := range fast {
		if math.Float64bits(fast[i]) != math.Float64bits(slow[i]) {
			t.Fatalf("%q: value %d is %v, encoding/json reads %v", raw, i, fast[i], slow[i])
		}
	}
}

var fastRowsSeeds = []string{
	`[[1,2]]`, ` [ [ 1 , 2 ] , [3,4] ] `, "[\n[1.5e3,-0]\t,[0.25E-2,1E+2]]", `[]`, `[[]]`, `[[1,2],]`, `[[1,2]`,
	`[[1,2,3]]`, `[[1]]`, `[[1,null]]`, `[[1,"2"]]`, `[[01,2]]`, `[[1.,2]]`, `[[.5,2]]`, `[[+1,2]]`, `[[1e,2]]`,
	`[[1e999,2]]`, `[[-1e999,2]]`, `[[1e-999,2]]`, `[[0x10,2]]`, `[[Infinity,2]]`, `[[NaN,2]]`, `[[1,2]] x`,
	`[[1,2]][`, `null`, `{"a":1}`, `[[1,2],[3,4],[5,6]]`, `[[-0.0,2.5e+38]]`, `[[1 2]]`, `[[1,,2]]`, `[[-,2]]`,
	`[[1.7976931348623157e308,4.9e-324]]`, `[[1e1000000000000000000,1]]`, `[[true,1]]`, `[[[1],2]]`,
}

func TestParseFloatRows(t *testing.T) {
	for _, s := range fastRowsSeeds {
		for _, w := range []int{1, 2, 3} {
			checkFastRows(t, []byte(s), w)
		}
	}
}

func FuzzParseFloatRows(f *testing.F) {
	for _, s := range fastRowsSeeds {
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, s string, width int) {
		if width < 1 || width > 8 {
			return
		}
		checkFastRows(t, []byte(s), width)
	})
}

// TestAppendPredictions: the fast answer is byte for byte what encoding/json
// writes for predictResponse, NaN and Inf (null) and ties included; the classes
// of rows of one value (a binary classifier's) are 1 from 0.5 up.
func TestAppendPredictions(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []*tensor.Dense{
		tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{0.1, 0.7, 0.2, 1, 1, 0})),
		tensor.New(tensor.WithShape(3, 3), tensor.WithBacking([]float64{nan, 1, 2, 3, nan, -inf, inf, 1e300, 5e-324})),
		tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float32{0.5, float32(math.Inf(-1))})),
		tensor.New(tensor.WithShape(1, 2, 2), tensor.WithBacking([]float32{1, 2, 3, 4})),
	}
	for _, y := range cases {
		for _, classes := range []bool{false, true} {
			resp := predictResponse{Predictions: outputRows(y)}
			if classes {
				resp.Classes = make([]int, len(resp.Predictions))
				for i, row := range resp.Predictions {
					resp.Classes[i] = argmax(row)
					if len(row) == 1 && row[0].v >= 0.5 {
						resp.Classes[i] = 1
					}
				}
			}
			want, err := json.Marshal(resp)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := appendPredictions(nil, y, classes, nil)
			if !ok || string(got) != string(want)+"\n" {
				t.Errorf("%v classes %v:\n got %s\nwant %s", y.Data(), classes, got, want)
			}
		}
	}
	if _, ok := appendPredictions(nil, tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]int64{1})), false, nil); ok {
		t.Error("int64 output taken")
	}
}
