package datasets

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// idxFile returns an IDX file of type typ with the given dimensions, followed
// by data as is (which need not match the header).
func idxFile(typ byte, dims []uint32, data []byte) []byte {
	b := []byte{0, 0, typ, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, data...)
}

// idxValues encodes vals big-endian as elements of type typ.
func idxValues(typ byte, vals ...float64) []byte {
	var b []byte
	for _, v := range vals {
		switch typ {
		case IDXUbyte:
			b = append(b, byte(v))
		case IDXByte:
			b = append(b, byte(int8(v)))
		case IDXShort:
			b = binary.BigEndian.AppendUint16(b, uint16(int16(v)))
		case IDXInt:
			b = binary.BigEndian.AppendUint32(b, uint32(int32(v)))
		case IDXFloat:
			b = binary.BigEndian.AppendUint32(b, math.Float32bits(float32(v)))
		case IDXDouble:
			b = binary.BigEndian.AppendUint64(b, math.Float64bits(v))
		}
	}
	return b
}

// gzipBytes returns b compressed as one gzip member.
func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b) // writes to a bytes.Buffer cannot fail
	zw.Close()
	return buf.Bytes()
}

// ubyte23 is a valid 2x3 ubyte IDX file holding 0..5.
func ubyte23() []byte {
	return idxFile(IDXUbyte, []uint32{2, 3}, []byte{0, 1, 2, 3, 4, 5})
}

func TestReadIDXFromHeaderChecks(t *testing.T) {
	tests := []struct {
		name    string
		input   []byte
		wantErr string
	}{
		{"empty", nil, "truncated: input ends after 0 of the 4 bytes of the magic number"},
		{"short magic", []byte{0, 0, 8}, "truncated: input ends after 3 of the 4 bytes of the magic number"},
		{"bad magic", []byte{0, 1, 8, 1, 0, 0, 0, 1, 7}, "bad magic: first two bytes are 0x00 0x01, want 0x00 0x00"},
		{"text file", []byte("hello, world\n"), "bad magic: first two bytes are 0x68 0x65"},
		{"unknown type", idxFile(0x0A, []uint32{1}, []byte{1}), "unknown type: type code 0x0a"},
		{"type zero", idxFile(0x00, []uint32{1}, []byte{1}), "unknown type: type code 0x00"},
		{"no dimensions", idxFile(IDXUbyte, nil, []byte{1}), "bad dimension count: 0 dimensions, want 1 to 8"},
		{"nine dimensions", idxFile(IDXUbyte, []uint32{1, 1, 1, 1, 1, 1, 1, 1, 1}, []byte{1}),
			"bad dimension count: 9 dimensions, want 1 to 8"},
		{"dimensions cut", []byte{0, 0, 8, 2, 0, 0, 0, 2, 0, 0}, "truncated: input ends after 6 of the 8 bytes of the 2 dimensions"},
		{"zero dimension", idxFile(IDXUbyte, []uint32{2, 0}, nil), "bad dimension: dimension 1 of [2 0] is 0"},
		{"too many elements", idxFile(IDXUbyte, []uint32{65536, 65536}, nil),
			"too large: dimensions [65536 65536] hold more than 2147483647 elements"},
		{"huge dimension", idxFile(IDXDouble, []uint32{0xFFFFFFFF}, nil), "too large: dimensions [4294967295]"},
		{"no data", idxFile(IDXUbyte, []uint32{2, 3}, nil), "truncated: header says 6 bytes of data, found 0"},
		{"data cut", idxFile(IDXUbyte, []uint32{2, 3}, []byte{0, 1, 2, 3, 4}), "truncated: header says 6 bytes of data, found 5"},
		{"short cut mid element", idxFile(IDXShort, []uint32{3}, []byte{0, 1, 0, 2, 0}),
			"truncated: header says 6 bytes of data, found 5"},
		{"huge claim", idxFile(IDXUbyte, []uint32{MaxIDXElements}, []byte{1, 2}),
			"truncated: header says 2147483647 bytes of data, found 2"},
		{"trailing byte", append(ubyte23(), 6), "trailing data: header says 6 bytes of data, found 7"},
		{"trailing bytes", append(ubyte23(), 6, 7, 8), "trailing data: header says 6 bytes of data, found 9"},
		{"valid", ubyte23(), ""},
		{"valid eight dimensions", idxFile(IDXUbyte, []uint32{1, 1, 1, 1, 1, 1, 1, 2}, []byte{1, 2}), ""},
	}
	for _, tc := range tests {
		for _, gz := range []bool{false, true} {
			name, input := tc.name+"/plain", tc.input
			if gz {
				name, input = tc.name+"/gzip", gzipBytes(tc.input)
			}
			t.Run(name, func(t *testing.T) {
				x, err := ReadIDXFrom(bytes.NewReader(input), "test.idx")
				checkErr(t, err, tc.wantErr)
				if err != nil {
					if !strings.HasPrefix(err.Error(), "datasets.ReadIDXFrom: test.idx: ") {
						t.Errorf("error %q does not start with the function and the input name", err)
					}
					return
				}
				if x.Type != IDXUbyte || len(x.Bytes) != x.Len() || x.Floats != nil {
					t.Errorf("type %#x, %d bytes, Len %d, Floats %v", x.Type, len(x.Bytes), x.Len(), x.Floats)
				}
			})
		}
	}
}

