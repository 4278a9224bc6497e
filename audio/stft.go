package audio

import (
	"math"

	"github.com/pkg/errors"
	"gonum.org/v1/gonum/dsp/fourier"
)

// NumFrames returns the number of STFT frames for n samples: with centring
// 1 + (n + 2*(nFFT/2) - nFFT)/hop (1 + n/hop for even nFFT), without it
// 1 + (n - nFFT)/hop (0 when n < nFFT).
func NumFrames(n, nFFT, hop int, center bool) int {
	if center {
		n += 2 * (nFFT / 2)
	}
	if n < nFFT || hop < 1 {
		return 0
	}
	return 1 + (n-nFFT)/hop
}

// STFT returns the short-time Fourier transform of x, shape [frames][nFFT/2+1]
// (time-major): out[t][k] = sum_n w[n] xp[t*hop + n] exp(-2 pi i k n / nFFT),
// unnormalized, where xp is x padded as the package doc states and w the
// window padded to nFFT. Options: WithNFFT, WithWinLength, WithHopLength,
// WithWindow, WithCenter, WithPadMode.
func STFT(x []float64, opts ...Option) ([][]complex128, error) {
	c, err := resolve(0, opts)
	if err != nil {
		return nil, errors.Wrap(err, "audio: STFT")
	}
	w, err := paddedWindow(c)
	if err != nil {
		return nil, errors.Wrap(err, "audio: STFT")
	}
	var out [][]complex128
	err = frames(x, c, w, func(t int, spec []complex128) {
		out = append(out, append([]complex128(nil), spec...))
	})
	return out, err
}

// Spectrogram returns |STFT(x)|^power, shape [frames][nFFT/2+1]; power 2 (the
// default) is the power spectrogram, WithPower(1) the magnitude. Options as
// for STFT plus WithPower.
func Spectrogram(x []float64, opts ...Option) ([][]float64, error) {
	c, err := resolve(0, opts)
	if err != nil {
		return nil, errors.Wrap(err, "audio: spectrogram")
	}
	w, err := paddedWindow(c)
	if err != nil {
		return nil, errors.Wrap(err, "audio: spectrogram")
	}
	return spectrogram(x, c, w)
}

func spectrogram(x []float64, c config, w []float64) ([][]float64, error) {
	n := NumFrames(len(x), c.nFFT, c.hop, c.center)
	bins := c.nFFT/2 + 1
	flat := make([]float64, n*bins)
	out := make([][]float64, n)
	err := frames(x, c, w, func(t int, spec []complex128) {
		row := flat[t*bins : (t+1)*bins : (t+1)*bins]
		powerOf(row, spec, c.power)
		out[t] = row
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// powerOf writes |spec|^p into dst.
func powerOf(dst []float64, spec []complex128, p float64) {
	switch p {
	case 2:
		for i, v := range spec {
			re, im := real(v), imag(v)
			dst[i] = re*re + im*im
		}
	case 1:
		for i, v := range spec {
			dst[i] = math.Hypot(real(v), imag(v))
		}
	default:
		for i, v := range spec {
			re, im := real(v), imag(v)
			dst[i] = math.Pow(re*re+im*im, p/2)
		}
	}
}

// frames pads x, windows each frame, transforms it and calls f with the frame
// index and its nFFT/2+1 coefficients (a buffer reused between calls).
func frames(x []float64, c config, w []float64, f func(t int, spec []complex128)) error {
	if len(x) == 0 {
		return errors.New("audio: empty signal")
	}
	pad := 0
	if c.center {
		pad = c.nFFT / 2
	}
	n := NumFrames(len(x), c.nFFT, c.hop, c.center)
	if n == 0 {
		return errors.Errorf("audio: signal of %d samples is shorter than nFFT %d (without centring)", len(x), c.nFFT)
	}
	at := func(i int) float64 { // sample i of the padded signal
		j := i - pad
		if j >= 0 && j < len(x) {
			return x[j]
		}
		if c.padMode == PadConstant {
			return 0
		}
		if len(x) == 1 {
			return x[0]
		}
		period := 2 * (len(x) - 1)
		m := j % period
		if m < 0 {
			m += period
		}
		if m >= len(x) {
			m = period - m
		}
		return x[m]
	}
	fft := fourier.NewFFT(c.nFFT)
	buf := make([]float64, c.nFFT)
	spec := make([]complex128, c.nFFT/2+1)
	for t := 0; t < n; t++ {
		start := t * c.hop
		if start >= pad && start-pad+c.nFFT <= len(x) {
			seg := x[start-pad : start-pad+c.nFFT]
			for i, v := range seg {
				buf[i] = v * w[i]
			}
		} else {
			for i := range buf {
				buf[i] = at(start+i) * w[i]
			}
		}
		fft.Coefficients(spec, buf)
		f(t, spec)
	}
	return nil
}
