package datasets

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/pkg/errors"
)

// FortunesSystemDir is where Debian's fortunes and fortunes-min packages
// install their fortune files (`apt-get install fortunes`; fortunes-min,
// a dependency of fortunes, holds only the fortunes, literature and
// riddles categories).
const FortunesSystemDir = "/usr/share/games/fortunes"

// FortunesDefaultMaxChars is the default FortunesMaxChars: longer texts are
// dropped.
const FortunesDefaultMaxChars = 400

// FortunesDefaultCategories returns the categories Fortunes keeps by
// default: four topics of Debian's fortunes package that are easy to tell
// apart and hold over 500 texts of at most 400 characters each (as
// packaged in fortunes 1:1.99.1-7.3: computers 869, politics 657,
// science 536, songs-poems 537). The slice is a fresh copy.
func FortunesDefaultCategories() []string {
	return []string{"computers", "politics", "science", "songs-poems"}
}

// FortunesOption configures Fortunes. The options are FortunesCategories,
// FortunesAllCategories, FortunesMaxChars and FortunesDir; without any,
// Fortunes reads FortunesDefaultCategories from FortunesSystemDir and drops
// texts longer than FortunesDefaultMaxChars characters.
type FortunesOption interface{ applyFortunes(*fortunesConfig) }

type fortunesOptionFunc func(*fortunesConfig)

func (f fortunesOptionFunc) applyFortunes(c *fortunesConfig) { f(c) }

// fortunesConfig holds the settings of one Fortunes call. err records the
// first invalid option.
type fortunesConfig struct {
	dir        string
	categories []string
	all        bool
	maxChars   int
	err        error
}

