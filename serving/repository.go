package serving

import (
	"fmt"
	"os"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/pkg/errors"
)

// State is the state of a model version.
type State string

// The states of a version.
const (
	// Loading: the version's file is being loaded and checked.
	Loading State = "LOADING"
	// Available: the version answers requests.
	Available State = "AVAILABLE"
	// Failed: the version's file could not be loaded (see the error).
	Failed State = "FAILED"
)

// Errors of Get (test them with errors.Is).
var (
	// ErrNotFound: no such model, or no such version of it.
	ErrNotFound = errors.New("not found")
	// ErrNotAvailable: the model or version exists but is not AVAILABLE (still
	// loading, or failed).
	ErrNotAvailable = errors.New("not available")
	// ErrClosed: the repository is closed.
	ErrClosed = errors.New("serving: repository closed")
)

// VersionStatus is one version of a model as Models reports it.
type VersionStatus struct {
	Version int64  `json:"version"`
	State   State  `json:"state"`
	Error   string `json:"error,omitempty"` // why it FAILED
	File    string `json:"file,omitempty"`  // the model file's base name
}

// ModelStatus is one model as Models reports it: its versions, highest first.
type ModelStatus struct {
	Name     string          `json:"name"`
	Versions []VersionStatus `json:"versions"`
}

// Repository serves the models of a directory (see the package doc). Its methods
// are safe for concurrent use.
type Repository struct {
	dir string
	cfg config

	scanMu sync.Mutex // one scan at a time

	mu      sync.RWMutex
	models  map[string]*model // guarded by mu
	scanned bool              // the first scan has listed the directory; guarded by mu
	closed  bool              // guarded by mu

	stop chan struct{}
	wg   sync.WaitGroup
}

// model is one model directory's versions: those loading, available or failed.
type model struct {
	versions map[int64]*version
}

// version is one version directory.
type version struct {
	n     int64
	state State
	err   error
	path  string
	sig   fileSig // of the file loaded or failed
	live  *live   // when Available
}

// live is a loaded Servable with its reference count: the repository holds one
// reference while the version is served, every Handle one more. It is closed
// when the count falls to 0.
type live struct {
	s       Servable
	refs    atomic.Int64
	once    sync.Once
	onClose func(error)
}

func (l *live) release() {
	if l.refs.Add(-1) == 0 {
		l.once.Do(func() { l.onClose(l.s.Close()) })
	}
}

// Handle is a version that Get found, held until Release: the version is not
// closed before. Its fields are read-only.
type Handle struct {
	Name     string
	Version  int64
	Servable Servable
	live     *live
	done     atomic.Bool
}

// Release gives the version back; a Handle must be released exactly once
// (further calls do nothing).
func (h *Handle) Release() {
	if h.done.CompareAndSwap(false, true) {
		h.live.release()
	}
}

// Open returns a Repository for dir and starts to load its models in the
// background: Models shows them LOADING, then AVAILABLE or FAILED; Ready tells
// when every model has a version available; Rescan waits for a scan to finish.
// The directory must exist. Options: WithPolicy, WithPoll, WithLoader,
// WithLogger.
func Open(dir string, opts ...Option) (*Repository, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, errors.Wrap(err, "serving: open model repository")
	}
	if !st.IsDir() {
		return nil, errors.Errorf("serving: open model repository: %s is not a directory", dir)
	}
	cfg := config{loader: PredictorLoader(), policy: Latest(1), poll: DefaultPoll}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.loader == nil {
		return nil, errors.New("serving: open model repository: nil loader")
	}
	r := &Repository{dir: dir, cfg: cfg, models: map[string]*model{}, stop: make(chan struct{})}
	r.wg.Add(1)
	go r.poll()
	return r, nil
}

// Dir returns the repository's directory.
func (r *Repository) Dir() string { return r.dir }

// Policy returns the repository's version policy.
func (r *Repository) Policy() VersionPolicy { return r.cfg.policy }

