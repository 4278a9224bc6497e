package layers_test

import (
	"strings"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/text"
)

// textVecHarnessCases are the harness cases of TextVectorization: character and
// BPE tokenizers, "int" mode (ids below 64, as the harness embeds them) and
// "count" mode (floats). The texts are never empty.
func textVecHarnessCases() []harnessCase {
	texts := []string{"red fox", "green", "blue sky!", "mauve", "日本語", "teal  tea", "😀 ok"}
	chars, err := text.FitChars(strings.Join(texts[:4], ""), text.CharsOptions{MaxSize: 20})
	if err != nil {
		panic(err)
	}
	words, err := text.FitWords(texts, text.WordsOptions{})
	if err != nil {
		panic(err)
	}
	return []harnessCase{
		{name: "text vectorization chars", class: "TextVectorization",
			make:   func() layers.Layer { return layers.TextVectorization(chars, layers.WithOutputSequenceLength(6)) },
			inputs: []harnessInput{hstrs(texts, 1)}, out: []int{6}, outInt: true},
		{name: "text vectorization word counts", class: "TextVectorization",
			make:   func() layers.Layer { return layers.TextVectorization(words, layers.WithOutputMode("count")) },
			inputs: []harnessInput{hstrs(texts, 1)}, out: []int{words.VocabSize()}},
	}
}
