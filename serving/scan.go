package serving

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pkg/errors"
)

// fileSig identifies a model file's content cheaply: a failed version is tried
// again only when its file changes.
type fileSig struct {
	name string
	size int64
	mod  time.Time
}

// diskVersion is a version directory found by a scan: its one model file, or
// err when it holds several.
type diskVersion struct {
	path string
	sig  fileSig
	err  error
}

// listing is what a scan found: the models' version directories, and the model
// directories that could not be read (left as they are).
type listing struct {
	models     map[string]map[int64]diskVersion
	unreadable map[string]bool
}

// job is a version to load.
type job struct {
	name string
	v    *version
	path string
}

// skipName reports whether a directory entry is ignored: hidden files and
// directories, and files being written (".tmp").
func skipName(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".tmp")
}

func baseName(path string) string {
	if path == "" {
		return ""
	}
	return filepath.Base(path)
}

// poll scans the directory at once, then every cfg.poll until Close.
func (r *Repository) poll() {
	defer r.wg.Done()
	if err := r.scan("", false); err != nil && !errors.Is(err, ErrClosed) {
		r.logf("%v", err)
	}
	if r.cfg.poll <= 0 {
		return
	}
	t := time.NewTicker(r.cfg.poll)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
			if err := r.scan("", false); err != nil && !errors.Is(err, ErrClosed) {
				r.logf("%v", err)
			}
		}
	}
}

// Rescan scans the directory now and returns when the versions it found are
// loaded (or failed) and swapped in: new models and versions are loaded, versions
// that the policy no longer keeps or whose directories are gone are retired.
// A version that failed is tried again only when its file changes.
func (r *Repository) Rescan() error { return r.scan("", false) }

