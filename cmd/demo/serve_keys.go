package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pkg/errors"
)

// keysPoll is how often "demo serve -keys FILE" reads FILE again: a changed file
// (new keys, revoked keys, other scopes or rates) takes effect within this time.
const keysPoll = 2 * time.Second

// maxKeysFile is the largest key file read, in bytes.
const maxKeysFile = 1 << 20

// maxRate is the largest rate= of a key, in requests per second.
const maxRate = 1e6

// apiKey is one line of a key file: a client's name, the SHA-256 of its key, and
// what the key may do.
type apiKey struct {
	name   string
	sum    [sha256.Size]byte
	all    bool            // models=*: every model
	models map[string]bool // the models it may call (list, predict, generate)
	admin  bool            // reload, and /v1/stats and /metrics
	rate   float64         // requests per second; 0: no limit
	burst  int             // most requests at once over the rate
	bucket *tokenBucket    // nil when rate is 0
}

// mayUse reports whether the key may call model name.
func (k *apiKey) mayUse(name string) bool { return k.all || k.models[name] }

// parseKeys reads a key file: one key per line, blank lines and lines starting
// with '#' skipped:
//
//	NAME sha256:HEX [models=NAME,NAME,...|models=*] [admin] [rate=R] [burst=B]
//
// NAME names the client in logs (letters, digits, '.', '_', '-'); HEX is the
// SHA-256 of the key, 64 hex digits (the key itself is not stored: make one with
// "openssl rand -hex 24" and hash it with "printf %s KEY | sha256sum"). models=
// lists the models the key may call (default none); admin allows
// POST /v1/models/NAME:reload (for its models) and GET /v1/stats and GET /metrics;
// rate= is the most requests per second on average (default 0: no limit) and
// burst= how many may come at once above it (default: rate rounded up, at least
// 1). Errors name the file, the line and the field at fault.
func parseKeys(path string, data []byte) ([]*apiKey, error) {
	var keys []*apiKey
	names := map[string]int{}
	sums := map[[sha256.Size]byte]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxKeysFile)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		k, err := parseKeyLine(text)
		if err != nil {
			return nil, errors.Errorf("keys %s, line %d: %v", path, line, err)
		}
		if first, ok := names[k.name]; ok {
			return nil, errors.Errorf("keys %s, line %d: the name %q is on line %d already", path, line, k.name, first)
		}
		if first, ok := sums[k.sum]; ok {
			return nil, errors.Errorf("keys %s, line %d: the same key hash is on line %d already", path, line, first)
		}
		names[k.name], sums[k.sum] = line, line
		keys = append(keys, k)
	}
	if err := sc.Err(); err != nil {
		return nil, errors.Wrapf(err, "keys %s", path)
	}
	return keys, nil
}

// parseKeyLine parses one non-empty line of a key file (see parseKeys).
func parseKeyLine(text string) (*apiKey, error) {
	f := strings.Fields(text)
	if len(f) < 2 {
		return nil, errors.New(`want "NAME sha256:HEX [models=...] [admin] [rate=R] [burst=B]"`)
	}
	k := &apiKey{name: f[0], models: map[string]bool{}}
	if !validKeyName(k.name) {
		return nil, errors.Errorf("name %q: use letters, digits, '.', '_' and '-'", k.name)
	}
	hexSum, ok := strings.CutPrefix(f[1], "sha256:")
	if !ok {
		return nil, errors.Errorf(`second field %q: want the key's hash as "sha256:HEX" (printf %%s KEY | sha256sum), never the key itself`, clipField(f[1]))
	}
	b, err := hex.DecodeString(hexSum)
	if err != nil || len(b) != sha256.Size {
		return nil, errors.Errorf("second field: %q is not 64 hex digits", clipField(hexSum))
	}
	copy(k.sum[:], b)
	burst := -1
	for _, field := range f[2:] {
		key, val, hasVal := strings.Cut(field, "=")
		switch {
		case key == "admin" && !hasVal:
			k.admin = true
		case key == "models" && hasVal:
			for _, m := range strings.Split(val, ",") {
				switch {
				case m == "*":
					k.all = true
				case m == "" || strings.ContainsAny(m, "/:"):
					return nil, errors.Errorf("models=%s: %q is not a model name", val, m)
				default:
					k.models[m] = true
				}
			}
		case key == "rate" && hasVal:
			r, err := strconv.ParseFloat(val, 64)
			if err != nil || r < 0 || r > maxRate || math.IsNaN(r) {
				return nil, errors.Errorf("rate=%s: want requests per second, 0 (no limit) to %g", val, maxRate)
			}
			k.rate = r
		case key == "burst" && hasVal:
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 || n > maxRate {
				return nil, errors.Errorf("burst=%s: want a whole number of requests, 1 to %g", val, maxRate)
			}
			burst = n
		default:
			return nil, errors.Errorf("unknown field %q (want models=..., admin, rate=R, burst=B)", clipField(field))
		}
	}
	if burst > 0 && k.rate == 0 {
		return nil, errors.New("burst= without rate=: give the rate it is a burst over")
	}
	if k.rate > 0 {
		k.burst = burst
		if k.burst < 1 {
			k.burst = max(1, int(math.Ceil(k.rate)))
		}
	}
	return k, nil
}

