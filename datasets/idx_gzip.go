package datasets

import (
	"bufio"
	"compress/gzip"
	"io"
)

// gzipMembers reads the concatenated members of a gzip stream (as gunzip
// does) from br through zr, which must have multistream mode off. Bytes
// after the last member that do not start another one give a *gzipTrailing
// error rather than a gzip header error.
type gzipMembers struct {
	br *bufio.Reader
	zr *gzip.Reader
}

// Read implements io.Reader.
func (g *gzipMembers) Read(p []byte) (int, error) {
	for {
		n, err := g.zr.Read(p)
		if err != io.EOF || n > 0 {
			if err == io.EOF {
				err = nil // reported by the next call
			}
			return n, err
		}
		next, perr := g.br.Peek(2)
		switch {
		case len(next) == 0 && perr == io.EOF:
			return 0, io.EOF
		case len(next) == 0:
			return 0, perr
		case len(next) == 2 && next[0] == 0x1f && next[1] == 0x8b:
			if err := g.zr.Reset(g.br); err != nil {
				return 0, err
			}
			g.zr.Multistream(false)
		default:
			return 0, &gzipTrailing{rest: g.br}
		}
	}
}

// gzipTrailing reports bytes after the end of a gzip stream that are not
// another gzip member; rest reads them.
type gzipTrailing struct {
	rest io.Reader
}

// Error implements error.
func (e *gzipTrailing) Error() string {
	return "bytes after the end of the gzip stream are not gzip data"
}
