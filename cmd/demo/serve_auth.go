package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// keyHeader is the header that carries an API key when "Authorization: Bearer
// KEY" is not used.
const keyHeader = "X-API-Key"

// callerKey is the context key of the apiKey a request was authenticated with.
type callerKey struct{}

// callerOf returns the key r was authenticated with, or nil when the server has
// no key file.
func callerOf(r *http.Request) *apiKey {
	k, _ := r.Context().Value(callerKey{}).(*apiKey)
	return k
}

// routeNeeds is what a route asks of a key: the model it uses ("" for none),
// whether it is an admin route, and whether it is open to every client.
type routeNeeds struct {
	model      string
	admin      bool
	monitoring bool // /v1/stats and /metrics: admin keys, or every key with -stats
	open       bool // /healthz and /readyz: probes carry no key
}

// needsOf classifies a request's path. single is the model's name on a server of
// one model (-model), "" on a model repository.
func needsOf(path, single string) routeNeeds {
	switch path {
	case "/healthz", "/readyz":
		return routeNeeds{open: true}
	case "/v1/stats", "/metrics":
		return routeNeeds{monitoring: true}
	case "/v1/predict", "/v1/model":
		return routeNeeds{model: single}
	}
	rest, ok := strings.CutPrefix(path, "/v1/models/")
	if !ok {
		return routeNeeds{}
	}
	action := ""
	if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		rest, action = rest[:i], rest[i+1:]
	}
	if i := strings.Index(rest, "/versions/"); i >= 0 {
		rest = rest[:i]
	}
	return routeNeeds{model: rest, admin: action == "reload"}
}

// authenticate checks r's API key against the key file (a server without one lets
// every request through): no key or an unknown one gets 401 on every route but
// /healthz and /readyz, whether the route exists or not; a key over its rate 429
// with Retry-After; a key whose scopes do not cover the route 403 (before the
// route looks for the model, so that the answer tells nothing of what exists).
// On success it returns r with the key in its context (see callerOf).
func (s *apiServer) authenticate(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	if s.keys == nil {
		return r, true
	}
	need := needsOf(r.URL.Path, s.single)
	if need.open {
		return r, true
	}
	k := s.keys.lookup(presentedKey(r))
	if k == nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="demo serve"`)
		writeError(w, http.StatusUnauthorized, "missing or unknown API key: send \"Authorization: Bearer KEY\" or \""+keyHeader+": KEY\"")
		return nil, false
	}
	if k.bucket != nil {
		if ok, wait := k.bucket.take(time.Now()); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			setErrorKind(w, "rate_limited")
			writeError(w, http.StatusTooManyRequests, fmt.Sprintf("key %q is over its rate of %g requests per second (burst %d); retry after %v",
				k.name, k.rate, k.burst, wait.Round(time.Millisecond)))
			return nil, false
		}
	}
	var forbidden bool
	switch {
	case need.monitoring:
		forbidden = !k.admin && !s.cfg.stats
	case need.admin:
		forbidden = !k.admin || !k.mayUse(need.model)
	case need.model != "":
		forbidden = !k.mayUse(need.model)
	}
	if forbidden {
		s.logf("key %q: %s %s forbidden by its scopes", k.name, r.Method, r.URL.Path)
		writeError(w, http.StatusForbidden, "this API key may not call this route")
		return nil, false
	}
	return r.WithContext(context.WithValue(r.Context(), callerKey{}, k)), true
}

// presentedKey is the key r carries: "Authorization: Bearer KEY", else the
// X-API-Key header; "" when neither.
func presentedKey(r *http.Request) string {
	const scheme = "bearer "
	if h := r.Header.Get("Authorization"); len(h) > len(scheme) && strings.EqualFold(h[:len(scheme)], scheme) {
		return strings.TrimSpace(h[len(scheme):])
	}
	return strings.TrimSpace(r.Header.Get(keyHeader))
}
