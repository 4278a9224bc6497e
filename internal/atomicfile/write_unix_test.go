//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package atomicfile

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWriteModes: a new file gets 0666 less the umask; an existing file keeps its
// mode (it was 0644 whatever the umask and the old mode).
func TestWriteModes(t *testing.T) {
	dir := t.TempDir()
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	path := filepath.Join(dir, "private.bin")
	if err := writeString(path, "x"); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("new file under umask 077: %v, want -rw-------", fi.Mode())
	}
	syscall.Umask(0o022)
	path = filepath.Join(dir, "shared.bin")
	if err := writeString(path, "x"); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("new file under umask 022: %v, want -rw-r--r--", fi.Mode())
	}
	for _, mode := range []os.FileMode{0o600, 0o640, 0o755} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if err := writeString(path, "y"); err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != mode {
			t.Errorf("existing file of mode %v became %v", mode, fi.Mode())
		}
	}
}

// TestWriteKeepsLockedTemporaryFiles: an old temporary file whose writer still
// holds its lock (a slow writer) is not removed.
func TestWriteKeepsLockedTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	busy := filepath.Join(dir, ".m.bin.tmp-42")
	f, err := os.Create(busy)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lockFile(f)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(busy, old, old)
	if err := writeString(filepath.Join(dir, "m.bin"), "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(busy); err != nil {
		t.Errorf("a locked temporary file was removed: %v", err)
	}
	f.Close() // the writer dies: the next Write removes it
	if err := writeString(filepath.Join(dir, "m.bin"), "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(busy); !os.IsNotExist(err) {
		t.Errorf("an abandoned temporary file stayed: %v", err)
	}
}

// TestWriteRefusesPipe: a named pipe is not replaced by a file.
func TestWriteRefusesPipe(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skip(err)
	}
	if err := writeString(p, "x"); err == nil || !strings.Contains(err.Error(), "named pipe") {
		t.Errorf("pipe: %v", err)
	}
}

// TestWriteAfterKill: a writer process killed with SIGKILL in the middle of a
// Write leaves its temporary file; while it was alive its lock kept the file even
// when old, and once it is dead the next Write removes the file.
func TestWriteAfterKill(t *testing.T) {
	if path := os.Getenv("ATOMICFILE_HANG"); path != "" {
		Write(path, func(w io.Writer) error {
			io.WriteString(w, "half of a model")
			os.Stdout.WriteString("writing\n")
			select {} // until killed
		})
		return
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "m.bin")
	cmd := exec.Command(os.Args[0], "-test.run=^TestWriteAfterKill$")
	cmd.Env = append(os.Environ(), "ATOMICFILE_HANG="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "writing\n" {
		t.Fatalf("writer said %q, %v", line, err)
	}
	temps := func() []string {
		m, _ := filepath.Glob(filepath.Join(dir, ".m.bin.tmp-*"))
		return m
	}
	if len(temps()) != 1 {
		t.Fatalf("temporary files: %v", temps())
	}
	age := func() {
		old := time.Now().Add(-time.Hour)
		for _, p := range temps() {
			os.Chtimes(p, old, old)
		}
	}
	age()
	if err := writeString(path, "first"); err != nil {
		t.Fatal(err)
	}
	if len(temps()) != 1 {
		t.Fatalf("the live writer's file was removed: %v", temps())
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	age()
	if err := writeString(path, "second"); err != nil {
		t.Fatal(err)
	}
	if left := temps(); len(left) != 0 {
		t.Errorf("left after the writer was killed: %v", left)
	}
	if b, _ := os.ReadFile(path); string(b) != "second" {
		t.Errorf("target holds %q", b)
	}
}
