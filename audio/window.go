package audio

import (
	"math"

	"github.com/pkg/errors"
)

// Window returns the window of kind w and length n (n >= 1), as WindowKind's
// formulas state. A periodic window of length 1 is [1].
func Window(w WindowKind, n int) ([]float64, error) {
	if n < 1 {
		return nil, errors.Errorf("audio: window length %d, want >= 1", n)
	}
	out := make([]float64, n)
	switch w {
	case HannPeriodic, HammingPeriodic:
		a0, a1 := 0.5, 0.5
		if w == HammingPeriodic {
			a0, a1 = 0.54, 0.46
		}
		for i := range out {
			out[i] = a0 - a1*math.Cos(2*math.Pi*float64(i)/float64(n))
		}
	case HannSymmetric:
		if n == 1 {
			out[0] = 1
			break
		}
		for i := range out {
			out[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n-1))
		}
	case Rectangular:
		for i := range out {
			out[i] = 1
		}
	default:
		return nil, errors.Errorf("audio: unknown window %d", w)
	}
	return out, nil
}

// paddedWindow returns the window of winLength samples zero-padded to nFFT,
// centred with (nFFT-winLength)/2 zeros on the left (librosa's pad_center).
func paddedWindow(c config) ([]float64, error) {
	w, err := Window(c.window, c.winLength)
	if err != nil {
		return nil, err
	}
	out := make([]float64, c.nFFT)
	copy(out[(c.nFFT-c.winLength)/2:], w)
	return out, nil
}
