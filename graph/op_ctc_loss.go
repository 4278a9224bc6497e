package graph

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// CTCInput says what the predictions given to CTCLoss hold, over the last axis
// of (B, T, K).
type CTCInput int

const (
	// CTCLogProbs (the default): log-probabilities, as PyTorch's nn.CTCLoss takes
	// (the output of LogSoftmax). The gradient is the exact partial derivative
	// -γ[t, k] (γ the posterior of class k at frame t given the labelling).
	// PyTorch instead returns exp(lp) - γ, the gradient with respect to the
	// logits, which equals the true one only after a log-softmax; both give the
	// same gradient for the logits behind a LogSoftmax.
	CTCLogProbs CTCInput = iota
	// CTCLogits: unnormalized scores; the op applies a stable log-softmax over
	// each frame itself, and the gradient softmax - γ is exact for any logits.
	CTCLogits
	// CTCProbs: probabilities (a softmax output, what Keras' ctc_batch_cost
	// takes); the loss uses log(p + Epsilon) as Keras does. When pred is a
	// softmax output whose logits were recorded (Graph.SetLogits), CTCLoss uses
	// the logits instead (CTCLogits), which is exact and never takes log(0).
	CTCProbs
)

// String names the input kind.
func (c CTCInput) String() string {
	switch c {
	case CTCLogProbs:
		return "log_probs"
	case CTCLogits:
		return "logits"
	case CTCProbs:
		return "probs"
	}
	return "unknown"
}

// CTCOptions configures CTCLoss; the zero value is PyTorch's nn.CTCLoss defaults
// (log-probabilities, blank 0, reduction "mean") except for impossible
// alignments, which give 0 (PyTorch's zero_infinity=True).
type CTCOptions struct {
	// Input says what the predictions hold (default CTCLogProbs).
	Input CTCInput
	// Blank is the class index of the blank (default 0, as PyTorch; Keras and
	// TensorFlow use K-1).
	Blank int
	// Reduction is "mean" (the default, also ""): the mean over the batch of
	// loss_b / max(1, L_b), as PyTorch; "sum": the sum of the losses; "none":
	// the vector (B) of per-sample losses.
	Reduction string
	// KeepInfinity makes a sample whose labels cannot be aligned within its input
	// length (T_b < L_b + the number of adjacent repeated labels, or every
	// alignment has probability 0) give a loss of +Inf, as PyTorch's default
	// zero_infinity=False; its gradient is 0 (PyTorch gives NaN). By default
	// (false) such a sample gives loss 0 and gradient 0, as zero_infinity=True,
	// so one bad sample does not stop training; it still counts in the "mean"
	// divisor B.
	KeepInfinity bool
}

