package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/generate"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/text"
	"github.com/gokeras/gokeras/zoo"
)

// tinyLM saves a small untrained character GPT with its tokenizer and returns
// the file's path.
func tinyLM(t *testing.T, withTokenizer bool) string {
	t.Helper()
	tok, err := text.FitChars("Light is a body of rays.", text.CharsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := zoo.NewGPT(zoo.GPTConfig{Vocab: tok.VocabSize(), Context: 16, Layers: 1, Heads: 2, Width: 8})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(layers.WithSeed(5)); err != nil {
		t.Fatal(err)
	}
	if withTokenizer {
		if err := generate.AttachTokenizer(m, tok); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "lm.gob")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestGenerateStreamsAndIsSeeded(t *testing.T) {
	path := tinyLM(t, true)
	args := []string{"generate", "-model", path, "-prompt", "Light is", "-tokens", "40", "-seed", "3"}
	code, out, errOut := runDemo(args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, "Light is") || len([]rune(out)) != len("Light is")+40+1 {
		t.Errorf("output %q: want the prompt, 40 characters and a newline", out)
	}
	if !strings.Contains(errOut, "40 tokens in") {
		t.Errorf("stderr %q does not report the speed", errOut)
	}
	// The same seed gives the same text, as JSON too.
	code, js, errOut := runDemo(append(args, "-json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res generateResult
	if err := json.Unmarshal([]byte(js), &res); err != nil {
		t.Fatalf("%v in %q", err, js)
	}
	if res.Prompt+res.Text+"\n" != out || res.Tokens != 40 || res.TokensPerSecond <= 0 {
		t.Errorf("JSON %+v does not match the streamed %q", res, out)
	}
	code, other, _ := runDemo("generate", "-model", path, "-prompt", "Light is", "-tokens", "40", "-seed", "4")
	if code != 0 || other == out {
		t.Errorf("seed 4 gave exit %d and the same text as seed 3: %q", code, other)
	}
}

func TestGenerateErrors(t *testing.T) {
	path := tinyLM(t, true)
	bare := tinyLM(t, false)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no model", []string{"-prompt", "a"}, exitUsage, "-model is required"},
		{"no prompt", []string{"-model", path}, exitUsage, "-prompt is required"},
		{"negative tokens", []string{"-model", path, "-prompt", "a", "-tokens", "-1"}, exitUsage, "-tokens -1"},
		{"missing file", []string{"-model", filepath.Join(t.TempDir(), "none.gob"), "-prompt", "a"}, exitFailure, "none.gob"},
		{"no tokenizer", []string{"-model", bare, "-prompt", "a"}, exitFailure, "has no tokenizer"},
		{"bad top-p", []string{"-model", path, "-prompt", "a", "-top-p", "2"}, exitFailure, "top-p 2"},
		{"invalid UTF-8 prompt", []string{"-model", path, "-prompt", "a\xffb"}, exitFailure, "invalid UTF-8: byte 0xff at offset 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runDemo(append([]string{"generate"}, tc.args...)...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", code, errOut, tc.code, tc.want)
			}
		})
	}
}
