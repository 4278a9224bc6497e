package datasets

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// skipWithoutFortunes skips t when Debian's fortune files are missing.
func skipWithoutFortunes(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(FortunesSystemDir); err != nil {
		t.Skipf("%s missing: run `apt-get install -y fortunes`", FortunesSystemDir)
	}
}

// writeFortuneDir writes the files (name -> content) into a new temporary
// folder and returns it.
func writeFortuneDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFortunesDefaultRealData(t *testing.T) {
	skipWithoutFortunes(t)
	set, err := Fortunes()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(set.Classes, FortunesDefaultCategories()) {
		t.Fatalf("classes %v", set.Classes)
	}
	if err := set.Check(); err != nil {
		t.Fatal(err)
	}
	counts := set.Counts()
	t.Logf("default categories %v: %v texts, %d in all", set.Classes, counts, set.Len())
	for k, n := range counts {
		if n < 400 {
			t.Errorf("category %s has %d texts, want at least 400", set.Classes[k], n)
		}
	}
	for i, text := range set.Texts {
		if text == "" || text != strings.TrimSpace(text) || utf8.RuneCountInString(text) > FortunesDefaultMaxChars {
			t.Fatalf("text %d: %q", i, text)
		}
		if strings.Contains("\n"+text+"\n", "\n%\n") {
			t.Fatalf("text %d holds a separator: %q", i, text)
		}
	}
	short, err := Fortunes(FortunesMaxChars(100), FortunesCategories("science", "computers"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(short.Classes, []string{"science", "computers"}) {
		t.Fatalf("classes %v", short.Classes)
	}
	if sc := short.Counts(); sc[0] >= counts[2] || sc[1] >= counts[0] || sc[0] == 0 || sc[1] == 0 {
		t.Fatalf("max 100 chars gives %v texts, default %v", sc, counts)
	}
}

func TestFortuneCategoriesRealData(t *testing.T) {
	skipWithoutFortunes(t)
	cats, err := ListFortuneCategories("")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d categories: %v", len(cats), cats)
	have := make(map[string]bool)
	for _, c := range cats {
		have[c] = true
		if strings.Contains(c, ".") {
			t.Fatalf("category %q has an extension", c)
		}
	}
	// fortunes-min's three files and the defaults (package fortunes).
	for _, c := range append([]string{"fortunes", "literature", "riddles"}, FortunesDefaultCategories()...) {
		if !have[c] {
			t.Errorf("category %q missing from %v", c, cats)
		}
	}
	all, err := Fortunes(FortunesAllCategories(), FortunesMaxChars(1000000))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(all.Classes, cats) || all.Len() < 10000 {
		t.Fatalf("all categories: %d texts, classes %v", all.Len(), all.Classes)
	}
}

func TestFortunesSmallDir(t *testing.T) {
	dir := writeFortuneDir(t, map[string]string{
		"cats":      "Meow.\n%\n  The cat sat.  \n\n%\n%\nA\n%\nline one\n  line two\n",
		"dogs":      "Woof.\r\n%\r\nA very long dog text indeed.\r\n%\r\n",
		"dogs.dat":  "\x00\x00\x00\x02binary index",
		"empty":     "%\n\n%\n",
		"latin1":    "caf\xe9\n%\n",
		"notes.txt": "skipped: has an extension",
		"toolong":   "0123456789\n%\n",
		"zz":        "x",
	})
	if err := os.Symlink(filepath.Join(dir, "cats"), filepath.Join(dir, "cats.u8")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "cats"), filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "off"), 0o755); err != nil {
		t.Fatal(err)
	}
	cats, err := ListFortuneCategories(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"cats", "dogs", "empty", "latin1", "toolong", "zz"}; !reflect.DeepEqual(cats, want) {
		t.Fatalf("categories %v, want %v", cats, want)
	}
	set, err := Fortunes(FortunesDir(dir), FortunesCategories("dogs", "cats"), FortunesMaxChars(20))
	if err != nil {
		t.Fatal(err)
	}
	want := &TextSet{
		Texts:   []string{"Woof.", "Meow.", "The cat sat.", "A", "line one\n  line two"},
		Labels:  []int{0, 1, 1, 1, 1},
		Classes: []string{"dogs", "cats"},
	}
	if !reflect.DeepEqual(set, want) {
		t.Fatalf("got %#v\nwant %#v", set, want)
	}
	cases := []struct {
		name string
		opts []FortunesOption
		err  string
	}{
		{"missing dir", []FortunesOption{FortunesDir(filepath.Join(dir, "nope"))}, "apt-get install fortunes"},
		{"dir is a file", []FortunesOption{FortunesDir(filepath.Join(dir, "cats"))}, "is not a folder"},
		{"empty dir name", []FortunesOption{FortunesDir("")}, "empty folder name"},
		{"no category", []FortunesOption{FortunesDir(dir), FortunesCategories()}, "no category"},
		{"duplicate", []FortunesOption{FortunesDir(dir), FortunesCategories("cats", "cats")}, `category "cats" given twice`},
		{"path", []FortunesOption{FortunesDir(dir), FortunesCategories("../cats")}, "invalid category name"},
		{"unknown", []FortunesOption{FortunesDir(dir), FortunesCategories("birds")}, "no fortune file " + filepath.Join(dir, "birds")},
		{"not utf8", []FortunesOption{FortunesDir(dir), FortunesCategories("latin1")}, "invalid byte 0xe9 at byte offset 3 (line 1)"},
		{"no records", []FortunesOption{FortunesDir(dir), FortunesCategories("empty")}, `category "empty"`},
		{"all too long", []FortunesOption{FortunesDir(dir), FortunesCategories("toolong"), FortunesMaxChars(5)}, "no text of at most 5 characters (1 records)"},
		{"max chars", []FortunesOption{FortunesDir(dir), FortunesMaxChars(0)}, "FortunesMaxChars: 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Fortunes(c.opts...)
			checkErr(t, err, c.err)
		})
	}
	_, err = ListFortuneCategories(filepath.Join(dir, "off"))
	checkErr(t, err, "apt-get install fortunes")
}

func TestParseFortunes(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"%\n%\n", nil},
		{"one", []string{"one"}},
		{"one\n%\ntwo\n%\n", []string{"one", "two"}},
		{"a % b\n%%\n 50%\n%\n", []string{"a % b\n%%\n 50%"}},
		{"x\r\n%\r\ny\r\n", []string{"x", "y"}},
		{"\n\t  lead\n%", []string{"lead"}},
	}
	for _, c := range cases {
		if got := parseFortunes(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseFortunes(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
