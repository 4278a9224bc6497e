// Package audio reads and writes WAV files, resamples, and computes the
// spectral features that speech and sound models take as input: STFT, power and
// magnitude spectrograms, mel filterbanks, log-mel spectrograms and MFCCs. It is
// pure Go (no cgo); the FFT is gonum's (gonum.org/v1/gonum/dsp/fourier).
//
// # Samples and channel layout
//
// A Clip holds samples as float64 in planar layout: Samples[c][i] is channel c
// at frame i, every channel has the same length, and Samples has Channels rows.
// For a WAV file the channel order is the file's interleaving order (for
// stereo: 0 = left, 1 = right). Integer PCM is scaled to [-1, 1):
//
//	8-bit (unsigned):   (b - 128) / 128
//	16/24/32-bit:       v / 2^(bits-1)
//	32/64-bit float:    stored value, unchanged (not clipped)
//
// Writing inverts this exactly (round(x * 2^(bits-1)), clipped to the integer
// range), so any clip read from an integer file writes back bit for bit.
//
// # Feature conventions
//
// Every feature is time-major: row t is frame t (shape [frames][bins],
// [frames][nMels] or [frames][nMFCC]), the transpose of librosa's layout, so a
// row is one time step of a sequence model. The definitions follow librosa:
// frame t covers padded samples [t*hop, t*hop+nFFT); with centering (the
// default) the signal is first padded by nFFT/2 on both sides (reflect padding
// by default, as in torchaudio and librosa before 0.10; constant zero padding on
// request, librosa 0.10's default), giving 1 + len(x)/hop frames. The window
// (periodic Hann of winLength samples by default) is zero-padded to nFFT,
// centred. Defaults: nFFT 2048, winLength nFFT, hop winLength/4, power 2,
// 128 mels on the Slaney mel scale with Slaney area normalization, fmin 0, fmax
// sampleRate/2, log-mel in decibels as librosa.power_to_db (ref 1, amin 1e-10,
// top_db 80), 20 MFCCs from an orthonormal DCT-II of the log-mel rows. See
// Option for every knob.
//
// Reference values come from audio/testdata/make_fixtures.py, an independent
// NumPy implementation of librosa's definitions; the tests match it within 1e-4.
//
// # Resampling
//
// Resample converts between any two integer rates with a band-limited
// Kaiser-windowed sinc interpolator (polyphase tables when the rate ratio allows);
// see Resample for its width and cutoff.
//
// The package holds no global mutable state. A Clip is plain data; an Extractor
// is read-only after NewExtractor and safe to share between goroutines.
package audio
