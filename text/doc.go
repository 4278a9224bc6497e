// Package text turns text into integer ids and back for the models of gokeras:
// character, word and byte-level BPE tokenizers whose vocabularies (or merges) are
// learned in Go and travel as JSON, so that a model file can carry its tokenizer
// (layers.TextVectorization saves it in its configuration).
//
// Reserved ids, the same in every tokenizer of this package:
//
//	0 (PadID)  padding: Pad fills short rows with it, masks are id != 0, and Decode
//	           skips it;
//	1 (OOVID)  out of vocabulary: an unknown character or word encodes to it, and
//	           Decode writes it as the tokenizer's OOV text.
//
// Real tokens start at id 2 (NumReserved). Every tokenizer takes valid UTF-8
// only: Encode returns an error naming the byte offset of the first invalid byte.
//
// A tokenizer's Config is a JSON-able map with a "class" field ("Chars", "Words"
// or "BPE"); FromConfig and Load rebuild the tokenizer from it and check it, so a
// corrupt file is an error, never a panic. The package holds no global mutable
// state; a tokenizer is read-only after it is made, and safe to share between
// goroutines.
package text
