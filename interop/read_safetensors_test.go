package interop

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadSafetensorsFixture(t *testing.T) {
	path := filepath.Join(readersDir, "mixed.safetensors")
	sd, err := ReadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	want := loadExpected(t, "mixed.safetensors")
	checkStateDict(t, sd, want)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sd, err = ReadSafetensorsFrom(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	checkStateDict(t, sd, want)
}

// safetensorsFile writes a safetensors file of the header JSON and data.
func safetensorsFile(header string, data []byte) []byte {
	b := make([]byte, 8, 8+len(header)+len(data))
	binary.LittleEndian.PutUint64(b, uint64(len(header)))
	return append(append(b, header...), data...)
}

func TestReadSafetensorsErrors(t *testing.T) {
	eight := make([]byte, 8)
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "header length"},
		{"huge header", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, '{', '}'}, "beyond the limit"},
		{"not json", safetensorsFile("[1]", nil), "not a JSON object"},
		{"bad dtype", safetensorsFile(`{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}`, eight), `dtype "C64" is not read`},
		{"shape vs bytes", safetensorsFile(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, eight), "needs 12 bytes"},
		{"shape vs bytes short", safetensorsFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}`, eight), "needs 4 bytes"},
		{"huge shape", safetensorsFile(`{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}`, eight), "needs more than"},
		{"gap", safetensorsFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, eight), "starts at data byte 4, want 0"},
		{"overlap", safetensorsFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, eight), "want 8"},
		{"beyond the file", safetensorsFile(`{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}`, eight), "cover 16 bytes of data, the file holds 8"},
		{"trailing bytes", safetensorsFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, eight), "bytes follow the 4 bytes"},
		{"negative offsets", safetensorsFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}`, eight), "data_offsets"},
		{"duplicate", safetensorsFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, eight), `names "a" twice`},
		{"bad metadata", safetensorsFile(`{"__metadata__":{"k":1}}`, nil), "__metadata__"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadSafetensorsFrom(bytes.NewReader(c.file))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one saying %q", err, c.want)
			}
			p := filepath.Join(t.TempDir(), "f.safetensors")
			if err := os.WriteFile(p, c.file, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := ReadSafetensors(p); err == nil || !strings.HasPrefix(err.Error(), p) {
				t.Fatalf("ReadSafetensors: error %v, want one naming %s", err, p)
			}
		})
	}
}

// FuzzReadSafetensors checks that no input panics below the public API.
func FuzzReadSafetensors(f *testing.F) {
	b, err := os.ReadFile(filepath.Join(readersDir, "mixed.safetensors"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		sd, err := decodeSafetensors(bytes.NewReader(b), int64(len(b)))
		if err == nil {
			for _, n := range sd.Names() {
				if tt := sd.Get(n); tt.Size() != len(tt.Data) {
					t.Fatalf("%s: shape %v with %d values", n, tt.Shape, len(tt.Data))
				}
			}
		}
	})
}
