package zoo

import (
	"io"
	"math"

	"github.com/gokeras/gokeras/trainers"
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
	// Options are trainer and Fit options that the run adds to the recipe's
	// own (default nil: none): distributed training, checkpoints, resuming (see
	// RunOptions). A pointer, so that Settings stay comparable with ==.
	Options *RunOptions
}

// RunOptions are options a recipe run adds to the recipe's own.
type RunOptions struct {
	// TrainerOptions are added after the recipe's own options to every
	// trainers.New of the run (default none), so that they add settings the
	// recipe does not choose or override its own: trainers.WithDistributed to
	// train across MPI ranks (cmd/demo's -distributed), for example. A recipe
	// that trains several models (a pretraining, a baseline) gives them to each.
	// A recipe that does not take them trains as published (Result.Trainer.Ranks
	// tells whether WithDistributed was taken).
	TrainerOptions []trainers.Option
	// FitOptions are added after the recipe's own options to the Fit of the
	// recipe's model (default none): trainers.Callbacks with a
	// trainers.ModelCheckpoint to write checkpoints, trainers.ResumeFrom to
	// resume from one (cmd/demo's -checkpoint-every and -resume). A recipe that
	// trains another model before its own (BERT's pretraining, a text
	// recipe's baseline) gives them to its own model's Fit only: a resumed run
	// redoes the earlier, seeded training alike and resumes the last.
	FitOptions []trainers.FitOption
}

// trainerOpts returns opts followed by s.Options.TrainerOptions (opts alone
// without Options).
func (s Settings) trainerOpts(opts ...trainers.Option) []trainers.Option {
	if s.Options == nil {
		return opts
	}
	return append(opts, s.Options.TrainerOptions...)
}

// fitOpts returns opts followed by s.Options.FitOptions (opts alone without
// Options).
func (s Settings) fitOpts(opts ...trainers.FitOption) []trainers.FitOption {
	if s.Options == nil {
		return opts
	}
	return append(opts, s.Options.FitOptions...)
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
	if s.Options == nil {
		s.Options = d.Options
	}
	return s, nil
}
