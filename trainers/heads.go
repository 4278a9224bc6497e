package trainers

import (
	"strings"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers/metrics"
	"github.com/pkg/errors"
)

// head is one model output with what training does with it: its loss (by name or
// as a function; none for a trainer that only predicts), the loss weight, and the
// metrics reported for it.
type head struct {
	out      layers.Spec
	lossName string
	loss     graph.LossFunc
	custom   bool // loss given as a function: not saved with the trainer
	weight   float64
	metrics  []string
	// labelLen is S, the padded label length of a ctc head's targets (B, S):
	// taken from the first data the trainer checks (0: none yet; see ctcTarget).
	labelLen int
}

// lossChoice is a loss given by name or as a function.
type lossChoice struct {
	name string
	fn   graph.LossFunc
}

// prefix is what the logs put before a head's loss and metrics: "" for a model of
// one output (Keras writes "loss", "accuracy"), "<output>_" otherwise.
func (t *Trainer) prefix(h *head) string {
	if len(t.heads) == 1 {
		return ""
	}
	return h.out.Name + "_"
}

// targetShape is the per-example target shape the head's loss expects: for
// sparse_categorical_crossentropy one class id (1) for an output (classes), and
// one id per position (T, ...) for a sequence output (T, ..., classes); for ctc
// the label sequence (S), S the length of the first data checked (see ctcTarget).
func (h *head) targetShape() []int {
	if isCTC(h.lossName) {
		return []int{h.labelLen}
	}
	if isSparse(h.lossName) {
		if n := len(h.out.Shape); n > 1 {
			return append([]int(nil), h.out.Shape[:n-1]...)
		}
		return []int{1}
	}
	return append([]int(nil), h.out.Shape...)
}

// makeHeads resolves, for every output of the model, its loss, weight and metrics
// from the options: a loss for all outputs (WithLoss, WithLossFunc), per output by
// name (WithOutputLoss, WithLossMap) or in order (WithLossList); likewise weights and
// metrics. Unknown output names and outputs without a loss are errors naming them.
func makeHeads(outs []layers.Spec, c *config) ([]head, error) {
	names := make([]string, len(outs))
	index := map[string]int{}
	for i, o := range outs {
		names[i] = o.Name
		index[o.Name] = i
	}
	known := func(what, name string) error {
		if _, ok := index[name]; !ok {
			return errors.Errorf("trainers: %s names output %q; the model's outputs are %s", what, name, strings.Join(names, ", "))
		}
		return nil
	}
	for _, m := range []map[string]lossChoice{c.outLoss} {
		for k := range m {
			if err := known("a loss", k); err != nil {
				return nil, err
			}
		}
	}
	for k := range c.outWeights {
		if err := known("a loss weight", k); err != nil {
			return nil, err
		}
	}
	for k := range c.outMetrics {
		if err := known("a metric", k); err != nil {
			return nil, err
		}
	}
	if c.lossList != nil && len(c.lossList) != len(outs) {
		return nil, errors.Errorf("trainers: %d losses given in order for %d outputs (%s)", len(c.lossList), len(outs), strings.Join(names, ", "))
	}
	if c.weightList != nil && len(c.weightList) != len(outs) {
		return nil, errors.Errorf("trainers: %d loss weights given in order for %d outputs (%s)", len(c.weightList), len(outs), strings.Join(names, ", "))
	}
	// A trainer given no loss at all only predicts: Fit and Evaluate say so.
	noLoss := len(c.outLoss) == 0 && c.lossList == nil && c.loss.name == "" && c.loss.fn == nil
	if noLoss {
		if len(c.metrics) > 0 || len(c.outMetrics) > 0 || len(c.outWeights) > 0 || c.weightList != nil {
			return nil, errors.Errorf("trainers: metrics and loss weights need a loss: use trainers.WithLoss (valid: %s), WithOutputLoss or WithLossFunc", strings.Join(graph.LossNames(), ", "))
		}
		heads := make([]head, len(outs))
		for i, o := range outs {
			heads[i] = head{out: o, weight: 1}
		}
		return heads, nil
	}
	heads := make([]head, len(outs))
	for i, o := range outs {
		h := head{out: o, weight: 1}
		choice, ok := c.outLoss[o.Name]
		switch {
		case ok:
		case c.lossList != nil:
			choice = c.lossList[i]
		case c.loss.name != "" || c.loss.fn != nil:
			choice = c.loss
		default:
			return nil, errors.Errorf("trainers: no loss for output %q: use trainers.WithLoss (valid: %s), WithOutputLoss or WithLossFunc", o.Name, strings.Join(graph.LossNames(), ", "))
		}
		h.lossName = choice.name
		if choice.fn != nil {
			h.loss, h.custom = choice.fn, true
			if h.lossName == "" {
				h.lossName = "custom"
			}
		} else {
			fn, err := graph.Loss(choice.name)
			if err != nil {
				return nil, errors.Wrapf(err, "trainers: output %q", o.Name)
			}
			h.loss = fn
		}
		if w, ok := c.outWeights[o.Name]; ok {
			h.weight = w
		} else if c.weightList != nil {
			h.weight = c.weightList[i]
		}
		if h.weight < 0 {
			return nil, errors.Errorf("trainers: loss weight %g of output %q must not be negative", h.weight, o.Name)
		}
		h.metrics = append(append([]string(nil), c.metrics...), c.outMetrics[o.Name]...)
		if isCTC(h.lossName) {
			if len(o.Shape) != 2 {
				return nil, errors.Errorf("trainers: output %q: ctc needs an output of shape (steps, classes) (a softmax over classes, blank 0), the model gives %v", o.Name, o.Shape)
			}
			if len(h.metrics) > 0 {
				return nil, errors.Errorf("trainers: output %q: ctc takes no metrics (%s): decode the predictions with package ctc and score them with ctc.WER or ctc.CER", o.Name, strings.Join(h.metrics, ", "))
			}
		}
		if isSparse(h.lossName) && len(o.Shape) < 1 {
			return nil, errors.Errorf("trainers: output %q: %s needs an output of shape (classes) or (steps, classes), the model gives %v", o.Name, h.lossName, o.Shape)
		}
		for _, m := range h.metrics {
			if _, err := metrics.New(m, h.lossName, prod(o.Shape)); err != nil {
				return nil, errors.Wrapf(err, "trainers: output %q", o.Name)
			}
		}
		heads[i] = h
	}
	return heads, nil
}

