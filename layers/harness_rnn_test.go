package layers_test

import "github.com/gokeras/gokeras/layers"

// rnnHarnessCases are the harness cases of the recurrent layers (RNN and its ready
// forms SimpleRNN, LSTM, GRU, and Bidirectional).
func rnnHarnessCases() []harnessCase {
	seqs := layers.WithReturnSequences(true)
	return []harnessCase{
		{name: "simple rnn", class: "SimpleRNN", make: func() layers.Layer { return layers.SimpleRNN(3) },
			inputs: []harnessInput{hin(4, 2)}, out: []int{3}, trainable: 3},
		{name: "simple rnn sequences backwards", class: "SimpleRNN",
			make:   func() layers.Layer { return layers.SimpleRNN(2, seqs, layers.WithGoBackwards(true)) },
			inputs: []harnessInput{hin(3, 2)}, out: []int{3, 2}, trainable: 3},
		{name: "lstm", class: "LSTM", make: func() layers.Layer { return layers.LSTM(3) },
			inputs: []harnessInput{hin(3, 2)}, out: []int{3}, trainable: 3},
		{name: "lstm sequences initial states", class: "LSTM", make: func() layers.Layer { return layers.LSTM(2, seqs) },
			inputs: []harnessInput{hin(3, 2), hin(2), hin(2)}, out: []int{3, 2}, trainable: 3},
		{name: "lstm return state", class: "LSTM", make: func() layers.Layer { return layers.LSTM(2, layers.WithReturnState(true)) },
			inputs: []harnessInput{hin(3, 2)}, out: []int{2}, trainable: 3},
		{name: "gru reset after", class: "GRU", make: func() layers.Layer { return layers.GRU(3) },
			inputs: []harnessInput{hin(3, 2)}, out: []int{3}, trainable: 3},
		{name: "gru original", class: "GRU", make: func() layers.Layer { return layers.GRU(2, layers.WithResetAfter(false), seqs) },
			inputs: []harnessInput{hin(3, 2)}, out: []int{3, 2}, trainable: 3},
		{name: "rnn of lstm cell", class: "RNN", make: func() layers.Layer { return layers.RNN(layers.LSTMCell(2)) },
			inputs: []harnessInput{hin(3, 2)}, out: []int{2}, trainable: 3},
		{name: "rnn of gru cell sequences", class: "RNN", make: func() layers.Layer { return layers.RNN(layers.GRUCell(2), seqs) },
			inputs: []harnessInput{hin(2, 3)}, out: []int{2, 2}, trainable: 3},
		{name: "bidirectional lstm concat", class: "Bidirectional",
			make:   func() layers.Layer { return layers.Bidirectional(layers.LSTM(2, seqs)) },
			inputs: []harnessInput{hin(3, 2)}, out: []int{3, 4}, trainable: 6},
		{name: "bidirectional gru sum", class: "Bidirectional",
			make:   func() layers.Layer { return layers.Bidirectional(layers.GRU(2), layers.WithMergeMode("sum")) },
			inputs: []harnessInput{hin(3, 2)}, out: []int{2}, trainable: 6},
		{name: "bidirectional simple rnn ave", class: "Bidirectional",
			make: func() layers.Layer {
				return layers.Bidirectional(layers.SimpleRNN(2, seqs), layers.WithMergeMode("ave"))
			},
			inputs: []harnessInput{hin(2, 2)}, out: []int{2, 2}, trainable: 6},
		{name: "bidirectional gru initial states return state", class: "Bidirectional",
			make: func() layers.Layer {
				return layers.Bidirectional(layers.GRU(2, seqs, layers.WithReturnState(true)))
			},
			inputs: []harnessInput{hin(3, 2), hin(2), hin(2)}, out: []int{3, 4}, trainable: 6},
		{name: "bidirectional rnn mul", class: "Bidirectional",
			make: func() layers.Layer {
				return layers.Bidirectional(layers.RNN(layers.SimpleRNNCell(2)), layers.WithMergeMode("mul"))
			},
			inputs: []harnessInput{hin(2, 2)}, out: []int{2}, trainable: 6},
	}
}
