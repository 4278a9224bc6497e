package zoo

import (
	"context"
	"time"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// DigitsCTCConfig sizes the data of the "digits-ctc" recipe and chooses its
// decoder. A zero field takes its default.
type DigitsCTCConfig struct {
	// TrainSequences and TestSequences are the digit sequences of the two splits
	// of datasets.SpokenDigits (default 800 and 200).
	TrainSequences, TestSequences int
	// CacheDir is the root of the speech cache (default: datasets'
	// os.UserCacheDir()/gokeras/speech).
	CacheDir string
	// BeamWidth decodes with prefix beam search of that width (ctc.BeamSearch)
	// instead of greedily (default 0: ctc.Greedy).
	BeamWidth int
}

// digitsCTCRecipe is the published "digits-ctc" recipe.
func digitsCTCRecipe() Recipe { return DigitsCTCRecipe(DigitsCTCConfig{}) }

// DigitsCTCRecipe returns the speech recognition recipe "digits-ctc" with its
// data sized by cfg: sequences of 3 to 7 digits spoken by espeak-ng
// (datasets.SpokenDigits, seeded by Settings.Seed), tested on voices that never
// occur in training, transcribed from log-mel images (400 frames x 40 mels, see
// DigitsCTCFeatures) by a DeepSpeech2-style network trained with the ctc loss:
//
//	Input(400, 40, 1) -> Normalization (adapted to the training images)
//	-> Conv2D(32, 3x3, strides 2x2, relu) -> BatchNormalization
//	-> Conv2D(32, 5x3, strides 4x2, relu) -> BatchNormalization   (50 steps of 80 ms)
//	-> Reshape(50, 320) -> Bidirectional(GRU(64)) -> Bidirectional(GRU(64))
//	-> Dense(11, softmax)   (blank, then the digits zero .. nine)
//
// Result.Test and Result.Train hold "loss" (ctc), "wer" (word error rate over
// the digit words) and "cer" (character error rate over the words' letters and
// spaces), corpus rates of the greedy decoding (cfg.BeamWidth: beam search).
// Result.Extra holds "data_seconds", "clips_generated", "train_clips" and
// "test_clips". The model carries its AudioFeatures (AttachmentAudioFeatures),
// so that a saved model transcribes a WAV file (demo listen). Without espeak-ng
// and without the clips in the cache the run fails with an error naming
// `apt-get install espeak-ng`.
func DigitsCTCRecipe(cfg DigitsCTCConfig) Recipe {
	defaults := Settings{Epochs: 25, BatchSize: 32, LR: 0.002, Seed: 42}
	const name = "digits-ctc"
	description := "speech recognition: 3-7 spoken digits by espeak-ng, log-mel 400x40, Conv2D 32-32 " +
		"(stride 8 in time), BiGRU 64 x2, Dense 11 softmax, CTC loss, greedy decoding, held-out voices, Adam"
	expected := "test WER <= 0.10 on held-out voices (0.021 measured), ~20 min on 2 cores (under a minute of it making the speech, once)"
	return Recipe{
		Name: name, Description: description, Expected: expected, Defaults: defaults,
		Run: func(ctx context.Context, s Settings) (*Result, error) {
			if ctx == nil {
				ctx = context.Background()
			}
			full, err := s.withDefaults(defaults)
			if err != nil {
				return nil, errors.Wrapf(err, "zoo: recipe %q: settings", name)
			}
			if cfg.BeamWidth < 0 {
				return nil, errors.Errorf("zoo: recipe %q: beam width %d must not be negative", name, cfg.BeamWidth)
			}
			start := time.Now()
			d, err := digitsCTCSplits(ctx, cfg, full.Seed)
			if err != nil {
				return nil, errors.Wrapf(err, "zoo: recipe %q: make the data", name)
			}
			dataSeconds := time.Since(start).Seconds()
			inner := newRecipe(name, description, expected, defaults, spec{
				split: func(int64) (datasets.Dataset, datasets.Dataset, error) { return d.train, d.test, nil },
				model: sequential(DigitsCTCModel),
				adapt: func(m layers.Model, train datasets.Multi) error {
					if err := adaptFirst(m, train); err != nil {
						return err
					}
					return AttachAudioFeatures(m, DigitsCTCFeatures())
				},
				loss: "ctc", optimizer: adamCosine,
			})
			res, err := inner.Run(ctx, s)
			if err != nil {
				return nil, err
			}
			for _, part := range []struct {
				logs map[string]float64
				ds   *datasets.Tensor
				refs []string
			}{{res.Train, d.train, d.trainRefs}, {res.Test, d.test, d.testRefs}} {
				wer, cer, err := scoreCTC(res.Trainer, part.ds.X(), part.refs, cfg.BeamWidth)
				if err != nil {
					return nil, errors.Wrapf(err, "zoo: recipe %q: transcribe", name)
				}
				part.logs["wer"], part.logs["cer"] = wer, cer
			}
			res.Extra = map[string]float64{"data_seconds": dataSeconds, "clips_generated": float64(d.made),
				"train_clips": float64(d.train.Len()), "test_clips": float64(d.test.Len())}
			return res, nil
		},
	}
}

// digitsCTCSet is the recipe's data: features, targets and transcripts.
type digitsCTCSet struct {
	train, test         *datasets.Tensor
	trainRefs, testRefs []string
	made                int // clips espeak-ng rendered
}

// digitsCTCSplits makes the speech with datasets.SpokenDigits and its features.
func digitsCTCSplits(ctx context.Context, cfg DigitsCTCConfig, seed int64) (*digitsCTCSet, error) {
	tr, te := cfg.TrainSequences, cfg.TestSequences
	if tr == 0 {
		tr = 800
	}
	if te == 0 {
		te = 200
	}
	opts := []datasets.SpeechOption{datasets.WithSpeechContext(ctx), datasets.WithSpeechSeed(seed),
		datasets.WithSpeechCounts(tr, te), datasets.WithDigitLength(3, digitsCTCLabels)}
	if cfg.CacheDir != "" {
		opts = append(opts, datasets.WithSpeechCacheDir(cfg.CacheDir))
	}
	set, err := datasets.SpokenDigits(opts...)
	if err != nil {
		return nil, err
	}
	d := &digitsCTCSet{made: set.Generated}
	if d.train, d.trainRefs, err = digitsCTCData(ctx, set.Train); err != nil {
		return nil, err
	}
	if d.test, d.testRefs, err = digitsCTCData(ctx, set.Test); err != nil {
		return nil, err
	}
	return d, nil
}

// DigitsCTCModel returns the digits-ctc recipe's network, unbuilt: Input(400,
// 40, 1) log-mel images to (50, 11) per-step softmax probabilities, class 0 the
// CTC blank (see DigitsCTCRecipe).
func DigitsCTCModel() *layers.Sequential {
	return layers.NewSequential(layers.Input(digitsCTCFrames, digitsCTCMels, 1),
		layers.Normalization(layers.WithName("normalize")),
		layers.Conv2D(32, 3, layers.WithStrides(2, 2), layers.WithPadding("same"), layers.WithActivation("relu")),
		layers.BatchNormalization(),
		layers.Conv2D(32, 3, layers.WithKernelSize(5, 3), layers.WithStrides(4, 2), layers.WithPadding("same"), layers.WithActivation("relu")),
		layers.BatchNormalization(),
		layers.Reshape([]int{digitsCTCSteps, -1}),
		layers.Bidirectional(layers.GRU(64, layers.WithReturnSequences(true))),
		layers.Bidirectional(layers.GRU(64, layers.WithReturnSequences(true))),
		layers.Dense(digitsCTCClasses, layers.WithActivation("softmax")))
}
