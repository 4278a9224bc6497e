package datasets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestOpticksText(t *testing.T) {
	text, err := Opticks()
	if err != nil {
		t.Fatal(err)
	}
	if !utf8.ValidString(text) {
		t.Fatal("Opticks is not valid UTF-8")
	}
	if len(text) < 500000 {
		t.Fatalf("Opticks has %d bytes, want over 500000", len(text))
	}
	if first := text[:strings.IndexByte(text, '\n')]; first != "Produced by Suzanne Lybarger, steve harris, Josephine" {
		t.Fatalf("first line %q", first)
	}
	if !strings.Contains(text, "OPTICKS") {
		t.Fatal("Opticks does not contain its title")
	}
}

func TestOpticksFallbackRoots(t *testing.T) {
	good := goEnvGOROOT()
	if good == "" {
		t.Skip("no go command on the PATH")
	}
	// A wrong runtime.GOROOT() (a binary built elsewhere) and an empty one
	// fall through to the next candidate; a later source is not called
	// once one succeeds.
	bad := t.TempDir()
	for _, roots := range [][]string{{bad, good, ""}, {"", "", good}} {
		text, err := opticksFrom(rootFuncs(roots...))
		if err != nil {
			t.Fatalf("roots %q: %v", roots, err)
		}
		if len(text) < 500000 {
			t.Fatalf("roots %q: %d bytes", roots, len(text))
		}
	}
}

// rootFuncs returns GOROOT sources giving roots.
func rootFuncs(roots ...string) []func() string {
	fs := make([]func() string, len(roots))
	for i, r := range roots {
		fs[i] = func() string { return r }
	}
	return fs
}

func TestOpticksNotFound(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	_, err := opticksFrom(rootFuncs(a, "", b, a))
	checkErr(t, err, "ships with every Go installation")
	for _, dir := range []string{a, b} {
		checkErr(t, err, filepath.Join(dir, "src", "testdata", "Isaac.Newton-Opticks.txt"))
	}
	if strings.Count(err.Error(), a) != 1 {
		t.Fatalf("path %s tried twice: %v", a, err)
	}
	_, err = opticksFrom(rootFuncs("", "", ""))
	checkErr(t, err, "GOROOT not found")
	checkErr(t, err, "ships with every Go installation")
}

func TestReadTextUTF8(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, content, want, err string
	}{
		{"ok", "héllo\nwörld\n", "héllo\nwörld\n", ""},
		{"bom", "\xef\xbb\xbfabc", "abc", ""},
		{"crlf kept", "a\r\nb", "a\r\nb", ""},
		{"empty", "", "", "is empty"},
		{"bom only", "\xef\xbb\xbf", "", "is empty"},
		{"bad first byte", "\xffabc", "", "invalid byte 0xff at byte offset 0 (line 1)"},
		{"bad third line", "ab\ncd\né\xe9x\n", "", "invalid byte 0xe9 at byte offset 8 (line 3)"},
		{"truncated rune at end", "abc\n\xe2\x82", "", "invalid byte 0xe2 at byte offset 4 (line 2)"},
		{"surrogate", "a\xed\xa0\x80", "", "at byte offset 1 (line 1)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".txt")
			if err := os.WriteFile(path, []byte(c.content), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := ReadText(path)
			checkErr(t, err, c.err)
			if c.err != "" {
				checkErr(t, err, path)
				return
			}
			if got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
	_, err := ReadText(filepath.Join(dir, "missing.txt"))
	checkErr(t, err, "missing.txt")
}

func TestOpticksLazyRoots(t *testing.T) {
	good := goEnvGOROOT()
	if good == "" {
		t.Skip("no go command on the PATH")
	}
	called := false
	roots := append(rootFuncs(good), func() string { called = true; return "" })
	if _, err := opticksFrom(roots); err != nil {
		t.Fatal(err)
	}
	if called {
		t.Fatal("a later GOROOT source was called after the first succeeded")
	}
}
