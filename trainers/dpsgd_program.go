package trainers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// dpLayer is a Dense or Conv2D layer whose weights DP-SGD differentiates per
// example: in is the layer's input a, (B, features) or (B, H, W, C); delta a
// zero input added to its pre-activation z (B, units) or (B, OH, OW, F), so that
// grad, the gradient of the batch objective with respect to delta, is dObj/dz.
type dpLayer struct {
	name            string
	conv            bool
	spec            graph.Conv2DSpec
	kh, kw          int
	k, b            *graph.Param // the kernel and the bias (nil: none)
	kernel, bias    int          // their places in dpProgram.params; bias -1 when none
	in, delta, grad *G.Node
}

// dpProgram is a training graph at a fixed batch for DP-SGD: the model's
// forward pass, losses (program's loss, headLoss, ys for the logs), and the
// gradients of the objective (the output losses and activity penalties) with
// respect to each dpLayer's pre-activation. The weights' gradients are
// computed from those per example (dpsgd_grad.go); penGrads holds the gradient
// of the weight penalties for each of params (nil: no penalty).
type dpProgram struct {
	*program
	layers   []dpLayer
	penGrads []*G.Node
}

// dpTap stands in for a Dense or Conv2D layer in the DP graph: forward builds
// the layer's computation with the delta input added before the activation.
type dpTap struct {
	layers.Layer
	forward func(g *graph.Graph, x *G.Node) (*G.Node, error)
}

// Build is never called: the model is built.
func (l *dpTap) Build(layers.BuildContext, []int) ([]int, error) {
	return nil, errors.New("DP-SGD: internal error: build of a tapped layer")
}

// Forward adds the tapped layer to g.
func (l *dpTap) Forward(g *graph.Graph, x *G.Node) (*G.Node, error) { return l.forward(g, x) }

// dpProgramAt returns d's DP program of t at the batch, compiling it on first
// use (the programs live in d while a Fit runs).
func (d *DPSGDOption) dpProgramAt(t *Trainer, batch int) (*dpProgram, error) {
	if d.tr != t || d.cache == nil {
		d.tr, d.cache = t, map[int]*dpProgram{}
	}
	if p, ok := d.cache[batch]; ok {
		return p, nil
	}
	p, err := t.compileDP(batch)
	if err != nil {
		return nil, errors.Wrapf(err, "DP-SGD: compile the training program for batch %d", batch)
	}
	d.cache[batch] = p
	return p, nil
}

// compileDP builds the DP-SGD graph at batch rows.
func (t *Trainer) compileDP(batch int) (dp *dpProgram, err error) {
	w, err := wiringOf(t.model)
	if err != nil {
		return nil, err
	}
	defer graph.LockBuild()()
	defer recoverTo(&err, "compile")
	g, err := graph.New(graph.Train, t.model.DType(), batch)
	if err != nil {
		return nil, err
	}
	dp = &dpProgram{program: &program{g: g}}
	ins, err := t.inputSpecsAt(0)
	if err != nil {
		return nil, err
	}
	xn := make([]*G.Node, len(ins))
	for i, in := range ins {
		var x *tensor.Dense
		if xn[i], x, err = g.InputOf("x/"+in.Name, in.DType, in.Shape...); err != nil {
			return nil, err
		}
		dp.xs = append(dp.xs, x)
	}
	tw, err := dp.tapWiring(g, w)
	if err != nil {
		return nil, err
	}
	if dp.outs, err = tw.forward(g, xn, nil); err != nil {
		return nil, err
	}
	if err := t.addLoss(dp.program, g); err != nil {
		return nil, err
	}
	if err := dp.checkParams(g, t.model.Params()); err != nil {
		return nil, err
	}
	if err := dp.addGradients(t, g); err != nil {
		return nil, err
	}
	if dp.exec, err = graph.NewExecutor(g.ExprGraph()); err != nil {
		return nil, err
	}
	return dp, nil
}

