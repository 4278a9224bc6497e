package datasets

import (
	"math"
	"math/rand"
	"sync"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// MLMIgnore is the target of a position that masked-token training leaves out
// (PyTorch's ignore_index): sparse_categorical_crossentropy and the accuracy
// metric skip negative targets.
const MLMIgnore = -100

// MLMDefaultRate is the share of the real (non-padding) tokens of each row that
// MaskTokens chooses when its rate is 0: BERT's 15%.
const MLMDefaultRate = 0.15

// mlmFirstReal is the smallest id of a real token (text.NumReserved: id 0 is
// padding, 1 out-of-vocabulary); the random replacements are drawn from
// [mlmFirstReal, vocab).
const mlmFirstReal = 2

// mlmEpochMix spreads the seeds of successive epochs of an MLMSet (the odd
// 64-bit golden-ratio constant, as a wrapped int64).
const mlmEpochMix = -7046029254386353131

// MaskTokens makes BERT's masked-token training data from padded rows of token
// ids (every row of the same length T; id 0 is padding, anywhere in a row). In
// each row it chooses round(rate·n) of the n non-padding positions (at least
// one; rate 0 means MLMDefaultRate, 0.15) uniformly without replacement, and
// replaces each chosen id by maskID with probability 0.8, by a random real
// token (uniform in [2, vocab)) with probability 0.1, and keeps it with
// probability 0.1. Padding is never chosen.
//
// It returns inputs, Int64 of shape (N, T): the rows with the replacements
// made, and targets, Float32 of shape (N, T): the original id at the chosen
// positions and MLMIgnore (-100) everywhere else, ready for
// sparse_categorical_crossentropy over a (T, classes) output with classes >
// max(vocab-1, maskID). The same seed gives the same result.
//
// Errors: no rows, rows of different or zero length, a row of only padding, an
// id outside [0, vocab), vocab <= 2 (no real token to draw), maskID < 1, or a
// rate outside [0, 1] or NaN, vocab above 2^24 (float32 targets).
func MaskTokens(ids [][]int, maskID, vocab int, rate float64, seed int64) (inputs, targets *tensor.Dense, err error) {
	m, err := newMasker(ids, maskID, vocab, rate)
	if err != nil {
		return nil, nil, errors.Wrap(err, "datasets.MaskTokens")
	}
	x, y := m.mask(seed)
	return x, y, nil
}

// masker holds checked, flattened rows and the masking settings.
type masker struct {
	flat          []int
	n, steps      int
	maskID, vocab int
	rate          float64
}

// newMasker checks the arguments of MaskTokens and copies the rows.
func newMasker(ids [][]int, maskID, vocab int, rate float64) (*masker, error) {
	switch {
	case len(ids) == 0:
		return nil, errors.New("no rows")
	case len(ids[0]) == 0:
		return nil, errors.New("rows of length 0")
	case vocab > 1<<24:
		return nil, errors.Errorf("vocab %d is above 2^24 (targets are float32 ids)", vocab)
	case vocab <= mlmFirstReal:
		return nil, errors.Errorf("vocab %d leaves no real token id (ids 0 and 1 are reserved; want vocab >= 3)", vocab)
	case maskID < 1:
		return nil, errors.Errorf("mask id %d must be at least 1 (0 is padding)", maskID)
	case math.IsNaN(rate) || rate < 0 || rate > 1:
		return nil, errors.Errorf("rate %g is not in [0, 1] (0 means %g)", rate, MLMDefaultRate)
	}
	if rate == 0 {
		rate = MLMDefaultRate
	}
	steps := len(ids[0])
	if len(ids) > math.MaxInt32/steps {
		return nil, errors.Errorf("%d rows of %d ids are too many", len(ids), steps)
	}
	m := &masker{flat: make([]int, 0, len(ids)*steps), n: len(ids), steps: steps, maskID: maskID, vocab: vocab, rate: rate}
	for i, row := range ids {
		if len(row) != steps {
			return nil, errors.Errorf("row %d has %d ids, row 0 has %d (pad the rows to one length)", i, len(row), steps)
		}
		nonPad := 0
		for t, id := range row {
			if id < 0 || id >= vocab {
				return nil, errors.Errorf("row %d position %d: id %d is not in [0, %d)", i, t, id, vocab)
			}
			if id != 0 {
				nonPad++
			}
		}
		if nonPad == 0 {
			return nil, errors.Errorf("row %d holds only padding", i)
		}
		m.flat = append(m.flat, row...)
	}
	return m, nil
}

// mask draws the replacements of every row with one source seeded by seed.
func (m *masker) mask(seed int64) (x, y *tensor.Dense) {
	rng := rand.New(rand.NewSource(seed))
	xs := make([]int64, len(m.flat))
	ys := make([]float32, len(m.flat))
	pos := make([]int, 0, m.steps)
	for i := 0; i < m.n; i++ {
		row := m.flat[i*m.steps : (i+1)*m.steps]
		pos = pos[:0]
		for t, id := range row {
			xs[i*m.steps+t] = int64(id)
			ys[i*m.steps+t] = MLMIgnore
			if id != 0 {
				pos = append(pos, t)
			}
		}
		k := int(math.Round(m.rate * float64(len(pos))))
		if k < 1 {
			k = 1
		}
		// Partial Fisher-Yates: pos[:k] is a uniform sample without replacement.
		for j := 0; j < k; j++ {
			r := j + rng.Intn(len(pos)-j)
			pos[j], pos[r] = pos[r], pos[j]
			t := i*m.steps + pos[j]
			ys[t] = float32(row[pos[j]])
			switch u := rng.Float64(); {
			case u < 0.8:
				xs[t] = int64(m.maskID)
			case u < 0.9:
				xs[t] = int64(mlmFirstReal + rng.Intn(m.vocab-mlmFirstReal))
			}
		}
	}
	return tensor.New(tensor.WithShape(m.n, m.steps), tensor.WithBacking(xs)),
		tensor.New(tensor.WithShape(m.n, m.steps), tensor.WithBacking(ys))
}

// MLMSet is masked-token training data with fresh masks per epoch (dynamic
// masking, as RoBERTa): a Multi of one unnamed Int64 input and one unnamed
// Float32 target, both of per-example shape [T], holding MaskTokens' inputs and
// targets for the current epoch. Remask(e) draws the masks of epoch e from
// seed mixed with e (epoch 0 is exactly MaskTokens(ids, ..., seed)); a
// trainer callback calls it at the start of each epoch (zoo's BERT recipe does).
// Gathers and Remask may run concurrently: a gather sees the masks of one epoch.
type MLMSet struct {
	m    *masker
	seed int64

	mu    sync.RWMutex
	epoch int
	cur   *Tensors
}

// NewMLMSet checks its arguments as MaskTokens does, copies the rows and draws
// the masks of epoch 0.
func NewMLMSet(ids [][]int, maskID, vocab int, rate float64, seed int64) (*MLMSet, error) {
	m, err := newMasker(ids, maskID, vocab, rate)
	if err != nil {
		return nil, errors.Wrap(err, "datasets.NewMLMSet")
	}
	s := &MLMSet{m: m, seed: seed}
	if err := s.Remask(0); err != nil {
		return nil, err
	}
	return s, nil
}

// Remask replaces the masks by those of epoch (at least 0); it is a no-op when
// they already are.
func (s *MLMSet) Remask(epoch int) error {
	if epoch < 0 {
		return errors.Errorf("datasets.MLMSet.Remask: epoch %d is negative", epoch)
	}
	s.mu.RLock()
	done := s.cur != nil && s.epoch == epoch
	s.mu.RUnlock()
	if done {
		return nil
	}
	x, y := s.m.mask(s.seed + int64(epoch)*mlmEpochMix)
	t, err := NewTensors(nil, []*tensor.Dense{x}, nil, []*tensor.Dense{y})
	if err != nil {
		return errors.Wrap(err, "datasets.MLMSet.Remask")
	}
	s.mu.Lock()
	s.cur, s.epoch = t, epoch
	s.mu.Unlock()
	return nil
}

// Epoch returns the epoch whose masks the set holds.
func (s *MLMSet) Epoch() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.epoch
}

