package zoo

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/text"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// The text classifiers of TrainText (TextConfig.Model).
const (
	// TextCNN is Embedding -> Conv1D(128, 5, relu, same) -> GlobalMaxPooling1D.
	TextCNN = "cnn"
	// TextLSTM is Embedding -> LSTM(64), padding masked.
	TextLSTM = "lstm"
	// TextTransformer is Embedding -> PositionalEmbedding ->
	// TransformerEncoder(4 heads, 128) -> GlobalAveragePooling1D, padding masked.
	TextTransformer = "transformer"
)

// The fixed parts of TrainText's models.
const (
	// textMaxTokens caps the Words vocabulary, the two reserved ids included.
	textMaxTokens = 20000
	// textMinLen and textMaxLen clamp the sequence length (the 95th percentile
	// of the training texts' token counts).
	textMinLen, textMaxLen = 8, 256
	// textEmbedDim is the width of the token embeddings.
	textEmbedDim = 64
	// textDropout is the rate of the Dropout before the classifier.
	textDropout = 0.3
	// textValidation is the share of the training split held out for early
	// stopping (stratified).
	textValidation = 0.1
	// textPatience is the default early-stopping patience, in epochs.
	textPatience = 3
	// bowLR and bowEpochs are the learning rate and the most epochs of the
	// bag-of-words baseline (early stopping as the model's).
	bowLR, bowEpochs = 5e-3, 40
)

// TextConfig says what TrainText trains. Zero fields take the defaults.
type TextConfig struct {
	// Model is TextCNN (default), TextLSTM or TextTransformer.
	Model string
	// Input names the model's String input (default "text"): demo predict and
	// serve feed it the CSV column or JSON field of this name.
	Input string
	// Output names the model's output (default "label").
	Output string
	// Patience stops training when the validation loss has not improved for
	// this many epochs, restoring the best epoch's weights (0: 3; negative: no
	// early stopping and no validation slice).
	Patience int
}

// TextDefaults are TrainText's default settings: at most 20 epochs (early
// stopping usually ends sooner), batch 32, Adam at 1e-3, seed 42.
func TextDefaults() Settings { return Settings{Epochs: 20, BatchSize: 32, LR: 1e-3, Seed: 42} }

// TrainText trains a text classifier on train and reports it on test (both
// TextSets of the same Classes): a String input -> TextVectorization (a Words
// tokenizer fitted on the training texts, lower_and_strip_punctuation, at most
// 20000 ids, sequence length the 95th percentile of the training texts' token
// counts clamped to [8, 256]) -> Embedding(64, mask_zero) -> the model of
// cfg.Model -> Dropout(0.3) -> Dense(classes, softmax) named after the classes
// (layers.SetClassNames). Adam, sparse categorical cross-entropy, accuracy;
// early stopping on a stratified 10% validation slice of train, best weights
// restored. In the same run a bag-of-words logistic regression (multi-hot
// TextVectorization -> Dense softmax) is trained on the same slices: its test
// accuracy is Extra["bow_logreg_accuracy"]. A text that is empty, not valid
// UTF-8 or without words is an error naming it.
func TrainText(ctx context.Context, train, test *datasets.TextSet, cfg TextConfig, s Settings) (*Result, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	s, err := s.withDefaults(TextDefaults())
	if err != nil {
		return nil, err
	}
	cfg, err = cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := checkTextSets(train, test); err != nil {
		return nil, err
	}
	fit, val := train, (*datasets.TextSet)(nil)
	if cfg.Patience > 0 {
		if fit, val, err = train.Split(textValidation, s.Seed+1); err != nil {
			return nil, errors.Wrap(err, "hold out the validation slice")
		}
	}
	words, err := text.FitWords(fit.Texts, text.WordsOptions{Standardize: text.LowerAndStripPunctuation, MaxTokens: textMaxTokens})
	if err != nil {
		return nil, errors.Wrap(err, "fit the tokenizer")
	}
	seqLen, err := textSequenceLength(words, fit.Texts)
	if err != nil {
		return nil, err
	}
	model, err := textModel(cfg, words, seqLen, len(train.Classes))
	if err != nil {
		return nil, errors.Wrap(err, "make the model")
	}
	if err := layers.SetClassNames(model, train.Classes...); err != nil {
		return nil, err
	}
	fitData, err := textTensors(fit, cfg)
	if err != nil {
		return nil, err
	}
	valData, err := textTensors(val, cfg)
	if err != nil {
		return nil, err
	}
	testData, err := textTensors(test, cfg)
	if err != nil {
		return nil, err
	}
	tr, hist, secs, err := fitText(ctx, model, fitData, valData, cfg, s, s.LR, s.Epochs, s.Verbose, s.fitOpts()...)
	if err != nil {
		return nil, err
	}
	defer tr.Close()
	res := &Result{Model: cfg.Model, Settings: s, Epochs: len(hist.Epoch), Seconds: secs, Summary: model.Summary(),
		History: hist, Trainer: tr, TestMulti: testData}
	res.Settings.Out = nil
	if res.Train, err = evaluate(ctx, tr, fitData); err != nil {
		return nil, errors.Wrap(err, "evaluate on the training texts")
	}
	if res.Test, err = evaluate(ctx, tr, testData); err != nil {
		return nil, errors.Wrap(err, "evaluate on the test texts")
	}
	bow, bowSecs, err := bowBaseline(ctx, words, fitData, valData, testData, cfg, s, len(train.Classes))
	if err != nil {
		return nil, errors.Wrap(err, "bag-of-words baseline")
	}
	res.Extra = map[string]float64{"bow_logreg_accuracy": bow, "bow_logreg_seconds": bowSecs,
		"sequence_length": float64(seqLen), "vocabulary_size": float64(words.VocabSize())}
	return res, nil
}

