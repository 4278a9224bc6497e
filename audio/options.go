package audio

import (
	"math"

	"github.com/pkg/errors"
)

// Option configures the feature functions (STFT, Spectrogram, MelFilterbank,
// MelSpectrogram, LogMelSpectrogram, MFCC, PowerToDB) and NewExtractor. Each
// WithX states its default; options that a function does not use are ignored.
type Option func(*config)

// WindowKind selects the analysis window.
type WindowKind int

// Windows. A periodic window of length N is the first N points of the
// symmetric window of length N+1 (scipy's fftbins=True, librosa's and
// torchaudio's default).
const (
	HannPeriodic    WindowKind = iota // 0.5 - 0.5 cos(2 pi n / N), the default
	HannSymmetric                     // 0.5 - 0.5 cos(2 pi n / (N-1))
	HammingPeriodic                   // 0.54 - 0.46 cos(2 pi n / N)
	Rectangular                       // all ones
)

// PadMode is how a centred STFT pads the signal by nFFT/2 on each side.
type PadMode int

// Padding modes.
const (
	PadReflect  PadMode = iota // mirror without repeating the edge sample (numpy "reflect"), the default
	PadConstant                // zeros (librosa >= 0.10's default)
)

// MelScale selects the Hz <-> mel conversion.
type MelScale int

// Mel scales.
const (
	// MelSlaney (the default, librosa's htk=False): linear below 1 kHz
	// (mel = 3f/200), logarithmic above (mel = 15 + 27 ln(f/1000)/ln 6.4).
	MelSlaney MelScale = iota
	// MelHTK: mel = 2595 log10(1 + f/700) (torchaudio's default).
	MelHTK
)

// MelNorm selects how mel filters are scaled.
type MelNorm int

// Mel filter normalizations.
const (
	// MelNormSlaney (the default, librosa's norm="slaney"): each triangle is
	// divided by its width in Hz / 2, so every filter has unit area.
	MelNormSlaney MelNorm = iota
	// MelNormNone: triangles of peak 1.
	MelNormNone
)

type config struct {
	nFFT      int
	winLength int
	hop       int
	window    WindowKind
	center    bool
	padMode   PadMode
	power     float64
	nMels     int
	fMin      float64
	fMax      float64
	melScale  MelScale
	melNorm   MelNorm
	topDB     float64
	amin      float64
	ref       float64
	logOffset float64
	nMFCC     int
}

func defaultConfig() config {
	return config{nFFT: 2048, window: HannPeriodic, center: true, padMode: PadReflect, power: 2,
		nMels: 128, melScale: MelSlaney, melNorm: MelNormSlaney, topDB: 80, amin: 1e-10, ref: 1, nMFCC: 20}
}

// WithNFFT sets the FFT size; bins = nFFT/2 + 1. Default 2048.
func WithNFFT(n int) Option { return func(c *config) { c.nFFT = n } }

// WithWinLength sets the window length, 1..nFFT; the window is zero-padded to
// nFFT, centred. Default (0): nFFT.
func WithWinLength(n int) Option { return func(c *config) { c.winLength = n } }

// WithHopLength sets the hop between frames in samples. Default (0):
// winLength/4.
func WithHopLength(n int) Option { return func(c *config) { c.hop = n } }

// WithWindow sets the window. Default HannPeriodic.
func WithWindow(w WindowKind) Option { return func(c *config) { c.window = w } }

// WithCenter sets whether frames are centred (the signal padded by nFFT/2 on
// both sides, frame t centred on sample t*hop). Default true.
func WithCenter(on bool) Option { return func(c *config) { c.center = on } }

// WithPadMode sets the padding used when centring. Default PadReflect.
func WithPadMode(m PadMode) Option { return func(c *config) { c.padMode = m } }

// WithPower sets the exponent of the magnitude in Spectrogram and the mel
// features: 2 gives power, 1 magnitude. Default 2.
func WithPower(p float64) Option { return func(c *config) { c.power = p } }

// WithNMels sets the number of mel bands. Default 128.
func WithNMels(n int) Option { return func(c *config) { c.nMels = n } }

// WithFMin sets the lowest mel filter edge in Hz. Default 0.
func WithFMin(f float64) Option { return func(c *config) { c.fMin = f } }

// WithFMax sets the highest mel filter edge in Hz. Default (0): sampleRate/2.
func WithFMax(f float64) Option { return func(c *config) { c.fMax = f } }

