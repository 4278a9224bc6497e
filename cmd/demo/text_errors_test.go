package main

import (
	"strings"
	"testing"
)

// TestTextCmdErrors: bad flags are usage errors (exit 2); bad files are errors
// (exit 1) naming the row and line of an invalid or empty text, the missing
// column, or the lone class.
func TestTextCmdErrors(t *testing.T) {
	good := "review,topic\n\"Goal, team!\",sport\nsoup and bread,food\nkernel bug,tech\n"
	tests := []struct {
		name string
		csv  string // the -file contents ("" for textCSV)
		args []string
		code int
		want string
	}{
		{"no file", "-", []string{"-text", "review", "-target", "topic"}, exitUsage, "usage: demo text"},
		{"no text column flag", good, []string{"-target", "topic"}, exitUsage, "usage: demo text"},
		{"same columns", good, []string{"-text", "review", "-target", "review"}, exitUsage, "both name column"},
		{"unknown model", good, []string{"-text", "review", "-target", "topic", "-model", "gru"}, exitUsage, `-model "gru"`},
		{"negative patience", good, []string{"-text", "review", "-target", "topic", "-patience", "-1"}, exitUsage, "-patience -1"},
		{"missing column", good, []string{"-text", "body", "-target", "topic"}, exitFailure, `no column "body"`},
		{"invalid UTF-8", "review,topic\nfine text,a\n\"two\nlines \xff\",b\n", []string{"-text", "review", "-target", "topic"}, exitFailure,
			"row 2 (line 3), column \"review\": invalid UTF-8: byte 0xff at offset 10"},
		{"empty text", "review,topic\nfine text,a\n,b\n", []string{"-text", "review", "-target", "topic"}, exitFailure,
			"row 2 (line 3), column \"review\": empty text"},
		{"punctuation only", "review,topic\nfine text,a\n\"?!\",b\n", []string{"-text", "review", "-target", "topic"}, exitFailure,
			"row 2 (line 3), column \"review\": text \"?!\" has no word"},
		{"one class", "review,topic\nfine text,a\nother text,a\n", []string{"-text", "review", "-target", "topic"}, exitFailure,
			"holds 1 distinct classes"},
		{"test class unknown", good, []string{"-text", "review", "-target", "topic", "-test", "TESTFILE"}, exitFailure,
			`row 1: class "music" is not a class of the training texts`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"text"}
			if tc.csv != "-" {
				args = append(args, "-file", writeTextFile(t, "in.csv", tc.csv))
			}
			for _, a := range tc.args {
				if a == "TESTFILE" {
					a = writeTextFile(t, "test.csv", "review,topic\nsongs and tunes,music\n")
				}
				args = append(args, a)
			}
			code, _, errOut := runDemo(args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tc.code, tc.want)
			}
		})
	}
}
