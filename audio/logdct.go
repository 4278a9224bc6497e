package audio

import (
	"math"

	"github.com/pkg/errors"
)

// PowerToDB returns 10 log10(max(amin, s)) - 10 log10(max(amin, ref)) for every
// element of s (any shape [rows][cols]), then, when topDB > 0, raises every
// value to at least (maximum of the result) - topDB, as librosa.power_to_db.
// Options: WithRef (default 1), WithAmin (default 1e-10), WithTopDB (default
// 80). s is not modified.
func PowerToDB(s [][]float64, opts ...Option) ([][]float64, error) {
	c, err := resolve(0, opts)
	if err != nil {
		return nil, errors.Wrap(err, "audio: power to dB")
	}
	c.logOffset = 0
	out := make([][]float64, len(s))
	for i, row := range s {
		out[i] = append([]float64(nil), row...)
	}
	logInPlace(out, c)
	return out, nil
}

// logInPlace applies the configured log (decibels or ln(x+offset)) to s.
func logInPlace(s [][]float64, c config) {
	if c.logOffset > 0 {
		for _, row := range s {
			for i, v := range row {
				row[i] = math.Log(v + c.logOffset)
			}
		}
		return
	}
	refDB := 10 * math.Log10(math.Max(c.amin, c.ref))
	peak := math.Inf(-1)
	for _, row := range s {
		for i, v := range row {
			d := 10*math.Log10(math.Max(c.amin, v)) - refDB
			row[i] = d
			if d > peak {
				peak = d
			}
		}
	}
	if c.topDB <= 0 {
		return
	}
	floor := peak - c.topDB
	for _, row := range s {
		for i, v := range row {
			if v < floor {
				row[i] = floor
			}
		}
	}
}

// dctMatrix returns the first k rows of the orthonormal DCT-II matrix of size
// n: row j is sqrt(2/n) cos(pi j (2i+1) / (2n)), row 0 scaled by 1/sqrt(2).
func dctMatrix(k, n int) [][]float64 {
	out := make([][]float64, k)
	for j := range out {
		out[j] = make([]float64, n)
		scale := math.Sqrt(2 / float64(n))
		if j == 0 {
			scale = math.Sqrt(1 / float64(n))
		}
		for i := range out[j] {
			out[j][i] = scale * math.Cos(math.Pi*float64(j)*float64(2*i+1)/float64(2*n))
		}
	}
	return out
}

// DCT returns the first k coefficients of the orthonormal DCT-II of x
// (scipy.fft.dct(x, type=2, norm="ortho")[:k]), 1 <= k <= len(x).
func DCT(x []float64, k int) ([]float64, error) {
	if k < 1 || k > len(x) {
		return nil, errors.Errorf("audio: DCT of %d values, %d coefficients: want 1..%d", len(x), k, len(x))
	}
	m := dctMatrix(k, len(x))
	out := make([]float64, k)
	for j, row := range m {
		for i, v := range row {
			out[j] += v * x[i]
		}
	}
	return out, nil
}