// checkLoss reports a trainer made without a loss (one that only predicts) as an
// error of what (fit, evaluate).
func (t *Trainer) checkLoss(what string) error {
	for _, h := range t.heads {
		if h.loss == nil {
			return errors.Errorf("%s: the trainer has no loss (it was made to predict only): give trainers.New a loss with WithLoss (valid: %s), WithOutputLoss or WithLossFunc", what, strings.Join(graph.LossNames(), ", "))
		}
	}
	return nil
}

// newHeadMetrics makes fresh metric accumulators for every head.
func (t *Trainer) newHeadMetrics() ([][]metrics.Metric, error) {
	out := make([][]metrics.Metric, len(t.heads))
	for i := range t.heads {
		h := &t.heads[i]
		for _, name := range h.metrics {
			m, err := metrics.New(name, h.lossName, prod(h.out.Shape))
			if err != nil {
				return nil, errors.Wrapf(err, "metrics of output %q", h.out.Name)
			}
			out[i] = append(out[i], m)
		}
	}
	return out, nil
}

// OutputNames lists the model's outputs in order, as logs and named data use them.
func (t *Trainer) OutputNames() []string {
	out := make([]string, len(t.heads))
	for i, h := range t.heads {
		out[i] = h.out.Name
	}
	return out
}

// InputNames lists the model's inputs in order.
func (t *Trainer) InputNames() []string {
	ins := t.model.Inputs()
	out := make([]string, len(ins))
	for i, s := range ins {
		out[i] = s.Name
	}
	return out
}

// isCTC reports the ctc loss (graph.CTCLossFunc on a softmax output, blank 0).
func isCTC(loss string) bool { return loss == "ctc" }

// ctcTarget checks the per-example target shape got of a ctc head: one label
// sequence (S), S >= 1, ids in [1, classes) padded with -1 (the loss checks the
// ids when it runs). The first data that passes checkData fixes S for the
// trainer's programs (setLabelLens); later data (validation, Evaluate) must be
// padded to the same S.
func (t *Trainer) ctcTarget(what string, h *head, got []int) error {
	if len(got) != 1 || got[0] < 1 {
		return errors.Errorf("%s: %sloss ctc needs targets of shape (S): one label sequence per example (ids in [1, %d), padded with -1), the data has %s", what, t.outputLabel(h), h.out.Shape[1], fmtShape(got))
	}
	if h.labelLen != 0 && h.labelLen != got[0] {
		return errors.Errorf("%s: %sloss ctc: the labels have length %d, this trainer's have %d (fixed by the first data it checked): pad every data set's labels with -1 to one length", what, t.outputLabel(h), got[0], h.labelLen)
	}
	return nil
}

// setLabelLens fixes the label length S of the ctc heads that have none from the
// targets of checked data (see ctcTarget).
func (t *Trainer) setLabelLens(targets []datasets.Spec, b *binding) {
	for j, s := range targets {
		if h := &t.heads[b.out[j]]; isCTC(h.lossName) && h.labelLen == 0 && len(s.Shape) == 1 {
			h.labelLen = s.Shape[0]
		}
	}
}
