package trainers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// layerGradProgramBase is the first programKind of the layer-gradient programs:
// kind layerGradProgramBase + (layer index × outputs + output) × numGradKinds +
// target kind, the layer index being its place in Model.Layers. They are cached
// beside the other programs; training programs are not changed.
const layerGradProgramBase programKind = 1 << 20

// LayerGradResult is what LayerGradients returns.
type LayerGradResult struct {
	// Layer is the name of the layer whose output was differentiated.
	Layer string
	// Activations is the layer's output A for every example, (N, layer output...)
	// in the model's dtype: (N, H, W, C) for a Conv2D.
	Activations *tensor.Dense
	// Gradients is d target_i / d A_i, of the shape and dtype of Activations.
	Gradients *tensor.Dense
	// Scores is each example's target value (the class logit or probability that
	// was differentiated); nil for LossTarget.
	Scores []float64
}

// LayerGradients returns the output A of the named layer for every example of x
// (N, input...) and the gradient of the target with respect to it: what Grad-CAM
// needs. The layer is one of Model.Layers (a layer of a nested model is reached
// through the nested model's name only); a layer called several times is taken at
// its first call, and a layer of several outputs at its first output. An empty
// name means the last layer of Model.Layers whose output has rank 4 with the batch
// (N, H, W, C): the last convolutional feature map. Rows are independent
// (inference mode), as for InputGradients, whose targets, requirements (one float
// input) and option BatchSize (default 32) it shares; the programs are compiled
// once per layer, target kind and batch size, and cached with the others.
func (t *Trainer) LayerGradients(x *tensor.Dense, layer string, target InputGradTarget, opts ...FitOption) (*LayerGradResult, error) {
	const what = "layer gradients"
	c, err := newFitConfig(what, []string{"batch"}, opts)
	if err != nil {
		return nil, err
	}
	ins := t.model.Inputs()
	if len(ins) != 1 {
		return nil, errors.Errorf("%s: the model has %d inputs; only a model of one input is supported", what, len(ins))
	}
	if dt := ins[0].DType; isIntType(dt) || dt == tensor.String {
		return nil, errors.Errorf("%s: %s takes %v values, which have no gradient: only a float input does", what, t.inputLabel(0), dt)
	}
	out, err := t.gradOutput(target)
	if err != nil {
		return nil, errors.Wrap(err, what)
	}
	wiring, err := wiringOf(t.model)
	if err != nil {
		return nil, errors.Wrap(err, what)
	}
	if layer == "" {
		if layer, err = t.lastImageLayer(wiring); err != nil {
			return nil, errors.Wrap(err, what)
		}
	}
	li := -1
	var names []string
	for i, l := range t.model.Layers() {
		if l.Name() == layer {
			li = i
		}
		names = append(names, l.Name())
	}
	if li < 0 {
		return nil, errors.Errorf("%s: no layer %q (the model's layers are %v)", what, layer, names)
	}
	if _, ok := t.model.Layers()[li].(*layers.InputLayer); ok {
		return nil, errors.Errorf("%s: layer %q is the model's input: use InputGradients", what, layer)
	}
	specs, steps, err := t.predictSpecs([]*tensor.Dense{x})
	if err != nil {
		return nil, errors.Wrap(err, what)
	}
	n, err := checkInputs(what, specs, t.inputLabel, []*tensor.Dense{x})
	if err != nil {
		return nil, err
	}
	if err := t.checkGradTarget(what, target, out, n); err != nil {
		return nil, err
	}
	kind := layerGradProgramBase + programKind((li*len(t.heads)+out)*int(numGradKinds)+int(target.kind))
	res := &LayerGradResult{Layer: layer}
	if target.kind != gradLoss {
		res.Scores = make([]float64, n)
	}
	outWidth := prod(t.heads[out].out.Shape)
	per := prod(specs[0].Shape)
	var aper int
	for start := 0; start < n; start += c.batch {
		b := min(c.batch, n-start)
		p, err := t.layerGradProgram(kind, wiring, layer, out, b, steps)
		if err != nil {
			return nil, errors.Wrapf(err, "%s: compile the program for layer %q at batch %d%s", what, layer, b, stepsLabel(steps))
		}
		copyValues(p.xs[0], 0, x, start*per, b*per)
		if target.kind == gradLoss {
			yper := prod(target.y.Shape()[1:])
			copyValues(p.ys[0], 0, target.y, start*yper, b*yper)
		} else {
			fillSelection(p.ys[0], target.classes, start, b, outWidth)
		}
		if err := p.run(nil); err != nil {
			idx := make([]int, b)
			for r := range idx {
				idx[r] = start + r
			}
			return nil, errors.Wrap(describeRunError(err, idx), what)
		}
		act, grad := p.exec.Dense(p.outs[0]), p.exec.Dense(p.outs[1])
		if act == nil || grad == nil {
			return nil, errors.Errorf("%s: layer %q: the activations or their gradient have no tensor value", what, layer)
		}
		if res.Activations == nil {
			shape := append([]int{n}, act.Shape()[1:]...)
			aper = prod(act.Shape()[1:])
			res.Activations = tensor.New(tensor.Of(t.model.DType()), tensor.WithShape(shape...))
			res.Gradients = tensor.New(tensor.Of(t.model.DType()), tensor.WithShape(shape...))
		}
		copyValues(res.Activations, start*aper, act, 0, b*aper)
		copyValues(res.Gradients, start*aper, grad, 0, b*aper)
		if res.Scores != nil {
			if err := readScores(p.exec.Dense(p.outs[2]), res.Scores[start:start+b]); err != nil {
				return nil, errors.Wrap(err, what)
			}
		}
	}
	return res, nil
}