func TestReadIDXFromTypes(t *testing.T) {
	tests := []struct {
		name string
		typ  byte
		dims []uint32
		vals []float64
	}{
		{"ubyte", IDXUbyte, []uint32{2, 2}, []float64{0, 1, 128, 255}},
		{"byte", IDXByte, []uint32{4}, []float64{-128, -1, 0, 127}},
		{"short", IDXShort, []uint32{2, 1, 2}, []float64{-32768, -2, 300, 32767}},
		{"int", IDXInt, []uint32{4, 1}, []float64{math.MinInt32, -1, 70000, math.MaxInt32}},
		{"float", IDXFloat, []uint32{3}, []float64{1.5, -0.25, math.Inf(1)}},
		{"double", IDXDouble, []uint32{1, 2}, []float64{math.Pi, -1e300}},
	}
	for _, tc := range tests {
		for _, gz := range []bool{false, true} {
			input := idxFile(tc.typ, tc.dims, idxValues(tc.typ, tc.vals...))
			name := tc.name + "/plain"
			if gz {
				name, input = tc.name+"/gzip", gzipBytes(input)
			}
			t.Run(name, func(t *testing.T) {
				x, err := ReadIDXFrom(bytes.NewReader(input), name)
				if err != nil {
					t.Fatal(err)
				}
				wantDims := make([]int, len(tc.dims))
				for i, d := range tc.dims {
					wantDims[i] = int(d)
				}
				if x.Type != tc.typ || !equalInts(x.Dims, wantDims) || x.Len() != len(tc.vals) {
					t.Fatalf("type %#x dims %v Len %d, want %#x %v %d", x.Type, x.Dims, x.Len(), tc.typ, wantDims, len(tc.vals))
				}
				if x.TypeName() != tc.name {
					t.Errorf("TypeName %q, want %q", x.TypeName(), tc.name)
				}
				if (tc.typ == IDXUbyte) != (x.Bytes != nil) || (tc.typ == IDXUbyte) == (x.Floats != nil) {
					t.Errorf("storage: %d bytes, %d floats", len(x.Bytes), len(x.Floats))
				}
				if got := x.Float64s(); !equalFloats(got, tc.vals) {
					t.Errorf("values %v, want %v", got, tc.vals)
				}
			})
		}
	}
}

func TestReadIDXGzip(t *testing.T) {
	plain := ubyte23()
	gz := gzipBytes(plain)
	corruptCRC := append([]byte(nil), gz...)
	corruptCRC[len(corruptCRC)-8] ^= 0xFF
	badSize := append([]byte(nil), gz...)
	badSize[len(badSize)-4] ^= 0xFF
	two := append(gzipBytes(plain[:15]), gzipBytes(plain[15:])...)
	tests := []struct {
		name    string
		input   []byte
		wantErr string
	}{
		{"one member", gz, ""},
		{"two members", two, ""},
		{"empty member after", append(append([]byte(nil), gz...), gzipBytes(nil)...), ""},
		{"magic only", []byte{0x1f, 0x8b}, "gzip: bad gzip header"},
		{"bad header", []byte{0x1f, 0x8b, 0, 0, 0, 0, 0, 0, 0, 0, 0}, "gzip: bad gzip header"},
		{"bad checksum", corruptCRC, "gzip: after the 6 bytes of data: gzip: invalid checksum"},
		{"bad size", badSize, "gzip: invalid checksum"},
		{"trailer cut", gz[:len(gz)-3], "truncated"},
		{"stream cut", gz[:len(gz)/2], "truncated"},
		{"garbage after", append(append([]byte(nil), gz...), 'x', 'y', 'z'), "trailing data: 3 bytes that are not gzip data follow the gzip stream"},
		{"zeros after", append(append([]byte(nil), gz...), make([]byte, 20)...), "trailing data: 20 bytes"},
		{"garbage between members", append(append(gzipBytes(plain[:15]), 'x'), gzipBytes(plain[15:])...),
			"truncated: header says 6 bytes of data, found 3, then bytes that are not gzip data"},
		{"header across members", append(append(gzipBytes(plain[:7]), 'x'), gzipBytes(plain[7:])...),
			"truncated: gzip data ends after 3 of the 8 bytes of the 2 dimensions, then bytes that are not gzip data"},
		{"second member has extra data", append(append([]byte(nil), gz...), gzipBytes([]byte{9})...),
			"trailing data: header says 6 bytes of data, found 7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, err := ReadIDXFrom(bytes.NewReader(tc.input), "test.idx.gz")
			checkErr(t, err, tc.wantErr)
			if err != nil {
				if !strings.Contains(err.Error(), "test.idx.gz") {
					t.Errorf("error %q does not name the input", err)
				}
				return
			}
			if !bytes.Equal(x.Bytes, plain[len(plain)-6:]) || !equalInts(x.Dims, []int{2, 3}) {
				t.Errorf("dims %v bytes %v", x.Dims, x.Bytes)
			}
		})
	}
}

