package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Keys of the access-control tests.
const (
	aliceKey   = "alice-key-0123456789abcdef"
	opsKey     = "ops-key-0123456789abcdef01"
	limitedKey = "limited-key-0123456789abcd"
)

// writeKeys writes a key file and returns its path.
func writeKeys(t *testing.T, dir, text string) string {
	t.Helper()
	path := filepath.Join(dir, "keys.txt")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// authCall sends method path with the key (none when empty) in the header named
// header and returns the status, the body and the answer's headers.
func authCall(t *testing.T, c *http.Client, base, method, path, header, key, body string) (int, string, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		if header == "" {
			req.Header.Set("Authorization", "Bearer "+key)
		} else {
			req.Header.Set(header, key)
		}
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestServeRepoAccessControl(t *testing.T) {
	dir := t.TempDir()
	saveVersion(t, dir, "sum", "1", trainSum(t, 1))
	saveVersion(t, dir, "cls", "1", testModel(t, false))
	repo := openTestRepo(t, dir)
	keyFile := writeKeys(t, t.TempDir(), "# test keys\n"+
		keyLine("alice", aliceKey, "models=sum")+
		keyLine("ops", opsKey, "models=* admin")+
		keyLine("limited", limitedKey, "models=sum rate=0.5 burst=2"))
	keys, err := loadKeyStore(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	var logBuf strings.Builder
	h := newRepoHandler(repo, handlerConfig{maxBody: 1 << 20, keys: keys, log: log.New(&logBuf, "", 0)})
	srv := httptest.NewServer(h)
	defer srv.Close()
	c := srv.Client()

	cases := []struct {
		name, method, path, header, key string
		want                            int
	}{
		{"probe healthz", "GET", "/healthz", "", "", 200},
		{"probe readyz", "GET", "/readyz", "", "", 200},
		{"no key list", "GET", "/v1/models", "", "", 401},
		{"no key predict", "POST", "/v1/models/sum:predict", "", "", 401},
		{"no key unknown model", "POST", "/v1/models/nope:predict", "", "", 401},
		{"no key unknown route", "GET", "/v2/anything", "", "", 401},
		{"no key metrics", "GET", "/metrics", "", "", 401},
		{"wrong key", "POST", "/v1/models/sum:predict", "", "not-a-key-0123456789", 401},
		{"alice predicts sum", "POST", "/v1/models/sum:predict", "", aliceKey, 200},
		{"alice by X-API-Key", "POST", "/v1/models/sum/versions/1:predict", "X-API-Key", aliceKey, 200},
		{"alice model", "GET", "/v1/models/sum", "", aliceKey, 200},
		{"alice other model", "POST", "/v1/models/cls:predict", "", aliceKey, 403},
		{"alice other model info", "GET", "/v1/models/cls", "", aliceKey, 403},
		{"alice unknown model", "POST", "/v1/models/nope:predict", "", aliceKey, 403},
		{"alice reload", "POST", "/v1/models/sum:reload", "", aliceKey, 403},
		{"alice metrics", "GET", "/metrics", "", aliceKey, 403},
		{"alice stats", "GET", "/v1/stats", "", aliceKey, 403},
		{"alice unknown route", "GET", "/v2/anything", "", aliceKey, 404},
		{"ops predicts cls", "POST", "/v1/models/cls:predict", "", opsKey, 200},
		{"ops reload", "POST", "/v1/models/sum:reload", "", opsKey, 200},
		{"ops metrics", "GET", "/metrics", "", opsKey, 200},
		{"ops stats", "GET", "/v1/stats", "", opsKey, 200},
		{"ops unknown model", "POST", "/v1/models/nope:predict", "", opsKey, 404},
	}
	bodies := map[int]string{}
	for _, tc := range cases {
		body := ""
		if tc.method == "POST" && strings.HasSuffix(tc.path, ":predict") {
			body = onesRow
		}
		code, got, hdr := authCall(t, c, srv.URL, tc.method, tc.path, tc.header, tc.key, body)
		if code != tc.want {
			t.Errorf("%s: %s %s: %d %s; want %d", tc.name, tc.method, tc.path, code, got, tc.want)
			continue
		}
		switch code {
		case 401:
			if hdr.Get("WWW-Authenticate") == "" {
				t.Errorf("%s: 401 without WWW-Authenticate", tc.name)
			}
			fallthrough
		case 403: // one answer whatever the route and whether the model exists
			if first, ok := bodies[code]; ok && first != got {
				t.Errorf("%s: %d answers differ: %q and %q", tc.name, code, first, got)
			}
			bodies[code] = got
			if strings.Contains(got, "cls") || strings.Contains(got, "nope") || strings.Contains(got, "sum") {
				t.Errorf("%s: the answer %q names a model", tc.name, got)
			}
		}
	}
	if !strings.Contains(logBuf.String(), `key "alice": POST /v1/models/cls:predict forbidden`) {
		t.Errorf("the log does not say which key was refused: %q", logBuf.String())
	}

	// The list holds the key's models only.
	_, got, _ := authCall(t, c, srv.URL, "GET", "/v1/models", "", aliceKey, "")
	if !strings.Contains(got, `"name":"sum"`) || strings.Contains(got, `"cls"`) {
		t.Errorf("alice's list: %s", got)
	}
	_, got, _ = authCall(t, c, srv.URL, "GET", "/v1/models", "", opsKey, "")
	if !strings.Contains(got, `"name":"sum"`) || !strings.Contains(got, `"name":"cls"`) {
		t.Errorf("ops' list: %s", got)
	}

	// Rate: a burst of 2, then 429 with Retry-After (0.5/s: 2 s for the next).
	for i := 0; i < 2; i++ {
		if code, got, _ := authCall(t, c, srv.URL, "POST", "/v1/models/sum:predict", "", limitedKey, onesRow); code != 200 {
			t.Fatalf("limited request %d: %d %s", i+1, code, got)
		}
	}
	code, got, hdr := authCall(t, c, srv.URL, "POST", "/v1/models/sum:predict", "", limitedKey, onesRow)
	if code != 429 || hdr.Get("Retry-After") != "2" || !strings.Contains(got, `key \"limited\" is over its rate`) {
		t.Fatalf("over the rate: %d %s, Retry-After %q; want 429, 2", code, got, hdr.Get("Retry-After"))
	}
	code, metrics, _ := authCall(t, c, srv.URL, "GET", "/metrics", "", opsKey, "")
	for _, want := range []string{`kind="rate_limited"`, `kind="forbidden"`, `kind="unauthorized"`} {
		if code != 200 || !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestServeKeysReload(t *testing.T) {
	dir := t.TempDir()
	saveVersion(t, dir, "sum", "1", trainSum(t, 1))
	repo := openTestRepo(t, dir)
	kdir := t.TempDir()
	keyFile := writeKeys(t, kdir, keyLine("alice", aliceKey, "models=sum"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logBuf syncBuffer
	keys, err := startKeys(ctx, "", nil)
	if keys != nil || err != nil {
		t.Fatalf("no key file: %v, %v", keys, err)
	}
	keys, err = loadKeyStore(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	go keys.watch(ctx, 10*time.Millisecond, log.New(&logBuf, "", 0))
	srv := httptest.NewServer(newRepoHandler(repo, handlerConfig{maxBody: 1 << 20, keys: keys}))
	defer srv.Close()
	c := srv.Client()
	status := func(key string) int {
		code, _, _ := authCall(t, c, srv.URL, "POST", "/v1/models/sum:predict", "", key, onesRow)
		return code
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 5s; log %q", what, logBuf.String())
			}
		}
	}
	if status(aliceKey) != 200 || status(opsKey) != 401 {
		t.Fatal("before the change")
	}
	// Revoke alice, add ops.
	writeKeys(t, kdir, keyLine("ops", opsKey, "models=sum"))
	waitFor("alice revoked", func() bool { return status(aliceKey) == 401 && status(opsKey) == 200 })
	// A broken file is logged and the keys before stay.
	writeKeys(t, kdir, "ops sha256:nothex models=sum\n")
	waitFor("the broken file logged", func() bool { return strings.Contains(logBuf.String(), "the keys loaded before stay") })
	if status(opsKey) != 200 || status(aliceKey) != 401 {
		t.Fatal("a broken key file changed the keys")
	}
	if !strings.Contains(logBuf.String(), "keys "+keyFile+" reloaded: 1 keys (ops)") {
		t.Errorf("log %q", logBuf.String())
	}
}

func TestServeAccessFlags(t *testing.T) {
	dir := t.TempDir()
	bad := writeKeys(t, dir, "alice sha256:beef\n")
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"open address", []string{"-model", "m", "-addr", ":8080"}, exitUsage, "-addr :8080 is not a loopback address"},
		{"all interfaces", []string{"-model", "m", "-addr", "0.0.0.0:8080"}, exitUsage, "give -keys FILE, or -allow-unauthenticated"},
		{"cert alone", []string{"-model", "m", "-tls-cert", "c.pem"}, exitUsage, "-tls-cert and -tls-key go together"},
		{"key alone", []string{"-model", "m", "-tls-key", "k.pem"}, exitUsage, "-tls-cert and -tls-key go together"},
		{"keys and token", []string{"-model", "m", "-keys", bad, "-token", strings.Repeat("x", 20)}, exitUsage, "-keys and a token (-token) cannot be used together"},
		{"bad key file", []string{"-model", saveTestModel(t, false), "-addr", "127.0.0.1:0", "-keys", bad}, exitFailure, "keys " + bad + ", line 1"},
		{"missing key file", []string{"-model", saveTestModel(t, false), "-addr", "127.0.0.1:0", "-keys", filepath.Join(dir, "none")}, exitFailure, "no such file"},
		{"missing cert", []string{"-model", saveTestModel(t, false), "-addr", "127.0.0.1:0", "-tls-cert", filepath.Join(dir, "c.pem"), "-tls-key", filepath.Join(dir, "k.pem")}, exitFailure, "c.pem"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut strings.Builder
			if got := serveCmd(context.Background(), c.args, &out, &errOut); got != c.code || !strings.Contains(errOut.String(), c.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", got, errOut.String(), c.code, c.want)
			}
		})
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key as PEM files and
// returns their paths and a pool that trusts the certificate.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "demo serve test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestServeTLSWithKeys runs "demo serve -model" over HTTPS with a key file: the
// single model's name in scopes is its file's base name.
func TestServeTLSWithKeys(t *testing.T) {
	dir := t.TempDir()
	path := saveTestModel(t, false)
	name := modelFileName(path)
	certFile, keyFile, pool := selfSigned(t, dir)
	keys := writeKeys(t, dir, keyLine("alice", aliceKey, "models="+name)+keyLine("bob", opsKey, "models=other"))
	srv := startServe(t, "-model", path, "-addr", "127.0.0.1:0", "-keys", keys, "-tls-cert", certFile, "-tls-key", keyFile)
	base := srv.base
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("serving on %q, not https", base)
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	for _, tc := range []struct {
		method, path, key string
		want              int
	}{
		{"POST", "/v1/predict", aliceKey, 200},
		{"GET", "/v1/model", aliceKey, 200},
		{"POST", "/v1/predict", opsKey, 403},
		{"POST", "/v1/predict", "", 401},
		{"GET", "/healthz", "", 200},
	} {
		body := ""
		if tc.method == "POST" {
			body = `{"rows": [[1, 2, 3, 4]]}`
		}
		if got, b, _ := authCall(t, c, base, tc.method, tc.path, "", tc.key, body); got != tc.want {
			t.Errorf("%s %s with key %q: %d %s; want %d", tc.method, tc.path, tc.key, got, b, tc.want)
		}
	}
	if _, err := http.Get("http://" + strings.TrimPrefix(base, "https://") + "/healthz"); err == nil {
		// Go's TLS server answers plain HTTP with a 400, never with the API.
		resp, _ := http.Get("http://" + strings.TrimPrefix(base, "https://") + "/v1/model")
		if resp != nil && resp.StatusCode == 200 {
			t.Error("plain HTTP reached the API")
		}
	}
	if got, _ := srv.stop(t); got != exitOK {
		t.Fatalf("exit %d, stderr %q", got, srv.stderr.String())
	}
	if log := srv.stderr.String(); !strings.Contains(log, "keys "+keys+": 2 keys (alice, bob)") || !strings.Contains(log, "the model's name in key scopes: "+strconv.Quote(name)) {
		t.Errorf("log %q", log)
	}
}

// TestServeReadyzWithKeys: /readyz is open to probes, so with keys its 503 names
// no model (without keys it says which model has no version).
func TestServeReadyzWithKeys(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "secretmodel", "1"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "secretmodel", "1", "model.safetensors"), []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	repo := openTestRepo(t, dir)
	keys, err := loadKeyStore(writeKeys(t, t.TempDir(), keyLine("alice", aliceKey, "models=*")))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		keys  *keyStore
		named bool
	}{{nil, true}, {keys, false}} {
		srv := httptest.NewServer(newRepoHandler(repo, handlerConfig{maxBody: 1 << 20, keys: tc.keys}))
		code, body, _ := authCall(t, srv.Client(), srv.URL, "GET", "/readyz", "", "", "")
		srv.Close()
		if code != 503 || strings.Contains(body, "secretmodel") != tc.named {
			t.Errorf("keys %v: %d %s; want 503, naming the model: %v", tc.keys != nil, code, body, tc.named)
		}
	}
}
