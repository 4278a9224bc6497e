package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// sseServer answers every generate request with body, after checking it.
func sseServer(t *testing.T, body string) (*httptest.Server, *atomic.Value) {
	var req atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var gr map[string]interface{}
		json.NewDecoder(r.Body).Decode(&gr)
		req.Store([2]interface{}{r.URL.Path, gr})
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, &req
}

// readAll reads s to its end: the pieces and the final error.
func readAll(s *Stream) ([]string, error) {
	var pieces []string
	for {
		p, err := s.Next()
		if err != nil {
			return pieces, err
		}
		pieces = append(pieces, p)
	}
}

func TestGenerateStream(t *testing.T) {
	srv, seen := sseServer(t, "data: {\"text\": \" a\"}\n\n: a comment\n\ndata: {\"text\": \" body\\n\"}\n\n"+
		"event: done\ndata: {\"tokens\": 2, \"seconds\": 0.004, \"time_to_first_token\": 0.002, \"finish_reason\": \"length\"}\n\n")
	c := newTestClient(t, srv)
	n, temp := 2, 0.0
	s, err := c.Generate(context.Background(), "gpt", 4, GenerateRequest{Prompt: "Light is", MaxTokens: &n, Temperature: &temp, Stop: []string{"\n\n"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Done() != nil {
		t.Error("Done before the end")
	}
	pieces, err := readAll(s)
	if err != io.EOF {
		t.Fatalf("ended with %v, want io.EOF", err)
	}
	if strings.Join(pieces, "|") != " a| body\n" {
		t.Errorf("pieces %q", pieces)
	}
	want := GenerateDone{Tokens: 2, Seconds: 0.004, TimeToFirstToken: 0.002, FinishReason: "length"}
	if d := s.Done(); d == nil || *d != want {
		t.Errorf("done %+v, want %+v", d, want)
	}
	if _, err := s.Next(); err != io.EOF {
		t.Errorf("Next after the end: %v", err)
	}
	got := seen.Load().([2]interface{})
	if got[0] != "/v1/models/gpt/versions/4:generate" {
		t.Errorf("path %v", got[0])
	}
	body := got[1].(map[string]interface{})
	if body["prompt"] != "Light is" || body["max_tokens"] != 2.0 || body["temperature"] != 0.0 || body["top_k"] != nil {
		t.Errorf("body %v: want the fields set only", body)
	}
}

func TestGenerateMalformed(t *testing.T) {
	for name, body := range map[string]string{
		"not JSON":       "data: {\"text\": \"a\"}\n\ndata: nope\n\n",
		"no text":        "data: {\"txt\": \"a\"}\n\n",
		"bad line":       "data: {\"text\": \"a\"}\n\n<html>\n\n",
		"no done":        "data: {\"text\": \"a\"}\n\n",
		"bad done":       "data: {\"text\": \"a\"}\n\nevent: done\ndata: {\"tokens\": \"two\"}\n\n",
		"truncated done": "data: {\"text\": \"a\"}\n\nevent: done\ndata: {\"tokens\": 1}",
	} {
		srv, _ := sseServer(t, body)
		c := newTestClient(t, srv)
		s, err := c.Generate(context.Background(), "gpt", 0, GenerateRequest{Prompt: "x"})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		_, err = readAll(s)
		if !errors.Is(err, ErrMalformedStream) {
			t.Errorf("%s: got %v, want ErrMalformedStream", name, err)
		}
		if s.Done() != nil {
			t.Errorf("%s: Done %+v", name, s.Done())
		}
		s.Close()
	}

	// Not an event stream at all.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"text": "a"})
	}))
	defer srv.Close()
	if _, err := newTestClient(t, srv).Generate(context.Background(), "gpt", 0, GenerateRequest{Prompt: "x"}); !errors.Is(err, ErrMalformedStream) {
		t.Errorf("JSON answer: got %v, want ErrMalformedStream", err)
	}
}

func TestGenerateErrorEvent(t *testing.T) {
	srv, _ := sseServer(t, "data: {\"text\": \"a\"}\n\nevent: error\ndata: {\"error\": \"the model broke\"}\n\n")
	s, err := newTestClient(t, srv).Generate(context.Background(), "gpt", 0, GenerateRequest{Prompt: "x"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pieces, err := readAll(s)
	var ae *APIError
	if len(pieces) != 1 || !errors.As(err, &ae) || ae.Message != "the model broke" {
		t.Errorf("got %q, %v", pieces, err)
	}
}

func TestGenerateAPIErrors(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "cannot generate text"})
		case 2:
			w.Header().Set("Retry-After", "0")
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "loading"})
		default:
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, "event: done\ndata: {\"tokens\": 0, \"finish_reason\": \"stop\"}\n\n")
		}
	}))
	defer srv.Close()
	c := newTestClient(t, srv)
	_, err := c.Generate(context.Background(), "gpt", 0, GenerateRequest{Prompt: "x"})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest || calls.Load() != 1 {
		t.Fatalf("got %v after %d calls, want an APIError 400 after 1", err, calls.Load())
	}
	s, err := c.Generate(context.Background(), "gpt", 0, GenerateRequest{Prompt: "x"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Next(); err != io.EOF || s.Done().FinishReason != "stop" || calls.Load() != 3 {
		t.Errorf("got %v, done %+v, %d calls", err, s.Done(), calls.Load())
	}
}

func TestGenerateCancelled(t *testing.T) {
	left := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: {\"text\": \"first\"}\n\n")
		w.(http.Flusher).Flush()
		select { // the client's cancel ends the request
		case <-r.Context().Done():
			close(left)
		case <-time.After(10 * time.Second):
		}
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := newTestClient(t, srv).Generate(ctx, "gpt", 0, GenerateRequest{Prompt: "x"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if p, err := s.Next(); p != "first" || err != nil {
		t.Fatalf("first piece: %q, %v", p, err)
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		cancel()
	}()
	start := time.Now()
	if _, err := s.Next(); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Next took %v after the cancel", d)
	}
	select {
	case <-left:
	case <-time.After(5 * time.Second):
		t.Error("the server did not see the client leave")
	}
	if _, err := s.Next(); !errors.Is(err, context.Canceled) {
		t.Errorf("again: got %v", err)
	}
}
