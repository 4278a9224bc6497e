package datasets

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/pkg/errors"
)

// SpeechOption configures SpeechCommands and SpokenDigits. Each WithX states its
// default.
type SpeechOption func(*speechConfig)

type speechConfig struct {
	ctx                  context.Context
	cacheDir             string
	program              string
	seed                 int64
	train, test          int
	trainVoices          []string
	testVoices           []string
	speedMin, speedMax   int
	pitchMin, pitchMax   int
	snrMin, snrMax       float64
	shift                time.Duration
	digitsMin, digitsMax int
	workers              int
	timeout              time.Duration
}

// WithSpeechContext sets the context that stops the generation (each espeak-ng
// process is killed when it is done). Default context.Background().
func WithSpeechContext(ctx context.Context) SpeechOption {
	return func(c *speechConfig) { c.ctx = ctx }
}

// WithSpeechCacheDir sets the cache root; the clips of one set of settings go to
// a folder DIR/<kind>-<hash of the settings>. Default
// os.UserCacheDir()/gokeras/speech (os.TempDir()/gokeras/speech when there is no
// user cache folder).
func WithSpeechCacheDir(dir string) SpeechOption {
	return func(c *speechConfig) { c.cacheDir = dir }
}

// WithEspeak sets the synthesizer program, a name looked up in PATH or a path.
// Default "espeak-ng".
func WithEspeak(program string) SpeechOption {
	return func(c *speechConfig) { c.program = program }
}

// WithSpeechSeed sets the seed of every random choice (speed, pitch, shift,
// gain, noise). Default 1.
func WithSpeechSeed(seed int64) SpeechOption {
	return func(c *speechConfig) { c.seed = seed }
}

// WithSpeechCounts sets the size of the two splits: clips per word
// (SpeechCommands, default 112 and 40) or sequences (SpokenDigits, default 800
// and 200). Both must be >= 1.
func WithSpeechCounts(train, test int) SpeechOption {
	return func(c *speechConfig) { c.train, c.test = train, test }
}

// WithSpeechVoices sets the espeak-ng voices ("language+variant", or a language
// alone) of the two splits, which must not share a voice. Default
// DefaultSpeechVoices.
func WithSpeechVoices(train, test []string) SpeechOption {
	return func(c *speechConfig) {
		c.trainVoices = append([]string(nil), train...)
		c.testVoices = append([]string(nil), test...)
	}
}

// WithSpeechSpeed sets the range of espeak-ng's speed in words per minute,
// 80 <= min <= max <= 450. Default 120 to 200.
func WithSpeechSpeed(min, max int) SpeechOption {
	return func(c *speechConfig) { c.speedMin, c.speedMax = min, max }
}

// WithSpeechPitch sets the range of espeak-ng's pitch, 0 <= min <= max <= 99.
// Default 25 to 75.
func WithSpeechPitch(min, max int) SpeechOption {
	return func(c *speechConfig) { c.pitchMin, c.pitchMax = min, max }
}

// WithSpeechSNR sets the range of the signal-to-noise ratio of the added white
// noise in decibels, min <= max; math.Inf(1) for both adds no noise. Default 10
// to 30 dB.
func WithSpeechSNR(minDB, maxDB float64) SpeechOption {
	return func(c *speechConfig) { c.snrMin, c.snrMax = minDB, maxDB }
}

// WithSpeechShift sets the largest time shift, >= 0: a word is moved by up to
// ±shift from the centre of its 1 s clip; a digit sequence gets up to shift of
// silence before and after it. Default 100 ms.
func WithSpeechShift(d time.Duration) SpeechOption {
	return func(c *speechConfig) { c.shift = d }
}

// WithDigitLength sets the number of digits of a SpokenDigits sequence,
// 1 <= min <= max <= 20. Default 3 to 7.
func WithDigitLength(min, max int) SpeechOption {
	return func(c *speechConfig) { c.digitsMin, c.digitsMax = min, max }
}

