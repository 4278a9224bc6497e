package datasets

import (
	"io"

	"github.com/pkg/errors"
)

// MaxCSVRecordBytes is the most bytes that one record of a CSV input (one row,
// with the line breaks inside its quoted fields) may take by default: 1 MiB.
// ReadCSV and ReadCSVFrom refuse a longer record with an error naming the line
// it starts after, so that an input without line breaks (/dev/zero, a binary
// file, an unclosed quote) fails in bounded memory instead of growing without
// end. CSVMaxRecordBytes changes the bound.
const MaxCSVRecordBytes = 1 << 20

// csvReadAhead is the size of the loader's read buffer: the limit reader may
// hand out that many bytes beyond the current record before it can tell.
const csvReadAhead = 1 << 16

// errCSVRecordTooLong is returned by csvLimitReader once the record being
// read is longer than its limit.
var errCSVRecordTooLong = errors.New("CSV record too long")

// csvLimitReader passes the bytes of r through, counting them, and fails with
// errCSVRecordTooLong when the bytes handed out since the start of the
// current record (set by the loader after every record) exceed limit plus one
// read-ahead buffer: the record in progress is then surely longer than limit.
// It sits under the loader's bufio.Reader, so encoding/csv never buffers much
// more than limit bytes for one record.
type csvLimitReader struct {
	r     io.Reader
	limit int64
	read  int64 // bytes handed out so far
	start int64 // input offset of the current record
}

// Read implements io.Reader.
func (c *csvLimitReader) Read(p []byte) (int, error) {
	if c.read-c.start > c.limit+csvReadAhead {
		return 0, errCSVRecordTooLong
	}
	n, err := c.r.Read(p)
	c.read += int64(n)
	return n, err
}

// CSVMaxRecordBytes sets the most bytes one record (one row, with the line
// breaks inside its quoted fields) may take; it must be positive. Default:
// MaxCSVRecordBytes (1 MiB). The memory ReadCSV needs beyond the data it
// returns is about twice this bound.
func CSVMaxRecordBytes(n int) CSVOption {
	return csvOptionFunc(func(c *csvConfig) {
		if n <= 0 {
			c.fail(errors.Errorf("CSVMaxRecordBytes: %d is not a positive number of bytes", n))
			return
		}
		c.maxRecord = int64(n)
	})
}
