package datasets

import (
	"bufio"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"testing"
	"time"
)

// csvWriteNumeric writes a numeric CSV file of about size bytes (a header,
// then rows of cols values like 123.4567) to dir and returns its path and
// the number of rows.
func csvWriteNumeric(tb testing.TB, dir string, size, cols int) (string, int) {
	tb.Helper()
	path := filepath.Join(dir, "numeric.csv")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<16)
	for j := 0; j < cols; j++ {
		if j > 0 {
			w.WriteByte(',')
		}
		w.WriteString("c" + strconv.Itoa(j))
	}
	w.WriteByte('\n')
	rng := rand.New(rand.NewSource(1))
	written, rows := 0, 0
	var buf []byte
	for written < size {
		buf = buf[:0]
		for j := 0; j < cols; j++ {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = strconv.AppendFloat(buf, rng.NormFloat64()*100, 'f', 4, 64)
		}
		buf = append(buf, '\n')
		w.Write(buf)
		written += len(buf)
		rows++
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path, rows
}

// csvMemory loads path with load and returns the result with the heap
// bytes it holds afterwards (after a GC) and the peak growth of the heap's
// live-and-unswept objects during the load, sampled every 20µs, both
// relative to the heap before.
func csvMemory(tb testing.TB, path string, load func(string) (*CSVData, error)) (d *CSVData, held, peak uint64) {
	tb.Helper()
	const metric = "/memory/classes/heap/objects:bytes"
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	s := []metrics.Sample{{Name: metric}}
	metrics.Read(s)
	base := s[0].Value.Uint64()
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		top := base
		s := []metrics.Sample{{Name: metric}}
		for {
			metrics.Read(s)
			top = max(top, s[0].Value.Uint64())
			select {
			case <-stop:
				done <- top
				return
			default:
				time.Sleep(20 * time.Microsecond)
			}
		}
	}()
	d, err := load(path)
	close(stop)
	top := <-done
	if err != nil {
		tb.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(d)
	if after.HeapAlloc > before.HeapAlloc {
		held = after.HeapAlloc - before.HeapAlloc
	}
	return d, held, top - base
}

// A ~20 MB numeric CSV loads holding little more than its numeric size
// (rows*cols*8 bytes) and never needs much more on the way, whether the
// input size is known (a file: the buffers are sized once from the first
// rows) or not (a stream: the buffers grow by appending). The collector runs
// at GOGC=25 here so that the peak measures what is live rather than garbage
// waiting for a collection.
func TestReadCSVMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads a 20 MB file")
	}
	const cols = 10
	path, rows := csvWriteNumeric(t, t.TempDir(), 20<<20, cols)
	numeric := float64(rows * cols * 8)
	defer debug.SetGCPercent(debug.SetGCPercent(25))
	tests := []struct {
		name             string
		load             func(string) (*CSVData, error)
		maxHeld, maxPeak float64
	}{
		{"file", func(p string) (*CSVData, error) { return ReadCSV(p) }, 1.2, 3},
		{"stream", func(p string) (*CSVData, error) {
			f, err := os.Open(p)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			return ReadCSVFrom(io.MultiReader(f), p) // hides the size
		}, 1.5, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, held, peak := csvMemory(t, path, tc.load)
			if got := d.X.Shape(); got[0] != rows || got[1] != cols-1 {
				t.Fatalf("X shape %v, want (%d, %d)", got, rows, cols-1)
			}
			t.Logf("%d rows x %d columns: numeric size %.1f MB, held %.1f MB (%.2fx), peak %.1f MB (%.2fx)",
				rows, cols, numeric/1e6, float64(held)/1e6, float64(held)/numeric, float64(peak)/1e6, float64(peak)/numeric)
			if r := float64(held) / numeric; r > tc.maxHeld {
				t.Errorf("holds %.2fx the numeric size, want <= %.1fx", r, tc.maxHeld)
			}
			if r := float64(peak) / numeric; r > tc.maxPeak {
				t.Errorf("peak %.2fx the numeric size, want <= %.1fx", r, tc.maxPeak)
			}
		})
	}
}

// BenchmarkReadCSV reads a ~20 MB numeric CSV file (10 columns) and reports
// the throughput in MB/s of input and the bytes held per byte of numbers.
func BenchmarkReadCSV(b *testing.B) {
	const cols = 10
	path, rows := csvWriteNumeric(b, b.TempDir(), 20<<20, cols)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		d, err := ReadCSV(path)
		if err != nil {
			b.Fatal(err)
		}
		if d.X.Shape()[0] != rows {
			b.Fatalf("%d rows, want %d", d.X.Shape()[0], rows)
		}
	}
	b.StopTimer()
	_, held, _ := csvMemory(b, path, func(p string) (*CSVData, error) { return ReadCSV(p) })
	b.ReportMetric(float64(held)/float64(rows*cols*8), "held/numeric")
}
