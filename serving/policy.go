package serving

import (
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
)

// DefaultPoll is how often a Repository scans its directory unless WithPoll says
// otherwise.
const DefaultPoll = 2 * time.Second

// VersionPolicy says which versions of a model are served: the n highest of
// those that load (Latest), or all of them (AllVersions).
type VersionPolicy struct {
	n int // 0: all
}

// Latest serves the n highest versions that load (n < 1 is taken as 1).
func Latest(n int) VersionPolicy {
	if n < 1 {
		n = 1
	}
	return VersionPolicy{n: n}
}

// AllVersions serves every version that loads.
func AllVersions() VersionPolicy { return VersionPolicy{} }

// String is the policy as ParseVersionPolicy reads it: "latest", "latest:N" or
// "all".
func (p VersionPolicy) String() string {
	switch p.n {
	case 0:
		return "all"
	case 1:
		return "latest"
	}
	return "latest:" + strconv.Itoa(p.n)
}

// full reports whether a policy that keeps k versions already has enough.
func (p VersionPolicy) full(k int) bool { return p.n > 0 && k >= p.n }

// ParseVersionPolicy reads "latest" (the highest version), "latest:N" (the N
// highest, N >= 1) or "all".
func ParseVersionPolicy(s string) (VersionPolicy, error) {
	switch {
	case s == "latest":
		return Latest(1), nil
	case s == "all":
		return AllVersions(), nil
	case strings.HasPrefix(s, "latest:"):
		n, err := strconv.Atoi(s[len("latest:"):])
		if err != nil || n < 1 {
			return VersionPolicy{}, errors.Errorf("serving: version policy %q: N in latest:N must be a positive integer", s)
		}
		return Latest(n), nil
	}
	return VersionPolicy{}, errors.Errorf("serving: unknown version policy %q (latest, latest:N or all)", s)
}

// Servable is what a Loader makes of a model file: a trainers.Predictor, or
// anything else that must be closed once no request uses it.
type Servable interface {
	Close() error
}

// Loader loads the model file at path and checks it. It is called from the
// scanning goroutine, never twice at once for one Repository.
type Loader func(path string) (Servable, error)

// PredictorLoader loads model files with trainers.LoadPredictor and the options
// given: its Servables are *trainers.Predictor. It is the default Loader.
func PredictorLoader(opts ...trainers.PredictorOption) Loader {
	return func(path string) (Servable, error) {
		p, err := trainers.LoadPredictor(path, opts...)
		if err != nil {
			return nil, err
		}
		return p, nil
	}
}

// Option configures Open.
type Option func(*config)

type config struct {
	loader Loader
	policy VersionPolicy
	poll   time.Duration
	log    *log.Logger
}

// WithLoader sets how a model file is loaded (default PredictorLoader()).
func WithLoader(l Loader) Option { return func(c *config) { c.loader = l } }

// WithPolicy sets the version policy (default Latest(1)).
func WithPolicy(p VersionPolicy) Option { return func(c *config) { c.policy = p } }

// WithPoll sets how often the directory is scanned (default DefaultPoll); 0 or
// less: never by itself, only on Rescan and Reload.
func WithPoll(d time.Duration) Option { return func(c *config) { c.poll = d } }

// WithLogger sets where loads, failures and retirements are logged (default:
// nowhere).
func WithLogger(l *log.Logger) Option { return func(c *config) { c.log = l } }
