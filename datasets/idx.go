package datasets

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/pkg/errors"
)

// IDX data type codes: the third byte of an IDX file's magic number.
const (
	// IDXUbyte is the code of unsigned 8-bit data (MNIST's images and
	// labels), kept as raw bytes in IDX.Bytes.
	IDXUbyte byte = 0x08
	// IDXByte is the code of signed 8-bit data, decoded into IDX.Floats.
	IDXByte byte = 0x09
	// IDXShort is the code of signed big-endian 16-bit data, decoded into
	// IDX.Floats.
	IDXShort byte = 0x0B
	// IDXInt is the code of signed big-endian 32-bit data, decoded into
	// IDX.Floats (exactly: every int32 is a float64).
	IDXInt byte = 0x0C
	// IDXFloat is the code of big-endian IEEE 754 float32 data, decoded into
	// IDX.Floats.
	IDXFloat byte = 0x0D
	// IDXDouble is the code of big-endian IEEE 754 float64 data, decoded into
	// IDX.Floats.
	IDXDouble byte = 0x0E
)

// Limits that ReadIDX and ReadIDXFrom put on an IDX header, so that a corrupt
// header cannot make them allocate absurd amounts of memory.
const (
	// MaxIDXDims is the largest number of dimensions accepted (at least 1 is
	// required).
	MaxIDXDims = 8
	// MaxIDXElements is the largest number of elements (the product of the
	// dimensions) accepted: 2^31-1.
	MaxIDXElements = math.MaxInt32
)

const (
	// idxChunk is the read buffer size and the first allocation for data
	// of unknown length.
	idxChunk = 64 << 10
	// maxDeflateRatio bounds how many bytes one byte of a gzip (deflate)
	// stream can decompress to; it caps allocations for gzip input.
	maxDeflateRatio = 1032
	// maxTrailingCount is how many trailing bytes an error counts at most.
	maxTrailingCount = 1 << 20
	// gzipFirstRatio is how many bytes of data per byte of gzip input the
	// first allocation for gzip input makes room for: more than MNIST's
	// files need (about 5), far less than what deflate allows
	// (maxDeflateRatio), which only real data may reach, growing as it
	// arrives.
	gzipFirstRatio = 8
)

// IDX is an array read from an IDX file, the format of the MNIST files
// (http://yann.lecun.com/exdb/mnist/): a magic number giving the element type
// and the number of dimensions, the dimensions as big-endian uint32, then the
// elements in row-major order (last dimension fastest), big-endian.
//
// Storage depends on the type: unsigned bytes (IDXUbyte, the type of every
// MNIST file) stay as they are in Bytes, one byte per element, so 60,000
// MNIST images take 47 MB rather than 376 MB; every other type is converted
// exactly to float64 in Floats. Exactly one of Bytes and Floats is non-nil,
// of length Len(). Float64s returns the values as float64 whatever the
// storage.
type IDX struct {
	// Type is the element type code: IDXUbyte, IDXByte, IDXShort, IDXInt,
	// IDXFloat or IDXDouble.
	Type byte
	// Dims holds the dimensions, outermost first: [60000 28 28] for the
	// MNIST training images, [60000] for their labels. Between 1 and
	// MaxIDXDims of them, all positive.
	Dims []int
	// Bytes holds the elements of an IDXUbyte array, nil otherwise.
	Bytes []byte
	// Floats holds the elements of any other type as float64, nil for
	// IDXUbyte.
	Floats []float64
}

// Len returns the number of elements, the product of Dims (0 for a nil IDX
// or one without dimensions).
func (x *IDX) Len() int {
	if x == nil || len(x.Dims) == 0 {
		return 0
	}
	return prod(x.Dims)
}

// TypeName returns the name of the element type as the IDX description spells
// it ("ubyte", "byte", "short", "int", "float", "double"), or "unknown 0x.."
// for another code.
func (x *IDX) TypeName() string {
	if x == nil {
		return idxTypeName(0)
	}
	return idxTypeName(x.Type)
}

// Float64s returns a new slice holding the elements as float64, in file
// order: a conversion of Bytes or a copy of Floats. Its length is that of the
// storage (Len for an IDX read by ReadIDX).
func (x *IDX) Float64s() []float64 {
	if x == nil {
		return nil
	}
	if x.Bytes != nil {
		out := make([]float64, len(x.Bytes))
		for i, b := range x.Bytes {
			out[i] = float64(b)
		}
		return out
	}
	return append([]float64(nil), x.Floats...)
}

