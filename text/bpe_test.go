package text_test

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gokeras/gokeras/text"
)

func opticks(t testing.TB) string {
	b, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "src", "testdata", "Isaac.Newton-Opticks.txt"))
	if err != nil {
		t.Skip("no Opticks text:", err)
	}
	return string(b)
}

// randomText returns n characters drawn from ASCII, Latin, CJK, emoji, combining
// marks and white space runs.
func randomText(rng *rand.Rand, n int) string {
	pools := []string{"abcdefghij XYZ", "0123456789", "éüßñç", "日本語中文字", "😀🚀👍🏽🇫🇷", "\u0301\u0308", " \t\n\r  ", ".,;!?'\"()-", "\u00a0\u3000"}
	var b strings.Builder
	for i := 0; i < n; i++ {
		p := []rune(pools[rng.Intn(len(pools))])
		b.WriteRune(p[rng.Intn(len(p))])
	}
	return b.String()
}

func trainSmall(t testing.TB) *text.BPE {
	corpus := []string{"the quick brown fox jumps over the lazy dog", "the dog sleeps", "  spaces   everywhere  ", "日本語の日本語"}
	b, err := text.TrainBPE(corpus, 300, text.BPEOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBPEOpticks(t *testing.T) {
	s := opticks(t)
	start := time.Now()
	b, err := text.TrainBPE([]string{s}, 1000, text.BPEOptions{})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("trained %d ids on %d bytes in %v", b.VocabSize(), len(s), took)
	if b.VocabSize() != 1000 {
		t.Fatalf("vocab size %d, want 1000", b.VocabSize())
	}
	if took > 20*time.Second {
		t.Errorf("training took %v", took)
	}
	start = time.Now()
	ids, err := b.Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("encoded to %d ids (%.2f bytes per id) in %v", len(ids), float64(len(s))/float64(len(ids)), time.Since(start))
	if len(ids) > len(s)/2 {
		t.Errorf("%d ids for %d bytes: merges do not compress", len(ids), len(s))
	}
	back, err := b.Decode(ids)
	if err != nil || back != s {
		t.Fatalf("round trip of the Opticks differs (err %v)", err)
	}
}

func TestBPETable(t *testing.T) {
	b := trainSmall(t)
	for _, tc := range []struct {
		in   string
		maxN int
	}{
		{"", 0}, {"the", 1}, {" the", 2}, {"the dog", 2}, {"日本語", 1}, {"zzz", 3}, {"\x00\x7f", 2},
	} {
		ids, err := b.Encode(tc.in)
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if len(ids) > tc.maxN {
			t.Errorf("%q: %d ids %v, want at most %d", tc.in, len(ids), ids, tc.maxN)
		}
		for _, id := range ids {
			if id < text.NumReserved || id >= b.VocabSize() {
				t.Errorf("%q: id %d out of range", tc.in, id)
			}
		}
		if back, _ := b.Decode(ids); back != tc.in {
			t.Errorf("%q decodes to %q", tc.in, back)
		}
	}
}

func TestPretokenize(t *testing.T) {
	for in, want := range map[string][]string{
		"Hello world":     {"Hello", " world"},
		"a  b":            {"a", " ", " b"},
		"x42 y, z!":       {"x", "42", " y", ",", " z", "!"},
		"end   ":          {"end", "   "},
		"\ttab":           {"\t", "tab"},
		" lead":           {" lead"},
		"日本 語":            {"日本", " 語"},
		"a\n b":           {"a", "\n", " b"},
		"":                nil,
		"e\u0301t\u00e9 ": {"e\u0301t\u00e9", " "},
	} {
		got := text.Pretokenize(in)
		if strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
			t.Errorf("Pretokenize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBPERandomRoundTrip(t *testing.T) {
	b := trainSmall(t)
	rng := rand.New(rand.NewSource(7))
	for i := 0; i < 300; i++ {
		s := randomText(rng, rng.Intn(60))
		ids, err := b.Encode(s)
		if err != nil {
			t.Fatal(err)
		}
		if back, err := b.Decode(ids); err != nil || back != s {
			t.Fatalf("%q round trips to %q (%v)", s, back, err)
		}
	}
}

func TestBPEErrors(t *testing.T) {
	b := trainSmall(t)
	if _, err := b.Encode("ok\xffno"); err == nil || !strings.Contains(err.Error(), "offset 2") {
		t.Errorf("invalid UTF-8: %v", err)
	}
	if _, err := b.Decode([]int{5, b.VocabSize()}); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("id %d at position 1", b.VocabSize())) {
		t.Errorf("id out of range: %v", err)
	}
	if _, err := text.TrainBPE(nil, 100, text.BPEOptions{}); err == nil {
		t.Error("a vocabulary below 258 was accepted")
	}
	if _, err := text.TrainBPE([]string{"a", "b\xc3"}, 300, text.BPEOptions{}); err == nil || !strings.Contains(err.Error(), "text 1") {
		t.Errorf("invalid corpus: %v", err)
	}
	for _, bad := range []string{`{"class":"BPE"}`, `{"class":"BPE","merges":[[1,2]]}`, `{"class":"BPE","merges":[[2,258]]}`,
		`{"class":"BPE","merges":[[2,3],[2,3]]}`, `{"class":"BPE","merges":[[2]]}`, `{"class":"BPE","merges":"x"}`, `{"class":"BPE","merges":[],"x":1}`} {
		if _, err := text.Load([]byte(bad)); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}

func FuzzBPERoundTrip(f *testing.F) {
	b := trainSmall(f)
	for _, s := range []string{"", "the lazy dog", "  \t\n ", "日本語 😀", "e\u0301", "a\u00a0b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ids, err := b.Encode(s)
		if !utf8.ValidString(s) {
			if err == nil {
				t.Fatalf("invalid UTF-8 %q was encoded", s)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if back, err := b.Decode(ids); err != nil || back != s {
			t.Fatalf("%q round trips to %q (%v)", s, back, err)
		}
	})
}
