package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pkg/errors"
)

// Defaults of New.
const (
	// DefaultRetries is how many times a request is tried again (after the
	// first try) when it may be.
	DefaultRetries = 3
	// DefaultBackoff is the wait before the first retry; it doubles for every
	// further one. A 503's or 429's Retry-After replaces it.
	DefaultBackoff = 100 * time.Millisecond
)

// maxErrorBody is the most bytes of an error answer read for its message.
const maxErrorBody = 64 << 10

// APIError is an answer of the server other than 2xx: its HTTP status (400 for
// a malformed request or a value out of range, 404 for an unknown model or
// version, 503 for a busy server or a version not available, ...) and the
// message of its {"error": ...} body (or the body's text, or the status's
// text, when it has none). An "error" event in the stream of Generate is an
// APIError with status 500.
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("demo serve: %d %s: %s", e.Status, http.StatusText(e.Status), e.Message)
}

// Client calls the API of one "demo serve -models DIR" server. Its methods are
// safe for concurrent use.
type Client struct {
	base    string // scheme://host[/prefix], without a trailing slash
	hc      *http.Client
	token   string
	retries int
	backoff time.Duration
}

// Option sets an option of New.
type Option func(*Client) error

// WithHTTPClient makes the client send its requests with hc (default
// http.DefaultClient). Its Timeout, if any, bounds a whole Generate stream too:
// prefer a context's deadline.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("client: WithHTTPClient(nil)")
		}
		c.hc = hc
		return nil
	}
}

// WithToken sends "Authorization: Bearer TOKEN" with every request (default:
// none): an API key of the server's -keys file (which every route but /healthz
// and /readyz then requires), or the server's -token (or $GOKERAS_SERVE_TOKEN),
// which it requires for /v1/stats and /metrics only.
func WithToken(token string) Option {
	return func(c *Client) error {
		if strings.ContainsAny(token, "\r\n") {
			return errors.New("client: WithToken: the token holds a line break")
		}
		c.token = token
		return nil
	}
}

// WithRetries sets how many times a request may be tried again, n (default 3;
// 0: never), and the wait before the first retry, backoff (default 100 ms),
// doubled for every further one. See the package doc for which requests are
// retried.
func WithRetries(n int, backoff time.Duration) Option {
	return func(c *Client) error {
		if n < 0 || backoff < 0 {
			return errors.Errorf("client: WithRetries(%d, %v): want n >= 0 and backoff >= 0", n, backoff)
		}
		c.retries, c.backoff = n, backoff
		return nil
	}
}

// New returns a client of the server at baseURL ("http://host:port", with an
// optional path prefix), with the options' settings.
func New(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, errors.Wrap(err, "client: the base URL")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.Errorf("client: the base URL %q is not http://HOST or https://HOST", baseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.Errorf("client: the base URL %q has a query or a fragment", baseURL)
	}
	c := &Client{
		base:    strings.TrimRight(u.String(), "/"),
		hc:      http.DefaultClient,
		retries: DefaultRetries,
		backoff: DefaultBackoff,
	}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// modelPath is /v1/models/NAME[/versions/V][:action], NAME escaped.
func modelPath(name string, version int, action string) (string, error) {
	if name == "" {
		return "", errors.New("client: empty model name")
	}
	if version < 0 {
		return "", errors.Errorf("client: version %d: want 0 (the latest) or a positive version", version)
	}
	p := "/v1/models/" + url.PathEscape(name)
	if version > 0 {
		p += "/versions/" + strconv.Itoa(version)
	}
	if action != "" {
		p += ":" + action
	}
	return p, nil
}

// call is one request of do.
type call struct {
	method, path string
	body         []byte // JSON; nil: none
	accept       string
	retry503     bool // a 503 may be retried (all but Ready's)
}

// do sends cl, retrying as the package doc says, and returns a 2xx answer (its
// body for the caller to close) or an error: an *APIError for another status.
func (c *Client) do(ctx context.Context, cl call) (*http.Response, error) {
	idempotent := cl.method == http.MethodGet || cl.method == http.MethodHead
	for attempt := 0; ; attempt++ {
		var wrote atomic.Bool
		trace := &httptrace.ClientTrace{WroteHeaders: func() { wrote.Store(true) }}
		var body io.Reader
		if cl.body != nil {
			body = bytes.NewReader(cl.body)
		}
		req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), cl.method, c.base+cl.path, body)
		if err != nil {
			return nil, errors.Wrap(err, "client")
		}
		if cl.body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if cl.accept != "" {
			req.Header.Set("Accept", cl.accept)
		}
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if attempt < c.retries && (idempotent || !wrote.Load()) {
				if err := sleep(ctx, c.backoffFor(attempt)); err != nil {
					return nil, err
				}
				continue
			}
			return nil, errors.Wrapf(err, "client: %s %s", cl.method, cl.path)
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return resp, nil
		}
		busy := resp.StatusCode == http.StatusServiceUnavailable && cl.retry503 || resp.StatusCode == http.StatusTooManyRequests
		if busy && attempt < c.retries {
			wait, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now())
			if !ok {
				wait = c.backoffFor(attempt)
			}
			io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
			resp.Body.Close()
			if err := sleep(ctx, wait); err != nil {
				return nil, err
			}
			continue
		}
		return nil, readAPIError(resp)
	}
}

