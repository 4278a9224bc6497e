package trainers

import (
	"math/rand"

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
	logitsProgram                     // outputs before their softmax or sigmoid, Infer mode
)

// programKey identifies a compiled program: its kind, batch size and sequence
// length (steps: the length of the inputs declared WithVariableSteps, 0 for the
// declared shapes).
type programKey struct {
	kind  programKind
	batch int
	steps int
}

// program is one compiled graph at a fixed batch size, run by a graph.Executor.
// Write the inputs into xs (one per model input, in order) and the targets into ys
// (one per output), call run, then read the outputs, the losses and the gradients.
type program struct {
	g        *graph.Graph
	exec     *graph.Executor
	xs, ys   []*tensor.Dense
	outs     []*G.Node
	loss     *G.Node   // the total: weighted output losses and penalties
	headLoss []*G.Node // each output's own loss
	params   []*graph.Param
	grads    []*G.Node // nil for a table updated by rows
	gradTs   []*tensor.Dense
	// gradients builds the row gradients of the tables updated by rows; rowGrads
	// holds them after run (nil when every gradient is dense).
	gradients *graph.Gradients
	rowGrads  []*graph.RowGrad
	gradReads []*G.Node // the nodes the gradients are read from (Gradients.Reads)
	used      uint64    // the trainer's use count at the last use (least recently used is evicted)
	pinned    bool      // in use by a step: never evicted (see transformBatch)
	// activation is, for a logitsProgram, the activation ("softmax", "sigmoid")
	// whose input replaced the first output; "" when it had none.
	activation string
}

// program returns the cached program of the given kind, batch and steps (0: the
// declared input shapes; otherwise the length of the variable-steps inputs),
// compiling it on first use. The cache holds at most the trainer's program limit
// (WithProgramCacheSize); beyond it the least recently used program is dropped.
func (t *Trainer) program(kind programKind, batch, steps int) (*program, error) {
	key := programKey{kind, batch, steps}
	return t.cachedProgram(key, func() (*program, error) { return t.compile(kind, batch, steps) })
}

// cachedProgram returns the program cached under key, compiling it with compile
// on first use and evicting the least recently used beyond the cache's limit
// (WithProgramCacheSize).
func (t *Trainer) cachedProgram(key programKey, compile func() (*program, error)) (*program, error) {
	t.progUses++
	if p, ok := t.programs[key]; ok {
		p.used = t.progUses
		return p, nil
	}
	p, err := compile()
	if err != nil {
		return nil, err
	}
	t.evictPrograms()
	p.used = t.progUses
	t.programs[key] = p
	t.compiled++
	return p, nil
}

func (t *Trainer) compile(kind programKind, batch, steps int) (p *program, err error) {
	defer graph.LockBuild()()
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
	ins, err := t.inputSpecsAt(steps)
	if err != nil {
		return nil, err
	}
	xn := make([]*G.Node, len(ins))
	for i, in := range ins {
		var x *tensor.Dense
		if xn[i], x, err = g.InputOf("x/"+in.Name, in.DType, in.Shape...); err != nil {
			return nil, err
		}
		p.xs = append(p.xs, x)
	}
	if p.outs, err = t.model.ForwardMulti(g, xn); err != nil {
		return nil, err
	}
	if kind == logitsProgram {
		for i, o := range p.outs {
			if l, act, ok := g.Logits(o); ok {
				p.outs[i] = l
				if i == 0 {
					p.activation = act
				}
			}
		}
	}
	if kind != predictProgram && kind != logitsProgram {
		if err := t.addLoss(p, g); err != nil {
			return nil, err
		}
		if kind == trainProgram {
			if err := p.addGradients(g, p.loss, t.model.Params(), t.sparseUpdates()); err != nil {
				return nil, err
			}
		}
	}
	// Only the outputs, the losses and the gradients are read after a run:
	// the rest of the graph (the gradient with respect to the inputs) is not
	// computed, and inference frees each activation after its last use.
	read := append(append([]*G.Node(nil), p.outs...), p.headLoss...)
	if p.loss != nil {
		read = append(read, p.loss)
	}
	read = append(read, p.gradReads...)
	opts := []graph.ExecutorOption{graph.ComputeOnly(read...)}
	if kind != trainProgram {
		opts = append(opts, graph.ReuseBuffers(read...))
	}
	if p.exec, err = graph.NewExecutor(g.ExprGraph(), opts...); err != nil {
		return nil, err
	}
	return p, nil
}

