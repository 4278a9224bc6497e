package zoo

import (
	"io"
	"math"

	"github.com/pkg/errors"
)

// Settings are the knobs of a recipe run. A zero field takes the recipe's default
// (Recipe.Defaults), so Settings{} runs a recipe exactly as it is published.
type Settings struct {
	// Epochs is the number of passes over the training split (default: the
	// recipe's; it must not be negative).
	Epochs int
	// BatchSize is the number of examples per step (default: the recipe's; it must
	// not be negative).
	BatchSize int
	// LR is the optimizer's (peak) learning rate (default: the recipe's; it must be
	// finite and not negative). Every recipe but "linear" decays it along a half
	// cosine to 1% of LR at the last step.
	LR float64
	// Seed seeds the data, the train/test split, the initial weights and the
	// shuffling (default: the recipe's, 42 for every recipe of this package; 0
	// means the default, so seed 0 itself cannot be chosen).
	Seed int64
	// Verbose is the trainer's progress output: 0 silent (default), 1 a progress
	// bar (one line per epoch when Out is not a terminal), 2 one line per epoch.
	Verbose int
	// Out is where progress is written when Verbose > 0 (default os.Stdout).
	Out io.Writer
	// Corpus is a UTF-8 text file that the text recipes (gpt-opticks) train on
	// instead of their own text (default "": the recipe's).
	Corpus string
}

// withDefaults returns s with every zero field replaced by the field of d, after
// checking that s holds no negative or NaN value.
func (s Settings) withDefaults(d Settings) (Settings, error) {
	switch {
	case s.Epochs < 0:
		return s, errors.Errorf("epochs must not be negative, got %d", s.Epochs)
	case s.BatchSize < 0:
		return s, errors.Errorf("batch size must not be negative, got %d", s.BatchSize)
	case s.LR < 0 || math.IsNaN(s.LR) || math.IsInf(s.LR, 0):
		return s, errors.Errorf("learning rate must be a finite number >= 0, got %g", s.LR)
	case s.Verbose < 0:
		return s, errors.Errorf("verbose must not be negative, got %d", s.Verbose)
	}
	if s.Epochs == 0 {
		s.Epochs = d.Epochs
	}
	if s.BatchSize == 0 {
		s.BatchSize = d.BatchSize
	}
	if s.LR == 0 {
		s.LR = d.LR
	}
	if s.Seed == 0 {
		s.Seed = d.Seed
	}
	if s.Verbose == 0 {
		s.Verbose = d.Verbose
	}
	if s.Out == nil {
		s.Out = d.Out
	}
	if s.Corpus == "" {
		s.Corpus = d.Corpus
	}
	return s, nil
}