// idxTypeName returns the IDX name of a type code.
func idxTypeName(code byte) string {
	switch code {
	case IDXUbyte:
		return "ubyte"
	case IDXByte:
		return "byte"
	case IDXShort:
		return "short"
	case IDXInt:
		return "int"
	case IDXFloat:
		return "float"
	case IDXDouble:
		return "double"
	}
	return fmt.Sprintf("unknown 0x%02x", code)
}

// idxElemSize returns the size in bytes of one element of type code, or 0
// for an unknown code.
func idxElemSize(code byte) int {
	switch code {
	case IDXUbyte, IDXByte:
		return 1
	case IDXShort:
		return 2
	case IDXInt, IDXFloat:
		return 4
	case IDXDouble:
		return 8
	}
	return 0
}

// ReadIDX reads the IDX file at path, plain or gzip-compressed (recognized by
// the gzip magic bytes 1f 8b, whatever the file name).
//
// The header is checked before anything large is allocated: the first two
// bytes must be zero, the type code known, the number of dimensions between
// 1 and MaxIDXDims, every dimension positive and their product at most
// MaxIDXElements. The data must then be exactly as long as the header says:
// a short file is reported as "truncated: header says N bytes of data, found
// M" and bytes after the data as "trailing data". Each error names path and
// the check that failed. Memory grows with the data actually read, never
// ahead of what the file could hold: a plain file's data are allocated at
// once up to the file's size; for a gzip file, whose data may be up to 1032
// times its size, the first allocation is at most 8 times its size and
// buffers then grow (at most doubling) as the data arrive, so an 8 MB file
// whose header claims 16 GB reserves 64 MB and fails as "truncated" when its
// data end.
func ReadIDX(path string) (*IDX, error) {
	const fn = "datasets.ReadIDX"
	f, size, err := openFile(fn, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := openIDX(fn, f, path, size)
	if err != nil {
		return nil, err
	}
	return s.decode()
}

// ReadIDXFrom reads an IDX array from r, plain or gzip-compressed, with the
// checks of ReadIDX; name stands for the input in error messages ("(reader)"
// when empty). r is read up to its end (to detect trailing data) but not
// closed. When r has a Len() int method (*bytes.Reader, *bytes.Buffer,
// *strings.Reader) it is taken as the number of bytes left and sizes the
// first allocation; otherwise memory grows as the data arrive.
func ReadIDXFrom(r io.Reader, name string) (*IDX, error) {
	const fn = "datasets.ReadIDXFrom"
	if name == "" {
		name = "(reader)"
	}
	if r == nil {
		return nil, errors.Errorf("%s: %s: nil reader", fn, name)
	}
	size := int64(-1)
	if l, ok := r.(interface{ Len() int }); ok {
		size = int64(l.Len())
	}
	s, err := openIDX(fn, r, name, size)
	if err != nil {
		return nil, err
	}
	return s.decode()
}

// idxStream is an IDX input whose header has been read and checked; r is
// positioned at the first data byte.
type idxStream struct {
	fn, name string    // for errors: the public function and the input
	r        io.Reader // the (decompressed) input
	gzipped  bool
	typ      byte
	dims     []int
	size     int64 // bytes of data the header announces
	bound    int64 // most data bytes the input can hold, -1 if unknown
	src      int64 // bytes of (compressed) input left after the header, -1 if unknown
}

// openIDX reads and checks the header of an IDX input src (named name in
// errors of the function fn). srcSize is the number of bytes left in src, or
// -1 if unknown; it only bounds allocations.
func openIDX(fn string, src io.Reader, name string, srcSize int64) (*idxStream, error) {
	s := &idxStream{fn: fn, name: name, src: srcSize}
	br := bufio.NewReaderSize(src, idxChunk)
	s.r = br
	if p, _ := br.Peek(2); len(p) == 2 && p[0] == 0x1f && p[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, s.errorf("gzip", "bad gzip header: %v", err)
		}
		zr.Multistream(false)
		s.r, s.gzipped = &gzipMembers{br: br, zr: zr}, true
		if srcSize >= 0 && srcSize < math.MaxInt64/maxDeflateRatio {
			srcSize *= maxDeflateRatio
		} else {
			srcSize = -1
		}
	}
	var head [4 + 4*MaxIDXDims]byte
	if n, err := io.ReadFull(s.r, head[:4]); err != nil {
		return nil, s.readError(n, 4, "the magic number", err)
	}
	if head[0] != 0 || head[1] != 0 {
		return nil, s.errorf("bad magic", "first two bytes are 0x%02x 0x%02x, want 0x00 0x00 (not an IDX file)",
			head[0], head[1])
	}
	s.typ = head[2]
	elem := idxElemSize(s.typ)
	if elem == 0 {
		return nil, s.errorf("unknown type", "type code 0x%02x, want 0x08 (ubyte), 0x09 (byte), 0x0b (short), "+
			"0x0c (int), 0x0d (float) or 0x0e (double)", s.typ)
	}
	nd := int(head[3])
	if nd < 1 || nd > MaxIDXDims {
		return nil, s.errorf("bad dimension count", "%d dimensions, want 1 to %d", nd, MaxIDXDims)
	}
	if n, err := io.ReadFull(s.r, head[4:4+4*nd]); err != nil {
		return nil, s.readError(n, 4*nd, fmt.Sprintf("the %d dimensions", nd), err)
	}
	raw := make([]uint64, nd)
	for i := range raw {
		raw[i] = uint64(binary.BigEndian.Uint32(head[4+4*i:]))
	}
	for i, d := range raw {
		if d == 0 {
			return nil, s.errorf("bad dimension", "dimension %d of %v is 0", i, raw)
		}
	}
	count := uint64(1)
	for _, d := range raw {
		count *= d // count <= MaxIDXElements < 2^31 and d < 2^32: no overflow
		if count > MaxIDXElements {
			return nil, s.errorf("too large", "dimensions %v hold more than %d elements", raw, MaxIDXElements)
		}
	}
	s.size = int64(count) * int64(elem)
	if s.size > math.MaxInt {
		return nil, s.errorf("too large", "dimensions %v hold %d bytes of data, too many for this platform", raw, s.size)
	}
	s.dims = make([]int, nd)
	for i, d := range raw {
		s.dims[i] = int(d)
	}
	s.bound = -1
	if srcSize >= 0 {
		s.bound = max(srcSize-int64(4+4*nd), 0)
	}
	return s, nil
}

