package tests

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"gorgonia.org/tensor"
)

// PyTorch parity of the convolutional layers (fixtures in testdata/torch_conv, made
// by make_fixtures.py there), in float32, within parityConvTol·max(1, |want|).
const parityConvTol = 1e-4

func parityConvLoad(t *testing.T, name string, v interface{}) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "torch_conv", name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode fixture %s: %v", name, err)
	}
}

// parityConvResult is what one run computed: the output, the input's gradient and
// the gradients of the given params, in order.
type parityConvResult struct {
	y, dx []float64
	dp    [][]float64
}

// parityConvRun builds layer for x's example shape in float32, lets set fill its
// params, and runs y = layer(x) and the gradients of sum(y·upstream) in mode m.
func parityConvRun(m graph.Mode, layer layers.SingleLayer, x, up parityArray, set func() error, grads func() []*graph.Param) (res parityConvResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	layer.SetName("layer")
	if _, err := layer.Build(layers.BuildContext{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1))}, x.Shape[1:]); err != nil {
		return res, fmt.Errorf("build: %w", err)
	}
	if err := set(); err != nil {
		return res, err
	}
	g, err := graph.New(m, tensor.Float32, x.Shape[0])
	if err != nil {
		return res, err
	}
	xNode, xT, err := g.Input("x", x.Shape[1:]...)
	if err != nil {
		return res, err
	}
	parityCopyF32(xT, x.Data)
	y, err := layer.Forward(g, xNode)
	if err != nil {
		return res, fmt.Errorf("forward: %w", err)
	}
	var gs [][]float64
	if res.y, gs, err = parityBackward(g, xNode, y, up.Data, grads()); err != nil {
		return res, err
	}
	res.dx, res.dp = gs[0], gs[1:]
	return res, nil
}

// parityConvCompare compares named arrays at parityConvTol and records the worst.
func parityConvCompare(t *testing.T, worst *parityMax, caseName string, pairs map[string][2][]float64) {
	t.Helper()
	for name, p := range pairs {
		got, want := p[0], p[1]
		if len(got) != len(want) {
			t.Errorf("case %s: %s: %d values, want %d", caseName, name, len(got), len(want))
			continue
		}
		d := 0.0
		for i := range want {
			e := parityDiff(got[i], want[i])
			if e > parityConvTol {
				t.Errorf("case %s: %s[%d] = %.9g, want %.9g", caseName, name, i, got[i], want[i])
				break
			}
			d = math.Max(d, e)
		}
		worst.add(d, caseName+"/"+name)
	}
}

type parityConvCase struct {
	Name     string      `json:"name"`
	Strides  []int       `json:"strides"`
	Dilation []int       `json:"dilation"`
	Padding  string      `json:"padding"`
	X        parityArray `json:"x"`
	Kernel   parityArray `json:"kernel"`
	Bias     parityArray `json:"bias"`
	Upstream parityArray `json:"upstream"`
	Y        parityArray `json:"y"`
	DX       parityArray `json:"dx"`
	DKernel  parityArray `json:"dkernel"`
	DBias    parityArray `json:"dbias"`
}

func TestParityConv2D(t *testing.T) {
	var fix struct{ Cases []parityConvCase }
	parityConvLoad(t, "conv.json", &fix)
	if len(fix.Cases) != 8 {
		t.Fatalf("conv.json has %d cases, want 8", len(fix.Cases))
	}
	var worst parityMax
	for _, c := range fix.Cases {
		t.Run(c.Name, func(t *testing.T) {
			k := c.Kernel.Shape
			l := layers.Conv2D(k[3], 0, layers.WithKernelSize(k[0], k[1]), layers.WithStrides(c.Strides[0], c.Strides[1]),
				layers.WithDilation(c.Dilation[0], c.Dilation[1]), layers.WithPadding(c.Padding))
			set := func() error {
				if err := l.Kernel().SetFloat64s(c.Kernel.Data); err != nil {
					return err
				}
				return l.Bias().SetFloat64s(c.Bias.Data)
			}
			res, err := parityConvRun(graph.Train, l, c.X, c.Upstream, set, l.Params)
			if err != nil {
				t.Fatalf("case %s: %v", c.Name, err)
			}
			parityConvCompare(t, &worst, c.Name, map[string][2][]float64{"y": {res.y, c.Y.Data}, "dx": {res.dx, c.DX.Data},
				"dkernel": {res.dp[0], c.DKernel.Data}, "dbias": {res.dp[1], c.DBias.Data}})
		})
	}
	worst.report(t, "conv.json")
}

