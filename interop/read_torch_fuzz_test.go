package interop

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadTorch feeds the torch reader arbitrary bytes, seeded with the
// fixtures and crafted archives. It calls readTorchZip, below the recover of
// the public API, so that a panic anywhere in the reader fails the fuzzer.
func FuzzReadTorch(f *testing.F) {
	for _, name := range []string{"net.pt", "dtypes.pt", "views.pt", "checkpoint.pt", "nested.pt", "module.pt", "legacy.pt"} {
		b, err := os.ReadFile(filepath.Join(readersDir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(torchZip(f, map[string][]byte{"data.pkl": tinyStateDict("FloatStorage", 4, 1, []int{2, 1}, []int{2, 1}), "data/0": f32s(1, 2, 3, 4)}))
	f.Fuzz(func(t *testing.T, b []byte) {
		sd, err := readTorchZip(bytes.NewReader(b), int64(len(b)))
		if err == nil {
			for _, n := range sd.Names() {
				if tt := sd.Get(n); tt.Size() != len(tt.Data) {
					t.Fatalf("tensor %s of shape %v holds %d values", n, tt.Shape, len(tt.Data))
				}
			}
		}
	})
}

// FuzzPickleScan checks the pickle pre-scan and the restricted unpickler on
// arbitrary pickles (no panic below the public API's recover).
func FuzzPickleScan(f *testing.F) {
	f.Add(tinyStateDict("FloatStorage", 4, 0, []int{2, 2}, []int{1, 2}))
	f.Add([]byte("\x80\x02}(X\x01\x00\x00\x00aK\x01u."))
	f.Fuzz(func(t *testing.T, b []byte) {
		st := &torchStorage{key: "0", dtype: "float32", numel: 4, raw: f32s(1, 2, 3, 4), order: binary.LittleEndian}
		v, err := unpickleRestricted(b, func(interface{}) (interface{}, error) { return st, nil })
		if err == nil {
			ld := &torchLoader{stored: 4}
			_, _ = ld.stateDict(v)
		}
	})
}
