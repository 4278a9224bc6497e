package layers_test

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
)

// constWeight is a layer with a wrong gradient, from a mistake easy to make in a
// layer of one's own: y = x ⊙ w + w, where the product reads w's values through a
// node of its own instead of the one g.Param binds, so no gradient flows to w
// through it.
// CheckGradient must notice.
type constWeight struct {
	layers.Base
	w *graph.Param
}

func (l *constWeight) Type() string { return "ConstWeight" }

func (l *constWeight) Params() []*graph.Param { return []*graph.Param{l.w} }

func (l *constWeight) Build(ctx layers.BuildContext, in []int) ([]int, error) {
	var err error
	l.w, err = graph.NewParam("w", ctx.DType, in, graph.Constant{V: 0.5}, 1, 1, ctx.RNG)
	return in, err
}

func (l *constWeight) Forward(g *graph.Graph, x *G.Node) (*G.Node, error) {
	w, err := g.Param(l.w)
	if err != nil {
		return nil, err
	}
	// The mistake: a node of its own holding w's values, where w should be used.
	c := G.NewVector(g.ExprGraph(), l.w.Value.Dtype(), G.WithValue(l.w.Value), G.WithName("w_copy"))
	row, err := G.Reshape(c, []int{1, l.w.Size()})
	if err != nil {
		return nil, err
	}
	y, err := G.BroadcastHadamardProd(x, row, nil, []byte{0})
	if err != nil {
		return nil, err
	}
	return graph.AddBias(y, w)
}

func gradcheckInput(batch, features int) *tensor.Dense {
	rng := rand.New(rand.NewSource(3))
	v := make([]float64, batch*features)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return tensor.New(tensor.WithShape(batch, features), tensor.WithBacking(v))
}

func TestCheckGradient(t *testing.T) {
	ctx := layers.BuildContext{DType: tensor.Float64, RNG: rand.New(rand.NewSource(1))}
	tests := []struct {
		name    string
		layer   layers.SingleLayer
		build   bool
		in      int     // input features
		maxErr  float64 // the check must report at most this
		minErr  float64 // and at least this (a wrong gradient)
		wantErr string
	}{
		{name: "dense", layer: layers.Dense(3, layers.WithActivation("tanh")), build: true, in: 4, maxErr: 1e-6},
		{name: "wrong gradient", layer: &constWeight{}, build: true, in: 4, maxErr: 1e9, minErr: 1e-2},
		{name: "not built", layer: layers.Dense(3), in: 4, wantErr: "not built"},
		{name: "nil layer", in: 4, wantErr: "nil layer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.build {
				tc.layer.SetName(tc.name)
				if _, err := tc.layer.Build(ctx, []int{tc.in}); err != nil {
					t.Fatal(err)
				}
			}
			res, err := layers.CheckGradient(tc.layer, gradcheckInput(5, tc.in), 1e-6)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.MaxRelErr > tc.maxErr || res.MaxRelErr < tc.minErr {
				t.Errorf("%v: want a max relative error in [%g, %g]", res, tc.minErr, tc.maxErr)
			}
		})
	}
}

func ExampleCheckGradient() {
	dense := layers.Dense(2, layers.WithActivation("tanh"))
	dense.SetName("dense")
	ctx := layers.BuildContext{DType: tensor.Float64, RNG: rand.New(rand.NewSource(1))}
	if _, err := dense.Build(ctx, []int{3}); err != nil {
		fmt.Println(err)
		return
	}
	x := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, -2, 0.5, 0, 3, -1}))
	res, err := layers.CheckGradient(dense, x, 1e-6)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("gradient agrees with finite differences:", res.MaxRelErr < 1e-6)
	// Output:
	// gradient agrees with finite differences: true
}
