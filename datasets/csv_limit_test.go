package datasets

import (
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
)

// repeatReader yields n copies of the byte b, then io.EOF, without holding
// them in memory.
type repeatReader struct {
	b byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), r.n)]
	for i := range p {
		p[i] = r.b
	}
	r.n -= int64(len(p))
	return len(p), nil
}

// readCSVAlloc reads r with ReadCSVFrom and returns the bytes allocated
// meanwhile and the error.
func readCSVAlloc(r io.Reader, opts ...CSVOption) (uint64, error) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := ReadCSVFrom(r, "t.csv", opts...)
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, err
}

// A record longer than MaxCSVRecordBytes is refused before much more than
// the bound is read or buffered, with an error naming where it starts; an
// input of 64 MiB without a line break (as /dev/zero) fails after about 1 MiB.
func TestReadCSVRecordBound(t *testing.T) {
	const big = 64 << 20
	tests := []struct {
		name string
		r    io.Reader
		opts []CSVOption
		want string
	}{
		{"no line break", &repeatReader{b: 'a', n: big}, nil,
			"t.csv: the first record is longer than 1048576 bytes (CSVMaxRecordBytes; is this a CSV file?)"},
		{"zero bytes", &repeatReader{b: 0, n: big}, nil, "the first record is longer than 1048576 bytes"},
		{"after good rows", io.MultiReader(strings.NewReader("a,b\n1,2\n3,4\n"), &repeatReader{b: '5', n: big}), nil,
			"t.csv: the record after line 3 is longer than 1048576 bytes"},
		{"quoted line breaks", io.MultiReader(strings.NewReader("a,b\n1,\""), &repeatReader{b: '\n', n: big}), nil,
			"t.csv: the record after line 1 is longer than 1048576 bytes"},
		{"a little too long", io.MultiReader(strings.NewReader("a,b\n1,"), &repeatReader{b: '7', n: MaxCSVRecordBytes}), nil,
			"t.csv: the record after line 1 is longer than 1048576 bytes"},
		{"own bound", strings.NewReader("a,b\n1,2\n" + strings.Repeat("3", 200) + ",4\n"), []CSVOption{CSVMaxRecordBytes(100)},
			"t.csv: the record after line 2 is longer than 100 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			alloc, err := readCSVAlloc(tc.r, tc.opts...)
			checkErr(t, err, tc.want)
			if alloc > 16<<20 {
				t.Errorf("allocated %d bytes", alloc)
			}
		})
	}
}

// Records up to the bound are read as before, whatever their length.
func TestReadCSVRecordBoundAccepts(t *testing.T) {
	long := strings.Repeat("x", MaxCSVRecordBytes-100) // a category
	d, err := csvFrom("a,b\n" + long + ",1\ny,0\n" + long + ",1\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Y.Float64s(); len(got) != 3 || got[0] != 1 || got[1] != 0 {
		t.Errorf("Y %v", got)
	}
	// Blank lines and a quoted field of many lines below the bound.
	quoted := `"` + strings.Repeat("line\n", 1000) + `"`
	if _, err := csvFrom("a,b\n\n\n" + quoted + ",1\nz,2\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := csvFrom("a,b\n1,2\n", CSVMaxRecordBytes(0)); err == nil || !strings.Contains(err.Error(), "CSVMaxRecordBytes: 0 is not a positive number") {
		t.Errorf("CSVMaxRecordBytes(0): %v", err)
	}
}

// ReadCSV on an endless device fails instead of growing without end.
func TestReadCSVDevZero(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	_, err := ReadCSV("/dev/zero")
	checkErr(t, err, "datasets.ReadCSV: /dev/zero: the first record is longer than 1048576 bytes")
}
