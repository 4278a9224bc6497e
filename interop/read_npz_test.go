package interop

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadNPZFixtures(t *testing.T) {
	for _, file := range []string{"arrays.npz", "positional.npz"} {
		t.Run(file, func(t *testing.T) {
			sd, err := ReadNPZ(filepath.Join(readersDir, file))
			if err != nil {
				t.Fatal(err)
			}
			checkStateDict(t, sd, loadExpected(t, file))
		})
	}
	tt, err := ReadNPY(filepath.Join(readersDir, "fortran.npy"))
	if err != nil {
		t.Fatal(err)
	}
	sd := NewStateDict()
	if err := sd.Add(tt); err != nil {
		t.Fatal(err)
	}
	checkStateDict(t, sd, loadExpected(t, "fortran.npy"))
}

// npyFile writes a .npy file of format version major with header and data.
func npyFile(major byte, header string, data []byte) []byte {
	b := []byte("\x93NUMPY")
	b = append(b, major, 0)
	if major == 1 {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(header)))
	} else {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(header)))
	}
	return append(append(b, header...), data...)
}

func TestReadNPYVersionsAndErrors(t *testing.T) {
	two := []byte{1, 0, 0, 0, 2, 0, 0, 0}
	cases := []struct {
		name string
		file []byte
		want string // error text, "" for success
	}{
		{"v1", npyFile(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }\n", two), ""},
		{"v2", npyFile(2, "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }\n", two), ""},
		{"v3", npyFile(3, "{'descr': '<i4', 'fortran_order': True, 'shape': (1, 2), }\n", two), ""},
		{"big endian", npyFile(1, "{'descr': '>i4', 'fortran_order': False, 'shape': (2,)}", []byte{0, 0, 0, 1, 0, 0, 0, 2}), ""},
		{"object", npyFile(1, "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", two), "object array"},
		{"complex", npyFile(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", two), `dtype "<c8" is not read`},
		{"structured", npyFile(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", two), "unexpected"},
		{"version 9", npyFile(9, "{}", nil), "version 9.0"},
		{"short data", npyFile(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }", two), "needs 12 bytes"},
		{"huge shape", npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", two), "holds more than"},
		{"huge header", npyFile(2, "", nil)[:8], "header length"},
		{"no magic", []byte("PK\x03\x04abcdefgh"), "not a .npy file"},
		{"bad literal", npyFile(1, "{'descr': '<i4', 'fortran_order': Maybe, 'shape': (2,), }", two), "unexpected"},
		{"negative", npyFile(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (-2,), }", two), "expected an int"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ReadNPYFrom(bytes.NewReader(c.file), "x")
			p := filepath.Join(t.TempDir(), "x.npy")
			if err := os.WriteFile(p, c.file, 0o600); err != nil {
				t.Fatal(err)
			}
			got2, err2 := ReadNPY(p)
			if c.want != "" {
				if err == nil || !strings.Contains(err.Error(), c.want) || err2 == nil || !strings.HasPrefix(err2.Error(), p) {
					t.Fatalf("errors %v and %v, want ones saying %q", err, err2, c.want)
				}
				return
			}
			if err != nil || err2 != nil {
				t.Fatal(err, err2)
			}
			want := []float64{1, 2}
			if fmt.Sprint(got.Data) != fmt.Sprint(want) || fmt.Sprint(got2.Data) != fmt.Sprint(want) || got2.Name != "x" {
				t.Fatalf("read %+v and %+v, want values %v", got, got2, want)
			}
		})
	}
}

func TestReadNPZPositionalOrder(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, i := range []int{0, 1, 10, 11, 2, 3, 4, 5, 6, 7, 8, 9} { // lexical order, as a re-zip leaves it
		w, err := zw.Create(fmt.Sprintf("arr_%d.npy", i))
		if err != nil {
			t.Fatal(err)
		}
		data := binary.LittleEndian.AppendUint32(nil, uint32(i))
		if _, err := w.Write(npyFile(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (), }", data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	sd, err := ReadNPZFrom(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range sd.Names() {
		if want := fmt.Sprintf("arr_%d", i); n != want || sd.Get(n).Data[0] != float64(i) {
			t.Fatalf("tensor %d is %s = %v, want %s = %d", i, n, sd.Get(n).Data, want, i)
		}
	}
}

func TestReadNPZErrors(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(readersDir, "arrays.npz"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 10, len(b) / 2, len(b) - 1} {
		if _, err := ReadNPZFrom(bytes.NewReader(b[:n]), int64(n)); err == nil {
			t.Errorf("the first %d of %d bytes read without an error", n, len(b))
		}
	}
	flips := 0
	c := make([]byte, len(b))
	for i := range b {
		copy(c, b)
		c[i] ^= 0x55
		if _, err := ReadNPZFrom(bytes.NewReader(c), int64(len(c))); err != nil {
			if strings.Contains(err.Error(), "malformed npz archive (") {
				t.Errorf("byte %d flipped: a panic was recovered: %v", i, err)
			}
			flips++
		}
	}
	if flips < len(b)/2 {
		t.Errorf("only %d of %d single-byte flips gave an error", flips, len(b))
	}
	if _, err := ReadNPY(filepath.Join(readersDir, "object.npy")); err == nil || !strings.Contains(err.Error(), "object array") {
		t.Errorf("object.npy: error %v, want an object array refused", err)
	}
}

// FuzzReadNPY checks that no .npy input panics below the public API.
func FuzzReadNPY(f *testing.F) {
	for _, name := range []string{"fortran.npy", "object.npy"} {
		b, err := os.ReadFile(filepath.Join(readersDir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(npyFile(3, "{'descr': '>i8', 'fortran_order': True, 'shape': (1, 1), }", make([]byte, 8)))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, size := range []int64{int64(len(b)), -1} {
			tt, err := decodeNPY(bytes.NewReader(b), "x", size)
			if err == nil && tt.Size() != len(tt.Data) {
				t.Fatalf("shape %v with %d values", tt.Shape, len(tt.Data))
			}
		}
	})
}