// FortunesCategories keeps the named categories (file names such as
// "science"), in this order: class k is names[k]. No names, an empty name,
// a duplicate or a name holding a path separator is an error reported by
// Fortunes; so is a category with no file in the folder.
func FortunesCategories(names ...string) FortunesOption {
	names = append([]string(nil), names...)
	return fortunesOptionFunc(func(c *fortunesConfig) {
		if len(names) == 0 {
			c.setErr(errors.New("FortunesCategories: no category"))
			return
		}
		seen := make(map[string]bool, len(names))
		for _, n := range names {
			if n == "" || strings.ContainsAny(n, `/\`) || n == "." || n == ".." {
				c.setErr(errors.Errorf("FortunesCategories: invalid category name %q", n))
				return
			}
			if seen[n] {
				c.setErr(errors.Errorf("FortunesCategories: category %q given twice", n))
				return
			}
			seen[n] = true
		}
		c.categories, c.all = names, false
	})
}

// FortunesAllCategories keeps every category of the folder (see
// ListFortuneCategories), in sorted order.
func FortunesAllCategories() FortunesOption {
	return fortunesOptionFunc(func(c *fortunesConfig) { c.categories, c.all = nil, true })
}

// FortunesMaxChars drops the texts longer than n characters (Unicode code
// points, counted after trimming). n must be at least 1; 0 or less is an
// error reported by Fortunes. The default is FortunesDefaultMaxChars.
func FortunesMaxChars(n int) FortunesOption {
	return fortunesOptionFunc(func(c *fortunesConfig) {
		if n < 1 {
			c.setErr(errors.Errorf("FortunesMaxChars: %d is not at least 1", n))
			return
		}
		c.maxChars = n
	})
}

// FortunesDir reads the fortune files from dir instead of
// FortunesSystemDir. An empty dir is an error reported by Fortunes.
func FortunesDir(dir string) FortunesOption {
	return fortunesOptionFunc(func(c *fortunesConfig) {
		if dir == "" {
			c.setErr(errors.New("FortunesDir: empty folder name"))
			return
		}
		c.dir = dir
	})
}

// setErr records err unless an earlier option failed.
func (c *fortunesConfig) setErr(err error) {
	if c.err == nil {
		c.err = err
	}
}

// Fortunes reads short texts from the fortune files of Debian's fortunes
// package as a TextSet for text classification: one text per record, the
// category (the file name) as its class. A fortune file holds records
// separated by lines holding only "%"; each record is trimmed of leading
// and trailing white space, and empty records and records longer than the
// maximum (FortunesMaxChars, default 400 characters) are dropped. Texts
// keep the order of their file, classes the order of the categories.
//
// By default the categories are FortunesDefaultCategories and the folder is
// FortunesSystemDir. When the folder is missing the error says to run
// `apt-get install fortunes`. A category without a file, a file that is
// not valid UTF-8 and a category left without texts are errors naming the
// file.
func Fortunes(opts ...FortunesOption) (*TextSet, error) {
	c := &fortunesConfig{dir: FortunesSystemDir, categories: FortunesDefaultCategories(), maxChars: FortunesDefaultMaxChars}
	for _, o := range opts {
		if o != nil {
			o.applyFortunes(c)
		}
	}
	if c.err != nil {
		return nil, errors.Wrap(c.err, "datasets.Fortunes")
	}
	if err := checkFortunesDir(c.dir); err != nil {
		return nil, errors.Wrap(err, "datasets.Fortunes")
	}
	cats := c.categories
	if c.all {
		all, err := ListFortuneCategories(c.dir)
		if err != nil {
			return nil, errors.Wrap(err, "datasets.Fortunes")
		}
		cats = all
	}
	set := &TextSet{Classes: append([]string(nil), cats...)}
	for k, cat := range cats {
		path := filepath.Join(c.dir, cat)
		recs, err := readFortuneFile(path)
		if err != nil {
			return nil, errors.Wrapf(err, "datasets.Fortunes: category %q", cat)
		}
		kept := 0
		for _, r := range recs {
			if utf8.RuneCountInString(r) > c.maxChars {
				continue
			}
			set.Texts = append(set.Texts, r)
			set.Labels = append(set.Labels, k)
			kept++
		}
		if kept == 0 {
			return nil, errors.Errorf("datasets.Fortunes: category %q (%s) has no text of at most %d characters (%d records)",
				cat, path, c.maxChars, len(recs))
		}
	}
	return set, nil
}

// checkFortunesDir returns an error when dir is not a folder, saying how to
// install the fortune files.
func checkFortunesDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return errors.Errorf("fortune folder %s not found: run `apt-get install fortunes` (Debian, Ubuntu) or pass FortunesDir", dir)
		}
		return errors.Wrapf(err, "fortune folder %s", dir)
	}
	if !st.IsDir() {
		return errors.Errorf("fortune folder %s is not a folder", dir)
	}
	return nil
}

// ListFortuneCategories returns the sorted category names of the fortune folder
// dir ("" means FortunesSystemDir): the names of its regular files without
// an extension. Index files (.dat), the .u8 symbolic links Debian adds
// beside each file, other symbolic links and sub-folders (such as the
// offensive "off" folder of fortunes-off) are skipped. A missing folder is
// an error saying to run `apt-get install fortunes`; so is a folder without
// categories.
func ListFortuneCategories(dir string) ([]string, error) {
	if dir == "" {
		dir = FortunesSystemDir
	}
	if err := checkFortunesDir(dir); err != nil {
		return nil, errors.Wrap(err, "datasets.ListFortuneCategories")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, errors.Wrap(err, "datasets.ListFortuneCategories")
	}
	var cats []string
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || strings.Contains(name, ".") {
			continue
		}
		cats = append(cats, name)
	}
	if len(cats) == 0 {
		return nil, errors.Errorf("datasets.ListFortuneCategories: no fortune file in %s: run `apt-get install fortunes`", dir)
	}
	sort.Strings(cats)
	return cats, nil
}

// readFortuneFile reads the fortune file at path (valid UTF-8) and returns
// its records, trimmed, without the empty ones.
func readFortuneFile(path string) ([]string, error) {
	if _, err := os.Stat(path); os.IsNotExist(err) {
		dir := filepath.Dir(path)
		return nil, errors.Errorf("no fortune file %s (see ListFortuneCategories(%q) for the categories there)", path, dir)
	}
	text, err := ReadText(path)
	if err != nil {
		return nil, err
	}
	return parseFortunes(text), nil
}

// parseFortunes splits the text of a fortune file into records: lines
// holding only "%" (a trailing carriage return allowed) separate them.
// Records are trimmed of white space; empty ones are dropped.
func parseFortunes(text string) []string {
	var recs []string
	var cur strings.Builder
	flush := func() {
		if r := strings.TrimSpace(cur.String()); r != "" {
			recs = append(recs, r)
		}
		cur.Reset()
	}
	for len(text) > 0 {
		line := text
		rest := ""
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, rest = text[:i+1], text[i+1:]
		}
		text = rest
		if strings.TrimRight(line, "\r\n") == "%" {
			flush()
			continue
		}
		cur.WriteString(line)
	}
	flush()
	return recs
}
