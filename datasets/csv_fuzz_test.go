package datasets

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// csvFuzzOptions returns the option sets each fuzz input is read with.
func csvFuzzOptions() [][]CSVOption {
	return [][]CSVOption{
		nil,
		{CSVFillMissing()},
		{CSVHeader(false), CSVTargetIndex(0), CSVFillMissing()},
		{CSVHeader(false), CSVNoTarget(), CSVOneHot("col0"), CSVFillMissing()},
		{CSVComma(';'), CSVHeader(true), CSVFillMissing()},
	}
}

// FuzzReadCSV reads arbitrary bytes with several option sets: the reader
// must return either an error naming the input or consistent data (see
// csvCheckShapes), and reading the same bytes again with the vocabulary it
// built (through JSON when the input is valid UTF-8) must give the same
// data.
func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"a,b,y\n1,2,3\n4,5,6\n",
		"1,2\n3,4\n",
		"color,size,label\nred,1.5,yes\nblue,,no\nred,NA,yes\n",
		"x;y\n1;a\n2;b\n",
		"a,b\n\"1\",\"multi\nline\"\n2,\"x,y\"\n",
		"a,b\n1,2\n3\n",
		"\ufeffa,b\r\n 1 , ? \r\n2,3\r\n",
		"a,a\n1,2\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for i, opts := range csvFuzzOptions() {
			d, err := ReadCSVFrom(bytes.NewReader(data), "fuzz.csv", opts...)
			if err != nil {
				if d != nil {
					t.Fatalf("options %d: data with error %v", i, err)
				}
				if !strings.Contains(err.Error(), "fuzz.csv") {
					t.Fatalf("options %d: error does not name the input: %v", i, err)
				}
				continue
			}
			csvCheckShapes(t, d)
			v := d.Vocabulary
			if utf8.Valid(data) {
				buf, err := json.Marshal(v)
				if err != nil {
					t.Fatalf("options %d: vocabulary to JSON: %v", i, err)
				}
				v = new(Vocabulary)
				if err := json.Unmarshal(buf, v); err != nil {
					t.Fatalf("options %d: vocabulary from JSON %s: %v", i, buf, err)
				}
			}
			again, err := ReadCSVFrom(bytes.NewReader(data), "fuzz.csv", append(opts[:len(opts):len(opts)], CSVVocabulary(v))...)
			if err != nil {
				t.Fatalf("options %d: reading again with its vocabulary: %v", i, err)
			}
			if !reflect.DeepEqual(again.FeatureNames, d.FeatureNames) || !equalFloats(again.X.Float64s(), d.X.Float64s()) ||
				(d.Y != nil && !equalFloats(again.Y.Float64s(), d.Y.Float64s())) {
				t.Fatalf("options %d: reading again with its vocabulary gives other data", i)
			}
		}
	})
}
