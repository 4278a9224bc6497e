package datasets

import (
	"bytes"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// A gzip file whose header claims far more data than it holds reserves a
// few times its own size, not the 1032 times its size that deflate could in
// theory expand it to: here 1 MiB of incompressible data claiming 2^31-1
// float64s (16 GiB) must not reserve the 1 GiB such a file could hold.
func TestReadIDXGzipReservation(t *testing.T) {
	data := make([]byte, 1<<20)
	rand.New(rand.NewSource(1)).Read(data)
	gz := gzipBytes(idxFile(IDXDouble, []uint32{MaxIDXElements}, data))
	path := filepath.Join(t.TempDir(), "claim.idx.gz")
	if err := os.WriteFile(path, gz, 0o644); err != nil {
		t.Fatal(err)
	}
	reads := []struct {
		name string
		read func() (*IDX, error)
	}{
		{"file", func() (*IDX, error) { return ReadIDX(path) }},
		{"sized reader", func() (*IDX, error) { return ReadIDXFrom(bytes.NewReader(gz), path) }},
		{"images", func() (*IDX, error) { // the MNIST path: ubyte to float32
			gz := gzipBytes(idxFile(IDXUbyte, []uint32{1 << 21, 28, 28}, data))
			path := filepath.Join(t.TempDir(), "images.gz")
			if err := os.WriteFile(path, gz, 0o644); err != nil {
				t.Fatal(err)
			}
			lut := pixelScale()
			_, _, err := readMNISTImages("test", path, &lut)
			return nil, err
		}},
	}
	for _, r := range reads {
		t.Run(r.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := r.read()
			runtime.ReadMemStats(&after)
			checkErr(t, err, "truncated: header says")
			checkErr(t, err, "found 1048576")
			if got := after.TotalAlloc - before.TotalAlloc; got > 64<<20 {
				t.Errorf("allocated %d MiB for a %d KiB gzip file holding 1 MiB of data", got>>20, len(gz)>>10)
			}
		})
	}
}