// errorf returns an error naming the function, the input and the failed
// check.
func (s *idxStream) errorf(check, format string, args ...interface{}) error {
	return errors.Errorf("%s: %s: %s: %s", s.fn, s.name, check, fmt.Sprintf(format, args...))
}

// readError describes a failed read of want header bytes (what) of which got
// arrived.
func (s *idxStream) readError(got, want int, what string, err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return s.errorf("truncated", "input ends after %d of the %d bytes of %s", got, want, what)
	}
	if errors.As(err, new(*gzipTrailing)) {
		return s.errorf("truncated", "gzip data ends after %d of the %d bytes of %s, then bytes that are not gzip data",
			got, want, what)
	}
	return s.errorf(s.ioCheck(), "reading %s: %v", what, err)
}

// dataError describes a failed read of the data after found bytes.
func (s *idxStream) dataError(found int64, err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return s.errorf("truncated", "header says %d bytes of data, found %d", s.size, found)
	}
	if errors.As(err, new(*gzipTrailing)) {
		return s.errorf("truncated", "header says %d bytes of data, found %d, then bytes that are not gzip data",
			s.size, found)
	}
	return s.errorf(s.ioCheck(), "reading data after %d of %d bytes: %v", found, s.size, err)
}

// ioCheck names the layer that failed for an I/O error.
func (s *idxStream) ioCheck() string {
	if s.gzipped {
		return "gzip"
	}
	return "read"
}

// firstAlloc returns how many bytes (or elements) to allocate before reading
// the data, never more than the header announces: for plain input of known
// size, what it holds; for gzip input of known size, gzipFirstRatio times
// that size (enough for MNIST in one allocation), not the maxDeflateRatio
// times that it could in theory hold, so that a small file claiming
// gigabytes reserves megabytes; else one chunk. Buffers then grow, at most
// doubling, as the data actually arrive (nextCap).
func (s *idxStream) firstAlloc() int {
	switch {
	case s.gzipped && s.src >= 0:
		return int(min(s.size, max(idxChunk, min(s.src, math.MaxInt64/gzipFirstRatio)*gzipFirstRatio)))
	case !s.gzipped && s.bound >= 0:
		return int(min(s.size, s.bound))
	}
	return int(min(s.size, idxChunk))
}

// nextCap returns the capacity to grow a buffer holding have of the s.size
// data bytes (or elements) to.
func (s *idxStream) nextCap(have int) int {
	return int(min(s.size, int64(max(2*have, idxChunk))))
}

