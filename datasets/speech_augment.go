package datasets

import (
	"math"
	"math/rand"
)

// augment turns a clean clip into an example: peak gain drawn from [0.3, 0.9],
// time shift, white noise at an SNR drawn from the configured range. fixed: a
// 1 s clip (the speech centred, shifted by up to ±shift, cropped around its
// centre when longer); otherwise the speech with up to shift of silence on each
// side. Random draws come from the clip's seed only.
func (c *speechConfig) augment(it speechItem, clean []float64, fixed bool) SpeechClip {
	rng := rand.New(rand.NewSource(it.seed ^ 0x6a09e667f3bcc908))
	gain := 0.3 + 0.6*rng.Float64()
	shift := int(c.shift.Seconds() * SpeechSampleRate)
	snr := c.snrMin
	if u := rng.Float64(); c.snrMax > c.snrMin {
		snr += (c.snrMax - c.snrMin) * u
	}
	var out []float32
	var at int
	speech := clean
	if fixed {
		out = make([]float32, SpeechSampleRate)
		speech, at = placeShifted(clean, len(out), shift, rng)
	} else {
		before, after := rng.Intn(shift+1), rng.Intn(shift+1)
		out = make([]float32, before+len(clean)+after)
		at = before
	}
	peak := 0.0
	for _, v := range clean {
		peak = max(peak, abs(v))
	}
	scale := 0.0
	if peak > 0 {
		scale = gain / peak
	}
	power := 0.0
	for i, v := range speech {
		s := v * scale
		out[at+i] = float32(s)
		power += s * s
	}
	if len(speech) > 0 {
		power /= float64(len(speech))
	}
	addNoise(out, power, snr, rng)
	return SpeechClip{Samples: out, Label: it.label, Digits: append([]int(nil), it.digits...), Text: it.text,
		Voice: it.voice, Speed: it.speed, Pitch: it.pitch, SNR: snr}
}

// placeShifted returns the part of clean that fits n samples (its centre when
// it is longer) and where it starts in the output: centred, moved by a shift
// drawn uniformly from [-shift, shift] and kept inside [0, n-len].
func placeShifted(clean []float64, n, shift int, rng *rand.Rand) ([]float64, int) {
	d := rng.Intn(2*shift+1) - shift
	if len(clean) >= n {
		start := (len(clean) - n) / 2
		return clean[start : start+n], 0
	}
	at := (n-len(clean))/2 + d
	at = min(max(at, 0), n-len(clean))
	return clean, at
}

// addNoise adds white Gaussian noise of power signalPower / 10^(snr/10) to x
// (nothing when snr is +Inf or the signal is silent).
func addNoise(x []float32, signalPower, snr float64, rng *rand.Rand) {
	if math.IsInf(snr, 1) || signalPower == 0 {
		return
	}
	std := math.Sqrt(signalPower / math.Pow(10, snr/10))
	for i := range x {
		x[i] += float32(std * rng.NormFloat64())
	}
}
