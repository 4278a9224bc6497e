package graph

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestSliceAxisGradient: SliceAxis keeps the block and its gradient is the upstream
// gradient padded with zeros (checked against finite differences), on the middle
// and last axes.
func TestSliceAxisGradient(t *testing.T) {
	for _, c := range []struct{ axis, lo, hi int }{{1, 1, 3}, {-1, 0, 2}, {0, 1, 2}} {
		x := tensor.New(tensor.WithShape(2, 3, 4), tensor.WithBacking(make([]float64, 24)))
		for i, v := 0, x.Data().([]float64); i < len(v); i++ {
			v[i] = float64(i%7) * 0.3
		}
		res, err := CheckGradient(func(g *Graph, in []*G.Node) (*G.Node, error) {
			return SliceAxis(in[0], c.axis, c.lo, c.hi)
		}, []*tensor.Dense{x}, 1e-6)
		if err != nil {
			t.Fatal(err)
		}
		if res.MaxRelErr > 1e-6 {
			t.Fatalf("axis %d [%d, %d): gradient relative error %g", c.axis, c.lo, c.hi, res.MaxRelErr)
		}
	}
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 3, G.WithShape(2, 3, 4))
	if _, err := SliceAxis(x, 1, 2, 4); err == nil {
		t.Fatal("slice beyond the axis: no error")
	}
	if _, err := SliceAxis(x, 3, 0, 1); err == nil {
		t.Fatal("axis out of range: no error")
	}
}
