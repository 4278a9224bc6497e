package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/gokeras/gokeras/generate"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// maxGenerateTokens bounds -tokens, far beyond any use, so a typo fails at once.
const maxGenerateTokens = 1 << 20

// generateResult is the -json line of demo generate.
type generateResult struct {
	Prompt          string  `json:"prompt"`
	Text            string  `json:"text"`
	Tokens          int     `json:"tokens"`
	Seconds         float64 `json:"seconds"`
	TokensPerSecond float64 `json:"tokens_per_second"`
}

// generateCmd samples text from a saved language model (demo run gpt-opticks
// -save F): the prompt, then each new piece of text as it is drawn; with
// -json, one JSON line instead. The speed goes to stderr.
func generateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	model := fs.String("model", "", "a language model saved by demo run gpt-opticks -save (required)")
	prompt := fs.String("prompt", "", "the text to continue (required, at least one token)")
	tokens := fs.Int("tokens", 200, "number of tokens to generate")
	temp := fs.Float64("temperature", 0.8, "divides the logits: below 1 sharpens, above 1 flattens; 0 picks the most likely token (greedy)")
	topK := fs.Int("top-k", 40, "keep the K most likely tokens (0: all)")
	topP := fs.Float64("top-p", 0, "keep the smallest set of most likely tokens whose probability reaches P, in (0, 1] (0: no limit)")
	seed := fs.Int64("seed", 1, "seed of the draws: the same seed gives the same text")
	asJSON := fs.Bool("json", false, "print one JSON line (prompt, text, tokens, seconds, tokens_per_second) instead of streaming")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: demo generate -model FILE -prompt TEXT [-tokens N] [-temperature F] [-top-k N] [-top-p F] [-seed N] [-json]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return parseStatus(err)
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "demo generate: unexpected arguments %q\n", fs.Args())
		return exitUsage
	case *model == "":
		fmt.Fprintln(stderr, "demo generate: -model is required")
		return exitUsage
	case *prompt == "":
		fmt.Fprintln(stderr, "demo generate: -prompt is required")
		return exitUsage
	case *tokens < 0 || *tokens > maxGenerateTokens:
		fmt.Fprintf(stderr, "demo generate: -tokens %d must be in [0, %d]\n", *tokens, maxGenerateTokens)
		return exitUsage
	}
	s := generate.Sampling{Temperature: *temp, Greedy: *temp == 0, TopK: *topK, TopP: *topP, Seed: *seed}
	res, err := runGenerate(ctx, *model, *prompt, *tokens, s, stdout, *asJSON)
	if err != nil {
		fmt.Fprintf(stderr, "demo generate: %s\n", errorText(ctx, err))
		return exitFailure
	}
	if *asJSON {
		b, err := json.Marshal(res)
		if err != nil {
			fmt.Fprintf(stderr, "demo generate: %v\n", err)
			return exitFailure
		}
		fmt.Fprintln(stdout, string(b))
	}
	fmt.Fprintf(stderr, "%d tokens in %.2f s (%.0f tokens/s)\n", res.Tokens, res.Seconds, res.TokensPerSecond)
	return exitOK
}

// runGenerate loads the model at path and continues prompt by n tokens,
// streaming the text to stdout unless quiet.
func runGenerate(ctx context.Context, path, prompt string, n int, s generate.Sampling, stdout io.Writer, quiet bool) (*generateResult, error) {
	m, err := layers.Load(path)
	if err != nil {
		return nil, err
	}
	gen, err := generate.New(m, nil)
	if err != nil {
		return nil, err
	}
	if gen.Tokenizer() == nil {
		return nil, errors.Errorf("%s has no tokenizer: save a model trained by a text recipe (demo run gpt-opticks -save FILE)", path)
	}
	var emit func(string) error
	if !quiet {
		if _, err := io.WriteString(stdout, prompt); err != nil {
			return nil, err
		}
		emit = func(piece string) error {
			_, err := io.WriteString(stdout, piece)
			return err
		}
	}
	start := time.Now()
	txt, err := gen.Generate(ctx, prompt, n, s, emit)
	if err != nil {
		return nil, err
	}
	secs := time.Since(start).Seconds()
	if !quiet {
		fmt.Fprintln(stdout)
	}
	res := &generateResult{Prompt: prompt, Text: txt, Tokens: n, Seconds: secs}
	if secs > 0 {
		res.TokensPerSecond = float64(n) / secs
	}
	return res, nil
}
