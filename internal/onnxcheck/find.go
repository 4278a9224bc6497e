package onnxcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pkg/errors"
)

// Environment variables read by Find and Require.
const (
	// EnvDir names the folder of run_ort.js, check_onnx.py and node_modules
	// (default: tests/onnx of the enclosing module).
	EnvDir = "GOKERAS_ONNX_DIR"
	// EnvNode names the Node.js executable (default: node on PATH).
	EnvNode = "GOKERAS_NODE"
	// EnvPython names a Python with the onnx package (default: /usr/bin/python3,
	// then python3 on PATH).
	EnvPython = "GOKERAS_PYTHON"
	// EnvRequired set to "1" turns Require's skips into failures.
	EnvRequired = "GOKERAS_ONNX_REQUIRED"
)

// probeTimeout bounds each probe that Find runs (importing onnx, loading ORT).
const probeTimeout = 60 * time.Second

// Tools are the located ONNX tools. Make them with Find or Require.
type Tools struct {
	// Dir is the folder of the scripts and of node_modules.
	Dir string
	// Node and Python are the executables that run the scripts.
	Node, Python string
	// ONNXVersion is the Python onnx package's version ("1.12.0");
	// ORTVersion is onnxruntime-node's ("1.20.1").
	ONNXVersion, ORTVersion string
}

// Find locates the scripts, Node.js with onnxruntime-node and Python with onnx
// (see the package documentation for the places it looks), and checks that each
// loads. Its error says what is missing and how to install it.
func Find() (*Tools, error) {
	dir, err := scriptsDir()
	if err != nil {
		return nil, err
	}
	for _, f := range []string{"run_ort.js", "check_onnx.py"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return nil, errors.Wrapf(err, "onnxcheck: script %s missing (set %s to the folder that holds it)", f, EnvDir)
		}
	}
	t := &Tools{Dir: dir}
	if t.Node, err = executable(EnvNode, "node"); err != nil {
		return nil, errors.Wrap(err, "onnxcheck: Node.js (Debian package nodejs)")
	}
	if t.Python, err = pythonWithONNX(); err != nil {
		return nil, err
	}
	if t.ONNXVersion, err = probe(t.Python, dir, "-c", "import onnx; print(onnx.__version__)"); err != nil {
		return nil, errors.Wrapf(err, "onnxcheck: %s cannot import onnx (install Debian's python3-onnx or set %s)", t.Python, EnvPython)
	}
	pkg := filepath.Join(dir, "node_modules", "onnxruntime-node", "package.json")
	raw, err := os.ReadFile(pkg)
	if err != nil {
		return nil, errors.Wrapf(err, "onnxcheck: onnxruntime-node is not installed in %s (run `npm ci --ignore-scripts` there)", dir)
	}
	var meta struct{ Version string }
	if err := json.Unmarshal(raw, &meta); err != nil {
		return nil, errors.Wrapf(err, "onnxcheck: read %s", pkg)
	}
	t.ORTVersion = meta.Version
	if _, err := probe(t.Node, dir, "-e", "require('onnxruntime-node')"); err != nil {
		return nil, errors.Wrapf(err, "onnxcheck: onnxruntime-node %s in %s does not load in %s", t.ORTVersion, dir, t.Node)
	}
	return t, nil
}

// Require returns Find's tools, or ends the test when a tool is missing: it
// skips with the reason, or fails when GOKERAS_ONNX_REQUIRED=1.
func Require(tb testing.TB) *Tools {
	tb.Helper()
	t, err := Find()
	if err == nil {
		return t
	}
	if os.Getenv(EnvRequired) == "1" {
		tb.Fatalf("%v (%s=1: the ONNX tools are required)", err, EnvRequired)
	}
	tb.Skipf("%v (set %s=1 to fail instead of skipping)", err, EnvRequired)
	return nil
}

// scriptsDir returns $GOKERAS_ONNX_DIR or tests/onnx of the enclosing module.
func scriptsDir() (string, error) {
	if d := os.Getenv(EnvDir); d != "" {
		return filepath.Abs(d)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", errors.Wrap(err, "onnxcheck: working directory")
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "tests", "onnx"), nil
		}
		if filepath.Dir(d) == d {
			return "", errors.Errorf("onnxcheck: no go.mod above %s: set %s", wd, EnvDir)
		}
	}
}

// executable returns $env or name on PATH.
func executable(env, name string) (string, error) {
	if p := os.Getenv(env); p != "" {
		return p, nil
	}
	p, err := exec.LookPath(name)
	return p, errors.Wrapf(err, "%s not found on PATH (or set %s)", name, env)
}

// pythonWithONNX returns $GOKERAS_PYTHON, else the first of /usr/bin/python3 and
// python3 on PATH that imports onnx.
func pythonWithONNX() (string, error) {
	if p := os.Getenv(EnvPython); p != "" {
		return p, nil
	}
	var tried []string
	for _, c := range []string{"/usr/bin/python3", "python3"} {
		p, err := exec.LookPath(c)
		if err != nil {
			continue
		}
		if _, err := probe(p, "", "-c", "import onnx"); err == nil {
			return p, nil
		}
		tried = append(tried, p)
	}
	return "", errors.Errorf("onnxcheck: no Python with the onnx package (tried %s; install Debian's python3-onnx or set %s)",
		strings.Join(tried, ", "), EnvPython)
}

// probe runs exe with args in dir and returns its trimmed standard output; its
// error carries the standard error.
func probe(exe, dir string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	return runCmd(ctx, exe, dir, args...)
}

// runCmd runs exe with args in dir; the error names the command and quotes its
// standard error.
func runCmd(ctx context.Context, exe, dir string, args ...string) (string, error) {
	out, err := runCmdOut(ctx, exe, dir, args...)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(out), nil
}

// runCmdOut is runCmd returning the standard output even when the command
// fails (with the error).
func runCmdOut(ctx context.Context, exe, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Dir = dir
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if ctx.Err() != nil {
			msg = "timed out: " + msg
		}
		if msg == "" {
			msg = err.Error()
		}
		return out.String(), errors.Errorf("%s %s: %s", filepath.Base(exe), filepath.Base(firstArg(args)), msg)
	}
	return out.String(), nil
}

func firstArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}
