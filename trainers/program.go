package trainers

import (
	"math/rand"
	"sync"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// programKind says what a program computes.
type programKind int

const (
	trainProgram   programKind = iota // loss, outputs and gradients, Train mode
	evalProgram                       // loss and outputs, Infer mode
	predictProgram                    // outputs, Infer mode
)

type programKey struct {
	kind  programKind
	batch int
}

// program is one compiled TapeMachine at a fixed batch size. Write inputs into x
// (and y), call run, then read out, loss and grads.
type program struct {
	g      *graph.Graph
	exec   *graph.Executor
	x, y   *tensor.Dense
	out    *G.Node
	loss   *G.Node
	params []*graph.Param
	grads  []*G.Node
	gradTs []*tensor.Dense
}

// compileMu serializes graph building: Gorgonia's is not goroutine-safe (a global
// in its encoding package). Running programs in parallel is safe.
var compileMu sync.Mutex

// program returns the cached program of the given kind and batch, compiling it on
// first use.
func (t *Trainer) program(kind programKind, batch int) (*program, error) {
	key := programKey{kind, batch}
	if p, ok := t.programs[key]; ok {
		return p, nil
	}
	p, err := t.compile(kind, batch)
	if err != nil {
		return nil, err
	}
	t.programs[key] = p
	return p, nil
}

func (t *Trainer) compile(kind programKind, batch int) (p *program, err error) {
	compileMu.Lock()
	defer compileMu.Unlock()
	defer recoverTo(&err, "compile")
	mode := graph.Infer
	if kind == trainProgram {
		mode = graph.Train
	}
	g, err := graph.New(mode, t.model.DType(), batch)
	if err != nil {
		return nil, err
	}
	p = &program{g: g}
	xn, x, err := g.Input("x", t.model.InputShape()...)
	if err != nil {
		return nil, err
	}
	p.x = x
	out, err := t.model.Forward(g, xn)
	if err != nil {
		return nil, err
	}
	p.out = out
	if kind != predictProgram {
		yn, y, err := g.Input("y", t.targetShape()...)
		if err != nil {
			return nil, err
		}
		p.y = y
		loss, err := t.loss(g, out, yn)
		if err != nil {
			return nil, errors.Wrapf(err, "loss %s", t.lossName)
		}
		for _, pen := range g.Penalties() {
			if loss, err = G.Add(loss, pen); err != nil {
				return nil, errors.Wrap(err, "add regularization penalty")
			}
		}
		p.loss = loss
		if kind == trainProgram {
			if err := p.addGradients(g, loss, t.model.Params()); err != nil {
				return nil, err
			}
		}
	}
	if p.exec, err = graph.NewExecutor(g.ExprGraph()); err != nil {
		return nil, err
	}
	return p, nil
}

// addGradients adds the symbolic gradient of loss with respect to every trainable
// parameter used by the graph. Inputs and labels get no gradient.
func (p *program) addGradients(g *graph.Graph, loss *G.Node, params []*graph.Param) error {
	var nodes G.Nodes
	for _, prm := range params {
		if n, ok := g.ParamNode(prm); ok && prm.Trainable {
			p.params = append(p.params, prm)
			nodes = append(nodes, n)
		}
	}
	if len(nodes) == 0 {
		return errors.New("the model has no trainable parameters")
	}
	grads, err := G.Grad(loss, nodes...)
	if err != nil {
		return errors.Wrap(err, "symbolic gradient")
	}
	p.grads = grads
	p.gradTs = make([]*tensor.Dense, len(grads))
	return nil
}

// run executes the program once; feeds (dropout masks) are drawn from rng.
func (p *program) run(rng *rand.Rand) (err error) {
	defer recoverTo(&err, "run")
	if p.g.HasFeeds() && rng != nil {
		p.g.FillFeeds(rng)
	}
	if err = p.exec.Run(); err != nil {
		return errors.Wrap(err, "run")
	}
	for i, n := range p.grads {
		gt := p.exec.Dense(n)
		if gt == nil {
			return errors.Errorf("gradient of %s has no tensor value", p.params[i].Name)
		}
		p.gradTs[i] = gt
	}
	return nil
}

// lossValue is the scalar loss of the last run.
func (p *program) lossValue() (float64, error) { return graph.ScalarValue(p.exec.Value(p.loss)) }

// output is the model output of the last run, shape (batch, out...).
func (p *program) output() *tensor.Dense { return p.exec.Dense(p.out) }

func (p *program) close() {}

// recoverTo turns a panic (Gorgonia panics on some shape errors) into an error.
func recoverTo(err *error, what string) {
	if r := recover(); r != nil {
		*err = errors.Errorf("%s: internal error: %v", what, r)
	}
}
