package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestServeRepoFlags(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"both", []string{"-model", "m", "-models", "d"}, "-model and -models cannot be used together"},
		{"bad policy", []string{"-models", "d", "-versions", "newest"}, `unknown version policy "newest"`},
		{"bad latest", []string{"-models", "d", "-versions", "latest:0"}, "N in latest:N must be a positive integer"},
		{"negative poll", []string{"-models", "d", "-poll", "-1s"}, "-poll must be 0 (no polling) or positive"},
		{"poll without models", []string{"-model", "m", "-poll", "1s"}, "-poll applies to -models only"},
		{"versions without models", []string{"-model", "m", "-versions", "all"}, "-versions applies to -models only"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut strings.Builder
			if got := serveCmd(context.Background(), c.args, &out, &errOut); got != exitUsage || !strings.Contains(errOut.String(), c.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", got, errOut.String(), exitUsage, c.want)
			}
		})
	}
	var out, errOut strings.Builder
	if got := serveCmd(context.Background(), []string{"-models", "/nonexistent/dir", "-addr", "127.0.0.1:0"}, &out, &errOut); got != exitFailure {
		t.Fatalf("missing directory: exit %d, stderr %q", got, errOut.String())
	}
}

// TestServeRepoShutdown runs "demo serve -models DIR" and stops it as a signal
// would: it answers from the repository, then shuts down gracefully.
func TestServeRepoShutdown(t *testing.T) {
	dir := t.TempDir()
	saveVersion(t, dir, "cls", "1", testModel(t, false))
	srv := startServe(t, "-models", dir, "-addr", "127.0.0.1:0", "-poll", "100ms", "-versions", "latest:2")
	url := srv.base
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, _, err := tryCall(http.DefaultClient, "GET", url+"/readyz", "")
		if err == nil && c == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("never ready: %d %v; stderr %q", c, err, srv.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	c, a := call(t, http.DefaultClient, "POST", url+"/v1/models/cls:predict", `{"rows": [[5, 3, 4, 1]]}`)
	if c != 200 || a.Name != "cls" || a.Version != 1 {
		t.Fatalf("predict: %d %+v", c, a)
	}
	if c, rest := srv.stop(t); c != exitOK || !strings.Contains(rest, "server stopped") {
		t.Fatalf("exit %d, output %q, stderr %q", c, rest, srv.stderr.String())
	}
	if log := srv.stderr.String(); !strings.Contains(log, "model cls version 1 AVAILABLE") {
		t.Errorf("the log does not say which version loaded: %q", log)
	}
}
