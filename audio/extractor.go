package audio

import (
	"github.com/pkg/errors"
)

// Extractor computes features for one sample rate and one set of options,
// with the window, mel filters and DCT matrix prepared once. It is read-only
// after NewExtractor and safe for concurrent use (each call has its own FFT
// buffers). The package functions MelSpectrogram, LogMelSpectrogram and MFCC
// build one per call; keep an Extractor to process many clips.
type Extractor struct {
	sampleRate int
	cfg        config
	window     []float64
	mel        []melFilter
	dct        [][]float64 // [nMFCC][nMels]
}

// NewExtractor checks the options (every Option applies; see each WithX for
// its default) and prepares an Extractor for audio at sampleRate hertz.
func NewExtractor(sampleRate int, opts ...Option) (*Extractor, error) {
	if sampleRate <= 0 {
		return nil, errors.Errorf("audio: extractor: sample rate %d, want > 0", sampleRate)
	}
	c, err := resolve(sampleRate, opts)
	if err != nil {
		return nil, errors.Wrap(err, "audio: extractor")
	}
	w, err := paddedWindow(c)
	if err != nil {
		return nil, errors.Wrap(err, "audio: extractor")
	}
	return &Extractor{sampleRate: sampleRate, cfg: c, window: w,
		mel: melFilters(sampleRate, c), dct: dctMatrix(c.nMFCC, c.nMels)}, nil
}

// SampleRate returns the rate in hertz the extractor was made for.
func (e *Extractor) SampleRate() int { return e.sampleRate }

// NumFrames returns the number of frames a signal of n samples gives.
func (e *Extractor) NumFrames(n int) int {
	return NumFrames(n, e.cfg.nFFT, e.cfg.hop, e.cfg.center)
}

// Spectrogram returns |STFT(x)|^power, shape [frames][nFFT/2+1].
func (e *Extractor) Spectrogram(x []float64) ([][]float64, error) {
	s, err := spectrogram(x, e.cfg, e.window)
	return s, errors.Wrap(err, "audio: spectrogram")
}

// MelSpectrogram returns the mel spectrogram, shape [frames][nMels]:
// out[t][m] = sum_k fb[m][k] |STFT(x)[t][k]|^power.
func (e *Extractor) MelSpectrogram(x []float64) ([][]float64, error) {
	n := e.NumFrames(len(x))
	nm := len(e.mel)
	flat := make([]float64, n*nm)
	out := make([][]float64, n)
	pow := make([]float64, e.cfg.nFFT/2+1)
	err := frames(x, e.cfg, e.window, func(t int, spec []complex128) {
		powerOf(pow, spec, e.cfg.power)
		row := flat[t*nm : (t+1)*nm : (t+1)*nm]
		for m, f := range e.mel {
			var acc float64
			p := pow[f.start : f.start+len(f.w)]
			for i, w := range f.w {
				acc += w * p[i]
			}
			row[m] = acc
		}
		out[t] = row
	})
	if err != nil {
		return nil, errors.Wrap(err, "audio: mel spectrogram")
	}
	return out, nil
}

// LogMelSpectrogram returns the log of MelSpectrogram, shape [frames][nMels]:
// by default PowerToDB of it (decibels, ref 1, amin 1e-10, top_db 80 below the
// clip's maximum), or ln(mel + offset) with WithLogOffset.
func (e *Extractor) LogMelSpectrogram(x []float64) ([][]float64, error) {
	s, err := e.MelSpectrogram(x)
	if err != nil {
		return nil, err
	}
	logInPlace(s, e.cfg)
	return s, nil
}

// MFCC returns the mel-frequency cepstral coefficients, shape [frames][nMFCC]:
// the first nMFCC coefficients of the orthonormal DCT-II of each
// LogMelSpectrogram row (librosa.feature.mfcc with dct_type 2, norm "ortho",
// no liftering).
func (e *Extractor) MFCC(x []float64) ([][]float64, error) {
	s, err := e.LogMelSpectrogram(x)
	if err != nil {
		return nil, err
	}
	nc := len(e.dct)
	flat := make([]float64, len(s)*nc)
	out := make([][]float64, len(s))
	for t, row := range s {
		o := flat[t*nc : (t+1)*nc : (t+1)*nc]
		for k, basis := range e.dct {
			var acc float64
			for m, v := range row {
				acc += basis[m] * v
			}
			o[k] = acc
		}
		out[t] = o
	}
	return out, nil
}

// MelSpectrogram returns the mel spectrogram of x sampled at sampleRate,
// shape [frames][nMels]; see Extractor.MelSpectrogram and Option.
func MelSpectrogram(x []float64, sampleRate int, opts ...Option) ([][]float64, error) {
	e, err := NewExtractor(sampleRate, opts...)
	if err != nil {
		return nil, err
	}
	return e.MelSpectrogram(x)
}

// LogMelSpectrogram returns the log-mel spectrogram of x sampled at
// sampleRate, shape [frames][nMels]; see Extractor.LogMelSpectrogram and Option.
func LogMelSpectrogram(x []float64, sampleRate int, opts ...Option) ([][]float64, error) {
	e, err := NewExtractor(sampleRate, opts...)
	if err != nil {
		return nil, err
	}
	return e.LogMelSpectrogram(x)
}

// MFCC returns the MFCCs of x sampled at sampleRate, shape [frames][nMFCC];
// see Extractor.MFCC and Option.
func MFCC(x []float64, sampleRate int, opts ...Option) ([][]float64, error) {
	e, err := NewExtractor(sampleRate, opts...)
	if err != nil {
		return nil, err
	}
	return e.MFCC(x)
}