// payload reads the s.size data bytes, allocating as they arrive, and checks
// that nothing follows them.
func (s *idxStream) payload() ([]byte, error) {
	buf := make([]byte, 0, s.firstAlloc())
	for int64(len(buf)) < s.size {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), s.nextCap(len(buf)))
			copy(grown, buf)
			buf = grown
		}
		n, err := io.ReadFull(s.r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			return nil, s.dataError(int64(len(buf)), err)
		}
	}
	return buf, s.finish()
}

// ubyteFloat32s reads the s.size data bytes of an IDXUbyte array, maps each
// through lut into a float32 slice of the same length in one pass (no
// intermediate byte slice), and checks that nothing follows.
func (s *idxStream) ubyteFloat32s(lut *[256]float32) ([]float32, error) {
	if s.typ != IDXUbyte {
		return nil, s.errorf("type", "%s data, want ubyte", idxTypeName(s.typ))
	}
	out := make([]float32, 0, s.firstAlloc())
	chunk := make([]byte, min(s.size, idxChunk))
	for int64(len(out)) < s.size {
		want := min(int64(len(chunk)), s.size-int64(len(out)))
		n, err := io.ReadFull(s.r, chunk[:want])
		if cap(out)-len(out) < n {
			grown := make([]float32, len(out), max(s.nextCap(len(out)), len(out)+n))
			copy(grown, out)
			out = grown
		}
		dst := out[len(out) : len(out)+n]
		for i, b := range chunk[:n] {
			dst[i] = lut[b]
		}
		out = out[:len(out)+n]
		if err != nil {
			return nil, s.dataError(int64(len(out)), err)
		}
	}
	return out, s.finish()
}

// finish checks that the input ends right after the data (for gzip, that the
// stream ends there and its checksum holds).
func (s *idxStream) finish() error {
	var one [1]byte
	n, err := io.ReadFull(s.r, one[:])
	var trailing *gzipTrailing
	switch {
	case n == 1:
		extra, _ := io.Copy(io.Discard, io.LimitReader(s.r, maxTrailingCount))
		found := fmt.Sprint(s.size + 1 + extra)
		if extra == maxTrailingCount {
			found = "at least " + found
		}
		return s.errorf("trailing data", "header says %d bytes of data, found %s", s.size, found)
	case err == io.EOF:
		return nil
	case errors.As(err, &trailing):
		extra, _ := io.Copy(io.Discard, io.LimitReader(trailing.rest, maxTrailingCount))
		more := ""
		if extra == maxTrailingCount {
			more = " or more"
		}
		return s.errorf("trailing data", "%d%s bytes that are not gzip data follow the gzip stream", extra, more)
	case err == io.ErrUnexpectedEOF:
		return s.errorf("truncated", "the gzip stream is cut short after all %d bytes of data", s.size)
	}
	return s.errorf(s.ioCheck(), "after the %d bytes of data: %v", s.size, err)
}

// decode reads the data into an IDX: raw bytes for IDXUbyte, float64
// otherwise.
func (s *idxStream) decode() (*IDX, error) {
	raw, err := s.payload()
	if err != nil {
		return nil, err
	}
	x := &IDX{Type: s.typ, Dims: s.dims}
	if s.typ == IDXUbyte {
		x.Bytes = raw
		return x, nil
	}
	x.Floats = decodeIDXFloats(s.typ, raw)
	return x, nil
}

// decodeIDXFloats converts big-endian raw data of a non-ubyte type code to
// float64; len(raw) is a multiple of the element size.
func decodeIDXFloats(code byte, raw []byte) []float64 {
	out := make([]float64, len(raw)/idxElemSize(code))
	switch code {
	case IDXByte:
		for i := range out {
			out[i] = float64(int8(raw[i]))
		}
	case IDXShort:
		for i := range out {
			out[i] = float64(int16(binary.BigEndian.Uint16(raw[2*i:])))
		}
	case IDXInt:
		for i := range out {
			out[i] = float64(int32(binary.BigEndian.Uint32(raw[4*i:])))
		}
	case IDXFloat:
		for i := range out {
			out[i] = float64(math.Float32frombits(binary.BigEndian.Uint32(raw[4*i:])))
		}
	case IDXDouble:
		for i := range out {
			out[i] = math.Float64frombits(binary.BigEndian.Uint64(raw[8*i:]))
		}
	}
	return out
}
