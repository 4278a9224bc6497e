package safetensors

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"gorgonia.org/tensor"
)

// benchTensors is a model of about n bytes of float32 weights.
func benchTensors(n int) []Tensor {
	v := make([]float32, n/4)
	for i := range v {
		v[i] = float32(i%1000) * 1e-3
	}
	return []Tensor{{"dense/kernel", tensor.New(tensor.WithShape(len(v)), tensor.WithBacking(v))}}
}

// BenchmarkChecksum compares the checksums Write could record on a 455 KB and a
// 50 MB model, and a whole Write and Read of each (which include the checksum).
func BenchmarkChecksum(b *testing.B) {
	for _, size := range []int{455 << 10, 50 << 20} {
		ts := benchTensors(size)
		for _, alg := range []string{"crc32c", "sha256"} {
			b.Run(fmt.Sprintf("%s/%dKB", alg, size>>10), func(b *testing.B) {
				b.SetBytes(int64(size))
				for i := 0; i < b.N; i++ {
					if _, err := dataChecksum(alg, "", ts); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		var buf bytes.Buffer
		if err := Write(&buf, ts, map[string]string{"k": "v"}); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("Write/%dKB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(size))
			for i := 0; i < b.N; i++ {
				if err := Write(io.Discard, ts, map[string]string{"k": "v"}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("Read/%dKB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(size))
			for i := 0; i < b.N; i++ {
				if _, _, err := Read(bytes.NewReader(buf.Bytes())); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
