// Package generate samples text from a trained causal language model (a GPT,
// zoo.NewGPT) token by token, on a static graph that keeps a cache of every
// block's keys and values, so each new token costs one position of the model
// instead of a pass over the whole context.
//
// A Generator compiles one step program (batch 1, one position) from the
// model's own weights: token embedding, position embedding, each
// TransformerDecoder's Step against its cache, the final normalization and the
// output Dense. Sampling follows the usual recipe: logits divided by the
// temperature, the top-k most likely tokens kept, then the smallest set whose
// probability reaches top-p, and a draw from a generator seeded by
// Sampling.Seed, so the same seed gives the same text.
//
// The tokenizer travels inside the model file: AttachTokenizer stores it with
// the model (a layers attachment), and New finds it there.
package generate
