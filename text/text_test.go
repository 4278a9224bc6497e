package text_test

import (
	"encoding/json"
	"errors"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/text"
)

func TestCharsTable(t *testing.T) {
	c, err := text.FitChars("abracadabra", text.CharsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// a:5 b:2 r:2 c:1 d:1 -> a b r c d
	if got := string(c.Vocabulary()); got != "abrcd" || c.VocabSize() != 7 {
		t.Fatalf("vocabulary %q size %d", got, c.VocabSize())
	}
	for _, tc := range []struct {
		in   string
		want []int
	}{
		{"", []int{}}, {"abc", []int{2, 3, 5}}, {"az", []int{2, 1}}, {"日", []int{1}},
	} {
		got, err := c.Encode(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Encode(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	if s, err := c.Decode([]int{2, 1, 3, 0, 0}); err != nil || s != "a\uFFFDb" {
		t.Errorf("Decode = %q, %v", s, err)
	}
	capped, err := text.FitChars("abracadabra", text.CharsOptions{MaxSize: 4})
	if err != nil || string(capped.Vocabulary()) != "ab" {
		t.Errorf("capped: %v %v", capped, err)
	}
}

func TestWordsTable(t *testing.T) {
	texts := []string{"The cat sat.", "The dog, the CAT!", "a dog"}
	w, err := text.FitWords(texts, text.WordsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// the:3 cat:2 dog:2 a:1 sat:1
	if got := w.Vocabulary(); !reflect.DeepEqual(got, []string{"the", "cat", "dog", "a", "sat"}) {
		t.Fatalf("vocabulary %q", got)
	}
	for _, tc := range []struct {
		opts text.WordsOptions
		in   string
		want string
	}{
		{text.WordsOptions{}, "The  cat, SAT on\tthe mat!", "the cat sat [UNK] the [UNK]"},
		{text.WordsOptions{Standardize: text.LowerAndSplitPunctuation}, "the cat, sat!", "the cat , sat !"},
		{text.WordsOptions{Standardize: text.NoStandardize}, "The cat.", "The cat."},
		{text.WordsOptions{Standardize: text.StripPunctuation}, "The cat.", "The cat"},
		{text.WordsOptions{Standardize: text.SplitPunctuation}, "Cat.", "Cat ."},
		{text.WordsOptions{Standardize: text.Lower}, "CAT.", "cat."},
	} {
		tok, err := text.FitWords([]string{tc.in}, tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		ids, err := tok.Encode(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		ref := w
		if tc.opts.Standardize != "" {
			ref = tok
		}
		ids, _ = ref.Encode(tc.in)
		if got, err := ref.Decode(ids); err != nil || got != tc.want {
			t.Errorf("%+v %q -> %q (%v), want %q", tc.opts, tc.in, got, err, tc.want)
		}
	}
	capped, err := text.FitWords(texts, text.WordsOptions{MaxTokens: 4})
	if err != nil || capped.VocabSize() != 4 {
		t.Errorf("capped: %v, %v", capped, err)
	}
	if _, err := text.FitWords(texts, text.WordsOptions{Standardize: "shout"}); err == nil {
		t.Error("unknown standardize accepted")
	}
}

func TestBadInput(t *testing.T) {
	c, _ := text.FitChars("abc", text.CharsOptions{})
	w, _ := text.FitWords([]string{"a b"}, text.WordsOptions{})
	b := trainSmall(t)
	for _, tok := range []text.Tokenizer{c, w, b} {
		_, err := tok.Encode("ab\xe2\x82")
		var u *text.InvalidUTF8Error
		if !errors.As(err, &u) || u.Offset != 2 || !strings.Contains(err.Error(), "offset 2") {
			t.Errorf("%T: invalid UTF-8 gave %v", tok, err)
		}
		if _, err := tok.Decode([]int{2, -1}); err == nil || !strings.Contains(err.Error(), "id -1") {
			t.Errorf("%T: id -1 gave %v", tok, err)
		}
	}
	for _, bad := range []string{``, `{}`, `[]`, `{"class":"Nope"}`, `{"class":"Chars"}`, `{"class":"Chars","vocabulary":["ab"]}`,
		`{"class":"Chars","vocabulary":["a","a"]}`, `{"class":"Chars","vocabulary":[""]}`, `{"class":"Words","vocabulary":["a b"],"standardize":"lower"}`,
		`{"class":"Words","vocabulary":["a"],"standardize":"shout"}`, `{"class":"Words","vocabulary":["a","a"],"standardize":"none"}`,
		`{"class":"Words","vocabulary":[""],"standardize":"none"}`, `{"class":"Chars","vocabulary":[3]}`} {
		if _, err := text.Load([]byte(bad)); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}

// TestSaveLoad: a tokenizer saved as JSON and loaded back encodes identically.
func TestSaveLoad(t *testing.T) {
	s := opticks(t)
	if len(s) > 100000 {
		s = s[:100000]
	}
	lines := strings.Split(s, "\n")
	c, _ := text.FitChars(s, text.CharsOptions{MaxSize: 60})
	w, _ := text.FitWords(lines, text.WordsOptions{MaxTokens: 500})
	b, err := text.TrainBPE(lines, 400, text.BPEOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(3))
	probes := append(lines[:50:50], randomText(rng, 200), "")
	for _, tok := range []text.Tokenizer{c, w, b} {
		data, err := text.Marshal(tok)
		if err != nil {
			t.Fatal(err)
		}
		back, err := text.Load(data)
		if err != nil {
			t.Fatal(err)
		}
		// also through a decoded map, as a model file's layer config holds it
		var m map[string]interface{}
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		back2, err := text.FromConfig(m)
		if err != nil {
			t.Fatal(err)
		}
		if back.VocabSize() != tok.VocabSize() || back2.VocabSize() != tok.VocabSize() {
			t.Fatalf("%T: vocab size %d/%d, want %d", tok, back.VocabSize(), back2.VocabSize(), tok.VocabSize())
		}
		for _, p := range probes {
			want, _ := tok.Encode(p)
			got, _ := back.Encode(p)
			got2, _ := back2.Encode(p)
			if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(got2, want) {
				t.Fatalf("%T: %q encodes to %v after loading, want %v", tok, p, got, want)
			}
		}
	}
}

func TestPad(t *testing.T) {
	rows := [][]int{{2, 3, 4, 5}, {6}, {}}
	flat, mask, err := text.Pad(rows, text.PadOptions{Length: 3, Truncate: "post"})
	if err != nil || !reflect.DeepEqual(flat, []int{2, 3, 4, 6, 0, 0, 0, 0, 0}) ||
		!reflect.DeepEqual(mask, []bool{true, true, true, true, false, false, false, false, false}) {
		t.Errorf("post: %v %v %v", flat, mask, err)
	}
	flat, _, _ = text.Pad(rows, text.PadOptions{Length: 3, Truncate: "pre"})
	if !reflect.DeepEqual(flat[:3], []int{3, 4, 5}) {
		t.Errorf("pre: %v", flat)
	}
	for _, tc := range []struct {
		opts text.PadOptions
		rows [][]int
		want string
	}{
		{text.PadOptions{Length: 3}, rows, "row 0 has 4 ids"},
		{text.PadOptions{Length: 5, RejectEmpty: true}, rows, "row 2 has no ids"},
		{text.PadOptions{Length: 0}, rows, "length 0"},
		{text.PadOptions{Length: 2, Truncate: "middle"}, rows, "truncate"},
		{text.PadOptions{Length: 2}, [][]int{{2, 0}}, "padding id"},
	} {
		if _, _, err := text.Pad(tc.rows, tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.opts, err, tc.want)
		}
	}
}
