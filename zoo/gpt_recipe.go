package zoo

import (
	"context"
	"math"
	"time"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/generate"
	"github.com/gokeras/gokeras/text"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
)

// GPTRun sets how RunGPT trains a GPT on a text. A zero field takes its default.
type GPTRun struct {
	// Model is the GPT's shape (Vocab is set from the tokenizer; the other
	// zero fields take NewGPT's defaults).
	Model GPTConfig
	// Tokens is "chars" (default: one token per character of the training
	// text) or "bpe" (byte-level BPE of BPEVocab tokens learned from the
	// training text).
	Tokens string
	// BPEVocab is the BPE vocabulary size (default 512).
	BPEVocab int
	// Stride is the step between the starts of training windows (default:
	// the context, so the windows do not overlap).
	Stride int
	// MaxTrainTokens, when positive, keeps only the first MaxTrainTokens
	// tokens of the training part (for quick runs; default 0: all).
	MaxTrainTokens int
	// MaxTestTokens, when positive, evaluates on the first MaxTestTokens
	// tokens of the held-out part (default 0: all).
	MaxTestTokens int
}

// gptDefaults are the settings of the "gpt-opticks" recipe.
var gptDefaults = Settings{Epochs: 1, BatchSize: 32, LR: 0.001, Seed: 42}

// gptTestFraction is the share of the text held out at its end.
const gptTestFraction = 0.1

func gptRecipe() Recipe { return GPTRecipeRun(GPTRun{}) }

// GPTRecipeRun returns the "gpt-opticks" recipe training as run says (a
// smaller model, fewer tokens, BPE tokens) instead of its defaults (GPTRun{}).
func GPTRecipeRun(run GPTRun) Recipe {
	return Recipe{
		Name: "gpt-opticks",
		Description: "character-level GPT (4 pre-norm decoder blocks, 4 heads, width 128, context 128, gelu) " +
			"on the first 90% of Newton's Opticks (ships with Go; -corpus FILE for any UTF-8 text), Adam with cosine decay; " +
			"held-out loss and perplexity on the last 10%",
		Expected: gptExpected,
		Defaults: gptDefaults,
		Run: func(ctx context.Context, s Settings) (*Result, error) {
			corpus, err := gptCorpus(s.Corpus)
			if err != nil {
				return nil, errors.Wrap(err, `zoo: recipe "gpt-opticks"`)
			}
			res, err := RunGPT(ctx, corpus, run, s)
			if err != nil {
				return nil, errors.Wrap(err, `zoo: recipe "gpt-opticks"`)
			}
			res.Model = "gpt-opticks"
			return res, nil
		},
	}
}

// gptCorpus reads path, or Opticks when path is empty.
func gptCorpus(path string) (string, error) {
	if path == "" {
		return datasets.Opticks()
	}
	return datasets.ReadText(path)
}

// gptTokenizer learns the tokenizer of run from the training text.
func gptTokenizer(train string, run GPTRun) (text.Tokenizer, error) {
	switch run.Tokens {
	case "", "chars":
		return text.FitChars(train, text.CharsOptions{})
	case "bpe":
		n := run.BPEVocab
		if n == 0 {
			n = 512
		}
		return text.TrainBPE([]string{train}, n, text.BPEOptions{})
	}
	return nil, errors.Errorf("gpt: tokens %q, want chars or bpe", run.Tokens)
}

