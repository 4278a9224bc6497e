package graph

import (
	"math/rand"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// randTensor returns a float64 tensor with values in [lo, hi), kept at least 0.05
// away from 0 so that kinks (relu, abs) are not straddled by finite differences.
func randTensor(seed int64, lo, hi float64, shape ...int) *tensor.Dense {
	rng := rand.New(rand.NewSource(seed))
	n := 1
	for _, d := range shape {
		n *= d
	}
	data := make([]float64, n)
	for i := range data {
		for {
			data[i] = lo + (hi-lo)*rng.Float64()
			if data[i] > 0.05 || data[i] < -0.05 {
				break
			}
		}
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

func checkGrad(t *testing.T, name string, build BuildFunc, inputs ...*tensor.Dense) {
	t.Helper()
	res, err := CheckGradient(build, inputs, 1e-6)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if res.MaxRelErr > 1e-6 {
		t.Errorf("%s: %v", name, res)
	}
}

func TestGradientActivations(t *testing.T) {
	for _, name := range ActivationNames() {
		name := name
		t.Run(name, func(t *testing.T) {
			act, err := Activation(name)
			if err != nil {
				t.Fatal(err)
			}
			x := randTensor(1, -4, 4, 5, 6)
			if name == "hard_sigmoid" {
				// keep away from the kinks at ±2.5
				x = randTensor(1, -2.4, 2.4, 5, 6)
			}
			checkGrad(t, name, func(g *Graph, in []*G.Node) (*G.Node, error) { return act(in[0]) }, x)
		})
	}
}

func TestGradientOps(t *testing.T) {
	tests := []struct {
		name   string
		build  BuildFunc
		inputs []*tensor.Dense
	}{
		{"log_softmax", func(g *Graph, in []*G.Node) (*G.Node, error) { return LogSoftmax(in[0]) }, []*tensor.Dense{randTensor(2, -3, 3, 4, 5)}},
		{"leaky_relu(0.1)", func(g *Graph, in []*G.Node) (*G.Node, error) { return LeakyReLU(in[0], 0.1) }, []*tensor.Dense{randTensor(3, -3, 3, 4, 5)}},
		{"add_bias", func(g *Graph, in []*G.Node) (*G.Node, error) { return AddBias(in[0], in[1]) }, []*tensor.Dense{randTensor(4, -1, 1, 4, 3), randTensor(5, -1, 1, 3)}},
		{"dense", func(g *Graph, in []*G.Node) (*G.Node, error) {
			xw, err := G.Mul(in[0], in[1])
			if err != nil {
				return nil, err
			}
			y, err := AddBias(xw, in[2])
			if err != nil {
				return nil, err
			}
			return Tanh(y)
		}, []*tensor.Dense{randTensor(6, -1, 1, 4, 3), randTensor(7, -1, 1, 3, 5), randTensor(8, -1, 1, 5)}},
		{"dropout", func(g *Graph, in []*G.Node) (*G.Node, error) { return g.Dropout(in[0], 0.3) }, []*tensor.Dense{randTensor(9, -1, 1, 6, 7)}},
		{"sum_all", func(g *Graph, in []*G.Node) (*G.Node, error) { return SumAll(in[0]) }, []*tensor.Dense{randTensor(10, -1, 1, 2, 3, 4)}},
		{"mean_all", func(g *Graph, in []*G.Node) (*G.Node, error) { return MeanAll(in[0]) }, []*tensor.Dense{randTensor(11, -1, 1, 3, 4)}},
		{"l1l2", func(g *Graph, in []*G.Node) (*G.Node, error) { return Regularizer{L1: 0.01, L2: 0.02}.Penalty(in[0]) }, []*tensor.Dense{randTensor(12, -1, 1, 3, 4)}},
	}
	for _, tc := range tests {
		tc := tc
		t.Run(tc.name, func(t *testing.T) { checkGrad(t, tc.name, tc.build, tc.inputs...) })
	}
}

func TestGradientLosses(t *testing.T) {
	probs := randTensor(20, 0.1, 0.9, 5, 1)
	binTargets := tensor.New(tensor.WithShape(5, 1), tensor.WithBacking([]float64{0, 1, 1, 0, 1}))
	onehot := tensor.New(tensor.WithShape(3, 4), tensor.WithBacking([]float64{0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1}))
	ids := tensor.New(tensor.WithShape(3, 1), tensor.WithBacking([]float64{1, 0, 3}))
	softmaxOf := func(g *Graph, z *G.Node) (*G.Node, error) {
		p, err := Softmax(z)
		if err == nil {
			g.SetLogits(p, z, "softmax")
		}
		return p, err
	}
	tests := []struct {
		name   string
		build  BuildFunc
		inputs []*tensor.Dense
	}{
		{"mse", func(g *Graph, in []*G.Node) (*G.Node, error) { return MSE(g, in[0], in[1]) }, []*tensor.Dense{randTensor(21, -1, 1, 5, 3), randTensor(22, -1, 1, 5, 3)}},
		{"mae", func(g *Graph, in []*G.Node) (*G.Node, error) { return MAE(g, in[0], in[1]) }, []*tensor.Dense{randTensor(23, -1, 1, 5, 3), randTensor(24, -1, 1, 5, 3)}},
		{"huber", func(g *Graph, in []*G.Node) (*G.Node, error) { return Huber(g, in[0], in[1], 1) }, []*tensor.Dense{randTensor(25, -2, 2, 5, 3), randTensor(26, -0.4, 0.4, 5, 3)}},
		{"binary_crossentropy", func(g *Graph, in []*G.Node) (*G.Node, error) { return BinaryCrossentropy(g, in[0], in[1]) }, []*tensor.Dense{probs, binTargets}},
		{"sigmoid_crossentropy", func(g *Graph, in []*G.Node) (*G.Node, error) { return SigmoidCrossEntropy(in[0], in[1]) }, []*tensor.Dense{randTensor(27, -5, 5, 5, 1), binTargets}},
		{"softmax_crossentropy", func(g *Graph, in []*G.Node) (*G.Node, error) { return SoftmaxCrossEntropy(in[0], in[1]) }, []*tensor.Dense{randTensor(28, -3, 3, 3, 4), onehot}},
		{"categorical_crossentropy_probs", func(g *Graph, in []*G.Node) (*G.Node, error) { return CategoricalCrossentropy(g, in[0], in[1]) }, []*tensor.Dense{randTensor(29, 0.1, 0.9, 3, 4), onehot}},
		{"categorical_crossentropy_fused", func(g *Graph, in []*G.Node) (*G.Node, error) {
			p, err := softmaxOf(g, in[0])
			if err != nil {
				return nil, err
			}
			return CategoricalCrossentropy(g, p, in[1])
		}, []*tensor.Dense{randTensor(30, -3, 3, 3, 4), onehot}},
		{"sparse_categorical_crossentropy", func(g *Graph, in []*G.Node) (*G.Node, error) {
			p, err := softmaxOf(g, in[0])
			if err != nil {
				return nil, err
			}
			// class ids are data, not differentiable: bind them as an input of the graph
			labels, val, err := g.Input("labels", 1)
			if err != nil {
				return nil, err
			}
			copy(val.Data().([]float64), ids.Data().([]float64))
			return SparseCategoricalCrossentropy(g, p, labels)
		}, []*tensor.Dense{randTensor(31, -3, 3, 3, 4)}},
	}
	for _, tc := range tests {
		tc := tc
		t.Run(tc.name, func(t *testing.T) { checkGrad(t, tc.name, tc.build, tc.inputs...) })
	}
}
