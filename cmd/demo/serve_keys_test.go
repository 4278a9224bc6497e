package main

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

// keyLine is a key file line for the key key.
func keyLine(name, key, scopes string) string {
	sum := sha256.Sum256([]byte(key))
	return name + " sha256:" + hex.EncodeToString(sum[:]) + " " + scopes + "\n"
}

func TestParseKeys(t *testing.T) {
	hash := "sha256:" + strings.Repeat("ab", 32)
	cases := []struct {
		name, file string
		want       string // error text; "" when it must parse
	}{
		{"full", "# comment\n\nalice " + hash + " models=a,b rate=2.5 burst=4 admin\n", ""},
		{"no scopes", "bob " + hash + "\n", ""},
		{"all models", "ops " + hash + " models=*\n", ""},
		{"one field", "alice\n", "line 1: want \"NAME sha256:HEX"},
		{"bad name", "al/ice " + hash + "\n", `name "al/ice"`},
		{"plain key", "alice 0123456789abcdef0123456789abcdef\n", `want the key's hash as "sha256:HEX"`},
		{"short hash", "alice sha256:abcd\n", "is not 64 hex digits"},
		{"bad rate", "\nalice " + hash + " rate=fast\n", "line 2: rate=fast"},
		{"negative rate", "alice " + hash + " rate=-1\n", "rate=-1"},
		{"bad burst", "alice " + hash + " rate=1 burst=0\n", "burst=0"},
		{"burst alone", "alice " + hash + " burst=3\n", "burst= without rate="},
		{"bad model", "alice " + hash + " models=a,,b\n", `"" is not a model name`},
		{"model path", "alice " + hash + " models=a/1\n", `"a/1" is not a model name`},
		{"unknown field", "alice " + hash + " superuser\n", `unknown field "superuser"`},
		{"same name", "alice " + hash + "\nalice sha256:" + strings.Repeat("cd", 32) + "\n", `line 2: the name "alice" is on line 1 already`},
		{"same hash", "alice " + hash + "\nbob " + hash + "\n", "line 2: the same key hash is on line 1 already"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			keys, err := parseKeys("k.txt", []byte(c.file))
			if c.want == "" {
				if err != nil || len(keys) != 1 {
					t.Fatalf("got %d keys, %v", len(keys), err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "keys k.txt, line ") {
				t.Fatalf("error %v; want one naming the file, the line and %q", err, c.want)
			}
		})
	}
	keys, err := parseKeys("k.txt", []byte("alice "+hash+" models=a,b rate=2.5 admin\nbob "+hash[:len(hash)-2]+"cd\n"))
	if err != nil {
		t.Fatal(err)
	}
	a, b := keys[0], keys[1]
	if !a.admin || !a.mayUse("a") || !a.mayUse("b") || a.mayUse("c") || a.rate != 2.5 || a.burst != 3 {
		t.Errorf("alice: %+v", a)
	}
	if b.admin || b.mayUse("a") || b.rate != 0 {
		t.Errorf("bob (no scopes: no model, no admin, no limit): %+v", b)
	}
}

func TestParseKeysHidesAPastedKey(t *testing.T) {
	secret := "0123456789abcdef0123456789abcdef"
	_, err := parseKeys("k.txt", []byte("alice "+secret+"\n"))
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("error %v must not repeat the key", err)
	}
}

func TestTokenBucket(t *testing.T) {
	t0 := time.Unix(1000, 0)
	b := newTokenBucket(2, 3, t0) // 2 per second, 3 at once
	for i := 0; i < 3; i++ {
		if ok, _ := b.take(t0); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := b.take(t0)
	if ok || wait != 500*time.Millisecond {
		t.Fatalf("4th at once: ok %v, wait %v; want refused, 500ms", ok, wait)
	}
	if ok, _ := b.take(t0.Add(499 * time.Millisecond)); ok {
		t.Fatal("a token before it is earned")
	}
	if ok, _ := b.take(t0.Add(500 * time.Millisecond)); !ok {
		t.Fatal("no token after 500ms at 2/s")
	}
	// An hour idle fills the bucket to its burst, not beyond.
	later := t0.Add(time.Hour)
	for i := 0; i < 3; i++ {
		if ok, _ := b.take(later); !ok {
			t.Fatalf("after an hour, request %d refused", i+1)
		}
	}
	if ok, _ := b.take(later); ok {
		t.Fatal("the bucket held more than its burst")
	}
}

func TestLoopbackAddr(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "localhost:80": true, "[::1]:0": true, "127.1.2.3:9": true,
		":8080": false, "0.0.0.0:8080": false, "[::]:80": false, "10.0.0.1:80": false, "example.com:80": false, "nonsense": false,
	} {
		if got := loopbackAddr(addr); got != want {
			t.Errorf("loopbackAddr(%q) = %v, want %v", addr, got, want)
		}
	}
}