// backoffFor is the wait before retry attempt+1: backoff × 2^attempt.
func (c *Client) backoffFor(attempt int) time.Duration {
	d := c.backoff
	for i := 0; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	return d
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(h, 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(min(s, int64(24*time.Hour/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// sleep waits d, or until ctx is done (its error then).
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// readAPIError reads and closes the body of an answer other than 2xx.
func readAPIError(resp *http.Response) error {
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var e struct {
		Error *string `json:"error"`
	}
	msg := ""
	if json.Unmarshal(b, &e) == nil && e.Error != nil {
		msg = *e.Error
	} else {
		msg = strings.TrimSpace(string(b))
	}
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	return &APIError{Status: resp.StatusCode, Message: msg}
}

// getJSON sends cl and decodes its JSON answer into v.
func (c *Client) getJSON(ctx context.Context, cl call, v interface{}) error {
	cl.accept = "application/json"
	resp, err := c.do(ctx, cl)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return errors.Wrapf(err, "client: decode the answer of %s %s", cl.method, cl.path)
	}
	return nil
}

// Models returns every model of the repository, with its versions (highest
// first) and their states (GET /v1/models).
func (c *Client) Models(ctx context.Context) ([]ModelStatus, error) {
	var resp struct {
		Policy string        `json:"policy"`
		Models []ModelStatus `json:"models"`
	}
	if err := c.getJSON(ctx, call{method: http.MethodGet, path: "/v1/models", retry503: true}, &resp); err != nil {
		return nil, err
	}
	return resp.Models, nil
}

// Model returns one model (GET /v1/models/NAME); an unknown one is an
// *APIError with status 404.
func (c *Client) Model(ctx context.Context, name string) (*ModelStatus, error) {
	p, err := modelPath(name, 0, "")
	if err != nil {
		return nil, err
	}
	var ms ModelStatus
	if err := c.getJSON(ctx, call{method: http.MethodGet, path: p, retry503: true}, &ms); err != nil {
		return nil, err
	}
	return &ms, nil
}

// Version returns one version of a model (GET /v1/models/NAME/versions/V): its
// state and, when Available, its inputs and outputs; an unknown model or
// version is an *APIError with status 404. version must be positive.
func (c *Client) Version(ctx context.Context, name string, version int) (*VersionStatus, error) {
	if version < 1 {
		return nil, errors.Errorf("client: Version: version %d: want a positive version", version)
	}
	p, err := modelPath(name, version, "")
	if err != nil {
		return nil, err
	}
	var vs VersionStatus
	if err := c.getJSON(ctx, call{method: http.MethodGet, path: p, retry503: true}, &vs); err != nil {
		return nil, err
	}
	return &vs, nil
}

// Reload has the server rescan the model's directory now, trying failed
// versions again (POST /v1/models/NAME:reload), and returns the model as it is
// then.
func (c *Client) Reload(ctx context.Context, name string) (*ModelStatus, error) {
	p, err := modelPath(name, 0, "reload")
	if err != nil {
		return nil, err
	}
	var ms ModelStatus
	if err := c.getJSON(ctx, call{method: http.MethodPost, path: p, retry503: true}, &ms); err != nil {
		return nil, err
	}
	return &ms, nil
}

// Ready reports whether every model of the server has a version AVAILABLE
// (GET /readyz: true for 200, false for 503; another status is an *APIError).
func (c *Client) Ready(ctx context.Context) (bool, error) {
	resp, err := c.do(ctx, call{method: http.MethodGet, path: "/readyz"})
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusServiceUnavailable {
			return false, nil
		}
		return false, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
	return true, nil
}

// Predict runs the model's version (0: the highest AVAILABLE) on req (POST
// /v1/models/NAME:predict or /v1/models/NAME/versions/V:predict).
func (c *Client) Predict(ctx context.Context, name string, version int, req PredictRequest) (*PredictResponse, error) {
	p, err := modelPath(name, version, "predict")
	if err != nil {
		return nil, err
	}
	if err := req.check(); err != nil {
		return nil, err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, errors.Wrap(err, "client: encode the request")
	}
	var resp PredictResponse
	if err := c.getJSON(ctx, call{method: http.MethodPost, path: p, body: body, retry503: true}, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}
