package zoo

import (
	"context"
	"math"
	"runtime"
	"strings"
	"sync"

	"github.com/gokeras/gokeras/ctc"
	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Features and labels of the "digits-ctc" recipe: every clip is padded with
// zeros (or cut) at its end to 63,840 samples (3.99 s at 16 kHz; the longest
// default clip is 3.5 s), then 40 log-mel bands of 25 ms windows (400 samples,
// FFT 512) every 10 ms: 400 frames x 40 mels. The model's output has a step every
// 80 ms (50 steps); class 0 is the blank and digit d is class d+1. Targets are
// the digits' classes padded with -1 to digitsCTCLabels.
const (
	digitsCTCSamples = 63840
	digitsCTCFrames  = 1 + digitsCTCSamples/kwsHop
	digitsCTCMels    = 40
	digitsCTCStride  = 8
	digitsCTCSteps   = digitsCTCFrames / digitsCTCStride
	digitsCTCClasses = 11
	digitsCTCLabels  = 7
)

// DigitsCTCFeatures returns the AudioFeatures of the "digits-ctc" recipe, the
// attachment of its model: labels "" (blank) then "zero" .. "nine".
func DigitsCTCFeatures() AudioFeatures {
	return AudioFeatures{SampleRate: datasets.SpeechSampleRate, Samples: digitsCTCSamples, Align: "start",
		NFFT: kwsFFT, WinLength: kwsWindow, HopLength: kwsHop, NMels: digitsCTCMels, Frames: digitsCTCFrames,
		Output: "ctc", Blank: 0,
		Labels: []string{"", "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}}
}

// digitsCTCData turns digit clips into log-mel images (N, 400, 40, 1), float32,
// with label sequences (N, 7) (see the constants above), on GOMAXPROCS
// goroutines; refs are the transcripts as words ("three one four").
func digitsCTCData(ctx context.Context, clips []datasets.SpeechClip) (ds *datasets.Tensor, refs []string, err error) {
	if len(clips) == 0 {
		return nil, nil, errors.New("digits-ctc features: no clips")
	}
	f := DigitsCTCFeatures()
	ex, err := f.Extractor()
	if err != nil {
		return nil, nil, errors.Wrap(err, "digits-ctc features")
	}
	size := digitsCTCFrames * digitsCTCMels
	x := make([]float32, len(clips)*size)
	y := make([]float32, len(clips)*digitsCTCLabels)
	refs = make([]string, len(clips))
	workers := runtime.GOMAXPROCS(0)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(clips); i += workers {
				if errs[w] = ctx.Err(); errs[w] != nil {
					return
				}
				c := clips[i]
				if len(c.Digits) == 0 || len(c.Digits) > digitsCTCLabels {
					errs[w] = errors.Errorf("digits-ctc features: clip %d has %d digits, want 1 to %d", i, len(c.Digits), digitsCTCLabels)
					return
				}
				sig := make([]float64, len(c.Samples))
				for k, v := range c.Samples {
					sig[k] = float64(v)
				}
				img, err := f.LogMel(ex, sig)
				if err != nil {
					errs[w] = errors.Wrapf(err, "digits-ctc features: clip %d", i)
					return
				}
				copy(x[i*size:(i+1)*size], img)
				row := y[i*digitsCTCLabels : (i+1)*digitsCTCLabels]
				words := make([]string, len(c.Digits))
				for j := range row {
					row[j] = -1
				}
				for j, d := range c.Digits {
					row[j] = float32(d + 1)
					words[j] = f.Labels[d+1]
				}
				refs[i] = strings.Join(words, " ")
			}
		}(w)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	ds, err = datasets.NewTensor(
		tensor.New(tensor.WithShape(len(clips), digitsCTCFrames, digitsCTCMels, 1), tensor.WithBacking(x)),
		tensor.New(tensor.WithShape(len(clips), digitsCTCLabels), tensor.WithBacking(y)))
	return ds, refs, err
}

// Transcribe decodes the (N, T, K) softmax probabilities of a model trained
// with the ctc loss into words: class k is labels[k], blank the blank class;
// beam 0 decodes greedily (ctc.Greedy), beam > 0 by prefix beam search of that
// width (ctc.BeamSearch). Each transcript is the words joined by spaces.
func Transcribe(probs *tensor.Dense, labels []string, blank, beam int) ([]string, error) {
	if probs == nil || probs.Dims() != 3 {
		return nil, errors.New("transcribe: want probabilities of shape (batch, steps, classes)")
	}
	n, steps, k := probs.Shape()[0], probs.Shape()[1], probs.Shape()[2]
	if k != len(labels) {
		return nil, errors.Errorf("transcribe: %d classes, %d labels", k, len(labels))
	}
	var vals []float64
	switch d := probs.Data().(type) {
	case []float32:
		vals = make([]float64, len(d))
		for i, v := range d {
			vals[i] = float64(v)
		}
	case []float64:
		vals = d
	default:
		return nil, errors.Errorf("transcribe: probabilities of dtype %v", probs.Dtype())
	}
	out := make([]string, n)
	for i := range out {
		lp := make([]float64, steps*k)
		for j, v := range vals[i*steps*k : (i+1)*steps*k] {
			lp[j] = math.Log(math.Max(v, 1e-30))
		}
		rows, err := ctc.Rows(lp, steps, k)
		if err != nil {
			return nil, errors.Wrap(err, "transcribe")
		}
		var tokens []int
		if beam > 0 {
			res, err := ctc.BeamSearch(rows, steps, ctc.BeamOptions{Width: beam, Blank: blank})
			if err != nil {
				return nil, errors.Wrap(err, "transcribe")
			}
			tokens = res[0].Tokens
		} else {
			res, err := ctc.Greedy(rows, steps, blank)
			if err != nil {
				return nil, errors.Wrap(err, "transcribe")
			}
			tokens = res.Tokens
		}
		words := make([]string, len(tokens))
		for j, t := range tokens {
			words[j] = labels[t]
		}
		out[i] = strings.Join(words, " ")
	}
	return out, nil
}

// errorRates scores hyps against refs over the corpus: WER is the summed word
// edit distances over the summed reference words, CER the same over characters
// (spaces included).
func errorRates(refs, hyps []string) (wer, cer float64) {
	var wd, wn, cd, cn float64
	for i, ref := range refs {
		words := float64(len(strings.Fields(ref)))
		chars := float64(len([]rune(ref)))
		wd += ctc.WER(ref, hyps[i]) * math.Max(1, words)
		cd += ctc.CER(ref, hyps[i]) * math.Max(1, chars)
		wn += math.Max(1, words)
		cn += math.Max(1, chars)
	}
	return wd / wn, cd / cn
}

// scoreCTC predicts x with tr and returns the corpus WER and CER of the
// transcripts against refs (see Transcribe and errorRates).
func scoreCTC(tr *trainers.Trainer, x *tensor.Dense, refs []string, beam int) (wer, cer float64, err error) {
	probs, err := tr.Predict(x, trainers.BatchSize(evalBatch))
	if err != nil {
		return 0, 0, err
	}
	hyps, err := Transcribe(probs, DigitsCTCFeatures().Labels, 0, beam)
	if err != nil {
		return 0, 0, err
	}
	wer, cer = errorRates(refs, hyps)
	return wer, cer, nil
}
