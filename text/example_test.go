package text_test

import (
	"fmt"

	"github.com/gokeras/gokeras/text"
)

// Characters get ids by frequency; id 0 is padding, 1 an unknown character.
func ExampleFitChars() {
	c, err := text.FitChars("hello world", text.CharsOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	ids, _ := c.Encode("hold!")
	back, _ := c.Decode(ids)
	fmt.Println(c.VocabSize(), ids, back)
	// Output:
	// 10 [7 3 2 5 1] hold�
}

// Words lower-cases and strips punctuation, as Keras' TextVectorization does.
func ExampleFitWords() {
	w, err := text.FitWords([]string{"The cat sat.", "The dog sat!"}, text.WordsOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	ids, _ := w.Encode("The bird sat")
	back, _ := w.Decode(ids)
	fmt.Println(w.Vocabulary(), ids, back)
	// Output:
	// [sat the cat dog] [3 1 2] the [UNK] sat
}

// A byte-level BPE round-trips any text; its merges travel as JSON.
func ExampleTrainBPE() {
	b, err := text.TrainBPE([]string{"low lower lowest", "low low slow"}, 262, text.BPEOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	ids, _ := b.Encode("slower 😀")
	back, _ := b.Decode(ids)
	data, _ := text.Marshal(b)
	loaded, _ := text.Load(data)
	again, _ := loaded.Encode("slower 😀")
	fmt.Println(b.VocabSize(), len(ids), back, fmt.Sprint(again) == fmt.Sprint(ids))
	fmt.Println(string(data))
	// Output:
	// 262 9 slower 😀 true
	// {"class":"BPE","merges":[[110,113],[258,121],[34,259],[260,103]]}
}

// Pad makes a (B, T) batch and its mask.
func ExamplePad() {
	flat, mask, err := text.Pad([][]int{{5, 6, 7}, {8}}, text.PadOptions{Length: 2, Truncate: "post"})
	fmt.Println(flat, mask, err)
	// Output:
	// [5 6 8 0] [true true true false] <nil>
}
