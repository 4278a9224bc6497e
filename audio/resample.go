package audio

import (
	"math"

	"github.com/pkg/errors"
)

// ResampleOption configures Resample and ResampleClip.
type ResampleOption func(*resampleConfig)

type resampleConfig struct {
	zeroCrossings int
	rolloff       float64
	beta          float64
	tableLimit    int // largest polyphase table (float64s); bigger ones are not built
}

// WithZeroCrossings sets the filter's half-width in zero crossings of its sinc
// (the filter spans 2n zero crossings). Default 32. Wider filters have a
// narrower transition band and cost proportionally more.
func WithZeroCrossings(n int) ResampleOption {
	return func(c *resampleConfig) { c.zeroCrossings = n }
}

// WithRolloff sets the cutoff as a fraction of the lower of the two Nyquist
// frequencies, in (0, 1]. Default 0.945.
func WithRolloff(r float64) ResampleOption { return func(c *resampleConfig) { c.rolloff = r } }

// WithKaiserBeta sets the Kaiser window's shape parameter beta, >= 0. Default
// 8.6 (about 87 dB of stop-band attenuation).
func WithKaiserBeta(beta float64) ResampleOption { return func(c *resampleConfig) { c.beta = beta } }

// maxPolyphaseTable bounds the size (in float64s) of a precomputed polyphase
// table; beyond it the filter taps are computed per output sample.
const maxPolyphaseTable = 1 << 22

// Resample converts x, sampled at fromRate hertz, to toRate hertz with
// band-limited interpolation and returns ceil(len(x)*toRate/fromRate) samples.
//
// Method: windowed-sinc interpolation. Output sample n sits at input time
// t = n*fromRate/toRate and is sum_k x[k] h(t-k) with
//
//	h(d) = 2fc sinc(2fc d) kaiser(d / (Z / 2fc), beta)
//
// where fc = rolloff * min(fromRate, toRate) / (2 fromRate) is the cutoff in
// cycles per input sample (a low-pass at the lower Nyquist frequency, so
// downsampling does not alias), Z = zero crossings on each side (filter width
// 2Z/(2fc) input samples). Samples outside x count as zero. The ratio is
// reduced by its gcd, and the taps of each of the toRate/gcd phases are
// precomputed (a polyphase filter) when the table is small enough. The gain at
// DC is 1. Defaults: Z = 32, rolloff 0.945, beta 8.6; with them the pass band
// is flat (within 1e-3) to about 0.85 of the lower Nyquist frequency and
// everything above about 0.97 of it is attenuated by ~87 dB.
//
// Equal rates return a copy of x. An empty x returns an empty slice.
func Resample(x []float64, fromRate, toRate int, opts ...ResampleOption) ([]float64, error) {
	cfg := resampleConfig{zeroCrossings: 32, rolloff: 0.945, beta: 8.6, tableLimit: maxPolyphaseTable}
	for _, o := range opts {
		o(&cfg)
	}
	if fromRate <= 0 || toRate <= 0 {
		return nil, errors.Errorf("audio: resample from %d Hz to %d Hz: rates must be > 0", fromRate, toRate)
	}
	if cfg.zeroCrossings < 1 {
		return nil, errors.Errorf("audio: resample: %d zero crossings, want >= 1", cfg.zeroCrossings)
	}
	if !(cfg.rolloff > 0 && cfg.rolloff <= 1) {
		return nil, errors.Errorf("audio: resample: rolloff %g, want in (0, 1]", cfg.rolloff)
	}
	if !(cfg.beta >= 0) || math.IsInf(cfg.beta, 0) {
		return nil, errors.Errorf("audio: resample: Kaiser beta %g, want >= 0", cfg.beta)
	}
	if fromRate == toRate {
		return append([]float64(nil), x...), nil
	}
	g := gcd(fromRate, toRate)
	up, down := toRate/g, fromRate/g
	nOut := int((int64(len(x))*int64(up) + int64(down) - 1) / int64(down))
	out := make([]float64, nOut)
	if nOut == 0 {
		return out, nil
	}

	fc := 0.5 * cfg.rolloff * float64(min(fromRate, toRate)) / float64(fromRate)
	halfWidth := float64(cfg.zeroCrossings) / (2 * fc) // input samples
	half := int(math.Ceil(halfWidth))
	taps := 2 * half // input indices k0-half+1 .. k0+half
	i0b := besselI0(cfg.beta)
	kernel := func(d float64) float64 {
		u := d / halfWidth
		if u <= -1 || u >= 1 {
			return 0
		}
		w := besselI0(cfg.beta*math.Sqrt(1-u*u)) / i0b
		a := 2 * fc * d
		s := 1.0
		if a != 0 {
			s = math.Sin(math.Pi*a) / (math.Pi * a)
		}
		return 2 * fc * s * w
	}
	fill := func(dst []float64, frac float64) {
		// dst[j] weights input index k0-half+1+j; t - k = frac + half-1-j.
		for j := range dst {
			dst[j] = kernel(frac + float64(half-1-j))
		}
	}
	var table []float64
	if up*taps <= cfg.tableLimit {
		table = make([]float64, up*taps)
		for p := 0; p < up; p++ {
			fill(table[p*taps:(p+1)*taps], float64(p)/float64(up))
		}
	}
	scratch := make([]float64, taps)
	for n := range out {
		pos := int64(n) * int64(down)
		k0 := int(pos / int64(up))
		p := int(pos % int64(up))
		var h []float64
		if table != nil {
			h = table[p*taps : (p+1)*taps]
		} else {
			fill(scratch, float64(p)/float64(up))
			h = scratch
		}
		start := k0 - half + 1
		lo, hi := 0, taps
		if start < 0 {
			lo = -start
		}
		if start+hi > len(x) {
			hi = len(x) - start
		}
		var acc float64
		for j := lo; j < hi; j++ {
			acc += h[j] * x[start+j]
		}
		out[n] = acc
	}
	return out, nil
}

// ResampleClip resamples every channel of c to toRate (see Resample) and
// returns a new clip with the same Encoding.
func ResampleClip(c *Clip, toRate int, opts ...ResampleOption) (*Clip, error) {
	if err := c.Validate(); err != nil {
		return nil, errors.Wrap(err, "audio: resample clip")
	}
	out := &Clip{SampleRate: toRate, Encoding: c.Encoding, Samples: make([][]float64, len(c.Samples))}
	for i, ch := range c.Samples {
		r, err := Resample(ch, c.SampleRate, toRate, opts...)
		if err != nil {
			return nil, errors.Wrapf(err, "channel %d", i)
		}
		out.Samples[i] = r
	}
	return out, nil
}

// besselI0 is the modified Bessel function of the first kind, order 0, by its
// power series (converges for every x; used for x up to a few tens).
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	q := x * x / 4
	for k := 1; k < 500; k++ {
		term *= q / float64(k*k)
		sum += term
		if term < sum*1e-17 {
			break
		}
	}
	return sum
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