// RunGPT trains a GPT (NewGPT) as a next-token model on the first 90% of
// corpus and evaluates it on the last 10% (split by characters, at the
// nearest character boundary; the tokenizer is learned from the training part
// only, so held-out characters it never saw are out of vocabulary). Training
// windows of Context tokens start every Stride tokens; the held-out part is cut
// into windows that do not overlap. Zero fields of s take the "gpt-opticks"
// recipe's defaults (1 epoch, batch 32, learning rate 0.001 decayed along a
// half cosine to 1%, seed 42).
//
// Result.Test (and Train, on at most 512 training windows evenly spread) hold
// "loss" (mean cross-entropy per token, nats),
// "accuracy" (next-token) and "perplexity" (exp of the loss); Extra holds
// "train_tokens", "test_tokens", "vocab", "params" and "tokens_per_second" of
// training. The trained model carries its tokenizer (generate.AttachTokenizer),
// so a saved model generates from raw text (generate.New, demo generate).
func RunGPT(ctx context.Context, corpus string, run GPTRun, s Settings) (*Result, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	s, err := s.withDefaults(gptDefaults)
	if err != nil {
		return nil, errors.Wrap(err, "settings")
	}
	trainText, testText := splitText(corpus, 1-gptTestFraction)
	tok, err := gptTokenizer(trainText, run)
	if err != nil {
		return nil, errors.Wrap(err, "tokenizer")
	}
	trainIDs, err := tok.Encode(trainText)
	if err != nil {
		return nil, errors.Wrap(err, "encode the training text")
	}
	testIDs, err := tok.Encode(testText)
	if err != nil {
		return nil, errors.Wrap(err, "encode the held-out text")
	}
	if run.MaxTrainTokens > 0 && len(trainIDs) > run.MaxTrainTokens {
		trainIDs = trainIDs[:run.MaxTrainTokens]
	}
	if run.MaxTestTokens > 0 && len(testIDs) > run.MaxTestTokens {
		testIDs = testIDs[:run.MaxTestTokens]
	}
	cfg := run.Model
	cfg.Vocab = tok.VocabSize()
	if cfg, err = cfg.withDefaults(); err != nil {
		return nil, err
	}
	stride := run.Stride
	if stride <= 0 {
		stride = cfg.Context
	}
	train, err := datasets.LMWindows(trainIDs, cfg.Context, stride)
	if err != nil {
		return nil, errors.Wrapf(err, "training windows (%d tokens)", len(trainIDs))
	}
	test, err := datasets.LMWindows(testIDs, cfg.Context, cfg.Context)
	if err != nil {
		return nil, errors.Wrapf(err, "held-out windows (%d tokens; a context of %d needs at least %d)", len(testIDs), cfg.Context, cfg.Context+1)
	}
	model, err := NewGPT(cfg)
	if err != nil {
		return nil, err
	}
	if err := generate.AttachTokenizer(model, tok); err != nil {
		return nil, err
	}
	steps := s.Epochs * ((train.Len()-1)/s.BatchSize + 1)
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
	defer tr.Close()
	start := time.Now()
	hist, err := tr.FitMulti(ctx, train, s.fitOpts(trainers.Epochs(s.Epochs), trainers.BatchSize(s.BatchSize), trainers.Verbose(s.Verbose))...)
	if err != nil {
		return nil, errors.Wrap(err, "fit")
	}
	secs := time.Since(start).Seconds()
	res := &Result{Settings: s, Epochs: len(hist.Epoch), Seconds: secs, Summary: model.Summary(), History: hist, Trainer: tr, TestMulti: test}
	if res.TestData, err = datasets.AsDataset(test); err != nil {
		return nil, errors.Wrap(err, "test split")
	}
	trainEval, err := evenSample(train, gptTrainEvalWindows)
	if err != nil {
		return nil, err
	}
	if res.Train, err = evaluate(ctx, tr, trainEval); err != nil {
		return nil, errors.Wrap(err, "evaluate on the training part")
	}
	if res.Test, err = evaluate(ctx, tr, test); err != nil {
		return nil, errors.Wrap(err, "evaluate on the held-out part")
	}
	for _, m := range []map[string]float64{res.Train, res.Test} {
		m["perplexity"] = math.Exp(m["loss"])
	}
	var params int
	for _, p := range model.Params() {
		params += p.Value.Shape().TotalSize()
	}
	res.Extra = map[string]float64{
		"train_tokens": float64(len(trainIDs)), "test_tokens": float64(len(testIDs)), "vocab": float64(cfg.Vocab),
		"params": float64(params), "tokens_per_second": float64(res.Epochs*train.Len()*cfg.Context) / secs,
	}
	return res, nil
}

// gptTrainEvalWindows bounds the training windows evaluated after training.
const gptTrainEvalWindows = 512

// evenSample returns at most n examples of ds, evenly spread (ds itself when it
// has no more).
func evenSample(ds datasets.Multi, n int) (datasets.Multi, error) {
	if ds.Len() <= n {
		return ds, nil
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i * ds.Len() / n
	}
	sub, err := datasets.SubsetMulti(ds, idx)
	return sub, errors.Wrap(err, "sample the training windows")
}

// splitText cuts s at the character boundary nearest to frac of its bytes.
func splitText(s string, frac float64) (head, tail string) {
	i := int(float64(len(s)) * frac)
	for i < len(s) && i > 0 && s[i]&0xC0 == 0x80 {
		i++
	}
	return s[:i], s[i:]
}

// gptExpected is the "gpt-opticks" recipe's Expected line (measured).
const gptExpected = "test loss <= 2.65 nats per character (measured 2.580, perplexity 13.2; PyTorch with the same data, " +
	"model, initialization, optimizer and 125 steps: 2.593, bench/gpt) in ~15-25 min (125 steps of 4,096 tokens)"
