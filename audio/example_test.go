package audio_test

import (
	"bytes"
	"fmt"
	"math"

	"github.com/gokeras/gokeras/audio"
)

// tone returns n samples of a sine at freq Hz sampled at rate.
func tone(freq float64, rate, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = 0.5 * math.Sin(2*math.Pi*freq*float64(i)/float64(rate))
	}
	return x
}

// Write a stereo clip as 24-bit PCM and read it back.
func ExampleWriteWAV() {
	clip, err := audio.NewClip(16000, tone(440, 16000, 1600), tone(880, 16000, 1600))
	if err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	if err := audio.WriteWAV(&buf, clip, audio.WithEncoding(audio.PCM24)); err != nil {
		panic(err)
	}
	fmt.Println("bytes:", buf.Len())
	back, err := audio.ReadWAV(&buf)
	if err != nil {
		panic(err)
	}
	fmt.Println(back.SampleRate, back.Channels(), back.Frames(), back.Encoding, back.Duration())
	// Output:
	// bytes: 9644
	// 16000 2 1600 PCM24 0.1
}

// A compressed file is refused with an error naming the offset and field.
func ExampleReadWAV_error() {
	alaw := []byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00" +
		"\x06\x00\x01\x00\x40\x1f\x00\x00\x40\x1f\x00\x00\x01\x00\x08\x00" +
		"data\x00\x00\x00\x00")
	_, err := audio.ReadWAV(bytes.NewReader(alaw))
	fmt.Println(err)
	// Output:
	// audio: WAV <reader>: offset 20: fmt.formatTag: format tag 0x0006 (A-law) is not supported: only uncompressed PCM and IEEE float
}

// Resample one second from 44.1 kHz to 16 kHz.
func ExampleResample() {
	y, err := audio.Resample(tone(1000, 44100, 44100), 44100, 16000)
	if err != nil {
		panic(err)
	}
	peak := 0.0
	for _, v := range y[1000:15000] {
		peak = math.Max(peak, math.Abs(v))
	}
	fmt.Printf("%d samples, peak %.3f\n", len(y), peak)
	// Output:
	// 16000 samples, peak 0.500
}

// MFCCs of one second of 16 kHz audio with a speech-style front end: 25 ms
// windows, 10 ms hop, 40 mels, 13 coefficients.
func ExampleMFCC() {
	m, err := audio.MFCC(tone(440, 16000, 16000), 16000,
		audio.WithNFFT(512), audio.WithWinLength(400), audio.WithHopLength(160),
		audio.WithNMels(40), audio.WithNMFCC(13))
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d frames x %d coefficients\n", len(m), len(m[0]))
	// Output:
	// 101 frames x 13 coefficients
}

// An Extractor prepares the window and filters once for many clips.
func ExampleNewExtractor() {
	e, err := audio.NewExtractor(16000, audio.WithNFFT(400), audio.WithHopLength(160), audio.WithNMels(64),
		audio.WithMelScale(audio.MelHTK), audio.WithMelNorm(audio.MelNormNone), audio.WithLogOffset(1e-6))
	if err != nil {
		panic(err)
	}
	lm, err := e.LogMelSpectrogram(tone(1000, 16000, 8000))
	if err != nil {
		panic(err)
	}
	fmt.Println(len(lm), len(lm[0]), e.NumFrames(8000))
	// Output:
	// 51 64 51
}