// CTCLoss is the connectionist temporal classification loss (Graves et al.,
// 2006): the negative log-probability of the labels summed over every
// alignment, computed by the forward-backward recursions in log space (finite
// and exact for any log-probabilities, including -Inf), samples in parallel.
//
// Shapes: pred (B, T, K) per opts.Input; labels (B, S): the labels of row b are
// labels[b, :L_b], classes in [0, K) other than the blank, the rest padding;
// inputLens (B): T_b in [0, T], the frames of row b that count (frames from T_b
// on get gradient 0), or nil for T for every row; labelLens (B): L_b in [0, S],
// or nil to end each row's labels at its first negative entry (S when there is
// none). Labels and lengths are integers stored in pred's dtype (float32 or
// float64), as the other losses take class ids; an entry out of range is an
// error of the run naming the row. Repeated labels need a blank between them in
// an alignment (T_b >= L_b + repeats). A row with L_b = 0 has loss -log of the
// all-blank path; a row with T_b = 0 has loss 0 when L_b = 0 and is impossible
// otherwise.
//
// The result is a scalar for reductions "mean" and "sum", a vector (B) for
// "none" (see CTCOptions). g may be nil when pred is not a recorded softmax
// output.
func CTCLoss(g *Graph, pred, labels, inputLens, labelLens *G.Node, opts CTCOptions) (n *G.Node, err error) {
	const who = "ctc_loss"
	defer recoverOp(&err, who)
	if pred == nil || labels == nil {
		return nil, errors.Errorf("%s: predictions and labels are required", who)
	}
	if pred.Dims() != 3 {
		return nil, errors.Errorf("%s: prediction shape %v, want (batch, steps, classes)", who, pred.Shape())
	}
	if err := checkFloat(who, pred.Dtype()); err != nil {
		return nil, err
	}
	ps := pred.Shape()
	b := ps[0]
	if labels.Dims() != 2 || labels.Shape()[0] != b {
		return nil, errors.Errorf("%s: labels shape %v, want (%d, max label length)", who, labels.Shape(), b)
	}
	if opts.Input < CTCLogProbs || opts.Input > CTCProbs {
		return nil, errors.Errorf("%s: unknown input kind %d (want CTCLogProbs, CTCLogits or CTCProbs)", who, int(opts.Input))
	}
	if opts.Blank < 0 || opts.Blank >= ps[2] {
		return nil, errors.Errorf("%s: blank index %d is not a class in [0, %d)", who, opts.Blank, ps[2])
	}
	cfg := ctcConfig{input: opts.Input, blank: opts.Blank, keepInf: opts.KeepInfinity}
	switch opts.Reduction {
	case "", "mean":
		cfg.mean = true
	case "sum", "none":
	default:
		return nil, errors.Errorf("%s: unknown reduction %q (want mean, sum or none)", who, opts.Reduction)
	}
	x := pred
	if g != nil && opts.Input == CTCProbs {
		if z, act, ok := g.Logits(pred); ok && act == "softmax" {
			x, cfg.input = z, CTCLogits
		}
	}
	args := G.Nodes{x, labels}
	for _, l := range []struct {
		node *G.Node
		flag *bool
		what string
	}{{inputLens, &cfg.hasInLen, "input"}, {labelLens, &cfg.hasLabLen, "label"}} {
		if l.node == nil {
			continue
		}
		if l.node.Shape().TotalSize() != b || l.node.Dtype() != pred.Dtype() {
			return nil, errors.Errorf("%s: %s lengths %v %v, want (%d) %v", who, l.what, l.node.Dtype(), l.node.Shape(), b, pred.Dtype())
		}
		r, err := reshapeTo(l.node, []int{b})
		if err != nil {
			return nil, errors.Wrap(err, who)
		}
		*l.flag = true
		args = append(args, r)
	}
	if labels.Dtype() != pred.Dtype() {
		return nil, errors.Errorf("%s: labels are %v, want %v like the predictions", who, labels.Dtype(), pred.Dtype())
	}
	per, err := G.ApplyOp(newCTCOp(cfg, false), args...)
	if err != nil {
		return nil, errors.Wrap(err, who)
	}
	if opts.Reduction == "none" {
		return per, nil
	}
	return SumAll(per)
}

// CTCLossFunc adapts CTCLoss to a LossFunc (trainers.WithLossFunc) with a
// single target: labels (B, S) padded with negative values (-1) after each
// row's labels. The input length of each row is T, or the number of nonzero
// entries of the (B, T) mask recorded on pred (Graph.Mask, set by mask-aware
// layers for right-padded sequences). Use opts.Input = CTCProbs for a softmax
// output (its recorded logits are used) and CTCLogProbs for a log-softmax one.
func CTCLossFunc(opts CTCOptions) LossFunc {
	return func(g *Graph, pred, target *G.Node) (n *G.Node, err error) {
		defer recoverOp(&err, "ctc_loss")
		var inLens *G.Node
		if g != nil && pred.Dims() == 3 {
			if m, ok := g.Mask(pred); ok {
				b, t := pred.Shape()[0], pred.Shape()[1]
				if m.Shape().TotalSize() != b*t {
					return nil, errors.Errorf("ctc_loss: mask shape %v, want (%d, %d)", m.Shape(), b, t)
				}
				r, err := reshapeTo(m, []int{b, t})
				if err != nil {
					return nil, errors.Wrap(err, "ctc_loss")
				}
				nz, err := G.Ne(r, scalarOf(m.Dtype(), 0), true)
				if err != nil {
					return nil, errors.Wrap(err, "ctc_loss: mask")
				}
				if inLens, err = G.Sum(nz, 1); err != nil {
					return nil, errors.Wrap(err, "ctc_loss: input lengths from the mask")
				}
			}
		}
		return CTCLoss(g, pred, target, inLens, nil, opts)
	}
}
