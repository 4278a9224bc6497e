//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package atomicfile

import (
	"os"
	"runtime"
)

// lockFile does nothing where advisory locks are not available: removeStale
// goes by the age of a file alone.
func lockFile(*os.File) {}

func tryLock(*os.File) bool { return true }

// syncDirectory fsyncs a folder where the system allows it (not on Windows,
// whose file systems journal renames themselves).
func syncDirectory(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	d.Sync() // best effort: some systems cannot sync a folder
	return nil
}
