package trainers

import (
	"fmt"
	"math/rand"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// DefaultProgramCacheSize is the number of compiled programs a trainer keeps
// unless WithProgramCacheSize says otherwise: enough for a few kinds (train,
// evaluate, predict) times a few batch sizes times a dozen sequence lengths.
const DefaultProgramCacheSize = 64

// WithProgramCacheSize bounds the trainer's cache of compiled programs (one per
// kind, batch size and sequence length met; default DefaultProgramCacheSize, n >=
// 1). When a new program would exceed it, the least recently used one is dropped
// (and compiled again if met again): bucket sequence lengths (datasets.Bucket) to
// keep the programs few. n < 1 is an error from New.
func WithProgramCacheSize(n int) Option {
	return optionFunc(func(c *config) {
		c.progLimit = n
		if n < 1 {
			c.optErr = errors.Errorf("trainers: WithProgramCacheSize(%d): the cache must hold at least 1 program", n)
		}
	})
}

// CompiledPrograms is the number of programs compiled since New: one per distinct
// (kind, batch size, sequence length) met, plus recompilations of programs dropped
// from a full cache (WithProgramCacheSize).
func (t *Trainer) CompiledPrograms() int { return t.compiled }

// evictPrograms drops least recently used programs until one more fits.
func (t *Trainer) evictPrograms() {
	limit := t.progLimit
	if limit < 1 {
		limit = DefaultProgramCacheSize
	}
	for len(t.programs) >= limit {
		var oldest programKey
		first := true
		for k, p := range t.programs {
			if !p.pinned && (first || p.used < t.programs[oldest].used) {
				oldest, first = k, false
			}
		}
		if first { // every program is in use: the cache grows past its limit for now
			return
		}
		t.programs[oldest].close()
		delete(t.programs, oldest)
	}
}

// variableInputs reports which model inputs have a variable sequence axis
// (layers.InputLayer.WithVariableSteps); nil when none or the model cannot say.
func (t *Trainer) variableInputs() []bool {
	v, ok := t.model.(interface{ VariableInputs() []bool })
	if !ok {
		return nil
	}
	out := v.VariableInputs()
	for _, b := range out {
		if b {
			return out
		}
	}
	return nil
}

// inputSpecsAt returns the model's input specs with the variable inputs' first
// axis set to steps (0: as declared).
func (t *Trainer) inputSpecsAt(steps int) ([]layers.Spec, error) {
	ins := t.model.Inputs()
	if steps == 0 {
		return ins, nil
	}
	vary := t.variableInputs()
	if vary == nil {
		return nil, errors.Errorf("a length of %d steps: the model has no input of variable steps (layers WithVariableSteps)", steps)
	}
	for i := range ins {
		if !vary[i] {
			continue
		}
		if steps > ins[i].Shape[0] {
			return nil, errors.Errorf("input %q: a length of %d steps exceeds the declared maximum %d", ins[i].Name, steps, ins[i].Shape[0])
		}
		ins[i].Shape = append([]int{steps}, ins[i].Shape[1:]...)
	}
	return ins, nil
}

// stepsOf checks the examples' shapes of model input i (given by the data or
// the caller) against the declared shape: equal, or for a variable input shorter
// on the first axis (1 <= T' <= T). It returns the length T' when it differs from
// the declared T, 0 otherwise; steps is the length already found for other inputs
// (0: none), which every variable input must share.
func (t *Trainer) stepsOf(what string, i int, got []int, steps int) (int, error) {
	in := t.model.Inputs()[i]
	if sameInts(in.Shape, got) {
		if vary := t.variableInputs(); vary != nil && vary[i] && steps != 0 {
			return 0, errors.Errorf("%s: %s has %d steps, another variable input %d: variable inputs share one length", what, t.inputLabel(i), got[0], steps)
		}
		return steps, nil
	}
	vary := t.variableInputs()
	if vary == nil || !vary[i] || len(got) != len(in.Shape) || !sameInts(got[1:], in.Shape[1:]) || got[0] < 1 {
		return 0, errors.Errorf("%s: %s expects examples of shape %s, the data has %s", what, t.inputLabel(i), fmtShape(in.Shape), fmtShape(got))
	}
	if got[0] > in.Shape[0] {
		return 0, errors.Errorf("%s: %s: the data has %d steps, more than the declared maximum %d (layers WithVariableSteps)", what, t.inputLabel(i), got[0], in.Shape[0])
	}
	if steps != 0 && steps != got[0] {
		return 0, errors.Errorf("%s: %s has %d steps, another variable input %d: variable inputs share one length", what, t.inputLabel(i), got[0], steps)
	}
	return got[0], nil
}

// part is one group of examples run at one sequence length: a whole data set, or
// one bucket of a datasets.Bucketed.
type part struct {
	ds   datasets.Multi
	bd   *binding
	orig []int // the position in the whole data set of each example (nil: the same)
}

// parts checks ds (each bucket of a datasets.Bucketed, with non-empty buckets)
// and returns its groups of one length each.
func (t *Trainer) parts(what string, ds datasets.Multi) ([]part, error) {
	bk, ok := ds.(datasets.Bucketed)
	if !ok {
		bd, err := t.checkData(what, ds)
		if err != nil {
			return nil, err
		}
		return []part{{ds: ds, bd: bd}}, nil
	}
	var out []part
	for i, b := range bk.Buckets() {
		if b == nil || b.Len() == 0 {
			continue
		}
		bd, err := t.checkData(what, b)
		if err != nil {
			return nil, errors.Wrapf(err, "bucket %d", i)
		}
		out = append(out, part{b, bd, bk.BucketExamples(i)})
	}
	if len(out) == 0 {
		return nil, errors.Errorf("%s: the data set is empty", what)
	}
	return out, nil
}

// partBatch is one batch: the examples idx of part part.
type partBatch struct {
	part int
	idx  []int
}

// orig maps the batch's rows to the examples of the whole data set (for errors
// that name an example).
func (pb partBatch) orig(parts []part) []int {
	o := parts[pb.part].orig
	if o == nil {
		return pb.idx
	}
	out := make([]int, len(pb.idx))
	for i, j := range pb.idx {
		if j >= 0 && j < len(o) {
			out[i] = o[j]
		}
	}
	return out
}

// epochBatches cuts every part into batches (shuffled within the part when
// shuffle, by rng) and, for several parts with shuffle, shuffles the order of all
// the batches with rng: each batch comes from one part (one sequence length), the
// parts interleave. One part gives exactly datasets.Batches' batches.
func epochBatches(parts []part, batch int, shuffle bool, rng *rand.Rand) ([]partBatch, error) {
	var out []partBatch
	for i, p := range parts {
		bs, err := datasets.Batches(p.ds.Len(), batch, shuffle, rng)
		if err != nil {
			return nil, err
		}
		for _, idx := range bs {
			out = append(out, partBatch{i, idx})
		}
	}
	if shuffle && len(parts) > 1 && rng != nil {
		rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	}
	return out, nil
}

// stepsPerEpoch is the number of batches of one epoch over parts.
func stepsPerEpoch(parts []part, batch int) int {
	n := 0
	for _, p := range parts {
		n += (p.ds.Len() + batch - 1) / batch
	}
	return n
}

// stepsLabel is " at 37 steps" for a program of a variable length, "" otherwise.
func stepsLabel(steps int) string {
	if steps == 0 {
		return ""
	}
	return fmt.Sprintf(" at %d steps", steps)
}

// predictSpecs returns the input specs that xs must match and the programs' steps:
// the declared specs, or for a model of variable-steps inputs given shorter
// examples, the specs at that length.
func (t *Trainer) predictSpecs(xs []*tensor.Dense) ([]layers.Spec, int, error) {
	ins := t.model.Inputs()
	if t.variableInputs() == nil || len(xs) != len(ins) {
		return ins, 0, nil
	}
	steps := 0
	for i, x := range xs {
		if x == nil || x.Dims() < 1 {
			continue
		}
		var err error
		if steps, err = t.stepsOf("predict", i, x.Shape()[1:], steps); err != nil {
			return nil, 0, err
		}
	}
	ins, err := t.inputSpecsAt(steps)
	return ins, steps, errors.Wrap(err, "predict")
}