// checkGradTarget checks a target against the output out and n rows.
func (t *Trainer) checkGradTarget(what string, target InputGradTarget, out, n int) error {
	switch target.kind {
	case gradLogit, gradProb:
		if len(target.classes) != 1 && len(target.classes) != n {
			return errors.Errorf("%s: %d classes given for %d rows: give one class for all rows or one per row", what, len(target.classes), n)
		}
		w := prod(t.heads[out].out.Shape)
		for i, k := range target.classes {
			if k < 0 || k >= w {
				return errors.Errorf("%s: class %d (row %d) is out of range [0, %d)", what, k, i, w)
			}
		}
	case gradLoss:
		h := &t.heads[out]
		if h.loss == nil {
			return errors.Errorf("%s: the loss target needs a trainer made with a loss (trainers.WithLoss)", what)
		}
		want := append([]int{n}, h.targetShape()...)
		if target.y == nil || !sameInts(target.y.Shape(), want) {
			var got []int
			if target.y != nil {
				got = target.y.Shape()
			}
			return errors.Errorf("%s: the loss targets have shape %s, want %s", what, fmtShape(got), fmtShape(want))
		}
		if dt := target.y.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 && !isIntType(dt) {
			return errors.Errorf("%s: loss targets of dtype %v: want floats or integers", what, dt)
		}
	default:
		return errors.Errorf("%s: unknown target", what)
	}
	return nil
}

// readScores copies the per-row scores of a run into dst.
func readScores(sd *tensor.Dense, dst []float64) error {
	if sd == nil || sd.Shape().TotalSize() != len(dst) {
		return errors.New("the scores have no tensor value")
	}
	switch d := sd.Data().(type) {
	case []float32:
		for i, v := range d {
			dst[i] = float64(v)
		}
	case []float64:
		copy(dst, d)
	default:
		return errors.Errorf("scores of dtype %v", sd.Dtype())
	}
	return nil
}

// lastImageLayer names the last layer of Model.Layers whose output has rank 4 with
// the batch, found by adding the model to a scratch graph of batch 1.
func (t *Trainer) lastImageLayer(w *modelWiring) (name string, err error) {
	defer graph.LockBuild()()
	defer recoverTo(&err, "find the last layer of rank-4 output")
	g, err := graph.New(graph.Infer, t.model.DType(), 1)
	if err != nil {
		return "", err
	}
	ins, err := t.inputSpecsAt(0)
	if err != nil {
		return "", err
	}
	xn, _, err := g.InputOf("x/"+ins[0].Name, ins[0].DType, ins[0].Shape...)
	if err != nil {
		return "", err
	}
	rank4 := map[string]bool{}
	if _, err := w.forward(g, []*G.Node{xn}, func(l layers.Layer, call int, y *G.Node) (*G.Node, error) {
		if y.Dims() == 4 {
			rank4[l.Name()] = true
		}
		return y, nil
	}); err != nil {
		return "", err
	}
	for _, l := range t.model.Layers() {
		if _, ok := l.(*layers.InputLayer); !ok && rank4[l.Name()] {
			name = l.Name()
		}
	}
	if name == "" {
		return "", errors.New("no layer has an output of rank 4 (N, H, W, C): name the layer")
	}
	return name, nil
}

