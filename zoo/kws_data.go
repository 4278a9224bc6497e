package zoo

import (
	"context"
	"runtime"
	"sync"

	"github.com/gokeras/gokeras/audio"
	"github.com/gokeras/gokeras/datasets"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Log-mel features of the "kws" recipe, computed in Go before training: 40 mel
// bands (Slaney scale, 0-8 kHz) of 25 ms Hann windows (400 samples, FFT 512)
// every 10 ms (160 samples) at 16 kHz, centred, in decibels (ref 1, floor 80 dB
// below the clip's maximum): a 1 s clip gives 101 frames x 40 mels.
const (
	kwsMels   = 40
	kwsWindow = 400
	kwsHop    = 160
	kwsFFT    = 512
	kwsFrames = 1 + datasets.SpeechSampleRate/kwsHop
)

// kwsExtractor returns the log-mel extractor of the recipe.
func kwsExtractor() (*audio.Extractor, error) {
	return audio.NewExtractor(datasets.SpeechSampleRate, audio.WithNFFT(kwsFFT), audio.WithWinLength(kwsWindow),
		audio.WithHopLength(kwsHop), audio.WithNMels(kwsMels))
}

// kwsFeatures turns 1 s clips into a Tensor of log-mel images (N, 101, 40, 1),
// float32, with class ids (N, 1), on GOMAXPROCS goroutines.
func kwsFeatures(ctx context.Context, clips []datasets.SpeechClip) (*datasets.Tensor, error) {
	if len(clips) == 0 {
		return nil, errors.New("kws features: no clips")
	}
	ex, err := kwsExtractor()
	if err != nil {
		return nil, errors.Wrap(err, "kws features")
	}
	size := kwsFrames * kwsMels
	x := make([]float32, len(clips)*size)
	y := make([]float32, len(clips))
	workers := runtime.GOMAXPROCS(0)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			sig := make([]float64, datasets.SpeechSampleRate)
			for i := w; i < len(clips); i += workers {
				if err := ctx.Err(); err != nil {
					errs[w] = err
					return
				}
				c := clips[i]
				if len(c.Samples) != len(sig) {
					errs[w] = errors.Errorf("kws features: clip %d has %d samples, want %d", i, len(c.Samples), len(sig))
					return
				}
				for k, v := range c.Samples {
					sig[k] = float64(v)
				}
				mel, err := ex.LogMelSpectrogram(sig)
				if err != nil {
					errs[w] = errors.Wrapf(err, "kws features: clip %d", i)
					return
				}
				if len(mel) != kwsFrames {
					errs[w] = errors.Errorf("kws features: clip %d gives %d frames, want %d", i, len(mel), kwsFrames)
					return
				}
				row := x[i*size : (i+1)*size]
				for t, frame := range mel {
					for m, v := range frame {
						row[t*kwsMels+m] = float32(v)
					}
				}
				y[i] = float32(c.Label)
			}
		}(w)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return datasets.NewTensor(
		tensor.New(tensor.WithShape(len(clips), kwsFrames, kwsMels, 1), tensor.WithBacking(x)),
		tensor.New(tensor.WithShape(len(clips), 1), tensor.WithBacking(y)))
}

// kwsAudioFeatures describes the kws model's input for demo listen: one second at
// 16 kHz, centered, as kwsExtractor computes it, and the 20 words.
func kwsAudioFeatures() AudioFeatures {
	return AudioFeatures{SampleRate: datasets.SpeechSampleRate, Samples: datasets.SpeechSampleRate, Align: "center",
		NFFT: kwsFFT, WinLength: kwsWindow, HopLength: kwsHop, NMels: kwsMels, Frames: kwsFrames,
		Output: "classes", Labels: datasets.SpeechWords()}
}
