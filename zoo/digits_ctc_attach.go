package zoo

import (
	"github.com/gokeras/gokeras/audio"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// AttachmentAudioFeatures is the name of the model attachment that holds an
// AudioFeatures: how a model that reads log-mel images computes them from a
// waveform, so that a saved model can be run on a WAV file (demo listen).
const AttachmentAudioFeatures = "audio_features"

// AudioFeatures says how a speech model's input is made from audio and what its
// output means. The clip is resampled to SampleRate, made exactly Samples long
// (padded with zeros or cut: at its end for Align "start", around its centre for
// "center"), and turned into log-mel frames by audio.NewExtractor(SampleRate,
// WithNFFT(NFFT), WithWinLength(WinLength), WithHopLength(HopLength),
// WithNMels(NMels)) with the package's other defaults (Hann window, centred
// frames, Slaney mels over 0 to SampleRate/2, decibels with a floor 80 dB below
// the maximum); the model's input is then (Frames, NMels, 1).
type AudioFeatures struct {
	SampleRate int    `json:"sample_rate"`
	Samples    int    `json:"samples"`
	Align      string `json:"align"` // "start" (pad or cut at the end) or "center"
	NFFT       int    `json:"n_fft"`
	WinLength  int    `json:"win_length"`
	HopLength  int    `json:"hop_length"`
	NMels      int    `json:"n_mels"`
	Frames     int    `json:"frames"`
	// Output is "ctc" for a model of output (steps, classes) trained with the
	// ctc loss (class Blank is the blank, Labels[k] the word of class k), or
	// "classes" for a classifier of one softmax over Labels.
	Output string   `json:"output"`
	Blank  int      `json:"blank"`
	Labels []string `json:"labels"`
}

// Check reports settings that cannot describe a model's input or output.
func (f AudioFeatures) Check() error {
	switch {
	case f.SampleRate <= 0 || f.Samples <= 0 || f.NFFT <= 0 || f.WinLength <= 0 || f.HopLength <= 0 || f.NMels <= 0 || f.Frames <= 0:
		return errors.Errorf("audio features: sample rate %d, samples %d, n_fft %d, window %d, hop %d, mels %d and frames %d must be positive",
			f.SampleRate, f.Samples, f.NFFT, f.WinLength, f.HopLength, f.NMels, f.Frames)
	case f.Align != "start" && f.Align != "center":
		return errors.Errorf("audio features: align %q (want start or center)", f.Align)
	case f.Output != "ctc" && f.Output != "classes":
		return errors.Errorf("audio features: output %q (want ctc or classes)", f.Output)
	case len(f.Labels) == 0:
		return errors.New("audio features: no labels")
	case f.Output == "ctc" && (f.Blank < 0 || f.Blank >= len(f.Labels)):
		return errors.Errorf("audio features: blank %d is not a class in [0, %d)", f.Blank, len(f.Labels))
	}
	return nil
}

// Extractor returns the log-mel extractor of f (its MFCC count, unused here,
// is cut to NMels when there are fewer than the default 20 mels).
func (f AudioFeatures) Extractor() (*audio.Extractor, error) {
	return audio.NewExtractor(f.SampleRate, audio.WithNFFT(f.NFFT), audio.WithWinLength(f.WinLength),
		audio.WithHopLength(f.HopLength), audio.WithNMels(f.NMels), audio.WithNMFCC(min(20, f.NMels)))
}

// Fit returns x (samples at f.SampleRate) padded with zeros or cut to f.Samples
// as f.Align says; x itself is not changed.
func (f AudioFeatures) Fit(x []float64) []float64 {
	out := make([]float64, f.Samples)
	off := 0
	if f.Align == "center" {
		off = (f.Samples - len(x)) / 2
	}
	for i := range out {
		if j := i - off; j >= 0 && j < len(x) {
			out[i] = x[j]
		}
	}
	return out
}

// LogMel returns the model input of x (samples at f.SampleRate, any length):
// Frames x NMels values, row-major, after Fit.
func (f AudioFeatures) LogMel(ex *audio.Extractor, x []float64) ([]float32, error) {
	mel, err := ex.LogMelSpectrogram(f.Fit(x))
	if err != nil {
		return nil, err
	}
	if len(mel) != f.Frames {
		return nil, errors.Errorf("audio features: %d samples give %d frames, want %d", f.Samples, len(mel), f.Frames)
	}
	out := make([]float32, f.Frames*f.NMels)
	for t, frame := range mel {
		if len(frame) != f.NMels {
			return nil, errors.Errorf("audio features: frame %d has %d mels, want %d", t, len(frame), f.NMels)
		}
		for m, v := range frame {
			out[t*f.NMels+m] = float32(v)
		}
	}
	return out, nil
}

// AttachAudioFeatures stores f with m (after Check), so that a saved m carries
// what is needed to compute its input from a WAV file (ModelAudioFeatures).
func AttachAudioFeatures(m layers.Model, f AudioFeatures) error {
	if m == nil {
		return errors.New("attach audio features: nil model")
	}
	if err := f.Check(); err != nil {
		return errors.Wrap(err, "attach audio features")
	}
	return errors.Wrap(m.Attach(AttachmentAudioFeatures, f), "attach audio features")
}

// ModelAudioFeatures returns the AudioFeatures attached to m and whether there
// were any.
func ModelAudioFeatures(m layers.Model) (AudioFeatures, bool, error) {
	var f AudioFeatures
	if m == nil {
		return f, false, errors.New("model audio features: nil model")
	}
	ok, err := m.Attachment(AttachmentAudioFeatures, &f)
	if err != nil || !ok {
		return f, false, errors.Wrap(err, "model audio features")
	}
	return f, true, errors.Wrap(f.Check(), "model audio features")
}