// Get returns a Handle on version v of the model name (v <= 0: the highest
// AVAILABLE version). Release it when done. Errors wrap ErrNotFound (no such
// model or version), ErrNotAvailable (the model has no version AVAILABLE, or
// version v is LOADING or FAILED) or ErrClosed.
func (r *Repository) Get(name string, v int64) (*Handle, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		return nil, ErrClosed
	}
	m := r.models[name]
	if m == nil {
		return nil, errors.Wrapf(ErrNotFound, "model %q", name)
	}
	var ver *version
	if v <= 0 {
		for _, x := range m.versions {
			if x.state == Available && (ver == nil || x.n > ver.n) {
				ver = x
			}
		}
		if ver == nil {
			return nil, errors.Wrapf(ErrNotAvailable, "model %q has no version available (%s)", name, describe(m))
		}
	} else if ver = m.versions[v]; ver == nil {
		return nil, errors.Wrapf(ErrNotFound, "model %q version %d (versions served: %s)", name, v, describe(m))
	} else if ver.state != Available {
		msg := fmt.Sprintf("model %q version %d is %s", name, v, ver.state)
		if ver.err != nil {
			msg += ": " + ver.err.Error()
		}
		return nil, errors.Wrap(ErrNotAvailable, msg)
	}
	ver.live.refs.Add(1) // > 0: the repository's own reference is held under mu
	return &Handle{Name: name, Version: ver.n, Servable: ver.live.s, live: ver.live}, nil
}

// describe lists m's versions and states ("3 FAILED, 2 AVAILABLE"), or "none".
func describe(m *model) string {
	vs := sortedVersions(m)
	if len(vs) == 0 {
		return "none"
	}
	s := ""
	for i, v := range vs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%d %s", v.n, v.state)
	}
	return s
}

// sortedVersions returns m's versions, highest first.
func sortedVersions(m *model) []*version {
	vs := make([]*version, 0, len(m.versions))
	for _, v := range m.versions {
		vs = append(vs, v)
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i].n > vs[j].n })
	return vs
}

// Models returns every model, sorted by name, with its versions highest first.
func (r *Repository) Models() []ModelStatus {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]ModelStatus, 0, len(r.models))
	for name, m := range r.models {
		out = append(out, status(name, m))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Model returns one model's status; ok is false when there is no such model.
func (r *Repository) Model(name string) (ModelStatus, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	m := r.models[name]
	if m == nil {
		return ModelStatus{}, false
	}
	return status(name, m), true
}

func status(name string, m *model) ModelStatus {
	ms := ModelStatus{Name: name, Versions: []VersionStatus{}}
	for _, v := range sortedVersions(m) {
		vs := VersionStatus{Version: v.n, State: v.state, File: baseName(v.path)}
		if v.err != nil {
			vs.Error = v.err.Error()
		}
		ms.Versions = append(ms.Versions, vs)
	}
	return ms
}

// Ready reports whether the first scan has listed the directory and every model
// has a version AVAILABLE.
func (r *Repository) Ready() bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if !r.scanned || r.closed {
		return false
	}
	for _, m := range r.models {
		ok := false
		for _, v := range m.versions {
			ok = ok || v.state == Available
		}
		if !ok {
			return false
		}
	}
	return true
}

// Close stops polling, waits for a scan in progress, and retires every version:
// each is closed once the Handles on it are released. Get fails after Close.
func (r *Repository) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	r.mu.Unlock()
	close(r.stop)
	r.wg.Wait()
	r.scanMu.Lock()
	defer r.scanMu.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	for name, m := range r.models {
		for _, v := range m.versions {
			r.retire(name, v)
		}
	}
	r.models = map[string]*model{}
	return nil
}

// retire drops the repository's reference on v's Servable, if loaded. mu held.
func (r *Repository) retire(name string, v *version) {
	if v.live != nil {
		r.logf("model %s version %d retired (closed once its requests in flight end)", name, v.n)
		v.live.release()
		v.live = nil
	}
}

func (r *Repository) logf(format string, args ...interface{}) {
	if r.cfg.log != nil {
		r.cfg.log.Printf(format, args...)
	}
}
