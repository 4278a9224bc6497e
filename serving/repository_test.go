package serving

import (
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pkg/errors"
)

// fake is a Servable that records its Close.
type fake struct {
	path   string
	closed atomic.Bool
}

func (f *fake) Close() error { f.closed.Store(true); return nil }

// fakeLoader loads any file whose content does not start with "bad".
func fakeLoader(path string) (Servable, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(string(b), "bad") {
		return nil, errors.New("corrupt model file")
	}
	return &fake{path: path}, nil
}

// put writes DIR/NAME/V/FILE atomically (temp file + rename).
func put(t *testing.T, dir, name, v, file, content string) {
	t.Helper()
	vdir := filepath.Join(dir, name, v)
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(vdir, file+".tmp")
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(vdir, file)); err != nil {
		t.Fatal(err)
	}
}

func openFake(t *testing.T, dir string, opts ...Option) *Repository {
	t.Helper()
	r, err := Open(dir, append([]Option{WithLoader(fakeLoader), WithPoll(0)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if err := r.Rescan(); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRepositoryLatestFailedAndRetire(t *testing.T) {
	dir := t.TempDir()
	put(t, dir, "a", "1", "m.safetensors", "ok")
	put(t, dir, "b", "1", "m.safetensors", "ok")
	os.MkdirAll(filepath.Join(dir, "b", "2"), 0o755) // being written: no file yet
	os.WriteFile(filepath.Join(dir, "b", "2", "m.safetensors.tmp"), []byte("half"), 0o644)
	os.MkdirAll(filepath.Join(dir, ".hidden", "1"), 0o755)
	r := openFake(t, dir)
	if !r.Ready() {
		t.Fatalf("not ready: %+v", r.Models())
	}
	ms := r.Models()
	if len(ms) != 2 || ms[0].Name != "a" || ms[1].Name != "b" || len(ms[1].Versions) != 1 || ms[1].Versions[0].Version != 1 {
		t.Fatalf("models: %+v", ms)
	}
	h1, err := r.Get("a", 0)
	if err != nil || h1.Version != 1 {
		t.Fatalf("Get a: %v %+v", err, h1)
	}
	put(t, dir, "a", "2", "m.safetensors", "ok")
	if err := r.Rescan(); err != nil {
		t.Fatal(err)
	}
	h2, err := r.Get("a", 0)
	if err != nil || h2.Version != 2 {
		t.Fatalf("after v2: %v %+v", err, h2)
	}
	h2.Release()
	old := h1.Servable.(*fake)
	if old.closed.Load() {
		t.Fatal("version 1 closed while a Handle holds it")
	}
	if _, err := r.Get("a", 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("retired version 1: %v", err)
	}
	h1.Release()
	if !old.closed.Load() {
		t.Fatal("version 1 not closed after its last Handle")
	}
	put(t, dir, "a", "3", "m.safetensors", "bad")
	if err := r.Rescan(); err != nil {
		t.Fatal(err)
	}
	st, _ := r.Model("a")
	if len(st.Versions) != 2 || st.Versions[0].State != Failed || !strings.Contains(st.Versions[0].Error, "corrupt") || st.Versions[1].State != Available {
		t.Fatalf("after bad v3: %+v", st)
	}
	if h, err := r.Get("a", 0); err != nil || h.Version != 2 {
		t.Fatalf("latest after bad v3: %v %+v", err, h)
	} else {
		h.Release()
	}
	if _, err := r.Get("a", 3); !errors.Is(err, ErrNotAvailable) {
		t.Fatalf("pinned failed v3: %v", err)
	}
	if _, err := r.Get("nope", 0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown model: %v", err)
	}
	if err := r.Reload("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("reload unknown: %v", err)
	}
	put(t, dir, "a", "3", "m.safetensors", "ok") // fixed in place
	if err := r.Rescan(); err != nil {
		t.Fatal(err)
	}
	if h, err := r.Get("a", 0); err != nil || h.Version != 3 {
		t.Fatalf("after fixed v3: %v %+v", err, h)
	} else {
		h.Release()
	}
}

func TestRepositoryPolicies(t *testing.T) {
	for _, tc := range []struct {
		policy string
		want   int
	}{{"latest", 1}, {"latest:2", 2}, {"all", 3}} {
		dir := t.TempDir()
		for _, v := range []string{"1", "2", "3"} {
			put(t, dir, "m", v, "model.safetensors", "ok")
		}
		p, err := ParseVersionPolicy(tc.policy)
		if err != nil || p.String() != tc.policy {
			t.Fatalf("%s: %v %v", tc.policy, p, err)
		}
		r := openFake(t, dir, WithPolicy(p))
		st, _ := r.Model("m")
		if len(st.Versions) != tc.want || st.Versions[0].Version != 3 {
			t.Errorf("%s: %+v", tc.policy, st)
		}
	}
	for _, bad := range []string{"latest:0", "latest:x", "newest", ""} {
		if _, err := ParseVersionPolicy(bad); err == nil {
			t.Errorf("ParseVersionPolicy(%q): no error", bad)
		}
	}
}

func TestRepositoryTwoFilesAndRemoval(t *testing.T) {
	dir := t.TempDir()
	put(t, dir, "m", "1", "a.safetensors", "ok")
	put(t, dir, "m", "2", "a.safetensors", "ok")
	put(t, dir, "m", "2", "b.safetensors", "ok")
	r := openFake(t, dir)
	st, _ := r.Model("m")
	if len(st.Versions) != 2 || st.Versions[0].State != Failed || !strings.Contains(st.Versions[0].Error, "one expected") {
		t.Fatalf("two files: %+v", st)
	}
	h, err := r.Get("m", 0)
	if err != nil || h.Version != 1 {
		t.Fatalf("Get: %v", err)
	}
	if err := os.RemoveAll(filepath.Join(dir, "m")); err != nil {
		t.Fatal(err)
	}
	if err := r.Rescan(); err != nil {
		t.Fatal(err)
	}
	if len(r.Models()) != 0 || h.Servable.(*fake).closed.Load() {
		t.Fatalf("after removal: %+v", r.Models())
	}
	h.Release()
	h.Release() // twice: no effect
	if !h.Servable.(*fake).closed.Load() {
		t.Fatal("not closed")
	}
	r.Close()
	if _, err := r.Get("m", 0); !errors.Is(err, ErrClosed) {
		t.Fatalf("Get after Close: %v", err)
	}
	if _, err := Open(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("Open of a missing directory: no error")
	}
}
