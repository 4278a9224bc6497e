package interop

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pickleStr is a BINUNICODE opcode for s.
func pickleStr(s string) string {
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(len(s)))
	return "X" + string(n[:]) + s
}

// pickleInt is a BININT opcode for v.
func pickleInt(v int) string {
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(int32(v)))
	return "J" + string(n[:])
}

func pickleInts(v []int) string {
	s := "("
	for _, x := range v {
		s += pickleInt(x)
	}
	return s + "t"
}

// tinyStateDict writes the pickle of {"w": tensor} whose tensor is the view
// (offset, size, stride) of storage "0" (class torch.<cls>, numel values).
func tinyStateDict(cls string, numel, offset int, size, stride []int) []byte {
	s := "\x80\x02}(" + pickleStr("w") +
		"ctorch._utils\n_rebuild_tensor_v2\n(" +
		"(" + pickleStr("storage") + "ctorch\n" + cls + "\n" + pickleStr("0") + pickleStr("cpu") + pickleInt(numel) + "tQ" +
		pickleInt(offset) + pickleInts(size) + pickleInts(stride) + "\x89ccollections\nOrderedDict\n)Rt" +
		"Ru."
	return []byte(s)
}

// torchZip writes a zip archive of the records under "archive/".
func torchZip(t testing.TB, records map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"data.pkl", "data/0", "data/1", "byteorder", "version", "constants.pkl"} {
		b, ok := records[name]
		if !ok {
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "archive/" + name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func f32s(v ...float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func TestReadTorchCraftedViews(t *testing.T) {
	four := f32s(1, 2, 3, 4)
	cases := []struct {
		name    string
		records map[string][]byte
		want    string // error text, or "" for success
		data    []float64
	}{
		{"transposed", map[string][]byte{"data.pkl": tinyStateDict("FloatStorage", 4, 0, []int{2, 2}, []int{1, 2}), "data/0": four}, "", []float64{1, 3, 2, 4}},
		{"offset scalar", map[string][]byte{"data.pkl": tinyStateDict("FloatStorage", 4, 3, nil, nil), "data/0": four}, "", []float64{4}},
		{"expanded", map[string][]byte{"data.pkl": tinyStateDict("FloatStorage", 4, 1, []int{3}, []int{0}), "data/0": four}, "", []float64{2, 2, 2}},
		{"big endian", map[string][]byte{"data.pkl": tinyStateDict("ShortStorage", 1, 0, []int{1}, []int{1}), "data/0": {0x01, 0x02}, "byteorder": []byte("big")}, "", []float64{258}},
		{"empty beyond the end", map[string][]byte{"data.pkl": tinyStateDict("FloatStorage", 4, 9, []int{0}, []int{1}), "data/0": four}, "", []float64{}},
		{"offset out of range", map[string][]byte{"data.pkl": tinyStateDict("FloatStorage", 4, 4, []int{1}, []int{1}), "data/0": four}, "storage offset 4 is outside storage", nil},
		{"stride out of range", map[string][]byte{"data.pkl": tinyStateDict("FloatStorage", 4, 0, []int{2, 2}, []int{3, 1}), "data/0": four}, "reach beyond storage", nil},
		{"huge shape", map[string][]byte{"data.pkl": tinyStateDict("FloatStorage", 4, 0, []int{1 << 30, 1 << 30}, []int{0, 0}), "data/0": four}, "holds more than", nil},
		{"huge numel", map[string][]byte{"data.pkl": tinyStateDict("FloatStorage", 1<<30, 0, []int{1}, []int{1}), "data/0": four}, "more than the file's", nil},
		{"short record", map[string][]byte{"data.pkl": tinyStateDict("DoubleStorage", 4, 0, []int{1}, []int{1}), "data/0": four}, "its record holds 16 bytes", nil},
		{"missing storage", map[string][]byte{"data.pkl": tinyStateDict("FloatStorage", 4, 0, []int{1}, []int{1})}, "record data/0 is missing", nil},
		{"disallowed class", map[string][]byte{"data.pkl": []byte("\x80\x02cbuiltins\neval\n" + pickleStr("1") + "\x85R."), "data/0": four}, "class builtins.eval is not allowed", nil},
		{"disallowed storage", map[string][]byte{"data.pkl": tinyStateDict("ComplexFloatStorage", 4, 0, []int{1}, []int{1}), "data/0": four}, "class torch.ComplexFloatStorage is not allowed", nil},
		{"reconstructed object", map[string][]byte{"data.pkl": []byte("\x80\x02}(" + pickleStr("o") + "ccopy_reg\n_reconstructor\n(c__builtin__\nobject\nc__builtin__\nobject\nNtRu.")}, "archive/data.pkl: ", nil}, // gopickle resolves copy_reg._reconstructor itself; it builds nothing,
		{"no data.pkl", map[string][]byte{"data/0": four}, "without a data.pkl", nil},
		{"torchscript", map[string][]byte{"data.pkl": []byte("N."), "constants.pkl": []byte("N.")}, "TorchScript", nil},
		{"not a dict", map[string][]byte{"data.pkl": []byte("\x80\x02K\x05.")}, "holds an int, not a state dict", nil},
		{"no tensors", map[string][]byte{"data.pkl": []byte("\x80\x02}.")}, "holds no tensors", nil},
		{"huge pickle string", map[string][]byte{"data.pkl": []byte("\x80\x02X\xff\xff\xff\x7f")}, "claims 2147483651 bytes", nil},
		{"huge frame", map[string][]byte{"data.pkl": []byte("\x80\x04\x95\xff\xff\xff\xff\xff\xff\xff\x7fN.")}, "remain", nil},
		{"no stop", map[string][]byte{"data.pkl": []byte("\x80\x02}")}, "truncated", nil},
		{"bad byteorder", map[string][]byte{"data.pkl": []byte("N."), "byteorder": []byte("middle")}, "want little or big", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := torchZip(t, c.records)
			sd, err := ReadTorchFrom(bytes.NewReader(b), int64(len(b)))
			if c.want != "" {
				if err == nil {
					t.Fatalf("read %v without an error, want %q", sd.Names(), c.want)
				}
				if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "torch file: ") {
					t.Fatalf("error %q, want one starting with the input's name and saying %q", err, c.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := sd.Get("w")
			if got == nil || fmt.Sprint(got.Data) != fmt.Sprint(c.data) {
				t.Fatalf("w = %+v, want data %v", got, c.data)
			}
		})
	}
}

func TestReadTorchTruncatedAndFlipped(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join(readersDir, "net.pt"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := ReadTorchFrom(bytes.NewReader(orig), int64(len(orig)))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 3, 4, 100, len(orig) / 2, len(orig) - 22, len(orig) - 1} {
		if _, err := ReadTorchFrom(bytes.NewReader(orig[:n]), int64(n)); err == nil {
			t.Errorf("the first %d of %d bytes read without an error", n, len(orig))
		}
	}
	// Every byte flipped in turn: an error, or (a flip in bytes no checksum
	// covers, such as a record's padding) the same tensors.
	errs := 0
	b := make([]byte, len(orig))
	for i := range orig {
		copy(b, orig)
		b[i] ^= 0xff
		sd, err := ReadTorchFrom(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			if strings.Contains(err.Error(), "malformed PyTorch file (") {
				t.Errorf("byte %d flipped: a panic was recovered: %v", i, err)
			}
			errs++
			continue
		}
		if fmt.Sprint(sd.Names()) != fmt.Sprint(want.Names()) {
			t.Fatalf("byte %d flipped: names %v, want %v", i, sd.Names(), want.Names())
		}
		for _, name := range want.Names() {
			if fmt.Sprint(sd.Get(name)) != fmt.Sprint(want.Get(name)) {
				t.Fatalf("byte %d flipped: tensor %s read with other values and no error", i, name)
			}
		}
	}
	if errs < len(orig)/2 {
		t.Errorf("only %d of %d single-byte flips gave an error", errs, len(orig))
	}
}
