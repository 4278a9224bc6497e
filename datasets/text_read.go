package datasets

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pkg/errors"
)

// OpticksRelPath is the path of Isaac Newton's Opticks (a public-domain
// Project Gutenberg text, about 567 kB of UTF-8) relative to GOROOT. Every
// Go installation ships it, for the compress and index tests of the
// standard library.
const OpticksRelPath = "src/testdata/Isaac.Newton-Opticks.txt"

// gorootTimeout bounds the `go env GOROOT` fallback of Opticks.
const gorootTimeout = 10 * time.Second

// Opticks returns the text of Isaac Newton's Opticks, read from
// $GOROOT/src/testdata/Isaac.Newton-Opticks.txt (see OpticksRelPath) and
// checked as ReadText does. It needs no network: the file ships with every
// Go installation.
//
// GOROOT is looked up in this order, and the first directory holding the
// file wins: runtime.GOROOT() (which may be empty or point at the build
// machine's GOROOT in a copied binary), the output of `go env GOROOT`
// (run with a 10 s timeout when a go command is on the PATH), and the
// GOROOT environment variable. When none holds the file, the error names
// every path tried and says that the file ships with Go.
func Opticks() (string, error) {
	return opticksFrom(gorootCandidates())
}

// opticksFrom reads the Opticks from the first of roots that holds it. Each
// root is a function giving a GOROOT candidate ("" for none), called only
// when the earlier ones failed, so that `go env GOROOT` runs only when
// needed.
func opticksFrom(roots []func() string) (string, error) {
	var tried []string
	seen := make(map[string]bool)
	for _, rootFunc := range roots {
		root := rootFunc()
		if root == "" || seen[root] {
			continue
		}
		seen[root] = true
		path := filepath.Join(root, filepath.FromSlash(OpticksRelPath))
		if _, err := os.Stat(path); err != nil {
			tried = append(tried, path)
			continue
		}
		text, err := ReadText(path)
		if err != nil {
			return "", errors.Wrap(err, "datasets.Opticks")
		}
		return text, nil
	}
	if len(tried) == 0 {
		return "", errors.Errorf("datasets.Opticks: GOROOT not found (runtime.GOROOT() is empty, `go env GOROOT` failed and $GOROOT is unset); "+
			"the file %s ships with every Go installation: install Go or set GOROOT", OpticksRelPath)
	}
	return "", errors.Errorf("datasets.Opticks: Isaac.Newton-Opticks.txt not found, tried %s; "+
		"the file ships with every Go installation (%s under GOROOT): install Go or set GOROOT",
		strings.Join(tried, ", "), OpticksRelPath)
}

// gorootCandidates returns the GOROOT sources in the order Opticks tries
// them; each gives "" when it has nothing.
func gorootCandidates() []func() string {
	return []func() string{
		runtime.GOROOT,
		goEnvGOROOT,
		func() string { return os.Getenv("GOROOT") },
	}
}

// goEnvGOROOT runs `go env GOROOT` with a timeout and returns its trimmed
// output, or "" when there is no go command or it fails.
func goEnvGOROOT() string {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), gorootTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, goCmd, "env", "GOROOT").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// ReadText reads the whole file at path as UTF-8 text. An empty file is an
// error, and so is a file that is not valid UTF-8: the error names the byte
// offset in the file (from 0) and the line (from 1) of the first invalid
// byte. A leading UTF-8 byte order mark is removed (a file holding only one
// is empty); line endings are kept as they are.
func ReadText(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", errors.Wrap(err, "datasets.ReadText")
	}
	if off := firstInvalidUTF8(b); off >= 0 {
		line := 1 + bytes.Count(b[:off], []byte{'\n'})
		return "", errors.Errorf("datasets.ReadText: %s is not valid UTF-8: invalid byte 0x%02x at byte offset %d (line %d)",
			path, b[off], off, line)
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if len(b) == 0 {
		return "", errors.Errorf("datasets.ReadText: %s is empty", path)
	}
	return string(b), nil
}

// firstInvalidUTF8 returns the offset of the first byte of b that does not start
// a valid UTF-8 encoding, or -1 when b is valid UTF-8.
func firstInvalidUTF8(b []byte) int {
	for off := 0; off < len(b); {
		if b[off] < utf8.RuneSelf {
			off++
			continue
		}
		r, size := utf8.DecodeRune(b[off:])
		if r == utf8.RuneError && size <= 1 {
			return off
		}
		off += size
	}
	return -1
}
