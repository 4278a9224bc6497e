package trainers

import (
	"fmt"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// inputGradKind says what InputGradients differentiates.
type inputGradKind int

const (
	gradLogit inputGradKind = iota // a class's pre-activation score (the logit)
	gradProb                       // a class's output value (the probability of a softmax output)
	gradLoss                       // each example's loss against given targets
	numGradKinds
)

// inputGradProgramBase is the first programKind of the input-gradient programs:
// kind inputGradProgramBase + numGradKinds*output + target kind. They are compiled
// and cached beside the training and inference programs (by kind, batch and
// steps); training programs never differentiate with respect to the inputs.
const inputGradProgramBase programKind = 64

// InputGradTarget is what InputGradients differentiates with respect to the input:
// a class score of each example (ClassLogit, ClassProbability) or each example's
// loss (LossTarget). Make it with those functions; the zero value is ClassLogit(0).
type InputGradTarget struct {
	kind    inputGradKind
	classes []int
	y       *tensor.Dense
	output  string
}

// ClassLogit targets the logit (the pre-activation score) of a class: of the same
// class for every row when one class is given, of classes[i] for row i when one is
// given per row. For an output made by a softmax or sigmoid activation (a Dense
// layer's WithActivation) the logit is the value before that activation, as Keras
// and Captum users usually explain; for an output with no such activation (a linear
// output) it is the output itself. Class k is the k-th value of the output (the
// output of one example flattened, for outputs of several axes).
func ClassLogit(classes ...int) InputGradTarget {
	return InputGradTarget{kind: gradLogit, classes: append([]int(nil), classes...)}
}

// ClassProbability targets the output value of a class after the output's
// activation: the probability of class c for a softmax output. Classes as in
// ClassLogit.
func ClassProbability(classes ...int) InputGradTarget {
	return InputGradTarget{kind: gradProb, classes: append([]int(nil), classes...)}
}

// LossTarget targets each example's own loss against the targets y (N, target...),
// the trainer's loss (WithLoss) without regularization penalties, in inference mode:
// row i of the gradient is the gradient of example i's loss (the gradient of the
// batch mean times the batch size; every built-in loss is a mean over rows).
// The trainer must have been made with a loss.
func LossTarget(y *tensor.Dense) InputGradTarget {
	return InputGradTarget{kind: gradLoss, y: y}
}

// ForOutput returns the target applied to the named output of a model of several
// outputs (by default the model's only output).
func (g InputGradTarget) ForOutput(name string) InputGradTarget {
	g.output = name
	return g
}

// String describes the target, as in error messages.
func (g InputGradTarget) String() string {
	var s string
	switch g.kind {
	case gradLogit:
		s = fmt.Sprintf("logit of class %v", g.classes)
	case gradProb:
		s = fmt.Sprintf("probability of class %v", g.classes)
	case gradLoss:
		s = "loss"
	default:
		s = "unknown target"
	}
	if g.output != "" {
		s += " of output " + g.output
	}
	return s
}

// InputGradients returns the gradient of the target with respect to the input x
// for every example: a new tensor of x's shape (N, input...) in the model's dtype.
// Row i is d target_i / d x_i, where target_i is example i's class score or loss
// (see InputGradTarget): examples do not interact, since the programs run in
// inference mode (dropout off, batch normalization on its running statistics).
// The model must have one input, of floats (an integer or string input has no
// gradient); x must be float32 or float64, finite, of the input's shape. It takes
// the option BatchSize (default 32): the rows are differentiated that many at a
// time, by programs compiled once per batch size and cached with the trainer's
// other programs.
func (t *Trainer) InputGradients(x *tensor.Dense, target InputGradTarget, opts ...FitOption) (*tensor.Dense, error) {
	g, _, err := t.InputGradientsScores(x, target, opts...)
	return g, err
}

// InputGradientsScores is InputGradients that also returns the value of each
// example's target (the class logit or probability that was differentiated, one
// per row), computed in the same pass; scores is nil for LossTarget.
func (t *Trainer) InputGradientsScores(x *tensor.Dense, target InputGradTarget, opts ...FitOption) (grads *tensor.Dense, scores []float64, err error) {
	const what = "input gradients"
	c, err := newFitConfig(what, []string{"batch"}, opts)
	if err != nil {
		return nil, nil, err
	}
	ins := t.model.Inputs()
	if len(ins) != 1 {
		return nil, nil, errors.Errorf("%s: the model has %d inputs; only a model of one input is supported", what, len(ins))
	}
	if dt := ins[0].DType; isIntType(dt) || dt == tensor.String {
		return nil, nil, errors.Errorf("%s: %s takes %v values, which have no gradient: only a float input does", what, t.inputLabel(0), dt)
	}
	out, err := t.gradOutput(target)
	if err != nil {
		return nil, nil, errors.Wrap(err, what)
	}
	specs, steps, err := t.predictSpecs([]*tensor.Dense{x})
	if err != nil {
		return nil, nil, errors.Wrap(err, what)
	}
	n, err := checkInputs(what, specs, t.inputLabel, []*tensor.Dense{x})
	if err != nil {
		return nil, nil, err
	}
	outWidth := prod(t.heads[out].out.Shape)
	var ys *tensor.Dense
	switch target.kind {
	case gradLogit, gradProb:
		if len(target.classes) != 1 && len(target.classes) != n {
			return nil, nil, errors.Errorf("%s: %d classes given for %d rows: give one class for all rows or one per row", what, len(target.classes), n)
		}
		for i, k := range target.classes {
			if k < 0 || k >= outWidth {
				return nil, nil, errors.Errorf("%s: class %d (row %d) is out of range [0, %d)", what, k, i, outWidth)
			}
		}
	case gradLoss:
		h := &t.heads[out]
		if h.loss == nil {
			return nil, nil, errors.Errorf("%s: the loss target needs a trainer made with a loss (trainers.WithLoss)", what)
		}
		want := append([]int{n}, h.targetShape()...)
		if target.y == nil || !sameInts(target.y.Shape(), want) {
			var got []int
			if target.y != nil {
				got = target.y.Shape()
			}
			return nil, nil, errors.Errorf("%s: the loss targets have shape %s, want %s", what, fmtShape(got), fmtShape(want))
		}
		if dt := target.y.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 && !isIntType(dt) {
			return nil, nil, errors.Errorf("%s: loss targets of dtype %v: want floats or integers", what, dt)
		}
		ys = target.y
	default:
		return nil, nil, errors.Errorf("%s: unknown target", what)
	}
	kind := inputGradProgramBase + programKind(int(numGradKinds)*out+int(target.kind))
	grads = tensor.New(tensor.Of(t.model.DType()), tensor.WithShape(x.Shape().Clone()...))
	if target.kind != gradLoss {
		scores = make([]float64, n)
	}
	per := prod(specs[0].Shape)
	for start := 0; start < n; start += c.batch {
		b := min(c.batch, n-start)
		p, err := t.inputGradProgram(kind, out, b, steps)
		if err != nil {
			return nil, nil, errors.Wrapf(err, "%s: compile the program for batch %d%s", what, b, stepsLabel(steps))
		}
		copyValues(p.xs[0], 0, x, start*per, b*per)
		if ys != nil {
			yper := prod(ys.Shape()[1:])
			copyValues(p.ys[0], 0, ys, start*yper, b*yper)
		} else {
			fillSelection(p.ys[0], target.classes, start, b, outWidth)
		}
		if err := p.run(nil); err != nil {
			idx := make([]int, b)
			for r := range idx {
				idx[r] = start + r
			}
			return nil, nil, errors.Wrap(describeRunError(err, idx), what)
		}
		k := len(p.outs)
		gd := p.exec.Dense(p.outs[k-2])
		if gd == nil {
			return nil, nil, errors.Errorf("%s: the gradient has no tensor value", what)
		}
		copyValues(grads, start*per, gd, 0, b*per)
		if scores != nil {
			sd := p.exec.Dense(p.outs[k-1])
			if sd == nil || sd.Shape().TotalSize() != b {
				return nil, nil, errors.Errorf("%s: the scores have no tensor value", what)
			}
			for r := 0; r < b; r++ {
				v, err := sd.At(r)
				if err != nil {
					return nil, nil, errors.Wrap(err, what)
				}
				switch v := v.(type) {
				case float32:
					scores[start+r] = float64(v)
				case float64:
					scores[start+r] = v
				}
			}
		}
	}
	return grads, scores, nil
}

// gradOutput is the index of the output the target names (the only one by default).
func (t *Trainer) gradOutput(target InputGradTarget) (int, error) {
	if target.output == "" {
		if len(t.heads) != 1 {
			return 0, errors.Errorf("the model has %d outputs: name one with InputGradTarget.ForOutput", len(t.heads))
		}
		return 0, nil
	}
	names := make([]string, len(t.heads))
	for i, h := range t.heads {
		if h.out.Name == target.output {
			return i, nil
		}
		names[i] = h.out.Name
	}
	return 0, errors.Errorf("no output %q (the model's outputs are %v)", target.output, names)
}

// fillSelection writes the one-hot selection of rows start..start+b-1: row r has a
// 1 at its class.
func fillSelection(sel *tensor.Dense, classes []int, start, b, width int) {
	switch d := sel.Data().(type) {
	case []float32:
		clear(d)
		for r := 0; r < b; r++ {
			d[r*width+classOf(classes, start+r)] = 1
		}
	case []float64:
		clear(d)
		for r := 0; r < b; r++ {
			d[r*width+classOf(classes, start+r)] = 1
		}
	}
}

func classOf(classes []int, row int) int {
	if len(classes) == 1 {
		return classes[0]
	}
	return classes[row]
}

// inputGradProgram returns the cached input-gradient program, compiling it on
// first use (the cache and its limit are those of the other programs).
func (t *Trainer) inputGradProgram(kind programKind, out, batch, steps int) (*program, error) {
	key := programKey{kind, batch, steps}
	return t.cachedProgram(key, func() (*program, error) { return t.compileInputGrad(kind, out, batch, steps) })
}

// compileInputGrad builds an inference graph at the batch, the objective and its
// gradient with respect to the input. p.ys[0] holds the one-hot class selection
// (B, out...) for a class target, the loss targets for a loss target. The gradient
// and the per-row scores (the loss, for a loss target) are p.outs' last two nodes.
func (t *Trainer) compileInputGrad(kind programKind, out, batch, steps int) (p *program, err error) {
	defer graph.LockBuild()()
	defer recoverTo(&err, "compile")
	g, err := graph.New(graph.Infer, t.model.DType(), batch)
	if err != nil {
		return nil, err
	}
	p = &program{g: g}
	ins, err := t.inputSpecsAt(steps)
	if err != nil {
		return nil, err
	}
	in := ins[0]
	xn, x, err := g.InputOf("x/"+in.Name, in.DType, in.Shape...)
	if err != nil {
		return nil, err
	}
	p.xs = []*tensor.Dense{x}
	if p.outs, err = t.model.ForwardMulti(g, []*G.Node{xn}); err != nil {
		return nil, err
	}
	gk := inputGradKind(int(kind-inputGradProgramBase) % int(numGradKinds))
	h := &t.heads[out]
	var obj, scores *G.Node
	if gk == gradLoss {
		yn, y, err := g.Input("y/"+h.out.Name, h.targetShape()...)
		if err != nil {
			return nil, err
		}
		p.ys = []*tensor.Dense{y}
		l, err := h.loss(g, p.outs[out], yn)
		if err != nil {
			return nil, errors.Wrapf(err, "loss %s", h.lossName)
		}
		if obj, err = G.Mul(l, g.Scalar(float64(batch))); err != nil {
			return nil, errors.Wrap(err, "scale the loss")
		}
		scores = l
	} else {
		s := p.outs[out]
		if gk == gradLogit {
			if pre, _, ok := g.Logits(s); ok {
				s = pre
			}
		}
		sn, sel, err := g.Input("y/select", h.out.Shape...)
		if err != nil {
			return nil, err
		}
		p.ys = []*tensor.Dense{sel}
		if scores, err = G.HadamardProd(s, sn); err != nil {
			return nil, errors.Wrap(err, "select the class")
		}
		// One axis at a time: Sum over several axes has a wrong gradient.
		for scores.Dims() > 1 {
			if scores, err = G.Sum(scores, scores.Dims()-1); err != nil {
				return nil, errors.Wrap(err, "sum the class scores")
			}
		}
		if obj, err = G.Sum(scores, 0); err != nil {
			return nil, errors.Wrap(err, "sum the rows' scores")
		}
	}
	grads, err := graph.Grad(obj, []*G.Node{xn}, false)
	if err != nil {
		return nil, errors.Wrap(err, "gradient with respect to the input")
	}
	p.outs = append(p.outs, grads.Nodes[0], scores)
	if p.exec, err = graph.NewExecutor(g.ExprGraph()); err != nil {
		return nil, err
	}
	return p, nil
}
