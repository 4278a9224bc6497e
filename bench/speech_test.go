package bench

import (
	"math"
	"math/rand"
	"runtime"
	"sync"
	"testing"

	"github.com/gokeras/gokeras/audio"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"github.com/gokeras/gokeras/zoo"
	"gorgonia.org/tensor"
)

// Speech benchmarks: seconds of audio processed per second (audio-s/s) for the
// log-mel front end and for inference of the zoo's two speech models, beside
// bench/speech/torch_speech.py (NumPy and PyTorch 1.13 on the same shapes).
//
//	go test ./bench -run '^$' -bench Speech -benchtime 5x
//
// The networks are the recipes' (zoo.KWSModel, zoo.DigitsCTCModel), with random
// (seeded) weights and unadapted Normalization (mean 0, variance 1): the speed
// does not depend on the values.
const (
	speechRate      = 16000
	speechKWSBatch  = 64
	speechKWSFrames = 101 // 1 s at hop 160, centred
	speechMels      = 40
	speechCTCBatch  = 16
	speechCTCSample = 63840 // the digits-ctc clip: 3.99 s
	speechCTCFrames = 1 + speechCTCSample/160
)

// speechClips returns n clips of samples each: tones, a chirp and noise.
func speechClips(n, samples int) [][]float64 {
	rng := rand.New(rand.NewSource(1))
	clips := make([][]float64, n)
	for c := range clips {
		x := make([]float64, samples)
		f := 200 + 100*float64(c%16)
		for i := range x {
			t := float64(i) / speechRate
			x[i] = 0.3*math.Sin(2*math.Pi*f*t) + 0.1*math.Sin(2*math.Pi*(100*t+300*t*t)) + 0.02*rng.NormFloat64()
		}
		clips[c] = x
	}
	return clips
}

// speechExtractor is the kws front end: 40 Slaney mels, periodic Hann 400, FFT
// 512, hop 160, centred with reflect padding, dB (top 80 dB).
func speechExtractor(tb testing.TB) *audio.Extractor {
	tb.Helper()
	e, err := audio.NewExtractor(speechRate, audio.WithNFFT(512), audio.WithWinLength(400),
		audio.WithHopLength(160), audio.WithNMels(speechMels))
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// BenchmarkSpeechFeatures measures log-mel extraction of a batch of 64 one-second
// clips into the kws input (64, 101, 40, 1) float32: on one goroutine ("serial")
// and on GOMAXPROCS goroutines, one extractor each, as the kws recipe does
// ("parallel").
func BenchmarkSpeechFeatures(b *testing.B) {
	clips := speechClips(speechKWSBatch, speechRate)
	for _, par := range []struct {
		name    string
		workers int
	}{{"serial", 1}, {"parallel", runtime.GOMAXPROCS(0)}} {
		b.Run(par.name, func(b *testing.B) {
			exs := make([]*audio.Extractor, par.workers)
			for w := range exs {
				exs[w] = speechExtractor(b)
			}
			size := speechKWSFrames * speechMels
			out := make([]float32, len(clips)*size)
			run := func() {
				var wg sync.WaitGroup
				errs := make([]error, par.workers)
				for w := 0; w < par.workers; w++ {
					wg.Add(1)
					go func(w int) {
						defer wg.Done()
						for i := w; i < len(clips); i += par.workers {
							mel, err := exs[w].LogMelSpectrogram(clips[i])
							if err != nil {
								errs[w] = err
								return
							}
							row := out[i*size : (i+1)*size]
							for t, frame := range mel {
								for m, v := range frame {
									row[t*speechMels+m] = float32(v)
								}
							}
						}
					}(w)
				}
				wg.Wait()
				for _, err := range errs {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			run() // warm-up
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				run()
			}
			b.ReportMetric(float64(speechKWSBatch*b.N)/b.Elapsed().Seconds(), "audio-s/s")
		})
	}
}

// speechInput returns a (batch, frames, mels, 1) float32 tensor of log-mel-like
// values (dB around -40).
func speechInput(batch, frames int) *tensor.Dense {
	rng := rand.New(rand.NewSource(2))
	v := make([]float32, batch*frames*speechMels)
	for i := range v {
		v[i] = float32(-40 + 15*rng.NormFloat64())
	}
	return tensor.New(tensor.WithShape(batch, frames, speechMels, 1), tensor.WithBacking(v))
}

// benchSpeechPredict times Trainer.Predict of one batch (features precomputed)
// and reports audio-s/s; clipSeconds is the audio behind one row.
func benchSpeechPredict(b *testing.B, m *layers.Sequential, x *tensor.Dense, clipSeconds float64) {
	if err := m.Build(layers.WithSeed(1)); err != nil {
		b.Fatal(err)
	}
	tr, err := trainers.New(m, trainers.WithLoss("sparse_categorical_crossentropy"))
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	batch := x.Shape()[0]
	for w := 0; w < 2; w++ { // compile, warm up
		if _, err := tr.Predict(x, trainers.BatchSize(batch)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tr.Predict(x, trainers.BatchSize(batch)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(batch*b.N)*clipSeconds/b.Elapsed().Seconds(), "audio-s/s")
}

// BenchmarkSpeechKWSInfer measures kws inference of a batch of 64 one-second
// clips' log-mel images (64, 101, 40, 1).
func BenchmarkSpeechKWSInfer(b *testing.B) {
	benchSpeechPredict(b, zoo.KWSModel(), speechInput(speechKWSBatch, speechKWSFrames), 1)
}

// BenchmarkSpeechCTCInfer measures digits-ctc inference of a batch of 16 clips of
// 3.99 s (63,840 samples: log-mel images (16, 400, 40, 1)), up to the softmax
// (no decoding).
func BenchmarkSpeechCTCInfer(b *testing.B) {
	benchSpeechPredict(b, zoo.DigitsCTCModel(), speechInput(speechCTCBatch, speechCTCFrames),
		float64(speechCTCSample)/speechRate)
}
