package zoo

import (
	"context"
	"time"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// KWSConfig sizes the data of the "kws" recipe and asks for its confusion
// matrix. A zero field takes its default.
type KWSConfig struct {
	// TrainPerWord and TestPerWord are the clips per word of the two splits of
	// datasets.SpeechCommands (default 112 and 40: 2,240 and 800 clips).
	TrainPerWord, TestPerWord int
	// CacheDir is the root of the speech cache (default: datasets'
	// os.UserCacheDir()/gokeras/speech).
	CacheDir string
	// ConfusionPNG, when set, is where the test confusion matrix is drawn (PNG,
	// or SVG for a ".svg" name), the 20 words as labels (default "": none).
	ConfusionPNG string
}

// kwsRecipe is the published "kws" recipe.
func kwsRecipe() Recipe { return KWSRecipe(KWSConfig{}) }

// KWSRecipe returns the keyword-spotting recipe "kws" with its data sized by
// cfg: the 20 words of datasets.SpeechWords spoken by espeak-ng
// (datasets.SpeechCommands, seeded by Settings.Seed), tested on voices that never
// occur in training (datasets.DefaultSpeechVoices: 8 English accents in both
// splits, speaker variants m1-m4 f1-f3 for training, m5-m7 f4-f5 for testing),
// classified from log-mel images (101 frames x 40 mels: 25 ms windows, 10 ms
// hop, 16 kHz) by the small convolutional
// network of TensorFlow's simple audio recognition tutorial:
//
//	Input(101, 40, 1) -> Normalization (adapted to the training images)
//	-> AveragePooling2D 3x2 (the tutorial's resize: to 33 x 20)
//	-> Conv2D(32, 3x3, relu) -> Conv2D(64, 3x3, relu) -> MaxPooling2D 2x2
//	-> Dropout 0.25 -> Flatten -> Dense(128, relu) -> Dropout 0.5 -> Dense(20, softmax)
//
// The model's class names are the words, so reports and confusion matrices
// (demo run -report, cfg.ConfusionPNG) name them. Result.Extra holds
// "data_seconds" (making the data: speech, cached after the first run, and
// features), "clips_generated" (clips espeak-ng rendered in this run),
// "train_clips" and "test_clips". Without espeak-ng and without the clips in
// the cache the run fails with an error naming `apt-get install espeak-ng`.
func KWSRecipe(cfg KWSConfig) Recipe {
	defaults := Settings{Epochs: 12, BatchSize: 32, LR: 0.001, Seed: 42}
	const name = "kws"
	description := "keyword spotting: 20 words spoken by espeak-ng, log-mel 101x40, " +
		"AvgPool 3x2, Conv2D 32-64 MaxPool Dense 128-20 (TF simple audio), held-out voices, Adam"
	expected := "test accuracy >= 0.95 (measured 0.9725) on held-out voices, ~5.5 min on 2 cores: " +
		"~1 min making the speech (first run only, then cached), ~4 min training"
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
			start := time.Now()
			train, test, made, err := kwsData(ctx, cfg, full.Seed)
			if err != nil {
				return nil, errors.Wrapf(err, "zoo: recipe %q: make the data", name)
			}
			dataSeconds := time.Since(start).Seconds()
			words := datasets.SpeechWords()
			inner := newRecipe(name, description, expected, defaults, spec{
				split: func(int64) (datasets.Dataset, datasets.Dataset, error) { return train, test, nil },
				model: sequential(KWSModel),
				adapt: func(m layers.Model, tr datasets.Multi) error {
					if err := adaptAndName(&words)(m, tr); err != nil {
						return err
					}
					return AttachAudioFeatures(m, kwsAudioFeatures())
				},
				loss: "sparse_categorical_crossentropy", metrics: []string{"accuracy"}, optimizer: adamCosine,
			})
			res, err := inner.Run(ctx, s)
			if err != nil {
				return nil, err
			}
			res.Extra = map[string]float64{"data_seconds": dataSeconds, "clips_generated": float64(made),
				"train_clips": float64(train.Len()), "test_clips": float64(test.Len())}
			if cfg.ConfusionPNG != "" {
				conf, err := res.Trainer.ConfusionMatrixDataset(res.TestData)
				if err != nil {
					return nil, errors.Wrapf(err, "zoo: recipe %q", name)
				}
				if err := conf.Plot(cfg.ConfusionPNG); err != nil {
					return nil, errors.Wrapf(err, "zoo: recipe %q: confusion matrix", name)
				}
			}
			return res, nil
		},
	}
}

// kwsData makes the speech with datasets.SpeechCommands and its log-mel
// features; made is the number of clips espeak-ng rendered.
func kwsData(ctx context.Context, cfg KWSConfig, seed int64) (train, test *datasets.Tensor, made int, err error) {
	tr, te := cfg.TrainPerWord, cfg.TestPerWord
	if tr == 0 {
		tr = 112
	}
	if te == 0 {
		te = 40
	}
	opts := []datasets.SpeechOption{datasets.WithSpeechContext(ctx), datasets.WithSpeechSeed(seed),
		datasets.WithSpeechCounts(tr, te)}
	if cfg.CacheDir != "" {
		opts = append(opts, datasets.WithSpeechCacheDir(cfg.CacheDir))
	}
	set, err := datasets.SpeechCommands(opts...)
	if err != nil {
		return nil, nil, 0, err
	}
	if train, err = kwsFeatures(ctx, set.Train); err != nil {
		return nil, nil, 0, err
	}
	test, err = kwsFeatures(ctx, set.Test)
	return train, test, set.Generated, err
}

// KWSModel returns the kws recipe's network, unbuilt: Input(101, 40, 1) log-mel
// images to 20 softmax probabilities (see KWSRecipe).
func KWSModel() *layers.Sequential {
	return layers.NewSequential(layers.Input(kwsFrames, kwsMels, 1),
		layers.Normalization(layers.WithName("normalize")),
		layers.AveragePooling2D(2, layers.WithPoolSize(3, 2)),
		layers.Conv2D(32, 3, layers.WithActivation("relu")),
		layers.Conv2D(64, 3, layers.WithActivation("relu")),
		layers.MaxPooling2D(2),
		layers.Dropout(0.25),
		layers.Flatten(),
		layers.Dense(128, layers.WithActivation("relu")),
		layers.Dropout(0.5),
		layers.Dense(20, layers.WithActivation("softmax")))
}