func TestReadIDXFiles(t *testing.T) {
	tests := []struct {
		file     string
		wantErr  string
		wantDims []int
		want     []float64
	}{
		{"ubyte_2x3.idx", "", []int{2, 3}, []float64{0, 1, 2, 253, 254, 255}},
		{"ubyte_2x3.idx.gz", "", []int{2, 3}, []float64{0, 1, 2, 253, 254, 255}},
		{"byte_4.idx", "", []int{4}, []float64{-128, -1, 0, 127}},
		{"short_2x2.idx", "", []int{2, 2}, []float64{-32768, -1, 256, 32767}},
		{"int_3.idx.gz", "", []int{3}, []float64{-2147483648, 65536, 2147483647}},
		{"float_2x1x2.idx", "", []int{2, 1, 2}, []float64{0.5, -1.25, 3, 1e10}},
		{"double_2.idx", "", []int{2}, []float64{math.Pi, -1e-300}},
		{"bad_magic.idx", "bad magic", nil, nil},
		{"bad_type.idx", "unknown type: type code 0x0a", nil, nil},
		{"zero_dim.idx", "bad dimension: dimension 0 of [0 3] is 0", nil, nil},
		{"truncated.idx", "truncated: header says 6 bytes of data, found 4", nil, nil},
		{"truncated.idx.gz", "truncated: header says 6 bytes of data, found 4", nil, nil},
		{"trailing.idx", "trailing data: header says 6 bytes of data, found 8", nil, nil},
		{"missing.idx", "no such file", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", "idx", tc.file)
			x, err := ReadIDX(path)
			checkErr(t, err, tc.wantErr)
			if err != nil {
				if !strings.Contains(err.Error(), path) {
					t.Errorf("error %q does not name %s", err, path)
				}
				return
			}
			if !equalInts(x.Dims, tc.wantDims) || !equalFloats(x.Float64s(), tc.want) {
				t.Errorf("dims %v values %v, want %v %v", x.Dims, x.Float64s(), tc.wantDims, tc.want)
			}
		})
	}
}

func TestReadIDXFromNil(t *testing.T) {
	_, err := ReadIDXFrom(nil, "")
	checkErr(t, err, "datasets.ReadIDXFrom: (reader): nil reader")
}

// onlyReader hides the Len method of a reader, so ReadIDXFrom cannot know
// the input size.
type onlyReader struct{ r *bytes.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// A header that promises 2 GB of data must not make ReadIDXFrom allocate
// them when the input holds a few bytes, whether or not its size is known.
func TestReadIDXFromAllocationBound(t *testing.T) {
	claim := idxFile(IDXDouble, []uint32{1 << 15, 1 << 15}, []byte{1, 2, 3}) // 8 GiB of data promised
	inputs := []struct {
		name string
		r    io.Reader
	}{
		{"sized plain", bytes.NewReader(claim)},
		{"sized gzip", bytes.NewReader(gzipBytes(claim))},
		{"unsized plain", onlyReader{bytes.NewReader(claim)}},
		{"unsized gzip", onlyReader{bytes.NewReader(gzipBytes(claim))}},
	}
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := ReadIDXFrom(in.r, "claim")
			runtime.ReadMemStats(&after)
			checkErr(t, err, "truncated: header says 8589934592 bytes of data, found 3")
			if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
				t.Errorf("allocated %d bytes for a %d-byte input", got, len(claim))
			}
		})
	}
}

// The same header claim as a file: the file size bounds the allocation.
func TestReadIDXAllocationBoundFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "claim.idx")
	if err := os.WriteFile(path, idxFile(IDXUbyte, []uint32{MaxIDXElements}, []byte{1}), 0o644); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ReadIDX(path)
	runtime.ReadMemStats(&after)
	checkErr(t, err, "truncated: header says 2147483647 bytes of data, found 1")
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Errorf("allocated %d bytes", got)
	}
}

func TestIDXAccessors(t *testing.T) {
	var nilIDX *IDX
	if nilIDX.Len() != 0 || nilIDX.Float64s() != nil || nilIDX.TypeName() != "unknown 0x00" {
		t.Errorf("nil IDX: Len %d Float64s %v TypeName %q", nilIDX.Len(), nilIDX.Float64s(), nilIDX.TypeName())
	}
	x := &IDX{Type: IDXDouble, Dims: []int{2}, Floats: []float64{1, 2}}
	f := x.Float64s()
	f[0] = 9
	if x.Floats[0] != 1 {
		t.Errorf("Float64s shares storage with Floats")
	}
	if got := (&IDX{Type: 0x42}).TypeName(); got != "unknown 0x42" {
		t.Errorf("TypeName %q", got)
	}
}
