package tests

import (
	"fmt"
	"math"
	"testing"

	"github.com/gokeras/gokeras/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// parityLossCase is one case of losses.json: the loss value and its gradient with
// respect to pred (the logits for the *_logits losses).
type parityLossCase struct {
	Loss   string      `json:"loss"`
	Delta  *float64    `json:"delta"`
	Pred   parityArray `json:"pred"`
	Target parityArray `json:"target"`
	Value  float64     `json:"value"`
	DPred  parityArray `json:"dpred"`
}

// parityLossBuild adds the loss of a case to g, given the node differentiated
// (pred or logits) and the target node; it returns the scalar loss.
type parityLossBuild func(g *graph.Graph, pred, target *G.Node) (*G.Node, error)

// parityRoute is one way of computing a fixture loss with the graph package.
type parityRoute struct {
	name  string
	build parityLossBuild
}

// parityRecorded returns a route that applies the activation act to the logits z,
// records z with g.SetLogits (as Dense does) and calls the Keras loss of that name,
// which must then take the stable logits form. The gradient is taken w.r.t. z.
func parityRecorded(act, lossName string) parityLossBuild {
	return func(g *graph.Graph, z, t *G.Node) (*G.Node, error) {
		f, err := graph.Activation(act)
		if err != nil {
			return nil, err
		}
		p, err := f(z)
		if err != nil {
			return nil, err
		}
		g.SetLogits(p, z, act)
		loss, err := graph.Loss(lossName)
		if err != nil {
			return nil, err
		}
		return loss(g, p, t)
	}
}

// parityByName returns the route through graph.Loss(name), the one trainers use.
func parityByName(name string) parityLossBuild {
	return func(g *graph.Graph, p, t *G.Node) (*G.Node, error) {
		loss, err := graph.Loss(name)
		if err != nil {
			return nil, err
		}
		return loss(g, p, t)
	}
}

// parityLosses maps each fixture loss to the graph functions it checks: first the
// function named in the brief, then the by-name route a trainer takes.
var parityLosses = map[string][]parityRoute{
	"mse": {{"MSE", graph.MSE}, {"Loss(mse)", parityByName("mse")}},
	"mae": {{"MAE", graph.MAE}, {"Loss(mae)", parityByName("mae")}},
	"huber": {
		{"Huber", func(g *graph.Graph, p, t *G.Node) (*G.Node, error) { return graph.Huber(g, p, t, 1) }},
		{"Loss(huber)", parityByName("huber")},
	},
	"binary_crossentropy": {
		{"BinaryCrossentropy", graph.BinaryCrossentropy},
		{"Loss(binary_crossentropy)", parityByName("binary_crossentropy")},
	},
	"binary_crossentropy_logits": {
		{"SigmoidCrossEntropy", func(_ *graph.Graph, z, t *G.Node) (*G.Node, error) {
			return graph.SigmoidCrossEntropy(z, t)
		}},
		{"recorded sigmoid + Loss(binary_crossentropy)", parityRecorded("sigmoid", "binary_crossentropy")},
	},
	"categorical_crossentropy_logits": {
		{"SoftmaxCrossEntropy", func(_ *graph.Graph, z, t *G.Node) (*G.Node, error) {
			return graph.SoftmaxCrossEntropy(z, t)
		}},
		{"recorded softmax + Loss(categorical_crossentropy)", parityRecorded("softmax", "categorical_crossentropy")},
	},
	// pred is softmax(z), recorded as such, so that the loss takes the logits path;
	// the gradient is taken with respect to z. The class ids are an input node.
	"sparse_categorical_crossentropy_logits": {
		{"recorded softmax + SparseCategoricalCrossentropy", func(g *graph.Graph, z, ids *G.Node) (*G.Node, error) {
			p, err := graph.Softmax(z)
			if err != nil {
				return nil, err
			}
			g.SetLogits(p, z, "softmax")
			return graph.SparseCategoricalCrossentropy(g, p, ids)
		}},
		{"recorded softmax + Loss(sparse_categorical_crossentropy)", parityRecorded("softmax", "sparse_categorical_crossentropy")},
	},
}

// parityRunLoss builds and runs one loss case in float32 and returns the loss value
// and its gradient with respect to the pred node.
func parityRunLoss(c parityLossCase, build parityLossBuild) (value float64, dpred []float64, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	g, err := graph.New(graph.Train, tensor.Float32, c.Pred.Shape[0])
	if err != nil {
		return 0, nil, err
	}
	pNode, pT, err := g.Input("pred", c.Pred.Shape[1:]...)
	if err != nil {
		return 0, nil, err
	}
	parityCopyF32(pT, c.Pred.Data)
	// The target (class ids included) is an input node: it is not differentiated.
	tNode, tT, err := g.Input("target", c.Target.Shape[1:]...)
	if err != nil {
		return 0, nil, err
	}
	parityCopyF32(tT, c.Target.Data)
	loss, err := build(g, pNode, tNode)
	if err != nil {
		return 0, nil, fmt.Errorf("build loss: %w", err)
	}
	if loss.Shape().TotalSize() != 1 {
		return 0, nil, fmt.Errorf("loss has shape %v, want a scalar", loss.Shape())
	}
	var lossVal, gradVal G.Value
	G.Read(loss, &lossVal)
	grads, err := G.Grad(loss, pNode)
	if err != nil {
		return 0, nil, fmt.Errorf("grad: %w", err)
	}
	G.Read(grads[0], &gradVal)
	vm := G.NewTapeMachine(g.ExprGraph())
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		return 0, nil, fmt.Errorf("run: %w", err)
	}
	if value, err = graph.ScalarValue(lossVal); err != nil {
		return 0, nil, fmt.Errorf("loss value: %w", err)
	}
	if dpred, err = parityFloats(gradVal); err != nil {
		return 0, nil, fmt.Errorf("gradient: %w", err)
	}
	return value, dpred, nil
}

func TestParityLosses(t *testing.T) {
	var fix struct {
		Cases []parityLossCase `json:"cases"`
	}
	parityLoad(t, "losses.json", &fix)
	seen := map[string]bool{}
	var worst parityMax
	for _, c := range fix.Cases {
		seen[c.Loss] = true
		routes, ok := parityLosses[c.Loss]
		if !ok {
			t.Errorf("case %s: no graph loss mapped to this fixture loss", c.Loss)
			continue
		}
		for _, r := range routes {
			name := c.Loss + " via " + r.name
			t.Run(name, func(t *testing.T) {
				for array, a := range map[string]parityArray{"pred": c.Pred, "target": c.Target, "dpred": c.DPred} {
					parityCheckArray(t, name, array, a)
				}
				if c.Loss == "huber" && (c.Delta == nil || *c.Delta != 1) {
					t.Fatalf("case %s: fixture delta %v, the test uses 1", name, c.Delta)
				}
				value, dpred, err := parityRunLoss(c, r.build)
				if err != nil {
					t.Fatalf("case %s: %v", name, err)
				}
				if math.IsNaN(value) || math.IsInf(value, 0) {
					t.Errorf("case %s: value: loss is %v, want finite %.9g", name, value, c.Value)
				}
				d := parityCompare(t, name, "value", []float64{value}, []float64{c.Value})
				worst.add(d, name+": value")
				d = parityCompare(t, name, "dpred", dpred, c.DPred.Data)
				worst.add(d, name+": dpred")
			})
		}
	}
	for name := range parityLosses {
		if !seen[name] {
			t.Errorf("losses.json has no case %s", name)
		}
	}
	worst.report(t, "losses.json")
}
