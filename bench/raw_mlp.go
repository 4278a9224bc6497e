package bench

import (
	"fmt"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Sizes of the benchmark MLP's input and output.
const (
	MLPIn  = 784
	MLPOut = 10
)

// RawMLP is the 784-256-128-10 MLP training loop a Gorgonia user writes by hand,
// as in Gorgonia's examples: Gorgonia's Adam solver (learning rate 0.001),
// BroadcastAdd biases, its SoftMax then Log, a TapeMachine Reset after each step.
// The benchmarks measure gokeras against it.
type RawMLP struct {
	vm         G.VM
	solver     G.Solver
	learnables G.Nodes
	x, y       *G.Node
	batch      int
}

// NewRawMLP builds the raw loop for a fixed batch size.
func NewRawMLP(batch int) (*RawMLP, error) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(batch, MLPIn), G.WithName("x"), G.WithInit(G.Zeroes()))
	y := G.NewMatrix(g, tensor.Float32, G.WithShape(batch, MLPOut), G.WithName("y"), G.WithInit(G.Zeroes()))
	sizes := []int{MLPIn, 256, 128, MLPOut}
	var learnables G.Nodes
	h := x
	for i := 0; i+1 < len(sizes); i++ {
		w := G.NewMatrix(g, tensor.Float32, G.WithShape(sizes[i], sizes[i+1]), G.WithName(fmt.Sprintf("w%d", i)), G.WithInit(G.GlorotU(1)))
		bias := G.NewMatrix(g, tensor.Float32, G.WithShape(1, sizes[i+1]), G.WithName(fmt.Sprintf("b%d", i)), G.WithInit(G.Zeroes()))
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
	return &RawMLP{
		vm:         G.NewTapeMachine(g, G.BindDualValues(learnables...)),
		solver:     G.NewAdamSolver(G.WithLearnRate(0.001), G.WithBatchSize(float64(batch))),
		learnables: learnables, x: x, y: y, batch: batch,
	}, nil
}

// Epoch runs one pass over x and one-hot y in order, full batches only (the raw
// graph has a fixed batch size; the remainder is dropped), and returns the number
// of samples trained.
func (r *RawMLP) Epoch(x, y *tensor.Dense) (int, error) {
	n := 0
	for start := 0; start+r.batch <= x.Shape()[0]; start += r.batch {
		xb, err := x.Slice(G.S(start, start+r.batch))
		if err != nil {
			return n, errors.Wrap(err, "slice x")
		}
		yb, err := y.Slice(G.S(start, start+r.batch))
		if err != nil {
			return n, errors.Wrap(err, "slice y")
		}
		if err := G.Let(r.x, xb); err != nil {
			return n, errors.Wrap(err, "let x")
		}
		if err := G.Let(r.y, yb); err != nil {
			return n, errors.Wrap(err, "let y")
		}
		if err := r.vm.RunAll(); err != nil {
			return n, errors.Wrap(err, "run")
		}
		if err := r.solver.Step(G.NodesToValueGrads(r.learnables)); err != nil {
			return n, errors.Wrap(err, "solver step")
		}
		r.vm.Reset()
		n += r.batch
	}
	return n, nil
}

// Close releases the machine.
func (r *RawMLP) Close() error { return r.vm.Close() }
