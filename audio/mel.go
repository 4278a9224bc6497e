package audio

import (
	"math"

	"github.com/pkg/errors"
)

// HzToMel converts a frequency in Hz to mels on scale s (see MelScale).
func HzToMel(f float64, s MelScale) float64 {
	if s == MelHTK {
		return 2595 * math.Log10(1+f/700)
	}
	const fSp, minLogHz, minLogMel = 200.0 / 3, 1000.0, 15.0
	if f >= minLogHz {
		return minLogMel + math.Log(f/minLogHz)/(math.Log(6.4)/27)
	}
	return f / fSp
}

// MelToHz converts mels on scale s back to Hz; the inverse of HzToMel.
func MelToHz(m float64, s MelScale) float64 {
	if s == MelHTK {
		return 700 * (math.Pow(10, m/2595) - 1)
	}
	const fSp, minLogHz, minLogMel = 200.0 / 3, 1000.0, 15.0
	if m >= minLogMel {
		return minLogHz * math.Exp(math.Log(6.4)/27*(m-minLogMel))
	}
	return fSp * m
}

// MelFilterbank returns the triangular mel filters, shape [nMels][nFFT/2+1],
// defined as librosa.filters.mel: nMels+2 edge frequencies equally spaced in
// mels between fMin and fMax, filter m rising linearly (in Hz) from edge m to
// edge m+1 and falling to edge m+2, evaluated at the FFT bin frequencies
// k*sampleRate/nFFT; with MelNormSlaney (the default) filter m is scaled by
// 2/(edge[m+2]-edge[m]). A filter narrower than the bin spacing may cover no
// bin and is then all zeros (librosa warns about these). Options: WithNFFT, WithNMels, WithFMin, WithFMax,
// WithMelScale, WithMelNorm.
func MelFilterbank(sampleRate int, opts ...Option) ([][]float64, error) {
	if sampleRate <= 0 {
		return nil, errors.Errorf("audio: mel filterbank: sample rate %d, want > 0", sampleRate)
	}
	c, err := resolve(sampleRate, opts)
	if err != nil {
		return nil, errors.Wrap(err, "audio: mel filterbank")
	}
	fb := melFilters(sampleRate, c)
	bins := c.nFFT/2 + 1
	out := make([][]float64, len(fb))
	for m, f := range fb {
		out[m] = make([]float64, bins)
		copy(out[m][f.start:], f.w)
	}
	return out, nil
}

// melFilter is one mel filter's non-zero run: weights w for bins start...
type melFilter struct {
	start int
	w     []float64
}

func melFilters(sampleRate int, c config) []melFilter {
	bins := c.nFFT/2 + 1
	lo, hi := HzToMel(c.fMin, c.melScale), HzToMel(c.fMax, c.melScale)
	edges := make([]float64, c.nMels+2)
	for i := range edges {
		edges[i] = MelToHz(lo+(hi-lo)*float64(i)/float64(c.nMels+1), c.melScale)
	}
	out := make([]melFilter, c.nMels)
	row := make([]float64, bins)
	for m := range out {
		l, ctr, r := edges[m], edges[m+1], edges[m+2]
		first, last := -1, -1
		for k := range row {
			f := float64(k) * float64(sampleRate) / float64(c.nFFT)
			v := math.Max(0, math.Min((f-l)/(ctr-l), (r-f)/(r-ctr)))
			if c.melNorm == MelNormSlaney {
				v *= 2 / (r - l)
			}
			row[k] = v
			if v != 0 {
				if first < 0 {
					first = k
				}
				last = k
			}
		}
		if first < 0 {
			out[m] = melFilter{}
			continue
		}
		out[m] = melFilter{start: first, w: append([]float64(nil), row[first:last+1]...)}
	}
	return out
}
