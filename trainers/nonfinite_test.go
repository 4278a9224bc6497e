package trainers

import (
	"math"
	"testing"
)

// TestFirstNonFinite32: the first NaN or ±Inf is found wherever it sits (the
// first and last value, a block edge, either core's half of a large slice, the
// second of two), and no finite value is taken for one (the largest, the
// smallest subnormal, negative zero).
func TestFirstNonFinite32(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	negNaN := math.Float32frombits(0xffc00001)
	large := 3 * minChunk
	for _, tc := range []struct {
		name string
		n    int
		bad  map[int]float32
		want int
	}{
		{"empty", 0, nil, -1},
		{"finite", 1000, nil, -1},
		{"finite large", large, nil, -1},
		{"NaN first", 10, map[int]float32{0: nan}, 0},
		{"Inf last", 10, map[int]float32{9: inf}, 9},
		{"-Inf at a block edge", 1000, map[int]float32{nonFiniteBlock: -inf}, nonFiniteBlock},
		{"negative NaN before a block edge", 1000, map[int]float32{nonFiniteBlock - 1: negNaN}, nonFiniteBlock - 1},
		{"two, the first wins", 1000, map[int]float32{700: nan, 300: inf}, 300},
		{"large, second half", large, map[int]float32{large - 5: nan}, large - 5},
		{"large, both halves", large, map[int]float32{large - 5: nan, 17: inf}, 17},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := make([]float32, tc.n)
			edge := []float32{math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, float32(math.Copysign(0, -1)), 1.5}
			for i := range d {
				d[i] = edge[i%len(edge)]
			}
			for i, v := range tc.bad {
				d[i] = v
			}
			if got := firstNonFinite32(d); got != tc.want {
				t.Fatalf("firstNonFinite32 = %d, want %d", got, tc.want)
			}
		})
	}
}

func BenchmarkFirstNonFinite32(b *testing.B) {
	d := make([]float32, 1024*784)
	for i := range d {
		d[i] = float32(i%255) / 255
	}
	for b.Loop() {
		if firstNonFinite32(d) != -1 {
			b.Fatal("found one")
		}
	}
	b.ReportMetric(float64(len(d))*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gfloat/s")
}
