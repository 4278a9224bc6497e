package trainers

import (
	"strings"
	"testing"

	"github.com/gokeras/gokeras/layers"
	G "gorgonia.org/gorgonia"
)

// inputNode is the program's input node (named "x/...").
func inputNode(t *testing.T, p *program) *G.Node {
	t.Helper()
	for _, n := range p.g.ExprGraph().AllNodes() {
		if strings.HasPrefix(n.Name(), "x/") {
			return n
		}
	}
	t.Fatal("no input node")
	return nil
}

// TestInputGradTrainingSkipsInputs checks that training programs build no
// gradient with respect to the input, while the input-gradient program does, for
// a dense and a convolutional model.
func TestInputGradTrainingSkipsInputs(t *testing.T) {
	for name, m := range map[string]layers.Model{
		"dense": layers.NewSequential(layers.Input(4), layers.Dense(3, layers.WithActivation("relu")), layers.Dense(2, layers.WithActivation("softmax"))),
		"conv2d": layers.NewSequential(layers.Input(5, 5, 1), layers.Conv2D(2, 3, layers.WithActivation("relu")),
			layers.Flatten(), layers.Dense(2, layers.WithActivation("softmax"))),
	} {
		tr, err := New(m, WithLoss("sparse_categorical_crossentropy"))
		if err != nil {
			t.Fatal(err)
		}
		train, err := tr.program(trainProgram, 4, 0)
		if err != nil {
			t.Fatal(err)
		}
		if d := inputNode(t, train).Deriv(); d != nil {
			t.Errorf("%s: the training program differentiates the input (%v)", name, d)
		}
		ig, err := tr.inputGradProgram(inputGradProgramBase+programKind(gradLogit), 0, 4, 0)
		if err != nil {
			t.Fatal(err)
		}
		if inputNode(t, ig).Deriv() == nil {
			t.Errorf("%s: the input-gradient program has no input gradient", name)
		}
		if n := len(ig.grads); n != 0 {
			t.Errorf("%s: the input-gradient program computes %d parameter gradients", name, n)
		}
	}
}
