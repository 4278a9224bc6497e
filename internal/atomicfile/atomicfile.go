package atomicfile

import (
	"io"
	"os"
	"path/filepath"

	"github.com/pkg/errors"
)

// Write calls write with a temporary file beside path, then renames it to path.
// If write (or syncing, closing, renaming) fails, the temporary file is removed,
// path is untouched, and the error is returned.
func Write(path string, write func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return errors.Wrapf(err, "create a temporary file beside %s", path)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	// CreateTemp makes the file private (0600); a saved model or report is an
	// ordinary file.
	if err = f.Chmod(0o644); err != nil {
		return errors.Wrapf(err, "chmod %s", tmp)
	}
	if err = write(f); err != nil {
		return errors.Wrapf(err, "write %s", path)
	}
	if err = f.Sync(); err != nil {
		return errors.Wrapf(err, "sync %s", tmp)
	}
	if err = f.Close(); err != nil {
		return errors.Wrapf(err, "close %s", tmp)
	}
	if err = os.Rename(tmp, path); err != nil {
		return errors.Wrapf(err, "rename %s to %s", tmp, path)
	}
	return nil
}
