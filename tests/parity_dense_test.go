package tests

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"gorgonia.org/tensor"
)

// parityDenseCase is one case of dense.json: y = act(x@w+b) and the gradients of
// sum(y*upstream) with respect to x, w and b.
type parityDenseCase struct {
	Activation string      `json:"activation"`
	Alpha      *float64    `json:"alpha"`
	X          parityArray `json:"x"`
	W          parityArray `json:"w"`
	B          parityArray `json:"b"`
	Upstream   parityArray `json:"upstream"`
	Y          parityArray `json:"y"`
	DX         parityArray `json:"dx"`
	DW         parityArray `json:"dw"`
	DB         parityArray `json:"db"`
}

// parityDenseResult holds what one run of the Dense graph computed.
type parityDenseResult struct {
	y, dx, dw, db []float64
}

// parityRunDense builds and runs the Dense graph of one case in float32.
func parityRunDense(c parityDenseCase) (res parityDenseResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	batch, in, units := c.X.Shape[0], c.X.Shape[1], c.W.Shape[1]
	g, err := graph.New(graph.Train, tensor.Float32, batch)
	if err != nil {
		return res, err
	}
	xNode, xT, err := g.Input("x", in)
	if err != nil {
		return res, err
	}
	parityCopyF32(xT, c.X.Data)
	layer := layers.Dense(units, layers.WithActivation(c.Activation), layers.WithName("dense"))
	out, err := layer.Build(layers.BuildContext{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1))}, []int{in})
	if err != nil {
		return res, fmt.Errorf("build: %w", err)
	}
	if len(out) != 1 || out[0] != units {
		return res, fmt.Errorf("build: output shape %v, want [%d]", out, units)
	}
	if err := layer.Kernel().SetFloat64s(c.W.Data); err != nil {
		return res, err
	}
	if err := layer.Bias().SetFloat64s(c.B.Data); err != nil {
		return res, err
	}
	y, err := layer.Forward(g, xNode)
	if err != nil {
		return res, fmt.Errorf("forward: %w", err)
	}
	var grads [][]float64
	if res.y, grads, err = parityBackward(g, xNode, y, c.Upstream.Data, layer.Params()); err != nil {
		return res, err
	}
	res.dx, res.dw, res.db = grads[0], grads[1], grads[2]
	return res, nil
}

func parityCopyF32(dst *tensor.Dense, src []float64) {
	d := dst.Data().([]float32)
	for i := range d {
		d[i] = float32(src[i])
	}
}

func TestParityDense(t *testing.T) {
	var fix struct {
		Cases []parityDenseCase `json:"cases"`
	}
	parityLoad(t, "dense.json", &fix)
	if len(fix.Cases) != 13 {
		t.Fatalf("dense.json has %d cases, want 13", len(fix.Cases))
	}
	var worst parityMax
	for _, c := range fix.Cases {
		t.Run(c.Activation, func(t *testing.T) {
			for name, a := range map[string]parityArray{"x": c.X, "w": c.W, "b": c.B, "upstream": c.Upstream,
				"y": c.Y, "dx": c.DX, "dw": c.DW, "db": c.DB} {
				parityCheckArray(t, c.Activation, name, a)
			}
			if c.Activation == "leaky_relu" {
				if c.Alpha == nil {
					t.Fatalf("case leaky_relu: the fixture states no slope")
				}
				if *c.Alpha != graph.LeakyReLUAlpha {
					t.Errorf("case leaky_relu: fixture slope %g, the activation name gives %g", *c.Alpha, graph.LeakyReLUAlpha)
				}
			}
			res, err := parityRunDense(c)
			if err != nil {
				t.Fatalf("case %s: %v", c.Activation, err)
			}
			for _, cmp := range []struct {
				name      string
				got, want []float64
			}{
				{"y", res.y, c.Y.Data},
				{"dx", res.dx, c.DX.Data},
				{"dw", res.dw, c.DW.Data},
				{"db", res.db, c.DB.Data},
			} {
				d := parityCompare(t, c.Activation, cmp.name, cmp.got, cmp.want)
				worst.add(d, c.Activation+"/"+cmp.name)
			}
		})
	}
	worst.report(t, "dense.json")
}
