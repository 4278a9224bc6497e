package main

import (
	"bufio"
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// servedCmd is a "demo serve" started by startServe.
type servedCmd struct {
	base   string // "http://ADDR" or "https://ADDR", from the first line of stdout
	cancel context.CancelFunc
	out    *io.PipeReader
	code   chan int
	stderr *syncBuffer // the log
}

// startServe runs serveCmd with args (which should listen on 127.0.0.1:0) and
// returns once it prints the address it serves on; the test fails without one.
// stop ends it as a signal would.
func startServe(t *testing.T, args ...string) *servedCmd {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	s := &servedCmd{cancel: cancel, out: pr, code: make(chan int, 1), stderr: &syncBuffer{}}
	go func() {
		s.code <- serveCmd(ctx, args, pw, s.stderr)
		pw.Close()
	}()
	t.Cleanup(cancel)
	lines := bufio.NewScanner(pr)
	if !lines.Scan() {
		t.Fatalf("no output; stderr %q", s.stderr.String())
	}
	first := lines.Text()
	i := strings.Index(first, "://")
	j := strings.LastIndex(first[:max(i, 0)], " ")
	if i < 0 || j < 0 {
		t.Fatalf("first line %q has no address", first)
	}
	s.base = first[j+1:]
	return s
}

// stop ends the server's context and returns its exit status and the rest of its
// stdout; the test fails if it does not stop within 15 s.
func (s *servedCmd) stop(t *testing.T) (int, string) {
	t.Helper()
	s.cancel()
	rest, _ := io.ReadAll(s.out)
	select {
	case c := <-s.code:
		return c, string(rest)
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	return 0, ""
}