// addLoss adds a target input and the loss of every output, and their total:
// Σ weight·loss over the outputs, plus the weights' regularization penalties and any
// penalty a layer recorded, in Train mode.
func (t *Trainer) addLoss(p *program, g *graph.Graph) error {
	var total *G.Node
	for i := range t.heads {
		h := &t.heads[i]
		yn, y, err := g.Input("y/"+h.out.Name, h.targetShape()...)
		if err != nil {
			return err
		}
		p.ys = append(p.ys, y)
		l, err := h.loss(g, p.outs[i], yn)
		if err != nil {
			return errors.Wrapf(err, "output %q: loss %s", h.out.Name, h.lossName)
		}
		p.headLoss = append(p.headLoss, l)
		if h.weight != 1 {
			if l, err = G.Mul(l, g.Scalar(h.weight)); err != nil {
				return errors.Wrapf(err, "output %q: loss weight", h.out.Name)
			}
		}
		if total == nil {
			total = l
		} else if total, err = G.Add(total, l); err != nil {
			return errors.Wrap(err, "sum the output losses")
		}
	}
	if g.Mode() == graph.Train {
		pens, err := g.WeightPenalties()
		if err != nil {
			return err
		}
		for _, pen := range append(pens, g.Penalties()...) {
			if total, err = G.Add(total, pen); err != nil {
				return errors.Wrap(err, "add regularization penalty")
			}
		}
	}
	p.loss = total
	return nil
}

// addGradients adds the symbolic gradient of loss with respect to every trainable
// parameter used by the graph. Inputs and labels get no gradient. With byRows, the
// tables read only through Gather (Embedding tables) get row gradients instead of
// dense ones (graph.Grad).
func (p *program) addGradients(g *graph.Graph, loss *G.Node, params []*graph.Param, byRows bool) error {
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
	grads, err := graph.Grad(loss, nodes, byRows)
	if err != nil {
		return errors.Wrap(err, "symbolic gradient")
	}
	p.gradReads = grads.Reads()
	p.grads = grads.Nodes
	p.gradTs = make([]*tensor.Dense, len(p.grads))
	if grads.HasRows() {
		p.gradients = grads
	}
	return nil
}

// sparseUpdates reports whether training programs update Embedding tables by rows:
// unless WithDenseEmbeddingUpdates, when the optimizer can (SparseOptimizer).
func (t *Trainer) sparseUpdates() bool {
	if t.denseEmbeddings {
		return false
	}
	_, ok := t.opt.(SparseOptimizer)
	return ok
}

// step applies the optimizer to the gradients of p's last run.
func (t *Trainer) step(p *program) error {
	if p.rowGrads == nil {
		return t.opt.Step(p.params, p.gradTs)
	}
	so, ok := t.opt.(SparseOptimizer)
	if !ok {
		return errors.Errorf("optimizer %s cannot update by rows", t.opt.Name())
	}
	return so.StepSparse(p.params, p.gradTs, p.rowGrads)
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
		if n == nil {
			continue // updated by rows
		}
		gt := p.exec.Dense(n)
		if gt == nil {
			return errors.Errorf("gradient of %s has no tensor value", p.params[i].Name)
		}
		p.gradTs[i] = gt
	}
	if p.gradients != nil {
		if p.rowGrads, err = p.gradients.Rows(p.exec); err != nil {
			return errors.Wrap(err, "row gradients")
		}
	}
	return nil
}

// lossValue is the scalar total loss of the last run.
func (p *program) lossValue() (float64, error) { return graph.ScalarValue(p.exec.Value(p.loss)) }

// headLossValue is output i's own loss in the last run.
func (p *program) headLossValue(i int) (float64, error) {
	return graph.ScalarValue(p.exec.Value(p.headLoss[i]))
}

// output is model output i of the last run, shape (batch, out...).
func (p *program) output(i int) *tensor.Dense { return p.exec.Dense(p.outs[i]) }

func (p *program) close() {}

// recoverTo turns a panic (Gorgonia panics on some shape errors) into an error.
func recoverTo(err *error, what string) {
	if r := recover(); r != nil {
		*err = errors.Errorf("%s: internal error: %v", what, r)
	}
}