// tapWiring returns w with its Dense and Conv2D layers of trainable weights
// replaced by taps, after checking that every layer is supported.
func (dp *dpProgram) tapWiring(g *graph.Graph, w *modelWiring) (*modelWiring, error) {
	out := *w
	out.calls = make([]layerCall, len(w.calls))
	calls := map[string]int{}
	for i, c := range w.calls {
		out.calls[i] = c
		l := c.layer
		if l.Type() == "BatchNormalization" {
			return nil, errors.Errorf("DP-SGD: layer %q (BatchNormalization) normalizes with statistics of the whole batch, "+
				"which mixes the examples: an example's gradient is not its own; remove the layer", l.Name())
		}
		if !trainableWeights(l) {
			continue
		}
		if calls[l.Name()]++; calls[l.Name()] > 1 {
			return nil, errors.Errorf("DP-SGD: layer %q (%s) is called more than once (shared weights): not supported", l.Name(), l.Type())
		}
		switch l := l.(type) {
		case *layers.DenseLayer:
			out.calls[i].layer = &dpTap{Layer: l, forward: func(g *graph.Graph, x *G.Node) (*G.Node, error) {
				return dp.denseForward(g, l, x)
			}}
		case *layers.Conv2DLayer:
			out.calls[i].layer = &dpTap{Layer: l, forward: func(g *graph.Graph, x *G.Node) (*G.Node, error) {
				return dp.convForward(g, l, x)
			}}
		default:
			return nil, errors.Errorf("DP-SGD: layer %q (%s) has trainable weights but no per-example gradient here "+
				"(only Dense and Conv2D layers do): freeze it or replace it", l.Name(), l.Type())
		}
	}
	return &out, nil
}

// trainableWeights reports whether l has a trainable weight.
func trainableWeights(l layers.Layer) bool {
	for _, p := range l.Params() {
		if p.Trainable {
			return true
		}
	}
	return false
}

// addTap records the layer whose input is x and whose pre-activation is z,
// and returns z + delta.
func (dp *dpProgram) addTap(g *graph.Graph, l dpLayer, x, z *G.Node) (*G.Node, error) {
	dn, _, err := g.Input("dp/"+l.name+"/delta", z.Shape()[1:]...)
	if err != nil {
		return nil, err
	}
	l.in, l.delta = x, dn
	dp.layers = append(dp.layers, l)
	return G.Add(z, dn)
}

// denseForward is DenseLayer.Forward with the tap, for inputs (B, features).
func (dp *dpProgram) denseForward(g *graph.Graph, l *layers.DenseLayer, x *G.Node) (*G.Node, error) {
	if x.Dims() != 2 {
		return nil, errors.Errorf("DP-SGD: input of shape %v: only a Dense on (batch, features) has per-example gradients here", x.Shape())
	}
	w, err := g.Param(l.Kernel())
	if err != nil {
		return nil, err
	}
	z, err := G.Mul(x, w)
	if err != nil {
		return nil, errors.Wrapf(err, "input %v times kernel %v", x.Shape(), w.Shape())
	}
	if z, err = dp.addTap(g, dpLayer{name: l.Name(), k: l.Kernel(), b: l.Bias()}, x, z); err != nil {
		return nil, err
	}
	return biasActivation(g, z, l.Bias(), l.Config())
}

// convForward is Conv2DLayer.Forward with the tap.
func (dp *dpProgram) convForward(g *graph.Graph, l *layers.Conv2DLayer, x *G.Node) (*G.Node, error) {
	w, err := g.Param(l.Kernel())
	if err != nil {
		return nil, err
	}
	z, err := graph.Conv2D(x, w, l.Spec())
	if err != nil {
		return nil, err
	}
	ks := l.Kernel().Value.Shape()
	if z, err = dp.addTap(g, dpLayer{name: l.Name(), k: l.Kernel(), b: l.Bias(), conv: true, spec: l.Spec(), kh: ks[0], kw: ks[1]}, x, z); err != nil {
		return nil, err
	}
	return biasActivation(g, z, l.Bias(), l.Config())
}

