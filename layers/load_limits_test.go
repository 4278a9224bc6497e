package layers

import "testing"

func TestJSONDepth(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{`{}`, 1},
		{`{"a":[1,{"b":[]}]}`, 4},
		{`{"a":"[[[{{{"}`, 1},
		{`{"a":"\"[[[","b":[["\\"]]}`, 3},
		{`[[[[[[`, 3}, // stops past max
	} {
		if got := jsonDepth([]byte(tc.in), 2); tc.want <= 2 && got != tc.want || tc.want > 2 && got <= 2 {
			t.Errorf("jsonDepth(%s) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestValuesIn(t *testing.T) {
	for _, tc := range []struct {
		dims []int
		n    int
		ok   bool
	}{
		{nil, 1, true},
		{[]int{2, 3, 4}, 24, true},
		{[]int{1 << 31, 1 << 31}, 1 << 62, true},
		{[]int{1 << 32, 1 << 32}, 0, false},
		{[]int{1 << 62, 4}, 0, false},
		{[]int{3, 0}, 0, false},
		{[]int{-1, -1}, 0, false},
	} {
		if n, ok := valuesIn(tc.dims); n != tc.n || ok != tc.ok {
			t.Errorf("valuesIn(%v) = %d, %v; want %d, %v", tc.dims, n, ok, tc.n, tc.ok)
		}
	}
}
