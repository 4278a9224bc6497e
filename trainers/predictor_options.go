package trainers

import (
	"runtime"
	"time"

	"github.com/pkg/errors"
)

// Defaults of a Predictor.
const (
	// DefaultMaxBatch is the most rows a Predictor runs at once (WithMaxBatch).
	DefaultMaxBatch = 64
	// DefaultLinger is how long a Predictor's worker waits for more requests
	// before running a batch (WithLinger): none, it takes only what is queued.
	DefaultLinger = time.Duration(0)
)

// PredictorOption sets an optional setting of a Predictor.
type PredictorOption interface{ applyPredictor(*predictorConfig) }

type predictorOptionFunc func(*predictorConfig)

func (f predictorOptionFunc) applyPredictor(c *predictorConfig) { f(c) }

type predictorConfig struct {
	workers  int
	maxBatch int
	linger   time.Duration
}

// WithWorkers sets the number of worker goroutines, each with its own compiled
// programs (default runtime.GOMAXPROCS(0)); it must be at least 1.
func WithWorkers(n int) PredictorOption {
	return predictorOptionFunc(func(c *predictorConfig) { c.workers = n })
}

// WithMaxBatch sets the most rows a worker runs in one batch (default
// DefaultMaxBatch, 64); it must be at least 1. Queued requests are gathered into
// one batch up to this many rows; a request with more rows runs alone, in batches
// of this size.
func WithMaxBatch(n int) PredictorOption {
	return predictorOptionFunc(func(c *predictorConfig) { c.maxBatch = n })
}

// WithLinger sets how long a worker that took a request waits for more requests
// to fill its batch (default DefaultLinger, 0: it gathers only what is already
// queued and never waits). It must not be negative.
func WithLinger(d time.Duration) PredictorOption {
	return predictorOptionFunc(func(c *predictorConfig) { c.linger = d })
}

func newPredictorConfig(opts []PredictorOption) (predictorConfig, error) {
	c := predictorConfig{workers: runtime.GOMAXPROCS(0), maxBatch: DefaultMaxBatch, linger: DefaultLinger}
	for _, o := range opts {
		if o != nil {
			o.applyPredictor(&c)
		}
	}
	switch {
	case c.workers < 1:
		return c, errors.Errorf("trainers: predictor: %d workers, want at least 1", c.workers)
	case c.maxBatch < 1:
		return c, errors.Errorf("trainers: predictor: max batch %d, want at least 1", c.maxBatch)
	case c.linger < 0:
		return c, errors.Errorf("trainers: predictor: linger %v, want >= 0", c.linger)
	}
	return c, nil
}