// Tensors returns the inputs and targets of the current epoch (read-only).
func (s *MLMSet) Tensors() *Tensors {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cur
}

// Len returns the number of rows N.
func (s *MLMSet) Len() int { return s.m.n }

// Steps returns the row length T.
func (s *MLMSet) Steps() int { return s.m.steps }

// Inputs implements Multi: one unnamed Int64 input of shape [T].
func (s *MLMSet) Inputs() []Spec { return s.Tensors().Inputs() }

// Targets implements Multi: one unnamed Float32 target of shape [T].
func (s *MLMSet) Targets() []Spec { return s.Tensors().Targets() }

// GatherMulti implements Multi on the current epoch's masks.
func (s *MLMSet) GatherMulti(idx []int, xs, ys []*tensor.Dense) error {
	return errors.Wrap(s.Tensors().GatherMulti(idx, xs, ys), "datasets.MLMSet")
}

// GatherInput implements TensorGatherer on the current epoch's masks.
func (s *MLMSet) GatherInput(idx []int, i int, dst *tensor.Dense) error {
	return errors.Wrap(s.Tensors().GatherInput(idx, i, dst), "datasets.MLMSet")
}

// GatherTarget implements TensorGatherer on the current epoch's masks.
func (s *MLMSet) GatherTarget(idx []int, j int, dst *tensor.Dense) error {
	return errors.Wrap(s.Tensors().GatherTarget(idx, j, dst), "datasets.MLMSet")
}
