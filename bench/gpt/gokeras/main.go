// Command gokeras trains the gpt-opticks recipe (zoo.RunGPT) with the flags of
// bench/gpt/torch_gpt.py and prints the same JSON line, for a side-by-side run
// with PyTorch (bench/gpt/run.sh).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/zoo"
)

func main() {
	corpus := flag.String("corpus", "", "UTF-8 text file (default: Opticks)")
	epochs := flag.Int("epochs", 1, "epochs")
	batch := flag.Int("batch", 32, "batch size")
	lr := flag.Float64("lr", 0.001, "peak learning rate")
	seed := flag.Int64("seed", 42, "seed")
	context_ := flag.Int("context", 128, "context length")
	nLayers := flag.Int("layers", 4, "decoder blocks")
	heads := flag.Int("heads", 4, "attention heads")
	width := flag.Int("width", 128, "width")
	maxTrain := flag.Int("max-train-tokens", 0, "keep the first N training tokens (0: all)")
	maxTest := flag.Int("max-test-tokens", 0, "evaluate on the first N held-out tokens (0: all)")
	flag.Parse()
	if err := run(*corpus, *epochs, *batch, *lr, *seed, *context_, *nLayers, *heads, *width, *maxTrain, *maxTest); err != nil {
		fmt.Fprintln(os.Stderr, "gokeras:", err)
		os.Exit(1)
	}
}

func run(corpusPath string, epochs, batch int, lr float64, seed int64, ctxLen, nLayers, heads, width, maxTrain, maxTest int) error {
	text, err := datasets.Opticks()
	if corpusPath != "" {
		text, err = datasets.ReadText(corpusPath)
	}
	if err != nil {
		return err
	}
	cfg := zoo.GPTRun{Model: zoo.GPTConfig{Context: ctxLen, Layers: nLayers, Heads: heads, Width: width},
		MaxTrainTokens: maxTrain, MaxTestTokens: maxTest}
	res, err := zoo.RunGPT(context.Background(), text, cfg, zoo.Settings{Epochs: epochs, BatchSize: batch, LR: lr, Seed: seed})
	if err != nil {
		return err
	}
	windows := (int(res.Extra["train_tokens"])-ctxLen-1)/ctxLen + 1
	steps := res.Epochs * ((windows + batch - 1) / batch)
	b, err := json.Marshal(map[string]interface{}{
		"framework": "gokeras (" + graph.BLAS + ")", "steps": steps, "seconds": res.Seconds,
		"tokens_per_second": res.Extra["tokens_per_second"],
		"test":              map[string]float64{"loss": res.Test["loss"], "perplexity": res.Test["perplexity"], "accuracy": res.Test["accuracy"]},
		"vocab":             res.Extra["vocab"], "train_tokens": res.Extra["train_tokens"], "test_tokens": res.Extra["test_tokens"],
	})
	if err != nil {
		return err
	}
	fmt.Println(string(b))
	return nil
}
