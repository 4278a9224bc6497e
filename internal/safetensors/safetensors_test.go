package safetensors

import (
	"bytes"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

func TestRoundTrip(t *testing.T) {
	a := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{1, 2, 3, 4, 5, 6}))
	b := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{-1.5, 1e300}))
	var buf bytes.Buffer
	if err := Write(&buf, []Tensor{{"a", a}, {"b", b}}, map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	if hl := buf.Bytes()[0]; (8+int(hl))%8 != 0 {
		t.Errorf("header of %d bytes leaves the data unaligned", hl)
	}
	ts, meta, err := Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if meta["k"] != "v" || len(ts) != 2 || ts[0].Name != "a" || ts[1].Name != "b" {
		t.Fatalf("got %v %v", ts, meta)
	}
	if got := ts[0].Value.Data().([]float32); got[5] != 6 || !ts[0].Value.Shape().Eq(tensor.Shape{2, 3}) {
		t.Errorf("a = %v %v", ts[0].Value.Shape(), got)
	}
	if got := ts[1].Value.Data().([]float64); got[1] != 1e300 {
		t.Errorf("b = %v", got)
	}
	for _, n := range []int{0, 7, 12, buf.Len() - 1} {
		if _, _, err := Read(bytes.NewReader(buf.Bytes()[:n])); err == nil || !strings.Contains(err.Error(), "truncated") {
			t.Errorf("cut at %d: %v", n, err)
		}
	}
	if err := Write(&buf, []Tensor{{"a", a}, {"a", a}}, nil); err == nil {
		t.Error("repeated names accepted")
	}
}