// withDefaults fills the zero fields of c and checks the model's name.
func (c TextConfig) withDefaults() (TextConfig, error) {
	if c.Model == "" {
		c.Model = TextCNN
	}
	if c.Input == "" {
		c.Input = "text"
	}
	if c.Output == "" {
		c.Output = "label"
	}
	if c.Patience == 0 {
		c.Patience = textPatience
	}
	switch c.Model {
	case TextCNN, TextLSTM, TextTransformer:
	default:
		return c, errors.Errorf("text model %q (valid: %s, %s, %s)", c.Model, TextCNN, TextLSTM, TextTransformer)
	}
	if c.Input == c.Output {
		return c, errors.Errorf("the input and the output are both named %q", c.Input)
	}
	return c, nil
}

// checkTextSets checks both sets and that they share the classes.
func checkTextSets(train, test *datasets.TextSet) error {
	if err := train.Check(); err != nil {
		return errors.Wrap(err, "training texts")
	}
	if err := test.Check(); err != nil {
		return errors.Wrap(err, "test texts")
	}
	if len(train.Classes) < 2 {
		return errors.Errorf("%d class(es): a classifier needs at least 2", len(train.Classes))
	}
	if len(test.Classes) != len(train.Classes) {
		return errors.Errorf("the test texts have %d classes, the training texts %d", len(test.Classes), len(train.Classes))
	}
	for k, c := range train.Classes {
		if test.Classes[k] != c {
			return errors.Errorf("class %d is %q in the training texts and %q in the test texts", k, c, test.Classes[k])
		}
	}
	for _, set := range []struct {
		what string
		s    *datasets.TextSet
	}{{"training", train}, {"test", test}} {
		for i, t := range set.s.Texts {
			if err := CheckText(t); err != nil {
				return errors.Wrapf(err, "%s text %d", set.what, i)
			}
		}
	}
	return nil
}

// CheckText returns an error when s cannot be classified: an empty text, a
// text that is not valid UTF-8 (naming the byte offset), or a text without a
// word once punctuation is stripped (the tokenizer would give it no token).
func CheckText(s string) error {
	if s == "" {
		return errors.New("empty text")
	}
	if err := text.CheckUTF8(s); err != nil {
		return err
	}
	probe, err := text.NewWords(nil, text.WordsOptions{})
	if err != nil {
		return err
	}
	ids, err := probe.Encode(s)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return errors.Errorf("text %q has no word", s)
	}
	return nil
}

// textSequenceLength is the 95th percentile of the token counts of texts,
// clamped to [textMinLen, textMaxLen].
func textSequenceLength(tok text.Tokenizer, texts []string) (int, error) {
	counts := make([]int, len(texts))
	for i, t := range texts {
		ids, err := tok.Encode(t)
		if err != nil {
			return 0, errors.Wrapf(err, "training text %d", i)
		}
		counts[i] = len(ids)
	}
	sort.Ints(counts)
	p := counts[int(math.Ceil(0.95*float64(len(counts))))-1]
	return min(textMaxLen, max(textMinLen, p)), nil
}

// textTensors makes the named tensors of set: its texts (n, 1) as cfg.Input and
// its labels (n, 1) as cfg.Output (nil for a nil set).
func textTensors(set *datasets.TextSet, cfg TextConfig) (*datasets.Tensors, error) {
	if set == nil {
		return nil, nil
	}
	labels := make([]float32, len(set.Labels))
	for i, l := range set.Labels {
		labels[i] = float32(l)
	}
	n := len(set.Texts)
	x := tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(append([]string(nil), set.Texts...)))
	y := tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(labels))
	ds, err := datasets.NewNamedTensors(map[string]*tensor.Dense{cfg.Input: x}, map[string]*tensor.Dense{cfg.Output: y})
	return ds, errors.Wrap(err, "text tensors")
}

// fitText trains model on fit with Adam at lr for at most epochs, with early
// stopping on val when val is not nil, and returns the trainer (to Close), the
// history and the seconds of training. It adds s.Options' TrainerOptions to the trainer's
// options, and more (the main model's FitOptions) to Fit's.
func fitText(ctx context.Context, model layers.Model, fit, val *datasets.Tensors, cfg TextConfig, s Settings, lr float64, epochs, verbose int, more ...trainers.FitOption) (*trainers.Trainer, *trainers.History, float64, error) {
	opts := []trainers.Option{trainers.WithOptimizer(trainers.Adam(lr)), trainers.WithSeed(s.Seed),
		trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithMetrics("accuracy")}
	if s.Out != nil {
		opts = append(opts, trainers.WithOutput(s.Out))
	}
	opts = s.trainerOpts(opts...)
	tr, err := trainers.New(model, opts...)
	if err != nil {
		return nil, nil, 0, errors.Wrap(err, "new trainer")
	}
	fitOpts := []trainers.FitOption{trainers.Epochs(epochs), trainers.BatchSize(s.BatchSize), trainers.Verbose(verbose)}
	if val != nil {
		fitOpts = append(fitOpts, trainers.ValidationMulti(val), trainers.Callbacks(
			&trainers.EarlyStopping{Monitor: "val_loss", Patience: cfg.Patience, RestoreBestWeights: true}))
	}
	start := time.Now()
	hist, err := tr.FitMulti(ctx, fit, append(fitOpts, more...)...)
	if err != nil {
		tr.Close()
		return nil, nil, 0, errors.Wrap(err, "fit")
	}
	return tr, hist, time.Since(start).Seconds(), nil
}
