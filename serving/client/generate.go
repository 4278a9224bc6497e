package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"

	"github.com/pkg/errors"
)

// ErrMalformedStream is wrapped by the errors of a Generate stream that breaks
// the format of server-sent events or of their data.
var ErrMalformedStream = errors.New("malformed event stream")

// maxEventBytes bounds one line of the stream.
const maxEventBytes = 1 << 20

// GenerateRequest is the body of a generation. Only Prompt is required; a nil
// field takes the server's default (MaxTokens 64, at most its -max-tokens;
// Temperature 0.8, 0 greedy; TopK 40; Seed 1); TopP 0 is off; a Stop string ends
// the text where it appears (it is not sent).
type GenerateRequest struct {
	Prompt      string   `json:"prompt"`
	MaxTokens   *int     `json:"max_tokens,omitempty"`
	Temperature *float64 `json:"temperature,omitempty"`
	TopK        *int     `json:"top_k,omitempty"`
	TopP        float64  `json:"top_p,omitempty"`
	Seed        *int64   `json:"seed,omitempty"`
	Stop        []string `json:"stop,omitempty"`
}

// GenerateDone is the final "done" event of a generation: the tokens drawn,
// the seconds taken, the seconds to the first token, and why it ended
// ("length": MaxTokens drawn; "stop": a stop string met).
type GenerateDone struct {
	Tokens           int     `json:"tokens"`
	Seconds          float64 `json:"seconds"`
	TimeToFirstToken float64 `json:"time_to_first_token"`
	FinishReason     string  `json:"finish_reason"`
}

// Generate continues req.Prompt with the model's version (0: the highest
// AVAILABLE) (POST /v1/models/NAME:generate or
// /v1/models/NAME/versions/V:generate). The server's errors before the first
// piece (400, 404, 503 once the retries are spent) are *APIErrors; the text
// then comes from the Stream's Next. Cancelling ctx ends the stream (the server
// then stops generating); Close it when done with it.
func (c *Client) Generate(ctx context.Context, name string, version int, req GenerateRequest) (*Stream, error) {
	p, err := modelPath(name, version, "generate")
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, errors.Wrap(err, "client: encode the request")
	}
	resp, err := c.do(ctx, call{method: http.MethodPost, path: p, body: body, accept: "text/event-stream", retry503: true})
	if err != nil {
		return nil, err
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/event-stream" {
		resp.Body.Close()
		return nil, errors.Wrapf(ErrMalformedStream, "client: %s answered Content-Type %q, not text/event-stream", p, resp.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 4096), maxEventBytes)
	return &Stream{ctx: ctx, body: resp.Body, sc: sc}, nil
}

// Stream is the text of a generation as it comes. It is not safe for
// concurrent use, but Close may be called from another goroutine.
type Stream struct {
	ctx  context.Context
	body io.ReadCloser
	sc   *bufio.Scanner
	done *GenerateDone
	err  error // sticky: io.EOF after done, or the error met

	closeOnce sync.Once
}

// Next returns the next piece of text. After the "done" event it returns
// io.EOF (Done then has the event); on an error it returns the error, and the
// same for every later call: ctx's error when it was cancelled, an *APIError
// (status 500) for the server's "error" event, an error wrapping
// ErrMalformedStream for a malformed event or a stream that ends without
// "done".
func (s *Stream) Next() (string, error) {
	if s.err != nil {
		return "", s.err
	}
	piece, err := s.next()
	if err != nil {
		if err != io.EOF {
			if cerr := s.ctx.Err(); cerr != nil {
				err = cerr
			}
		}
		s.err = err
		s.Close()
	}
	return piece, err
}

func (s *Stream) next() (string, error) {
	for {
		kind, data, err := s.readEvent()
		if err != nil {
			return "", err
		}
		switch kind {
		case "", "message":
			var p struct {
				Text *string `json:"text"`
			}
			if err := json.Unmarshal(data, &p); err != nil || p.Text == nil {
				return "", errors.Wrapf(ErrMalformedStream, "client: a text event's data %q is not {\"text\": ...}", clip(data))
			}
			return *p.Text, nil
		case "done":
			var d GenerateDone
			if err := json.Unmarshal(data, &d); err != nil {
				return "", errors.Wrapf(ErrMalformedStream, "client: the done event's data %q: %v", clip(data), err)
			}
			s.done = &d
			return "", io.EOF
		case "error":
			var e struct {
				Error string `json:"error"`
			}
			if err := json.Unmarshal(data, &e); err != nil || e.Error == "" {
				e.Error = string(clip(data))
			}
			return "", &APIError{Status: http.StatusInternalServerError, Message: e.Error}
		default:
			// An event of another kind is skipped, as the format asks.
		}
	}
}

// readEvent reads lines up to the next blank one and returns the event's kind
// and data (several data lines joined by "\n"). Comments (":...") and events
// without data are skipped.
func (s *Stream) readEvent() (kind string, data []byte, err error) {
	var buf bytes.Buffer
	hasData := false
	for s.sc.Scan() {
		line := s.sc.Text()
		if line == "" {
			if hasData {
				return kind, buf.Bytes(), nil
			}
			kind = ""
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue
		}
		field, value, found := strings.Cut(line, ":")
		if !found {
			return "", nil, errors.Wrapf(ErrMalformedStream, "client: the line %q is not FIELD: VALUE", clip([]byte(line)))
		}
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "event":
			kind = value
		case "data":
			if hasData {
				buf.WriteByte('\n')
			}
			buf.WriteString(value)
			hasData = true
		case "id", "retry":
		default:
			return "", nil, errors.Wrapf(ErrMalformedStream, "client: unknown field %q in the line %q", field, clip([]byte(line)))
		}
	}
	if err := s.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return "", nil, errors.Wrapf(ErrMalformedStream, "client: a line of the stream is over %d bytes", maxEventBytes)
		}
		return "", nil, errors.Wrap(err, "client: read the stream")
	}
	return "", nil, errors.Wrap(ErrMalformedStream, "client: the stream ended before its done event")
}

// clip is b, cut to 200 bytes for a message.
func clip(b []byte) []byte {
	if len(b) > 200 {
		return append(b[:200:200], "..."...)
	}
	return b
}

// Done returns the "done" event once Next has returned io.EOF, else nil.
func (s *Stream) Done() *GenerateDone { return s.done }

// Close ends the stream (the server stops generating) and frees its
// connection. It may be called more than once.
func (s *Stream) Close() error {
	var err error
	s.closeOnce.Do(func() { err = s.body.Close() })
	return err
}