// Reload rescans the model name now, trying its failed versions again even if
// their files have not changed. The error wraps ErrNotFound when the model's
// directory does not exist.
func (r *Repository) Reload(name string) error {
	if name == "" || skipName(name) || strings.ContainsAny(name, `/\`) {
		return errors.Wrapf(ErrNotFound, "model %q", name)
	}
	return r.scan(name, true)
}

// scan lists the directory (only the model only, if set), plans and runs the
// loads, swaps the loaded versions in and retires the others. With force, failed
// versions are tried again.
func (r *Repository) scan(only string, force bool) error {
	r.scanMu.Lock()
	defer r.scanMu.Unlock()
	r.mu.RLock()
	closed := r.closed
	r.mu.RUnlock()
	if closed {
		return ErrClosed
	}
	disk, err := r.list(only)
	if err != nil {
		return err
	}
	r.mu.Lock()
	jobs := r.plan(disk, force)
	if only == "" {
		r.scanned = true
	}
	r.mu.Unlock()
	for len(jobs) > 0 {
		done := make([]Servable, len(jobs))
		errs := make([]error, len(jobs))
		for i, j := range jobs {
			done[i], errs[i] = r.load(j.path)
		}
		r.mu.Lock()
		for i, j := range jobs {
			r.apply(j, done[i], errs[i])
		}
		jobs = r.plan(disk, false) // when a version failed, the policy may want a lower one
		r.mu.Unlock()
	}
	r.mu.Lock()
	r.prune(disk, only)
	_, known := r.models[only]
	r.mu.Unlock()
	if only != "" && !known {
		return errors.Wrapf(ErrNotFound, "model %q (no directory %s)", only, filepath.Join(r.dir, only))
	}
	return nil
}

// load runs the loader, turning a panic into an error.
func (r *Repository) load(path string) (s Servable, err error) {
	defer func() {
		if v := recover(); v != nil {
			s, err = nil, errors.Errorf("load %s: panic: %v", filepath.Base(path), v)
		}
	}()
	s, err = r.cfg.loader(path)
	if err == nil && s == nil {
		err = errors.New("the loader returned nothing")
	}
	return s, err
}

// list reads the directory: every model directory (only the model only, if set)
// and its version directories that hold a model file.
func (r *Repository) list(only string) (listing, error) {
	ls := listing{models: map[string]map[int64]diskVersion{}, unreadable: map[string]bool{}}
	entries, err := os.ReadDir(r.dir)
	if err != nil {
		return ls, errors.Wrap(err, "serving: scan the model repository")
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || skipName(name) || (only != "" && name != only) {
			continue
		}
		vs, err := listVersions(filepath.Join(r.dir, name))
		if err != nil {
			r.logf("model %s: %v (left as it is)", name, err)
			ls.unreadable[name] = true
			continue
		}
		ls.models[name] = vs
	}
	return ls, nil
}

// listVersions reads a model directory: its version directories (positive
// integers written without leading zeros) that hold at least one model file.
func listVersions(dir string) (map[int64]diskVersion, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := map[int64]diskVersion{}
	for _, e := range entries {
		n, err := strconv.ParseInt(e.Name(), 10, 64)
		if !e.IsDir() || err != nil || n < 1 || strconv.FormatInt(n, 10) != e.Name() {
			continue
		}
		vdir := filepath.Join(dir, e.Name())
		files, err := os.ReadDir(vdir)
		if err != nil {
			out[n] = diskVersion{err: err}
			continue
		}
		var found []os.FileInfo
		for _, f := range files {
			if skipName(f.Name()) {
				continue
			}
			if st, err := os.Stat(filepath.Join(vdir, f.Name())); err == nil && st.Mode().IsRegular() {
				found = append(found, st)
			}
		}
		switch len(found) {
		case 0: // being written: wait for its file
		case 1:
			st := found[0]
			out[n] = diskVersion{path: filepath.Join(vdir, st.Name()), sig: fileSig{st.Name(), st.Size(), st.ModTime()}}
		default:
			names := make([]string, len(found))
			for i, st := range found {
				names[i] = st.Name()
			}
			out[n] = diskVersion{err: errors.Errorf("%s holds %d model files (%s): one expected", vdir, len(found), strings.Join(names, ", "))}
		}
	}
	return out, nil
}

// plan registers the models found and picks the versions to load: from the
// highest down, those not loaded yet (nor failed with the same file, unless
// force), until the policy has enough versions available or loading. mu held.
func (r *Repository) plan(ls listing, force bool) []job {
	var jobs []job
	for name, dvs := range ls.models {
		m := r.models[name]
		if m == nil {
			m = &model{versions: map[int64]*version{}}
			r.models[name] = m
		}
		kept := 0
		for _, n := range descending(dvs) {
			if r.cfg.policy.full(kept) {
				break
			}
			d, v := dvs[n], m.versions[n]
			switch {
			case v != nil && (v.state == Available || v.state == Loading):
				kept++
				continue
			case v != nil && v.state == Failed && !force && v.sig == d.sig && v.path == d.path:
				continue
			case v == nil:
				v = &version{n: n}
				m.versions[n] = v
			}
			v.path, v.sig = d.path, d.sig
			if d.err != nil {
				v.state, v.err = Failed, d.err
				r.logf("model %s version %d FAILED: %v", name, n, d.err)
				continue
			}
			v.state, v.err = Loading, nil
			jobs = append(jobs, job{name: name, v: v, path: d.path})
			kept++
		}
	}
	return jobs
}

// apply records the outcome of a load: the version is AVAILABLE (and served
// from now on) or FAILED. mu held.
func (r *Repository) apply(j job, s Servable, err error) {
	v := j.v
	if err != nil {
		v.state, v.err = Failed, err
		r.logf("model %s version %d FAILED (the versions available keep serving): %v", j.name, v.n, err)
		return
	}
	l := &live{s: s}
	l.refs.Store(1)
	name, n := j.name, v.n
	l.onClose = func(err error) {
		if err != nil {
			r.logf("model %s version %d: close: %v", name, n, err)
		}
	}
	v.state, v.err, v.live = Available, nil, l
	r.logf("model %s version %d AVAILABLE (%s)", name, n, filepath.Base(j.path))
}

// prune retires the versions the policy no longer keeps (beyond the n highest
// available) or whose directories are gone, forgets failed versions below those
// kept, and removes the models whose directories are gone. mu held.
func (r *Repository) prune(ls listing, only string) {
	for name, m := range r.models {
		if (only != "" && name != only) || ls.unreadable[name] {
			continue
		}
		dvs, ok := ls.models[name]
		if !ok {
			for _, v := range m.versions {
				r.retire(name, v)
			}
			delete(r.models, name)
			r.logf("model %s removed (its directory is gone)", name)
			continue
		}
		kept := 0
		for _, v := range sortedVersions(m) {
			_, onDisk := dvs[v.n]
			switch {
			case !onDisk || (v.state != Loading && r.cfg.policy.full(kept)):
				r.retire(name, v)
				delete(m.versions, v.n)
			case v.state == Available:
				kept++
			}
		}
	}
}

// descending returns the versions of dvs, highest first.
func descending(dvs map[int64]diskVersion) []int64 {
	ns := make([]int64, 0, len(dvs))
	for n := range dvs {
		ns = append(ns, n)
	}
	sort.Slice(ns, func(i, j int) bool { return ns[i] > ns[j] })
	return ns
}
