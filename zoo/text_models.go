package zoo

import (
	"context"
	"time"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/text"
	"github.com/pkg/errors"
)

// textModel builds the classifier of cfg.Model over tok's ids (see TrainText).
func textModel(cfg TextConfig, tok text.Tokenizer, seqLen, classes int) (*layers.Functional, error) {
	in := layers.NewInput(cfg.Input, layers.Shape(1), layers.String)
	ids := layers.TextVectorization(tok, layers.WithOutputSequenceLength(seqLen), layers.WithName("vectorize")).Apply(in)
	h := layers.Embedding(tok.VocabSize(), textEmbedDim, layers.WithMaskZero(true), layers.WithName("embedding")).Apply(ids)
	switch cfg.Model {
	case TextCNN:
		h = layers.Apply(layers.Conv1D(128, 5, layers.WithActivation("relu"), layers.WithPadding("same"), layers.WithName("conv")), h)[0]
		h = layers.Apply(layers.GlobalMaxPooling1D(layers.WithName("max_pool")), h)[0]
	case TextLSTM:
		h = layers.Apply(layers.LSTM(64, layers.WithName("lstm")), h)[0]
	case TextTransformer:
		h = layers.Apply(layers.PositionalEmbedding(seqLen, textEmbedDim, layers.WithName("positions")), h)[0]
		h = layers.Apply(layers.TransformerEncoder(4, 128, layers.WithName("encoder")), h)[0]
		h = layers.Apply(layers.GlobalAveragePooling1D(layers.WithName("avg_pool")), h)[0]
	}
	h = layers.Dropout(textDropout, layers.WithName("dropout")).Apply(h)
	out := layers.Dense(classes, layers.WithActivation("softmax"), layers.WithName(cfg.Output)).Apply(h)
	return layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{out}, layers.ModelName("text_"+cfg.Model))
}

// bowModel is the bag-of-words logistic regression over tok's vocabulary: a
// multi-hot TextVectorization -> Dense(classes, softmax).
func bowModel(cfg TextConfig, tok text.Tokenizer, classes int) (*layers.Functional, error) {
	in := layers.NewInput(cfg.Input, layers.Shape(1), layers.String)
	bag := layers.TextVectorization(tok, layers.WithOutputMode("multi_hot"), layers.WithName("bag_of_words")).Apply(in)
	out := layers.Dense(classes, layers.WithActivation("softmax"), layers.WithName(cfg.Output)).Apply(bag)
	return layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{out}, layers.ModelName("bow_logreg"))
}

// bowBaseline trains bowModel on fit (early stopping on val as the model's) and
// returns its accuracy on test and the seconds of training.
func bowBaseline(ctx context.Context, tok text.Tokenizer, fit, val, test *datasets.Tensors, cfg TextConfig, s Settings, classes int) (float64, float64, error) {
	m, err := bowModel(cfg, tok, classes)
	if err != nil {
		return 0, 0, err
	}
	quiet := s
	quiet.Out = nil
	start := time.Now()
	tr, _, _, err := fitText(ctx, m, fit, val, cfg, quiet, bowLR, bowEpochs, 0)
	if err != nil {
		return 0, 0, err
	}
	defer tr.Close()
	secs := time.Since(start).Seconds()
	logs, err := evaluate(ctx, tr, test)
	if err != nil {
		return 0, 0, errors.Wrap(err, "evaluate")
	}
	acc, ok := logs["accuracy"]
	if !ok {
		return 0, 0, errors.New("no accuracy in the evaluation")
	}
	return acc, secs, nil
}