type parityPoolCase struct {
	Name, Kind, Padding string
	Size, Strides       []int
	X, Upstream, Y, DX  parityArray
}

func TestParityPool(t *testing.T) {
	var fix struct{ Cases []parityPoolCase }
	parityConvLoad(t, "pool.json", &fix)
	if len(fix.Cases) != 10 {
		t.Fatalf("pool.json has %d cases, want 10", len(fix.Cases))
	}
	var worst parityMax
	for _, c := range fix.Cases {
		t.Run(c.Name, func(t *testing.T) {
			var l layers.SingleLayer
			switch {
			case c.Size == nil && c.Kind == "avg":
				l = layers.GlobalAveragePooling2D()
			case c.Size == nil:
				l = layers.GlobalMaxPooling2D()
			default:
				opts := []layers.Option{layers.WithPoolSize(c.Size[0], c.Size[1]), layers.WithStrides(c.Strides[0], c.Strides[1]), layers.WithPadding(c.Padding)}
				l = layers.MaxPooling2D(0, opts...)
				if c.Kind == "avg" {
					l = layers.AveragePooling2D(0, opts...)
				}
			}
			res, err := parityConvRun(graph.Train, l, c.X, c.Upstream, func() error { return nil }, l.Params)
			if err != nil {
				t.Fatalf("case %s: %v", c.Name, err)
			}
			parityConvCompare(t, &worst, c.Name, map[string][2][]float64{"y": {res.y, c.Y.Data}, "dx": {res.dx, c.DX.Data}})
		})
	}
	worst.report(t, "pool.json")
}

type parityBNCase struct {
	Name                            string
	Training                        bool
	Momentum, Epsilon               float64
	X, Gamma, Beta, Upstream, Y, DX parityArray
	MovingMean                      parityArray `json:"moving_mean"`
	MovingVariance                  parityArray `json:"moving_variance"`
	DGamma, DBeta                   parityArray
	NewMovingMean                   parityArray `json:"new_moving_mean"`
	NewMovingVariance               parityArray `json:"new_moving_variance"`
}

func TestParityBatchNorm(t *testing.T) {
	var fix struct{ Cases []parityBNCase }
	parityConvLoad(t, "batchnorm.json", &fix)
	if len(fix.Cases) != 4 {
		t.Fatalf("batchnorm.json has %d cases, want 4", len(fix.Cases))
	}
	var worst parityMax
	for _, c := range fix.Cases {
		t.Run(c.Name, func(t *testing.T) {
			l := layers.BatchNormalization(layers.WithMomentum(c.Momentum), layers.WithEpsilon(c.Epsilon))
			set := func() error {
				for i, a := range []parityArray{c.Gamma, c.Beta, c.MovingMean, c.MovingVariance} {
					if err := l.Params()[i].SetFloat64s(a.Data); err != nil {
						return err
					}
				}
				return nil
			}
			mode := graph.Infer
			if c.Training {
				mode = graph.Train
			}
			res, err := parityConvRun(mode, l, c.X, c.Upstream, set, func() []*graph.Param { return l.Params()[:2] })
			if err != nil {
				t.Fatalf("case %s: %v", c.Name, err)
			}
			parityConvCompare(t, &worst, c.Name, map[string][2][]float64{"y": {res.y, c.Y.Data}, "dx": {res.dx, c.DX.Data},
				"dgamma": {res.dp[0], c.DGamma.Data}, "dbeta": {res.dp[1], c.DBeta.Data},
				"moving_mean":     {l.MovingMean().Float64s(), c.NewMovingMean.Data},
				"moving_variance": {l.MovingVariance().Float64s(), c.NewMovingVariance.Data}})
		})
	}
	worst.report(t, "batchnorm.json")
}
