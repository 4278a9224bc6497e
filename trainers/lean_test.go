package trainers

import (
	"context"
	"io"
	"runtime"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"gorgonia.org/tensor"
)

// stepBytes measures the bytes allocated per training step after the first
// epoch, for a 100-h-10 MLP, with a callback reading the allocator between batches.
func stepBytes(t *testing.T, hidden int) (perStep uint64, paramBytes int) {
	x := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(1024, 100))
	y := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(1024, 10))
	model := layers.NewSequential(layers.Input(100), layers.Dense(hidden, layers.WithActivation("relu")),
		layers.Dropout(0.1), layers.Dense(10, layers.WithActivation("softmax")))
	tr, err := New(model, WithLoss("categorical_crossentropy"), WithOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	meter := &allocMeter{}
	for i := 0; i < 2; i++ {
		if _, err := tr.Fit(context.Background(), x, y, BatchSize(64), Verbose(0), Callbacks(meter)); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range model.Params() {
		paramBytes += 4 * p.Size()
	}
	return meter.bytes / uint64(meter.steps), paramBytes
}

type allocMeter struct {
	BaseCallback
	last         uint64
	bytes        uint64
	steps, epoch int
}

func (m *allocMeter) OnBatchEnd(_ *Trainer, epoch, batch int, _ Logs) error {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if epoch == 0 && m.epoch == 0 && batch > 0 && m.last > 0 {
		m.bytes += ms.TotalAlloc - m.last
		m.steps++
	}
	m.last = ms.TotalAlloc
	return nil
}

func (m *allocMeter) OnTrainEnd(*Trainer, Logs) error { m.epoch++; m.last = 0; return nil }

// TestStepAllocationIsNotProportionalToParameters: once compiled, a step allocates
// a small amount that does not follow the parameter count (4k against 114k
// parameters): no copies of parameters or of their gradients.
func TestStepAllocationIsNotProportionalToParameters(t *testing.T) {
	small, smallParams := stepBytes(t, 32)
	big, bigParams := stepBytes(t, 1024)
	t.Logf("bytes per step: %d (%d bytes of parameters), %d (%d bytes of parameters)", small, smallParams, big, bigParams)
	// The parameters grow 32-fold; what a step allocates (small views and
	// headers Gorgonia's ops make, a few activation-sized buffers) must not.
	if big > uint64(bigParams)/10 || big*uint64(smallParams) > small*uint64(bigParams)/4 {
		t.Errorf("a step allocates %d bytes for %d bytes of parameters, %d for %d: it grows with the parameters", big, bigParams, small, smallParams)
	}
}

// TestNoGradientForInputs: the training graph differentiates the parameters only;
// no node computes a gradient of the inputs or the labels.
func TestNoGradientForInputs(t *testing.T) {
	model := layers.NewSequential(layers.Input(3), layers.Dense(4, layers.WithActivation("relu")), layers.Dense(2, layers.WithActivation("softmax")))
	tr, err := New(model, WithLoss("categorical_crossentropy"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := tr.program(trainProgram, 8, 0)
	if err != nil {
		t.Fatal(err)
	}
	derived := 0
	for _, n := range p.g.ExprGraph().AllNodes() {
		for _, d := range n.DerivOf() {
			switch d.Name() {
			case "x", "y":
				t.Errorf("node %v is a gradient of the %s input", n, d.Name())
			}
			derived++
		}
	}
	if derived == 0 {
		t.Fatal("no gradient nodes at all: the check would not see any")
	}
}