// layerGradProgram returns the cached layer-gradient program, compiling it on
// first use (the cache and its limit are those of the other programs).
func (t *Trainer) layerGradProgram(kind programKind, w *modelWiring, layer string, out, batch, steps int) (*program, error) {
	key := programKey{kind, batch, steps}
	return t.cachedProgram(key, func() (*program, error) { return t.compileLayerGrad(kind, w, layer, out, batch, steps) })
}

// compileLayerGrad builds an inference graph at the batch in which the layer's
// output A is replaced by A + δ, δ an input of zeros, so that the gradient with
// respect to δ is the gradient with respect to A. p.ys[0] is the class selection
// or the loss targets as in compileInputGrad; p.outs is A, the gradient and the
// per-row scores.
func (t *Trainer) compileLayerGrad(kind programKind, w *modelWiring, layer string, out, batch, steps int) (p *program, err error) {
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
	xn, x, err := g.InputOf("x/"+ins[0].Name, ins[0].DType, ins[0].Shape...)
	if err != nil {
		return nil, err
	}
	p.xs = []*tensor.Dense{x}
	var act, delta *G.Node
	outs, err := w.forward(g, []*G.Node{xn}, func(l layers.Layer, call int, y *G.Node) (*G.Node, error) {
		if l.Name() != layer || call != 0 {
			return y, nil
		}
		if y.Dtype() != t.model.DType() {
			return nil, errors.Errorf("its output is %v, not the model's %v: it has no gradient", y.Dtype(), t.model.DType())
		}
		dn, _, err := g.Input("layer/"+layer+"/delta", y.Shape()[1:]...)
		if err != nil {
			return nil, err
		}
		act, delta = y, dn
		return G.Add(y, dn)
	})
	if err != nil {
		return nil, err
	}
	if act == nil {
		return nil, errors.Errorf("layer %q is not called on the way from the input to the outputs", layer)
	}
	gk := inputGradKind(int(kind-layerGradProgramBase) % int(numGradKinds))
	obj, scores, err := t.gradObjective(p, g, outs[out], out, gk, batch)
	if err != nil {
		return nil, err
	}
	grads, err := graph.Grad(obj, []*G.Node{delta}, false)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient with respect to layer %q", layer)
	}
	p.outs = []*G.Node{act, grads.Nodes[0], scores}
	if p.exec, err = graph.NewExecutor(g.ExprGraph()); err != nil {
		return nil, err
	}
	return p, nil
}

// gradObjective adds the target input (p.ys[0]) and the objective of kind gk on
// the output node s: the sum over rows of the selected class scores (logit or
// probability), or the batch-mean loss times the batch. scores is the per-row
// score (the loss for a loss target).
func (t *Trainer) gradObjective(p *program, g *graph.Graph, s *G.Node, out int, gk inputGradKind, batch int) (obj, scores *G.Node, err error) {
	h := &t.heads[out]
	if gk == gradLoss {
		yn, y, err := g.Input("y/"+h.out.Name, h.targetShape()...)
		if err != nil {
			return nil, nil, err
		}
		p.ys = []*tensor.Dense{y}
		l, err := h.loss(g, s, yn)
		if err != nil {
			return nil, nil, errors.Wrapf(err, "loss %s", h.lossName)
		}
		if obj, err = G.Mul(l, g.Scalar(float64(batch))); err != nil {
			return nil, nil, errors.Wrap(err, "scale the loss")
		}
		return obj, l, nil
	}
	if gk == gradLogit {
		if pre, _, ok := g.Logits(s); ok {
			s = pre
		}
	}
	sn, sel, err := g.Input("y/select", h.out.Shape...)
	if err != nil {
		return nil, nil, err
	}
	p.ys = []*tensor.Dense{sel}
	if scores, err = G.HadamardProd(s, sn); err != nil {
		return nil, nil, errors.Wrap(err, "select the class")
	}
	// One axis at a time: Sum over several axes has a wrong gradient.
	for scores.Dims() > 1 {
		if scores, err = G.Sum(scores, scores.Dims()-1); err != nil {
			return nil, nil, errors.Wrap(err, "sum the class scores")
		}
	}
	if obj, err = G.Sum(scores, 0); err != nil {
		return nil, nil, errors.Wrap(err, "sum the rows' scores")
	}
	return obj, scores, nil
}
