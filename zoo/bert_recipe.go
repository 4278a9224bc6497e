package zoo

import (
	"context"
	"time"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// BERTRun sets how RunBERT pretrains and compares; Settings set the
// fine-tuning (and the from-scratch run, which gets the same budget). A zero
// field takes its default.
type BERTRun struct {
	// Model is the encoder's shape (Vocab is set from the tokenizer; the other
	// zero fields take BERTConfig's defaults: width 64, 2 layers, 4 heads,
	// intermediate 128, length 64, dropout 0.1).
	Model BERTConfig
	// BPEVocab is the size of the byte-level BPE learned from the pretraining
	// corpus (default 1000).
	BPEVocab int
	// PretrainEpochs is the number of masked-token epochs (default 3; negative
	// means none: both classifiers then start from random weights).
	PretrainEpochs int
	// PretrainBatch is the masked-token batch size (default 32).
	PretrainBatch int
	// PretrainLR is the peak learning rate of pretraining (default 0.002),
	// reached by a linear warm-up over the first 5% of the steps and decayed
	// along a half cosine to 1%.
	PretrainLR float64
	// MaskRate is the share of tokens masked per row (default 0.15).
	MaskRate float64
	// HeldOutFraction is the share of Opticks (its tail) kept out of
	// pretraining and of the tokenizer, for the held-out masked-token loss
	// (default 0.1).
	HeldOutFraction float64
	// TestFraction is the share of each fortunes category held out for the
	// classification test (default 0.2).
	TestFraction float64
	// MaxOpticksRows, when positive, keeps only the first MaxOpticksRows chunks
	// of Opticks for pretraining and MaxOpticksRows/8 held-out chunks (for quick
	// runs; default 0: all).
	MaxOpticksRows int
	// MaxTrainTexts, when positive, keeps only that many fortunes of the
	// training split (for quick runs; default 0: all).
	MaxTrainTexts int
	// FortunesDir is the folder of the fortune files (default
	// datasets.FortunesSystemDir).
	FortunesDir string
}

// withDefaults fills the zero fields and checks the result.
func (r BERTRun) withDefaults() (BERTRun, error) {
	if r.BPEVocab == 0 {
		r.BPEVocab = 1000
	}
	if r.PretrainEpochs == 0 {
		r.PretrainEpochs = 3
	}
	if r.PretrainEpochs < 0 {
		r.PretrainEpochs = 0
	}
	if r.PretrainBatch == 0 {
		r.PretrainBatch = 32
	}
	if r.PretrainLR == 0 {
		r.PretrainLR = 0.002
	}
	if r.HeldOutFraction == 0 {
		r.HeldOutFraction = 0.1
	}
	if r.TestFraction == 0 {
		r.TestFraction = 0.2
	}
	switch {
	case r.PretrainBatch < 1:
		return r, errors.Errorf("bert: pretraining batch %d must be positive", r.PretrainBatch)
	case !(r.PretrainLR > 0 && r.PretrainLR < 10):
		return r, errors.Errorf("bert: pretraining learning rate %g is not in (0, 10)", r.PretrainLR)
	case !(r.HeldOutFraction > 0 && r.HeldOutFraction < 1):
		return r, errors.Errorf("bert: held-out fraction %g is not in (0, 1)", r.HeldOutFraction)
	case !(r.TestFraction > 0 && r.TestFraction < 1):
		return r, errors.Errorf("bert: test fraction %g is not in (0, 1)", r.TestFraction)
	case r.MaskRate < 0 || r.MaskRate > 1 || r.MaskRate != r.MaskRate:
		return r, errors.Errorf("bert: mask rate %g is not in [0, 1]", r.MaskRate)
	case r.MaxOpticksRows < 0 || r.MaxTrainTexts < 0:
		return r, errors.Errorf("bert: max Opticks rows %d and max training texts %d must not be negative", r.MaxOpticksRows, r.MaxTrainTexts)
	}
	return r, nil
}

// bertDefaults are the fine-tuning settings of the "bert-fortunes" recipe.
var bertDefaults = Settings{Epochs: 5, BatchSize: 32, LR: 0.001, Seed: 42}

// bertExpected is what a default run measured on the 2-core machine (shared
// with other jobs, load average 9-14). Pretraining does not help at this
// budget: the masked-token model barely passes token frequencies. Tried and
// also worse than from scratch (seed 42, test accuracy): 6 pretraining epochs at
// lr 0.005 (held-out masked loss 5.70), fine-tuned at lr 0.001 / 0.0005: 0.624 /
// 0.578 vs 0.663 / 0.613 from scratch; 8 epochs on the training fortunes alone,
// fine-tuned at 0.001 / 0.002: 0.620 / 0.644 vs 0.663 / 0.672.
const bertExpected = "fine-tuned test accuracy ~0.65 (measured 0.651) vs 0.663 from scratch with the same budget: " +
	"pretraining does not help at this budget (held-out masked-token loss 6.96 -> 5.85, accuracy 0.044); " +
	"~8 min on 2 busy cores (pretraining 5.4 min, each classifier ~1 min)"

// bertRecipes returns the BERT recipes: "bert-fortunes".
func bertRecipes() []Recipe { return []Recipe{BERTRecipe(BERTRun{})} }

// BERTRecipe returns the "bert-fortunes" recipe running RunBERT with run (zero
// fields taking their defaults); a small run gives a quick variant for tests.
func BERTRecipe(run BERTRun) Recipe {
	return Recipe{
		Name: "bert-fortunes",
		Description: "BERT-style encoder (BPE 1000, width 64, 2 pre-norm blocks, 4 heads, length 64) pretrained by masked tokens " +
			"(15%, 80/10/10, fresh masks per epoch) on Newton's Opticks and the training fortunes, then fine-tuned to classify " +
			"fortunes (4 categories); against the same encoder trained from scratch with the same budget",
		Expected: bertExpected,
		Defaults: bertDefaults,
		Run: func(ctx context.Context, s Settings) (*Result, error) {
			res, err := RunBERT(ctx, run, s)
			if err != nil {
				return nil, errors.Wrap(err, `zoo: recipe "bert-fortunes"`)
			}
			res.Model = "bert-fortunes"
			return res, nil
		},
	}
}

// bertRemask draws fresh masks at the start of every epoch (dynamic masking).
type bertRemask struct {
	trainers.BaseCallback
	set *datasets.MLMSet
}

// OnEpochBegin remasks the set for the epoch.
func (c bertRemask) OnEpochBegin(_ *trainers.Trainer, epoch int) error { return c.set.Remask(epoch) }

// RunBERT pretrains a BERT-style encoder (NewBERTEncoder) as a masked-token
// model (NewBERTMLM) on Opticks' head in chunks of Length tokens plus the
// fortunes of the training split (never the test ones), with fresh masks each
// epoch (datasets.NewMLMSet), then fine-tunes a classifier sharing the encoder
// (NewBERTClassifier) on the fortunes' training split, and trains the same
// classifier from random weights with the same budget (epochs, batch, learning
// rate along a half cosine to 1%, seed). Zero fields of s take the recipe's
// defaults (5 epochs, batch 32, learning rate 0.001, seed 42).
//
// Result.Train and Test hold "loss" and "accuracy" of the fine-tuned
// classifier; History and Trainer are its. Extra holds "scratch_accuracy" and
// "scratch_loss" (test split), "mlm_loss" and "mlm_accuracy" (masked tokens of
// Opticks' held-out tail, fixed masks), "mlm_initial_loss" (the same before
// pretraining), "pretrain_seconds", "scratch_seconds", "pretrain_rows", "vocab"
// and "params" (of the classifier).
func RunBERT(ctx context.Context, run BERTRun, s Settings) (*Result, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	s, err := s.withDefaults(bertDefaults)
	if err != nil {
		return nil, errors.Wrap(err, "settings")
	}
	if run, err = run.withDefaults(); err != nil {
		return nil, err
	}
	cfg := run.Model
	cfg.Vocab = 3 // checked again below with the tokenizer's size
	if cfg, err = cfg.withDefaults(); err != nil {
		return nil, err
	}
	data, err := loadBERTData(run, cfg.Length, s.Seed)
	if err != nil {
		return nil, errors.Wrap(err, "data")
	}
	cfg.Vocab = data.tok.VocabSize()
	extra := map[string]float64{"vocab": float64(cfg.Vocab), "pretrain_rows": float64(len(data.pretrain))}

	encoder, err := NewBERTEncoder(cfg)
	if err != nil {
		return nil, err
	}
	if err := pretrainBERT(ctx, encoder, cfg, run, data, s, extra); err != nil {
		return nil, errors.Wrap(err, "pretrain")
	}
	res, err := fineTuneBERT(ctx, encoder, cfg, data, s)
	if err != nil {
		return nil, errors.Wrap(err, "fine-tune")
	}
	scratchEncoder, err := NewBERTEncoder(cfg)
	if err != nil {
		return nil, err
	}
	scratch, err := fineTuneBERT(ctx, scratchEncoder, cfg, data, s)
	if err != nil {
		return nil, errors.Wrap(err, "from scratch")
	}
	extra["scratch_accuracy"] = scratch.Test["accuracy"]
	extra["scratch_loss"] = scratch.Test["loss"]
	extra["scratch_seconds"] = scratch.Seconds
	var params int
	for _, p := range res.Trainer.Model().Params() {
		params += p.Value.Shape().TotalSize()
	}
	extra["params"] = float64(params)
	res.Extra = extra
	return res, nil
}

// pretrainBERT trains the masked-token model of encoder on data.pretrain and
// records the held-out masked-token loss and accuracy before and after.
func pretrainBERT(ctx context.Context, encoder *layers.Functional, cfg BERTConfig, run BERTRun, data *bertData, s Settings, extra map[string]float64) error {
	mlm, err := NewBERTMLM(encoder, cfg)
	if err != nil {
		return err
	}
	set, err := datasets.NewMLMSet(data.pretrain, cfg.MaskID(), cfg.Vocab, run.MaskRate, s.Seed)
	if err != nil {
		return err
	}
	heldX, heldY, err := datasets.MaskTokens(data.heldOut, cfg.MaskID(), cfg.Vocab, run.MaskRate, s.Seed+1)
	if err != nil {
		return errors.Wrap(err, "held-out masks")
	}
	steps := run.PretrainEpochs * ((set.Len()-1)/run.PretrainBatch + 1)
	warmup := steps / 20
	opt := trainers.Adam(run.PretrainLR, trainers.WithSchedule(trainers.CosineDecay{
		Initial: run.PretrainLR / 100, Target: run.PretrainLR, WarmupSteps: warmup,
		DecaySteps: steps - warmup, Alpha: finalLRFraction,
	}))
	opts := []trainers.Option{trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithMetrics("accuracy"),
		trainers.WithOptimizer(opt), trainers.WithSeed(s.Seed)}
	if s.Out != nil {
		opts = append(opts, trainers.WithOutput(s.Out))
	}
	opts = s.trainerOpts(opts...)
	tr, err := trainers.New(mlm, opts...)
	if err != nil {
		return errors.Wrap(err, "new trainer")
	}
	defer tr.Close()
	before, err := tr.Evaluate(ctx, heldX, heldY, trainers.BatchSize(evalBatch))
	if err != nil {
		return errors.Wrap(err, "evaluate before")
	}
	start := time.Now()
	if run.PretrainEpochs > 0 {
		if _, err := tr.FitMulti(ctx, set, trainers.Epochs(run.PretrainEpochs), trainers.BatchSize(run.PretrainBatch),
			trainers.Verbose(s.Verbose), trainers.Callbacks(bertRemask{set: set})); err != nil {
			return errors.Wrap(err, "fit")
		}
	}
	extra["pretrain_seconds"] = time.Since(start).Seconds()
	after, err := tr.Evaluate(ctx, heldX, heldY, trainers.BatchSize(evalBatch))
	if err != nil {
		return errors.Wrap(err, "evaluate after")
	}
	extra["mlm_initial_loss"] = before["loss"]
	extra["mlm_loss"] = after["loss"]
	extra["mlm_accuracy"] = after["accuracy"]
	return nil
}

// fineTuneBERT trains a classifier on encoder with the settings s and
// evaluates it on both fortunes splits.
func fineTuneBERT(ctx context.Context, encoder *layers.Functional, cfg BERTConfig, data *bertData, s Settings) (*Result, error) {
	model, err := NewBERTClassifier(encoder, cfg, len(data.classes))
	if err != nil {
		return nil, err
	}
	n := data.trainX.Shape()[0]
	steps := s.Epochs * ((n-1)/s.BatchSize + 1)
	opts := []trainers.Option{trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithMetrics("accuracy"),
		trainers.WithOptimizer(adamCosine(s.LR, steps)), trainers.WithSeed(s.Seed)}
	if s.Out != nil {
		opts = append(opts, trainers.WithOutput(s.Out))
	}
	opts = s.trainerOpts(opts...)
	tr, err := trainers.New(model, opts...)
	if err != nil {
		return nil, errors.Wrap(err, "new trainer")
	}
	defer tr.Close() // releases the compiled programs; the trainer stays usable
	start := time.Now()
	hist, err := tr.Fit(ctx, data.trainX, data.trainY, s.fitOpts(trainers.Epochs(s.Epochs), trainers.BatchSize(s.BatchSize), trainers.Verbose(s.Verbose))...)
	if err != nil {
		return nil, errors.Wrap(err, "fit")
	}
	res := &Result{Settings: s, Epochs: len(hist.Epoch), Seconds: time.Since(start).Seconds(), Summary: model.Summary(),
		History: hist, Trainer: tr}
	res.Settings.Out = nil
	train, err := datasets.NewTensors(nil, []*tensor.Dense{data.trainX}, nil, []*tensor.Dense{data.trainY})
	if err == nil {
		res.TestMulti, err = datasets.NewTensors(nil, []*tensor.Dense{data.testX}, nil, []*tensor.Dense{data.testY})
	}
	if err == nil {
		res.TestData, err = datasets.AsDataset(res.TestMulti)
	}
	if err == nil {
		res.Train, err = evaluate(ctx, tr, train)
	}
	if err == nil {
		res.Test, err = evaluate(ctx, tr, res.TestMulti)
	}
	if err != nil {
		return nil, errors.Wrap(err, "evaluate")
	}
	return res, nil
}
