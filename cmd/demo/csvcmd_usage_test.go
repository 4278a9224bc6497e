package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// commandFlags returns the flags that "demo COMMAND -h" describes.
func commandFlags(t *testing.T, command string) []string {
	t.Helper()
	code, _, errOut := runDemo(command, "-h")
	if code != exitOK {
		t.Fatalf("demo %s -h: exit %d, stderr %q", command, code, errOut)
	}
	var flags []string
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z][a-z0-9-]*)`).FindAllStringSubmatch(errOut, -1) {
		flags = append(flags, m[1])
	}
	if len(flags) == 0 {
		t.Fatalf("demo %s -h lists no flags:\n%s", command, errOut)
	}
	return flags
}

// synopses returns the lines that start with prefix+"demo ", prefix removed.
func synopses(text, prefix string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix+"demo ") {
			out = append(out, strings.TrimPrefix(l, prefix))
		}
	}
	return out
}

// TestUsageListsEveryFlag keeps "demo help" and the Usage block of doc.go in
// step with the commands: every flag of every command appears in that
// command's line of both, and doc.go shows the same lines as demo help.
func TestUsageListsEveryFlag(t *testing.T) {
	code, help, _ := runDemo("help")
	if code != exitOK {
		t.Fatalf("demo help: exit %d", code)
	}
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	helpLines, docLines := synopses(help, "  "), synopses(string(src), "//\t")
	if strings.Join(helpLines, "\n") != strings.Join(docLines[1:], "\n") || docLines[0] != "demo [-debug] COMMAND [flags]" {
		t.Errorf("doc.go's Usage block:\n%s\nis not demo help's:\n%s", strings.Join(docLines, "\n"), strings.Join(helpLines, "\n"))
	}
	if !strings.HasPrefix(help, "usage: demo [-debug] COMMAND [flags]\n") {
		t.Errorf("demo help does not start with the -debug synopsis:\n%s", help)
	}
	for _, command := range []string{"run", "csv", "predict", "serve"} {
		var line string
		for _, l := range helpLines {
			if strings.HasPrefix(l, "demo "+command+" ") {
				line = l + " "
			}
		}
		if line == "" {
			t.Errorf("demo help has no line for %s:\n%s", command, help)
			continue
		}
		for _, f := range commandFlags(t, command) {
			if !strings.Contains(line, "-"+f+" ") && !strings.Contains(line, "-"+f+"]") {
				t.Errorf("demo help's line %q lacks -%s", line, f)
			}
		}
	}
	for _, command := range []string{"list", "help"} {
		if !strings.Contains(help, "  demo "+command+"\n") {
			t.Errorf("demo help lacks %q", command)
		}
	}
}