// WithMelScale sets the mel scale. Default MelSlaney.
func WithMelScale(s MelScale) Option { return func(c *config) { c.melScale = s } }

// WithMelNorm sets the mel filter normalization. Default MelNormSlaney.
func WithMelNorm(n MelNorm) Option { return func(c *config) { c.melNorm = n } }

// WithTopDB sets the dynamic range of decibel outputs: values below
// (maximum over the whole input) - topDB are raised to it. Default 80; <= 0
// disables the floor.
func WithTopDB(db float64) Option { return func(c *config) { c.topDB = db } }

// WithAmin sets the smallest power (and reference) that decibel conversion
// takes the log of. Default 1e-10.
func WithAmin(a float64) Option { return func(c *config) { c.amin = a } }

// WithRef sets the reference power of 0 dB. Default 1.
func WithRef(r float64) Option { return func(c *config) { c.ref = r } }

// WithLogOffset makes LogMelSpectrogram (and so MFCC) return the natural log
// ln(mel + offset) instead of decibels; topDB, amin and ref are then unused.
// Default (0): decibels.
func WithLogOffset(offset float64) Option { return func(c *config) { c.logOffset = offset } }

// WithNMFCC sets the number of MFCCs kept (the first DCT coefficients,
// 1..nMels). Default 20.
func WithNMFCC(n int) Option { return func(c *config) { c.nMFCC = n } }

// resolve applies opts to the defaults, fills derived defaults and checks the
// STFT and log settings. sampleRate <= 0 skips the mel checks.
func resolve(sampleRate int, opts []Option) (config, error) {
	c := defaultConfig()
	for _, o := range opts {
		o(&c)
	}
	if c.nFFT < 1 {
		return c, errors.Errorf("audio: nFFT %d, want >= 1", c.nFFT)
	}
	if c.winLength == 0 {
		c.winLength = c.nFFT
	}
	if c.winLength < 1 || c.winLength > c.nFFT {
		return c, errors.Errorf("audio: winLength %d, want 1..nFFT (%d)", c.winLength, c.nFFT)
	}
	if c.hop == 0 {
		c.hop = max(c.winLength/4, 1)
	}
	if c.hop < 1 {
		return c, errors.Errorf("audio: hop length %d, want >= 1", c.hop)
	}
	if c.window < HannPeriodic || c.window > Rectangular {
		return c, errors.Errorf("audio: unknown window %d", c.window)
	}
	if c.padMode != PadReflect && c.padMode != PadConstant {
		return c, errors.Errorf("audio: unknown pad mode %d", c.padMode)
	}
	if !(c.power > 0) || math.IsInf(c.power, 0) {
		return c, errors.Errorf("audio: power %g, want > 0", c.power)
	}
	if !(c.amin > 0) || !(c.ref > 0) {
		return c, errors.Errorf("audio: amin %g and ref %g must be > 0", c.amin, c.ref)
	}
	if c.logOffset < 0 || math.IsNaN(c.logOffset) {
		return c, errors.Errorf("audio: log offset %g, want >= 0", c.logOffset)
	}
	if math.IsNaN(c.topDB) {
		return c, errors.New("audio: topDB is NaN")
	}
	if sampleRate <= 0 {
		return c, nil
	}
	if c.fMax == 0 {
		c.fMax = float64(sampleRate) / 2
	}
	if c.melScale != MelSlaney && c.melScale != MelHTK {
		return c, errors.Errorf("audio: unknown mel scale %d", c.melScale)
	}
	if c.melNorm != MelNormSlaney && c.melNorm != MelNormNone {
		return c, errors.Errorf("audio: unknown mel norm %d", c.melNorm)
	}
	if c.nMels < 1 {
		return c, errors.Errorf("audio: nMels %d, want >= 1", c.nMels)
	}
	if !(c.fMin >= 0 && c.fMin < c.fMax) || math.IsInf(c.fMax, 0) {
		return c, errors.Errorf("audio: mel range fMin %g .. fMax %g Hz, want 0 <= fMin < fMax", c.fMin, c.fMax)
	}
	if c.nMFCC < 1 || c.nMFCC > c.nMels {
		return c, errors.Errorf("audio: nMFCC %d, want 1..nMels (%d)", c.nMFCC, c.nMels)
	}
	return c, nil
}
