// Package client is a Go client for the HTTP API of "demo serve -models DIR"
// (a model repository served by package serving; see cmd/demo's doc):
//
//	GET  /v1/models                           Client.Models
//	GET  /v1/models/NAME                      Client.Model
//	GET  /v1/models/NAME/versions/V           Client.Version
//	POST /v1/models/NAME:predict              Client.Predict (version 0)
//	POST /v1/models/NAME/versions/V:predict   Client.Predict (version V)
//	POST /v1/models/NAME:generate             Client.Generate (version 0), server-sent events
//	POST /v1/models/NAME/versions/V:generate  Client.Generate (version V)
//	POST /v1/models/NAME:reload               Client.Reload
//	GET  /readyz                              Client.Ready
//
// A Client is made by New with a base URL such as "http://localhost:8080" and
// options: WithHTTPClient (default http.DefaultClient; give one with a
// tls.Config for a server with a private certificate), WithToken (sent as
// "Authorization: Bearer TOKEN" on every request: an API key of the server's
// -keys file, or its -token for /v1/stats and /metrics) and WithRetries
// (default 3 retries, with an exponential backoff from 100 ms).
//
// Retries: a request is tried again only when the server answers 503 (busy:
// over -max-in-flight, or a version still loading or failed) or 429 (the API
// key is over its rate), waiting as its Retry-After header says when it has
// one, or after a connection error that happened before any byte of the
// request was written (GET requests, which change nothing on the server, are
// retried after any connection error). A request whose body the server could
// have processed is never sent twice, except after a 503 or a 429. Ready does
// not retry a 503: that is its "not ready" answer. The waits end early, with
// the context's error, when the context is done.
//
// Errors: an answer of the server other than 2xx is an *APIError with its
// status and the message of its {"error": ...} body; test for it with
// errors.As. A stream of Generate that breaks its format gives an error that
// wraps ErrMalformedStream.
//
// A Client is safe for concurrent use; a Stream is not.
package client