// WithSpeechWorkers sets how many espeak-ng processes run at once, >= 1.
// Default runtime.GOMAXPROCS(0).
func WithSpeechWorkers(n int) SpeechOption {
	return func(c *speechConfig) { c.workers = n }
}

// WithSpeechTimeout sets the time limit of one espeak-ng process, > 0. Default
// 30 s.
func WithSpeechTimeout(d time.Duration) SpeechOption {
	return func(c *speechConfig) { c.timeout = d }
}

// newSpeechConfig applies opts to the defaults (train and test: the default
// counts of the caller) and checks the result.
func newSpeechConfig(opts []SpeechOption, train, test int) (*speechConfig, error) {
	trainV, testV := DefaultSpeechVoices()
	c := &speechConfig{
		ctx: context.Background(), program: "espeak-ng", seed: 1, train: train, test: test,
		trainVoices: trainV, testVoices: testV, speedMin: 120, speedMax: 200, pitchMin: 25, pitchMax: 75,
		snrMin: 10, snrMax: 30, shift: 100 * time.Millisecond, digitsMin: 3, digitsMax: 7,
		workers: runtime.GOMAXPROCS(0), timeout: 30 * time.Second,
	}
	for _, o := range opts {
		o(c)
	}
	if c.ctx == nil {
		c.ctx = context.Background()
	}
	if c.cacheDir == "" {
		root, err := os.UserCacheDir()
		if err != nil {
			root = os.TempDir()
		}
		c.cacheDir = filepath.Join(root, "gokeras", "speech")
	}
	return c, c.check()
}

// check validates the settings.
func (c *speechConfig) check() error {
	switch {
	case c.train < 1 || c.test < 1:
		return errors.Errorf("counts %d (train) and %d (test), want >= 1", c.train, c.test)
	case len(c.trainVoices) == 0 || len(c.testVoices) == 0:
		return errors.New("no voices: both splits need at least one")
	case c.speedMin < 80 || c.speedMin > c.speedMax || c.speedMax > 450:
		return errors.Errorf("speed %d..%d wpm, want 80 <= min <= max <= 450", c.speedMin, c.speedMax)
	case c.pitchMin < 0 || c.pitchMin > c.pitchMax || c.pitchMax > 99:
		return errors.Errorf("pitch %d..%d, want 0 <= min <= max <= 99", c.pitchMin, c.pitchMax)
	case math.IsNaN(c.snrMin) || math.IsNaN(c.snrMax) || c.snrMin > c.snrMax:
		return errors.Errorf("SNR %g..%g dB, want min <= max", c.snrMin, c.snrMax)
	case c.shift < 0:
		return errors.Errorf("time shift %v, want >= 0", c.shift)
	case c.digitsMin < 1 || c.digitsMin > c.digitsMax || c.digitsMax > 20:
		return errors.Errorf("digit length %d..%d, want 1 <= min <= max <= 20", c.digitsMin, c.digitsMax)
	case c.workers < 1:
		return errors.Errorf("workers %d, want >= 1", c.workers)
	case c.timeout <= 0:
		return errors.Errorf("timeout %v, want > 0", c.timeout)
	case c.program == "":
		return errors.New("no espeak-ng program")
	}
	seen := make(map[string]bool, len(c.trainVoices))
	for _, v := range c.trainVoices {
		if err := checkVoice(v); err != nil {
			return err
		}
		seen[v] = true
	}
	for _, v := range c.testVoices {
		if err := checkVoice(v); err != nil {
			return err
		}
		if seen[v] {
			return errors.Errorf("voice %q is in both the training and the test voices", v)
		}
	}
	return nil
}

// checkVoice refuses voice names that espeak-ng would read as options or that
// hold spaces.
func checkVoice(v string) error {
	if v == "" || v[0] == '-' {
		return errors.Errorf("voice %q: want a name such as en-us+m3", v)
	}
	for _, r := range v {
		if r <= ' ' {
			return errors.Errorf("voice %q holds a space or control character", v)
		}
	}
	return nil
}
