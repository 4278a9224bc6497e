// Package ctc decodes the outputs of a model trained with the CTC loss
// (graph.CTCLoss) and scores the decoded sequences.
//
// The decoders take the log-probabilities of one sequence as T rows of K
// classes ([][]float64, see Rows and Rows32 to cut a flat (T, K) prediction),
// a length (the frames that count, as the loss' input length) and the blank
// class; they return token ids (blanks removed, repeats collapsed) and a
// log-probability score:
//
//   - Greedy (best path): the most probable class of every frame; its score is
//     the log-probability of that one path.
//   - BeamSearch (prefix beam search): keeps the Width most probable labellings
//     (prefixes), summing the probability of every path that collapses to the
//     same one; its score is the log-probability of the labelling, exact when
//     no prefix was pruned. It can find a better labelling than Greedy, whose
//     most probable path need not belong to the most probable labelling.
//
// EditDistance (Levenshtein) and WER / CER score a decoding against a
// reference. The package stands apart from graph, layers and trainers: it only
// needs numbers, so a server or a notebook can use it on any model's output.
package ctc
