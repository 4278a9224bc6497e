package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/gokeras/gokeras/audio"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"github.com/gokeras/gokeras/zoo"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// maxListenBeam bounds -beam: wider beams cost time for no gain on short clips.
const maxListenBeam = 10000

// listenResult is what demo listen prints with -json: the transcript of a ctc
// model, or the keyword and its probability of a classifier.
type listenResult struct {
	Transcript  *string  `json:"transcript,omitempty"`
	Keyword     string   `json:"keyword,omitempty"`
	Probability *float64 `json:"probability,omitempty"`
	// Seconds is the clip's duration; Cut is set when the clip was longer than
	// the model's input and was cut to it.
	Seconds float64 `json:"seconds"`
	Cut     bool    `json:"cut,omitempty"`
}

// listenCmd is "demo listen -model F -wav FILE.wav [-beam N] [-json]".
func listenCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("listen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	model := fs.String("model", "", "a speech model saved by demo run digits-ctc -save or demo run kws -save (required)")
	wav := fs.String("wav", "", "the WAV file to listen to (required; any rate, channels averaged)")
	beam := fs.Int("beam", 0, "decode a ctc model by prefix beam search of this width (0: greedy)")
	asJSON := fs.Bool("json", false, "print one JSON line (transcript, or keyword and probability; seconds)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: demo listen -model FILE -wav FILE.wav [-beam N] [-json]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return parseStatus(err)
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "demo listen: unexpected arguments %q\n", fs.Args())
		return exitUsage
	case *model == "":
		fmt.Fprintln(stderr, "demo listen: -model is required")
		return exitUsage
	case *wav == "":
		fmt.Fprintln(stderr, "demo listen: -wav is required")
		return exitUsage
	case *beam < 0 || *beam > maxListenBeam:
		fmt.Fprintf(stderr, "demo listen: -beam %d must be in [0, %d]\n", *beam, maxListenBeam)
		return exitUsage
	}
	res, err := listen(*model, *wav, *beam)
	if err != nil {
		fmt.Fprintf(stderr, "demo listen: %s\n", errorText(ctx, err))
		return exitFailure
	}
	if res.Cut {
		fmt.Fprintf(stderr, "demo listen: %s lasts %.2f s, more than the model hears: it was cut\n", *wav, res.Seconds)
	}
	if *asJSON {
		b, err := json.Marshal(res)
		if err != nil {
			fmt.Fprintf(stderr, "demo listen: %v\n", err)
			return exitFailure
		}
		fmt.Fprintln(stdout, string(b))
		return exitOK
	}
	if res.Transcript != nil {
		fmt.Fprintln(stdout, *res.Transcript)
	} else {
		fmt.Fprintf(stdout, "%s %.4f\n", res.Keyword, *res.Probability)
	}
	return exitOK
}

// listen loads the model at modelPath, computes its input from the WAV file as
// its AudioFeatures attachment says, and transcribes (ctc) or classifies it.
func listen(modelPath, wavPath string, beam int) (*listenResult, error) {
	m, err := layers.Load(modelPath)
	if err != nil {
		return nil, err
	}
	f, err := speechFeatures(m, modelPath)
	if err != nil {
		return nil, err
	}
	clip, err := audio.ReadWAVFile(wavPath)
	if err != nil {
		return nil, err
	}
	in, res, err := speechInput(m, f, clip, wavPath)
	if err != nil {
		return nil, err
	}
	tr, err := trainers.New(m)
	if err != nil {
		return nil, err
	}
	defer tr.Close()
	probs, err := tr.Predict(in)
	if err != nil {
		return nil, err
	}
	return speechAnswer(res, probs, f, beam, modelPath)
}

// speechFeatures returns the AudioFeatures a speech model carries, checked
// against its input; what names the model in errors.
func speechFeatures(m layers.Model, what string) (zoo.AudioFeatures, error) {
	f, ok, err := zoo.ModelAudioFeatures(m)
	if err != nil {
		return f, errors.Wrap(err, what)
	}
	if !ok {
		return f, errors.Errorf("%s has no %q attachment (how to compute its input from audio): save a model trained by a speech recipe (demo run digits-ctc -save FILE)", what, zoo.AttachmentAudioFeatures)
	}
	if ins := m.Inputs(); len(ins) != 1 || !sameDims(ins[0].Shape, []int{f.Frames, f.NMels, 1}) {
		return f, errors.Errorf("%s: the model's inputs %v do not match its audio features (%d frames x %d mels x 1)", what, m.Inputs(), f.Frames, f.NMels)
	}
	return f, nil
}

// speechInput is the model's input (1, frames, mels, 1) for a clip: its
// channels averaged, resampled to the features' rate, log-mel features; where
// names the clip in errors.
func speechInput(m layers.Model, f zoo.AudioFeatures, clip *audio.Clip, where string) (*tensor.Dense, *listenResult, error) {
	x := clip.Mono()
	if clip.SampleRate != f.SampleRate {
		var err error
		if x, err = audio.Resample(x, clip.SampleRate, f.SampleRate); err != nil {
			return nil, nil, errors.Wrap(err, where)
		}
	}
	res := &listenResult{Seconds: float64(len(x)) / float64(f.SampleRate), Cut: len(x) > f.Samples}
	ex, err := f.Extractor()
	if err != nil {
		return nil, nil, err
	}
	img, err := f.LogMel(ex, x)
	if err != nil {
		return nil, nil, errors.Wrap(err, where)
	}
	in := tensor.New(tensor.WithShape(1, f.Frames, f.NMels, 1), tensor.WithBacking(img))
	if m.DType() == tensor.Float64 {
		wide := make([]float64, len(img))
		for i, v := range img {
			wide[i] = float64(v)
		}
		in = tensor.New(tensor.WithShape(1, f.Frames, f.NMels, 1), tensor.WithBacking(wide))
	}
	return in, res, nil
}

// speechAnswer fills res from the model's output: the transcript of a ctc model
// (greedy, or beam search of width beam > 0) or a classifier's keyword.
func speechAnswer(res *listenResult, probs *tensor.Dense, f zoo.AudioFeatures, beam int, what string) (*listenResult, error) {
	if f.Output == "ctc" {
		words, err := zoo.Transcribe(probs, f.Labels, f.Blank, beam)
		if err != nil {
			return nil, errors.Wrap(err, what)
		}
		res.Transcript = &words[0]
		return res, nil
	}
	return classify(res, probs, f.Labels)
}

// classify fills res with the most probable of a classifier's (1, K) output.
func classify(res *listenResult, probs *tensor.Dense, labels []string) (*listenResult, error) {
	var p []float64
	switch d := probs.Data().(type) {
	case []float32:
		for _, v := range d {
			p = append(p, float64(v))
		}
	case []float64:
		p = d
	}
	if len(p) != len(labels) {
		return nil, errors.Errorf("the model gives %d values, its audio features name %d classes (%s)", len(p), len(labels), strings.Join(labels, ", "))
	}
	best := 0
	for k, v := range p {
		if v > p[best] {
			best = k
		}
	}
	res.Keyword, res.Probability = labels[best], &p[best]
	return res, nil
}

// sameDims reports whether a and b hold the same numbers.
func sameDims(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
