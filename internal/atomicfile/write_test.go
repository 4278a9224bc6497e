package atomicfile

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeString(path, s string) error {
	return Write(path, func(w io.Writer) error { _, err := io.WriteString(w, s); return err })
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// TestWriteRemovesStaleTemporaryFiles: the temporary files that a killed Write of
// the same target left, a minute old, go with the next Write; younger ones, those
// of other targets and other names stay.
func TestWriteRemovesStaleTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.bin")
	old := time.Now().Add(-2 * StaleAfter)
	files := map[string]bool{ // name -> removed by the next Write
		".model.bin.tmp-123":       true,
		".model.bin.tmp-4567890":   true,
		".model.bin.tmp-999":       false, // young: a writer may be at work
		".model.bin.tmp-abc":       false, // not a name Write makes
		".model.bin.tmp-":          false,
		".other.bin.tmp-123":       false, // another target's
		".model.bin.tmp-77.backup": false,
		"model.bin.tmp-123":        false,
	}
	for name, stale := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("half"), 0o644); err != nil {
			t.Fatal(err)
		}
		if stale || name != ".model.bin.tmp-999" {
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := writeString(path, "new"); err != nil {
		t.Fatal(err)
	}
	for name, stale := range files {
		_, err := os.Stat(filepath.Join(dir, name))
		if gone := os.IsNotExist(err); gone != stale {
			t.Errorf("%s: removed %v, want %v", name, gone, stale)
		}
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("target holds %q", b)
	}
}

// TestWriteFollowsSymlinks: saving onto a link replaces the file it points to,
// through relative links, chains of links and links to files not yet made; the
// link stays a link and no temporary file is left beside it.
func TestWriteFollowsSymlinks(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	links := filepath.Join(dir, "links")
	for _, d := range []string{store, links} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	real := filepath.Join(store, "v1.bin")
	if err := os.WriteFile(real, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(links, "current.bin")
	if err := os.Symlink("../store/v1.bin", link); err != nil { // relative
		t.Fatal(err)
	}
	chain := filepath.Join(links, "latest.bin")
	if err := os.Symlink(link, chain); err != nil { // absolute, to a link
		t.Fatal(err)
	}
	for i, p := range []string{link, chain} {
		want := []string{"via link", "via chain"}[i]
		if err := writeString(p, want); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(p); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("%s is no longer a link: %v %v", p, fi.Mode(), err)
		}
		if b, _ := os.ReadFile(real); string(b) != want {
			t.Errorf("the linked file holds %q, want %q", b, want)
		}
	}
	if got := names(t, links); len(got) != 2 {
		t.Errorf("the links' folder holds %v", got)
	}
	if got := names(t, store); len(got) != 1 {
		t.Errorf("the store holds %v", got)
	}
	// A link to a file not made yet makes it.
	dangling := filepath.Join(links, "next.bin")
	if err := os.Symlink("../store/v2.bin", dangling); err != nil {
		t.Fatal(err)
	}
	if err := writeString(dangling, "v2"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(store, "v2.bin")); string(b) != "v2" {
		t.Errorf("v2.bin holds %q", b)
	}
	// A loop of links is an error.
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.Symlink(b, a)
	os.Symlink(a, b)
	if err := writeString(a, "x"); err == nil || !strings.Contains(err.Error(), "symbolic links") {
		t.Errorf("loop of links: %v", err)
	}
}

// TestWriteRefusesNonRegularTarget: a folder (or a link to one) is not replaced.
func TestWriteRefusesNonRegularTarget(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(sub, link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{sub, link} {
		if err := writeString(p, "x"); err == nil || !strings.Contains(err.Error(), "is a folder, not a regular file") {
			t.Errorf("%s: %v", p, err)
		}
	}
	if got := names(t, dir); len(got) != 2 {
		t.Errorf("folder holds %v", got)
	}
}

// TestWriteSyncsTheFolder: after the rename, the target's folder is synced.
func TestWriteSyncsTheFolder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.bin")
	var synced []string
	syncDir = func(d string) error {
		if b, err := os.ReadFile(path); err != nil || string(b) != "content" {
			t.Errorf("folder synced before the rename: %q %v", b, err)
		}
		synced = append(synced, d)
		return syncDirectory(d)
	}
	defer func() { syncDir = syncDirectory }()
	if err := writeString(path, "content"); err != nil {
		t.Fatal(err)
	}
	if len(synced) != 1 || filepath.Clean(synced[0]) != dir {
		t.Errorf("synced %v, want [%s]", synced, dir)
	}
}
