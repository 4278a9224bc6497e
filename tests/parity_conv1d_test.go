package tests

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"gorgonia.org/tensor"
)

// PyTorch parity of the 1-D convolution and pooling layers (fixture
// testdata/torch_conv1d/conv1d.json, made by make_fixtures.py there), in float32,
// within parityConvTol·max(1, |want|).

type parityConv1DCase struct {
	Name                             string
	Stride, Dilation                 int
	Padding                          string
	X, Kernel, Bias, Upstream, Y, DX parityArray
	DKernel                          parityArray `json:"dkernel"`
	DBias                            parityArray `json:"dbias"`
}

type parityPool1DCase struct {
	Name, Kind, Padding string
	Size, Stride        int
	X, Upstream, Y, DX  parityArray
	Mask                *parityArray
}

func parityConv1DLoad(t *testing.T) (fix struct {
	Conv []parityConv1DCase
	Pool []parityPool1DCase
}) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "torch_conv1d", "conv1d.json"))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	if err := json.Unmarshal(b, &fix); err != nil {
		t.Fatalf("decode fixture: %v", err)
	}
	return fix
}

// parityConv1DRun is parityConvRun with an optional mask recorded on the input.
func parityConv1DRun(layer layers.SingleLayer, x, up parityArray, mask *parityArray, set func() error, grads func() []*graph.Param) (res parityConvResult, err error) {
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
	g, err := graph.New(graph.Train, tensor.Float32, x.Shape[0])
	if err != nil {
		return res, err
	}
	xNode, xT, err := g.Input("x", x.Shape[1:]...)
	if err != nil {
		return res, err
	}
	parityCopyF32(xT, x.Data)
	if mask != nil {
		mNode, mT, err := g.Input("mask", mask.Shape[1:]...)
		if err != nil {
			return res, err
		}
		parityCopyF32(mT, mask.Data)
		g.SetMask(xNode, mNode)
	}
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

func TestParityConv1D(t *testing.T) {
	fix := parityConv1DLoad(t)
	if len(fix.Conv) != 8 {
		t.Fatalf("conv1d.json has %d conv cases, want 8", len(fix.Conv))
	}
	var worst parityMax
	for _, c := range fix.Conv {
		t.Run(c.Name, func(t *testing.T) {
			k := c.Kernel.Shape
			l := layers.Conv1D(k[2], k[0], layers.WithStride1D(c.Stride), layers.WithDilation1D(c.Dilation), layers.WithPadding(c.Padding))
			set := func() error {
				if err := l.Kernel().SetFloat64s(c.Kernel.Data); err != nil {
					return err
				}
				return l.Bias().SetFloat64s(c.Bias.Data)
			}
			res, err := parityConv1DRun(l, c.X, c.Upstream, nil, set, l.Params)
			if err != nil {
				t.Fatalf("case %s: %v", c.Name, err)
			}
			parityConvCompare(t, &worst, c.Name, map[string][2][]float64{"y": {res.y, c.Y.Data}, "dx": {res.dx, c.DX.Data},
				"dkernel": {res.dp[0], c.DKernel.Data}, "dbias": {res.dp[1], c.DBias.Data}})
		})
	}
	worst.report(t, "conv1d.json conv")
}

func TestParityPool1D(t *testing.T) {
	fix := parityConv1DLoad(t)
	if len(fix.Pool) != 10 {
		t.Fatalf("conv1d.json has %d pool cases, want 10", len(fix.Pool))
	}
	var worst parityMax
	for _, c := range fix.Pool {
		t.Run(c.Name, func(t *testing.T) {
			var l layers.SingleLayer
			switch {
			case c.Size == 0 && c.Kind == "avg":
				l = layers.GlobalAveragePooling1D()
			case c.Size == 0:
				l = layers.GlobalMaxPooling1D()
			case c.Kind == "avg":
				l = layers.AveragePooling1D(c.Size, layers.WithStride1D(c.Stride), layers.WithPadding(c.Padding))
			default:
				l = layers.MaxPooling1D(c.Size, layers.WithStride1D(c.Stride), layers.WithPadding(c.Padding))
			}
			res, err := parityConv1DRun(l, c.X, c.Upstream, c.Mask, func() error { return nil }, l.Params)
			if err != nil {
				t.Fatalf("case %s: %v", c.Name, err)
			}
			parityConvCompare(t, &worst, c.Name, map[string][2][]float64{"y": {res.y, c.Y.Data}, "dx": {res.dx, c.DX.Data}})
		})
	}
	worst.report(t, "conv1d.json pool")
}