// biasActivation adds the bias (if any) and applies the activation named in the
// layer's config, recording the logits of softmax and sigmoid as the layers do.
func biasActivation(g *graph.Graph, z *G.Node, bias *graph.Param, cfg layers.LayerConfig) (*G.Node, error) {
	if bias != nil {
		b, err := g.Param(bias)
		if err != nil {
			return nil, err
		}
		if z, err = graph.AddBias(z, b); err != nil {
			return nil, err
		}
	}
	name, _ := cfg.Config["activation"].(string)
	act, err := graph.Activation(name)
	if err != nil {
		return nil, err
	}
	y, err := act(z)
	if err != nil {
		return nil, err
	}
	if name == "softmax" || name == "sigmoid" {
		g.SetLogits(y, z, name)
	}
	return y, nil
}

// checkParams lists the trainable weights the graph uses into p.params (the
// optimizer's order) and the places of each tapped layer's kernel and bias,
// and refuses a trainable weight that no tapped layer owns.
func (dp *dpProgram) checkParams(g *graph.Graph, params []*graph.Param) error {
	at := map[*graph.Param]int{}
	for _, prm := range params {
		if _, ok := g.ParamNode(prm); ok && prm.Trainable {
			at[prm] = len(dp.params)
			dp.params = append(dp.params, prm)
		}
	}
	if len(dp.params) == 0 {
		return errors.New("the model has no trainable parameters")
	}
	owned := map[*graph.Param]bool{}
	for i := range dp.layers {
		l := &dp.layers[i]
		k, b := l.k, l.b
		if k == nil || !k.Trainable || (b != nil && !b.Trainable) {
			return errors.Errorf("DP-SGD: layer %q: a frozen kernel or bias beside a trainable one is not supported", l.name)
		}
		l.kernel, l.bias = at[k], -1
		owned[k] = true
		if b != nil {
			l.bias = at[b]
			owned[b] = true
		}
	}
	for _, prm := range dp.params {
		if !owned[prm] {
			return errors.Errorf("DP-SGD: weight %q has no per-example gradient here (only those of Dense and Conv2D layers do)", prm.Name)
		}
	}
	return nil
}

// addGradients adds the gradient of the objective (the weighted output losses
// and the activity penalties, without weight penalties) with respect to every
// tap, and that of the weight penalties with respect to the weights they
// regularize.
func (dp *dpProgram) addGradients(t *Trainer, g *graph.Graph) error {
	var obj *G.Node
	for i, l := range dp.headLoss {
		var err error
		if w := t.heads[i].weight; w != 1 {
			if l, err = G.Mul(l, g.Scalar(w)); err != nil {
				return err
			}
		}
		if obj == nil {
			obj = l
		} else if obj, err = G.Add(obj, l); err != nil {
			return err
		}
	}
	for _, pen := range g.Penalties() {
		var err error
		if obj, err = G.Add(obj, pen); err != nil {
			return err
		}
	}
	deltas := make([]*G.Node, len(dp.layers))
	for i, l := range dp.layers {
		deltas[i] = l.delta
	}
	grads, err := graph.Grad(obj, deltas, false)
	if err != nil {
		return errors.Wrap(err, "gradient with respect to the layers' outputs")
	}
	for i := range dp.layers {
		dp.layers[i].grad = grads.Nodes[i]
	}
	pens, err := g.WeightPenalties()
	if err != nil || len(pens) == 0 {
		return err
	}
	sum := pens[0]
	for _, pen := range pens[1:] {
		if sum, err = G.Add(sum, pen); err != nil {
			return err
		}
	}
	var nodes G.Nodes
	var at []int
	for i, prm := range dp.params {
		if !prm.Regularizer.IsZero() {
			n, _ := g.ParamNode(prm)
			nodes, at = append(nodes, n), append(at, i)
		}
	}
	if len(nodes) == 0 {
		return nil
	}
	pg, err := graph.Grad(sum, nodes, false)
	if err != nil {
		return errors.Wrap(err, "gradient of the weight penalties")
	}
	dp.penGrads = make([]*G.Node, len(dp.params))
	for k, i := range at {
		dp.penGrads[i] = pg.Nodes[k]
	}
	return nil
}
