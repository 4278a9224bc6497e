package atomicfile

import (
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pkg/errors"
)

// StaleAfter is how long a temporary file left beside a target must have gone
// without a write before a later Write of that target removes it.
const StaleAfter = time.Minute

// maxLinks bounds how many symbolic links Write follows.
const maxLinks = 40

// syncDir makes a rename in dir durable; tests replace it to see it called.
var syncDir = syncDirectory

// Write calls write with a temporary file beside path, then renames it to path
// and syncs the folder. If write (or syncing, closing, renaming) fails, the
// temporary file is removed, path is untouched, and the error is returned. See
// the package documentation for symbolic links, permissions and the temporary
// files of earlier writes that were killed.
func Write(path string, write func(w io.Writer) error) (err error) {
	target, err := resolve(path)
	if err != nil {
		return err
	}
	perm, keep := os.FileMode(0o666), false
	switch fi, err := os.Stat(target); {
	case err == nil && !fi.Mode().IsRegular():
		return errors.Errorf("write %s: %s is %s, not a regular file", path, target, kind(fi.Mode()))
	case err == nil:
		perm, keep = fi.Mode().Perm(), true
	case !os.IsNotExist(err):
		return errors.Wrapf(err, "write %s", path)
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	removeStale(dir, base, time.Now())
	if target != path { // the link's own leftovers, from before links were followed
		removeStale(filepath.Dir(path), filepath.Base(path), time.Now())
	}
	f, err := createTemp(dir, base)
	if err != nil {
		return errors.Wrapf(err, "create a temporary file beside %s", target)
	}
	tmp := f.Name()
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				f.Close()
			}
			os.Remove(tmp)
		}
	}()
	lockFile(f) // lets a concurrent Write see that this file is in use
	if keep {
		if err = f.Chmod(perm); err != nil {
			return errors.Wrapf(err, "chmod %s", tmp)
		}
	}
	if err = write(f); err != nil {
		return errors.Wrapf(err, "write %s", path)
	}
	if err = f.Sync(); err != nil {
		return errors.Wrapf(err, "sync %s", tmp)
	}
	// The lock goes with Close: mark the file as fresh, so that it cannot look
	// stale between Close and Rename.
	now := time.Now()
	os.Chtimes(tmp, now, now)
	closed = true
	if err = f.Close(); err != nil {
		return errors.Wrapf(err, "close %s", tmp)
	}
	if err = os.Rename(tmp, target); err != nil {
		return errors.Wrapf(err, "rename %s to %s", tmp, target)
	}
	if err := syncDir(dir); err != nil {
		return errors.Wrapf(err, "%s is written, but syncing its folder failed (the new file may not survive a crash)", target)
	}
	return nil
}

// resolve follows path through symbolic links to the file they point to (which
// need not exist). Relative links are read from the folder of the link.
func resolve(path string) (string, error) {
	p := path
	for i := 0; ; i++ {
		fi, err := os.Lstat(p)
		if os.IsNotExist(err) {
			return p, nil
		}
		if err != nil {
			return "", errors.Wrapf(err, "write %s", path)
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			return p, nil
		}
		if i == maxLinks {
			return "", errors.Errorf("write %s: more than %d symbolic links", path, maxLinks)
		}
		link, err := os.Readlink(p)
		if err != nil {
			return "", errors.Wrapf(err, "write %s: read the link %s", path, p)
		}
		if !filepath.IsAbs(link) {
			// Join with the link's folder as the system sees it: a ".." in the
			// link goes above the real folder, not above a linked one.
			dir, err := filepath.EvalSymlinks(filepath.Dir(p))
			if err != nil {
				return "", errors.Wrapf(err, "write %s: the folder of the link %s", path, p)
			}
			link = filepath.Join(dir, link)
		}
		p = link
	}
}

// tempPrefix is the start of the names of base's temporary files.
func tempPrefix(base string) string { return "." + base + ".tmp-" }

// createTemp creates a new temporary file for base in dir, as os.Create would
// (0666 less the umask), under a name no other file has.
func createTemp(dir, base string) (*os.File, error) {
	for try := 0; ; try++ {
		name := filepath.Join(dir, tempPrefix(base)+strconv.FormatUint(uint64(rand.Uint32()), 10))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if os.IsExist(err) && try < 100 {
			continue
		}
		return f, err
	}
}

// removeStale removes the temporary files of base in dir that a killed Write
// left: named ".BASE.tmp-DIGITS", regular, not modified since StaleAfter before
// now, and not locked by a writer. It is best effort: errors are ignored.
func removeStale(dir, base string, now time.Time) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	prefix := tempPrefix(base)
	for _, name := range names {
		digits, ok := strings.CutPrefix(name, prefix)
		if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" {
			continue
		}
		p := filepath.Join(dir, name)
		fi, err := os.Lstat(p)
		if err != nil || !fi.Mode().IsRegular() || now.Sub(fi.ModTime()) < StaleAfter {
			continue
		}
		removeUnlocked(p, fi)
	}
}

// removeUnlocked removes p (of info fi) unless a writer holds its lock.
func removeUnlocked(p string, fi os.FileInfo) {
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		return
	}
	defer f.Close()
	if !tryLock(f) {
		return // a writer is at work
	}
	if now, err := f.Stat(); err != nil || !os.SameFile(fi, now) {
		return
	}
	os.Remove(p)
}

// kind names a file type that is not a regular file.
func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}