// validKeyName reports whether s is a key's name: 1 to 64 letters, digits, '.',
// '_' and '-'.
func validKeyName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// clipField shortens a field quoted in an error to 20 characters: a key pasted by
// mistake where its hash belongs is not copied whole into the log.
func clipField(s string) string {
	if len(s) > 20 {
		return s[:8] + "..."
	}
	return s
}

// keyStore holds the keys of a key file and reads the file again when it changes
// (see watch). It is safe for concurrent use.
type keyStore struct {
	path string
	mu   sync.RWMutex
	keys map[[sha256.Size]byte]*apiKey
	sum  [sha256.Size]byte // of the file's bytes, to see a change
}

// loadKeyStore reads the key file at path (see parseKeys).
func loadKeyStore(path string) (*keyStore, error) {
	s := &keyStore{path: path}
	if _, err := s.reload(); err != nil {
		return nil, err
	}
	return s, nil
}

// readKeysFile reads the key file, refusing one over maxKeysFile bytes.
func readKeysFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.Wrap(err, "keys")
	}
	defer f.Close()
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(f, maxKeysFile+1))
	if err != nil {
		return nil, errors.Wrapf(err, "keys %s", path)
	}
	if n > maxKeysFile {
		return nil, errors.Errorf("keys %s: larger than %d bytes", path, maxKeysFile)
	}
	return buf.Bytes(), nil
}

// reload reads the file again; when its bytes changed it parses them and swaps the
// keys in, keeping the rate-limit state of the keys whose hash and rate stay the
// same. It reports whether the keys changed. On an error the keys loaded before
// stay.
func (s *keyStore) reload() (bool, error) {
	data, err := readKeysFile(s.path)
	if err != nil {
		return false, err
	}
	sum := sha256.Sum256(data)
	s.mu.RLock()
	same := s.keys != nil && sum == s.sum
	s.mu.RUnlock()
	if same {
		return false, nil
	}
	list, err := parseKeys(s.path, data)
	if err != nil {
		return false, err
	}
	keys := make(map[[sha256.Size]byte]*apiKey, len(list))
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range list {
		if old, ok := s.keys[k.sum]; ok && old.rate == k.rate && old.burst == k.burst {
			k.bucket = old.bucket
		} else if k.rate > 0 {
			k.bucket = newTokenBucket(k.rate, k.burst, time.Now())
		}
		keys[k.sum] = k
	}
	s.keys, s.sum = keys, sum
	return true, nil
}

// lookup returns the key whose SHA-256 is that of key, or nil.
func (s *keyStore) lookup(key string) *apiKey {
	sum := sha256.Sum256([]byte(key))
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.keys[sum]
}

// names returns the names of the keys loaded, sorted.
func (s *keyStore) names() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.keys))
	for _, k := range s.keys {
		out = append(out, k.name)
	}
	sort.Strings(out)
	return out
}

// watch reads the key file every interval until ctx ends, logging each change
// (the names of the keys now loaded) and each file that fails to load (the keys
// loaded before stay).
func (s *keyStore) watch(ctx context.Context, interval time.Duration, logger *log.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		changed, err := s.reload()
		switch {
		case err != nil:
			logger.Printf("%v; the keys loaded before stay", err)
		case changed:
			logger.Printf("keys %s reloaded: %s", s.path, describeKeys(s.names()))
		}
	}
}

// describeKeys is the log text of the keys loaded.
func describeKeys(names []string) string {
	if len(names) == 0 {
		return "no keys (every request but /healthz and /readyz gets 401)"
	}
	return fmt.Sprintf("%d keys (%s)", len(names), strings.Join(names, ", "))
}
