package layers_test

import (
	"fmt"

	"github.com/gokeras/gokeras/layers"
)

// A sequence classifier: the recurrent layers read (batch, steps, features),
// channels last. Bidirectional runs the LSTM both ways and concatenates the two
// last outputs; a GRU with WithReturnState also returns its final state.
func ExampleLSTM() {
	tokens := layers.NewInput("tokens", layers.Shape(12), layers.Int64)
	x := layers.Embedding(100, 8, layers.WithMaskZero(true)).Apply(tokens) // padded ids 0 are masked
	x = layers.Bidirectional(layers.LSTM(16, layers.WithReturnSequences(true))).Apply(x)[0]
	outs := layers.GRU(4, layers.WithReturnState(true)).Apply(x) // output, then the state
	y := layers.Dense(1, layers.WithActivation("sigmoid")).Apply(outs[0])
	model, err := layers.NewModel([]*layers.Tensor{tokens}, []*layers.Tensor{y})
	if err == nil {
		err = model.Build()
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range model.Params() {
		fmt.Println(p.Name, p.Value.Shape())
	}
	// Output:
	// embedding/embeddings (100, 8)
	// bidirectional/forward/lstm_cell/kernel (8, 64)
	// bidirectional/forward/lstm_cell/recurrent_kernel (16, 64)
	// bidirectional/forward/lstm_cell/bias (64)
	// bidirectional/backward/lstm_cell/kernel (8, 64)
	// bidirectional/backward/lstm_cell/recurrent_kernel (16, 64)
	// bidirectional/backward/lstm_cell/bias (64)
	// gru/gru_cell/kernel (32, 12)
	// gru/gru_cell/recurrent_kernel (4, 12)
	// gru/gru_cell/bias (2, 12)
	// dense/kernel (4, 1)
	// dense/bias (1)
}
