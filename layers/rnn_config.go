package layers

import "github.com/pkg/errors"

// rnnLayerClasses lists the classes rnnLayer rebuilds: the recurrent layers (RNN
// and its three ready forms, Bidirectional). Cells travel inside their layer's
// config.
func rnnLayerClasses() []string {
	return []string{"Bidirectional", "GRU", "LSTM", "RNN", "SimpleRNN"}
}

// rnnLayer rebuilds a layer of this family from its configuration, or returns
// nil, nil for another class.
func rnnLayer(c LayerConfig) (Layer, error) {
	var l Layer
	var err error
	switch c.Class {
	case "RNN", "SimpleRNN", "LSTM", "GRU":
		l, err = rnnFromConfig(c)
	case "Bidirectional":
		l, err = bidirectionalFromConfig(c)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, errors.Wrapf(err, "layer %q (%s)", c.Name, c.Class)
	}
	return l, nil
}

func rnnFromConfig(c LayerConfig) (*RNNLayer, error) {
	r := cfgReader{c: c}
	opts := []Option{WithName(c.Name), WithReturnSequences(r.boolean("return_sequences")),
		WithReturnState(r.boolean("return_state")), WithGoBackwards(r.boolean("go_backwards"))}
	var l *RNNLayer
	switch c.Class {
	case "SimpleRNN":
		l = SimpleRNN(r.size("units", 1), opts...)
	case "LSTM":
		l = LSTM(r.size("units", 1), opts...)
	case "GRU":
		ra := r.boolean("reset_after")
		l = GRU(r.size("units", 1), append(opts, WithResetAfter(ra))...)
	case "RNN":
		var cc LayerConfig
		r.decode("cell", &cc)
		if r.err != nil {
			return nil, r.err
		}
		cell, err := cellFromConfig(cc)
		if err != nil {
			return nil, errors.Wrap(err, "cell")
		}
		l = RNN(cell, opts...)
	}
	if r.err != nil {
		return nil, r.err
	}
	return l, l.err
}

// cellFromConfig rebuilds one of this package's cells.
func cellFromConfig(c LayerConfig) (RNNCell, error) {
	r := cfgReader{c: c}
	var cell RNNCell
	switch c.Class {
	case "SimpleRNNCell":
		cell = SimpleRNNCell(r.size("units", 1))
	case "LSTMCell":
		cell = LSTMCell(r.size("units", 1))
	case "GRUCell":
		cell = GRUCell(r.size("units", 1), WithResetAfter(r.boolean("reset_after")))
	default:
		return nil, errors.Errorf("unknown cell class %q (known: GRUCell, LSTMCell, SimpleRNNCell)", c.Class)
	}
	if r.err != nil {
		return nil, r.err
	}
	return cell, cellErr(cell)
}

// rnnOptions holds the settings of the recurrent layers' options (see config).
type rnnOptions struct {
	returnSeq   bool   // WithReturnSequences
	returnState bool   // WithReturnState
	backwards   bool   // WithGoBackwards
	resetAfter  bool   // WithResetAfter
	mergeMode   string // WithMergeMode
}

// WithReturnSequences makes a recurrent layer return the output of every step
// (batch, steps, units) instead of the last (default false). RNN, SimpleRNN,
// LSTM and GRU take it.
func WithReturnSequences(on bool) Option {
	return optionFunc(func(c *config) { c.rnn.returnSeq = on; c.set["return_sequences"] = true })
}

// WithReturnState makes a recurrent layer return its final states after its
// output (default false). RNN, SimpleRNN, LSTM and GRU take it.
func WithReturnState(on bool) Option {
	return optionFunc(func(c *config) { c.rnn.returnState = on; c.set["return_state"] = true })
}

// WithGoBackwards makes a recurrent layer process the steps last to first
// (default false); its sequence output is then in that reversed order. RNN,
// SimpleRNN, LSTM and GRU take it.
func WithGoBackwards(on bool) Option {
	return optionFunc(func(c *config) { c.rnn.backwards = on; c.set["go_backwards"] = true })
}

// WithMergeMode sets how Bidirectional combines its two directions: "concat"
// (default), "sum", "ave" or "mul".
func WithMergeMode(mode string) Option {
	return optionFunc(func(c *config) { c.rnn.mergeMode = mode; c.set["merge_mode"] = true })
}
