package datasets

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"io"
	"math"
	"runtime/metrics"
	"strings"
	"testing"
)

// idxFuzzSeeds returns small IDX inputs for FuzzReadIDX: valid files of every
// type and of 1 to 8 dimensions, plain and gzip, and broken ones.
func idxFuzzSeeds() [][]byte {
	valid := [][]byte{
		ubyte23(),
		idxFile(IDXUbyte, []uint32{1}, []byte{255}),
		idxFile(IDXUbyte, []uint32{1, 1, 1, 1, 1, 1, 1, 2}, []byte{1, 2}),
		idxFile(IDXUbyte, []uint32{2, 28, 28}, make([]byte, 2*28*28)),
		idxFile(IDXByte, []uint32{3}, idxValues(IDXByte, -1, 0, 1)),
		idxFile(IDXShort, []uint32{2, 2}, idxValues(IDXShort, -300, 2, 3, 32767)),
		idxFile(IDXInt, []uint32{2}, idxValues(IDXInt, math.MinInt32, 7)),
		idxFile(IDXFloat, []uint32{1, 3}, idxValues(IDXFloat, 0.5, math.NaN(), math.Inf(-1))),
		idxFile(IDXDouble, []uint32{2, 1}, idxValues(IDXDouble, math.Pi, -0.0)),
	}
	var seeds [][]byte
	for _, v := range valid {
		seeds = append(seeds, v, gzipBytes(v), v[:len(v)-1], gzipBytes(v[:len(v)-1]))
	}
	gz := gzipBytes(ubyte23())
	return append(seeds,
		nil,
		[]byte{0, 0, 8},
		append(ubyte23(), 0),
		append(append([]byte(nil), gz...), 'x'),
		append(gzipBytes(ubyte23()[:10]), gzipBytes(ubyte23()[10:])...),
		gz[:len(gz)-4],
		gz[:12],
		[]byte{0x1f, 0x8b},
		idxFile(0x0A, []uint32{1}, []byte{1}),
		idxFile(IDXUbyte, nil, nil),
		idxFile(IDXUbyte, []uint32{2, 0}, nil),
		idxFile(IDXDouble, []uint32{MaxIDXElements}, []byte{1, 2, 3}),
		gzipBytes(idxFile(IDXDouble, []uint32{1 << 15, 1 << 15}, make([]byte, 4096))),
	)
}

// FuzzReadIDX checks that ReadIDXFrom never panics, returns an error naming
// the input for malformed data, allocates no more than the input justifies,
// decodes valid input exactly (checked against encoding/binary), and gives
// the same answer whether or not it knows the input size.
func FuzzReadIDX(f *testing.F) {
	for _, s := range idxFuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		before := heapAllocated()
		x, err := ReadIDXFrom(bytes.NewReader(data), "fuzz-input")
		allocated := heapAllocated() - before
		isGzip := len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b
		limit := uint64(2<<20 + 9*len(data))
		if isGzip {
			limit = uint64(2<<20 + 9*maxDeflateRatio*len(data))
		}
		if allocated > limit {
			t.Errorf("allocated %d bytes for a %d-byte input (limit %d)", allocated, len(data), limit)
		}
		x2, err2 := ReadIDXFrom(onlyReader{bytes.NewReader(data)}, "fuzz-input")
		if (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) {
			t.Fatalf("sized and unsized reads differ: %v / %v", err, err2)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "datasets.ReadIDXFrom: fuzz-input: ") {
				t.Errorf("error %q does not name the input", err)
			}
			return
		}
		plain := data
		if isGzip {
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("accepted input is not gzip: %v", err)
			}
			if plain, err = io.ReadAll(zr); err != nil {
				t.Fatalf("accepted input is bad gzip: %v", err)
			}
		}
		checkFuzzIDX(t, x, plain)
		checkFuzzIDX(t, x2, plain)
	})
}

// checkFuzzIDX checks an IDX read without error against its plain encoding.
func checkFuzzIDX(t *testing.T, x *IDX, plain []byte) {
	t.Helper()
	if len(x.Dims) < 1 || len(x.Dims) > MaxIDXDims {
		t.Fatalf("%d dimensions", len(x.Dims))
	}
	dims := make([]uint32, len(x.Dims))
	n := 1
	for i, d := range x.Dims {
		if d <= 0 {
			t.Fatalf("dims %v", x.Dims)
		}
		dims[i], n = uint32(d), n*d
	}
	if n > MaxIDXElements || x.Len() != n {
		t.Fatalf("dims %v: Len %d", x.Dims, x.Len())
	}
	header := idxFile(x.Type, dims, nil)
	if !bytes.HasPrefix(plain, header) {
		t.Fatalf("header % x does not start the input % x", header, plain[:min(len(plain), len(header))])
	}
	raw := plain[len(header):]
	if len(raw) != n*idxElemSize(x.Type) {
		t.Fatalf("%d data bytes for %d elements of type %s", len(raw), n, x.TypeName())
	}
	if x.Type == IDXUbyte {
		if x.Floats != nil || !bytes.Equal(x.Bytes, raw) {
			t.Fatalf("ubyte data differ")
		}
		return
	}
	if x.Bytes != nil || len(x.Floats) != n {
		t.Fatalf("%d bytes, %d floats for %d elements of type %s", len(x.Bytes), len(x.Floats), n, x.TypeName())
	}
	want := make([]float64, n)
	r := bytes.NewReader(raw)
	var err error
	switch x.Type {
	case IDXByte:
		v := make([]int8, n)
		err = binary.Read(r, binary.BigEndian, v)
		for i := range v {
			want[i] = float64(v[i])
		}
	case IDXShort:
		v := make([]int16, n)
		err = binary.Read(r, binary.BigEndian, v)
		for i := range v {
			want[i] = float64(v[i])
		}
	case IDXInt:
		v := make([]int32, n)
		err = binary.Read(r, binary.BigEndian, v)
		for i := range v {
			want[i] = float64(v[i])
		}
	case IDXFloat:
		v := make([]float32, n)
		err = binary.Read(r, binary.BigEndian, v)
		for i := range v {
			want[i] = float64(v[i])
		}
	case IDXDouble:
		err = binary.Read(r, binary.BigEndian, want)
	default:
		t.Fatalf("unknown type %#x accepted", x.Type)
	}
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if got := x.Floats[i]; got != want[i] && !(math.IsNaN(got) && math.IsNaN(want[i])) {
			t.Fatalf("element %d is %v, want %v", i, got, want[i])
		}
	}
}

// heapAllocated returns the bytes allocated on the heap so far, read without
// stopping the world (runtime.ReadMemStats would slow fuzzing down a lot).
func heapAllocated() uint64 {
	sample := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}
