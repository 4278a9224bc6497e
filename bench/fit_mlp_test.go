package bench

import (
	"context"
	"io"
	"math/rand"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

const (
	mlpRows  = 128 * 16
	mlpBatch = 128
	mlpIn    = 784
	mlpOut   = 10
)

// mlpData is synthetic MNIST-shaped data: inputs in [0,1), one-hot labels.
func mlpData() (x, y *tensor.Dense) {
	rng := rand.New(rand.NewSource(1))
	xs := make([]float32, mlpRows*mlpIn)
	for i := range xs {
		xs[i] = rng.Float32()
	}
	ys := make([]float32, mlpRows*mlpOut)
	for r := 0; r < mlpRows; r++ {
		ys[r*mlpOut+rng.Intn(mlpOut)] = 1
	}
	return tensor.New(tensor.WithShape(mlpRows, mlpIn), tensor.WithBacking(xs)),
		tensor.New(tensor.WithShape(mlpRows, mlpOut), tensor.WithBacking(ys))
}

// BenchmarkFitMLP compares one epoch of gokeras' Fit with the same epoch in a raw
// Gorgonia loop (Gorgonia's Adam solver, BroadcastAdd biases, its softmax).
func BenchmarkFitMLP(b *testing.B) {
	x, y := mlpData()
	b.Run("gokeras", func(b *testing.B) {
		model := layers.NewSequential(layers.Input(mlpIn),
			layers.Dense(256, layers.WithActivation("relu")),
			layers.Dense(128, layers.WithActivation("relu")),
			layers.Dense(mlpOut, layers.WithActivation("softmax")))
		tr, err := trainers.New(model, trainers.WithLoss("categorical_crossentropy"),
			trainers.WithOptimizer(trainers.Adam(0.001)), trainers.WithOutput(io.Discard))
		if err != nil {
			b.Fatal(err)
		}
		fit := func() {
			if _, err := tr.Fit(context.Background(), x, y, trainers.BatchSize(mlpBatch), trainers.Verbose(0)); err != nil {
				b.Fatal(err)
			}
		}
		fit() // compile
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			fit()
		}
		b.ReportMetric(float64(b.N*mlpRows)/b.Elapsed().Seconds(), "samples/s")
	})
	b.Run("raw-gorgonia", func(b *testing.B) {
		r, err := newRawMLP()
		if err != nil {
			b.Fatal(err)
		}
		defer r.vm.Close()
		r.epoch(b, x, y)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			r.epoch(b, x, y)
		}
		b.ReportMetric(float64(b.N*mlpRows)/b.Elapsed().Seconds(), "samples/s")
	})
}

// rawMLP is the loop a Gorgonia user writes by hand, as in Gorgonia's examples.
type rawMLP struct {
	vm         G.VM
	solver     G.Solver
	learnables G.Nodes
	x, y       *G.Node
}

func newRawMLP() (*rawMLP, error) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(mlpBatch, mlpIn), G.WithName("x"), G.WithInit(G.Zeroes()))
	y := G.NewMatrix(g, tensor.Float32, G.WithShape(mlpBatch, mlpOut), G.WithName("y"), G.WithInit(G.Zeroes()))
	sizes := []int{mlpIn, 256, 128, mlpOut}
	var learnables G.Nodes
	h := x
	for i := 0; i+1 < len(sizes); i++ {
		w := G.NewMatrix(g, tensor.Float32, G.WithShape(sizes[i], sizes[i+1]), G.WithName("w"+string(rune('0'+i))), G.WithInit(G.GlorotU(1)))
		bias := G.NewMatrix(g, tensor.Float32, G.WithShape(1, sizes[i+1]), G.WithName("b"+string(rune('0'+i))), G.WithInit(G.Zeroes()))
		learnables = append(learnables, w, bias)
		z, err := G.Mul(h, w)
		if err != nil {
			return nil, err
		}
		if z, err = G.BroadcastAdd(z, bias, nil, []byte{0}); err != nil {
			return nil, err
		}
		if i+2 < len(sizes) {
			if h, err = G.Rectify(z); err != nil {
				return nil, err
			}
		} else {
			h = z
		}
	}
	sm, err := G.SoftMax(h)
	if err != nil {
		return nil, err
	}
	logp, err := G.Log(sm)
	if err != nil {
		return nil, err
	}
	prod, err := G.HadamardProd(logp, y)
	if err != nil {
		return nil, err
	}
	mean, err := G.Mean(prod)
	if err != nil {
		return nil, err
	}
	cost, err := G.Neg(mean)
	if err != nil {
		return nil, err
	}
	if _, err := G.Grad(cost, learnables...); err != nil {
		return nil, err
	}
	return &rawMLP{
		vm:         G.NewTapeMachine(g, G.BindDualValues(learnables...)),
		solver:     G.NewAdamSolver(G.WithLearnRate(0.001), G.WithBatchSize(mlpBatch)),
		learnables: learnables, x: x, y: y,
	}, nil
}

func (r *rawMLP) epoch(b *testing.B, x, y *tensor.Dense) {
	for start := 0; start+mlpBatch <= mlpRows; start += mlpBatch {
		xb, err := x.Slice(G.S(start, start+mlpBatch))
		if err != nil {
			b.Fatal(err)
		}
		yb, err := y.Slice(G.S(start, start+mlpBatch))
		if err != nil {
			b.Fatal(err)
		}
		if err := G.Let(r.x, xb); err != nil {
			b.Fatal(err)
		}
		if err := G.Let(r.y, yb); err != nil {
			b.Fatal(err)
		}
		if err := r.vm.RunAll(); err != nil {
			b.Fatal(err)
		}
		if err := r.solver.Step(G.NodesToValueGrads(r.learnables)); err != nil {
			b.Fatal(err)
		}
		r.vm.Reset()
	}
}
