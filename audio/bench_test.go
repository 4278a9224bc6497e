package audio

import (
	"math"
	"testing"
)

// benchSignal is 10 s of a deterministic tone-plus-chirp at 16 kHz.
func benchSignal() []float64 {
	x := make([]float64, 160000)
	for i := range x {
		t := float64(i) / 16000
		x[i] = 0.3*math.Sin(2*math.Pi*440*t) + 0.15*math.Sin(2*math.Pi*(100*t+200*t*t))
	}
	return x
}

// BenchmarkMFCC measures MFCC extraction with make_fixtures.py's config A (the
// Python script's --bench mode times the same computation in NumPy) and reports
// seconds of audio processed per second.
func BenchmarkMFCC(b *testing.B) {
	x := benchSignal()
	e, err := NewExtractor(16000, WithNFFT(512), WithWinLength(400), WithHopLength(160),
		WithNMels(40), WithNMFCC(13))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.MFCC(x); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(10*float64(b.N)/b.Elapsed().Seconds(), "audio-s/s")
}

// BenchmarkLogMelDefaults measures the log-mel spectrogram with the package
// defaults (nFFT 2048, hop 512, 128 mels).
func BenchmarkLogMelDefaults(b *testing.B) {
	x := benchSignal()
	e, err := NewExtractor(16000)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.LogMelSpectrogram(x); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(10*float64(b.N)/b.Elapsed().Seconds(), "audio-s/s")
}

// BenchmarkResample measures 44.1 kHz -> 16 kHz on 10 s of audio.
func BenchmarkResample(b *testing.B) {
	x := make([]float64, 441000)
	for i := range x {
		x[i] = math.Sin(float64(i) * 0.01)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Resample(x, 44100, 16000); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(10*float64(b.N)/b.Elapsed().Seconds(), "audio-s/s")
}
