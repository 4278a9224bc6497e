package interop

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWeightsFormat(t *testing.T) {
	cases := []struct {
		name    string
		content string
		want    string // format, or a part of the error
	}{
		{"zip", "PK\x03\x04rest", "torch"},
		{"safetensors", "\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":1}", "safetensors"},
		{"legacy pickle", "\x80\x02\x8a\x0a", "without the zip container"},
		{"text", "hello world", "neither a torch.save zip"},
		{"empty", "", "neither a torch.save zip"},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_"))
			if err := os.WriteFile(p, []byte(c.content), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := weightsFormat(p)
			if err != nil {
				got = err.Error()
			}
			if !strings.Contains(got, c.want) {
				t.Fatalf("weightsFormat = %q, want %q", got, c.want)
			}
		})
	}
	if _, err := weightsFormat(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("no error for a missing file")
	}
}
