package trainers

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// StatefulCallback is a callback whose state must survive a stop and a resume for
// training to continue exactly as it would have without a stop: what it has seen of
// the epochs so far (a best value, a count of epochs without improvement, the best
// weights). EarlyStopping, ReduceLROnPlateau and ModelCheckpoint are stateful.
//
// How state travels: Trainer.Save writes the state of every stateful callback of
// the Fit in progress (ModelCheckpoint) or of the last Fit (a Save after Fit
// returns), under its StateKey, and Load brings the states back into the trainer.
// A Fit that resumes (InitialEpoch > 0) then gives each of its stateful callbacks,
// after its OnTrainBegin, the state saved under the same key (LoadState), so the
// callbacks given to the resumed Fit may be new values with the same settings. A
// Fit from epoch 0 starts every callback afresh and forgets the states. A state
// whose key no callback of the resumed Fit has is kept for a later Save; a
// callback with no saved state starts afresh.
//
// The same holds within one process: a second Fit on the same trainer with
// InitialEpoch > 0 continues the callbacks' states of the first.
//
// The other built-in callbacks need no saved state to resume exactly:
// LearningRateScheduler computes the rate from the epoch and the current rate (the
// optimizer's, which is saved), History and TerminateOnNaN describe one Fit, and
// CSVLogger keeps its rows in its file (resume it with Append).
type StatefulCallback interface {
	Callback
	// StateKey names the state: the callback's kind and the settings that make
	// its state meaningful ("ReduceLROnPlateau(val_loss, min)"). It is read after
	// OnTrainBegin. Two callbacks of one Fit with the same key are told apart by
	// their order ("#2" is added to the second).
	StateKey() string
	// SaveState returns the state at the end of the last epoch run.
	SaveState(t *Trainer) (CallbackState, error)
	// LoadState puts back a state SaveState returned; it is called after
	// OnTrainBegin of a resumed Fit.
	LoadState(t *Trainer, s CallbackState) error
}

// CallbackState is what a StatefulCallback saves: small values as JSON and, when it
// has them, tensors (EarlyStopping's best weights) by name. A model file stores the
// JSON in its training state and the tensors beside the weights
// ("callbacks/<n>/<name>").
type CallbackState struct {
	Values  json.RawMessage
	Tensors map[string]*tensor.Dense
}

// keyedCallback is a stateful callback of a Fit and the key of its state.
type keyedCallback struct {
	cb  StatefulCallback
	key string
}

// callbackStateKeys returns the stateful callbacks of cbs, in order, with their
// StateKey made unique by their order: "K", "K#2", ...
func callbackStateKeys(cbs []Callback) []keyedCallback {
	var out []keyedCallback
	seen := map[string]int{}
	for _, cb := range cbs {
		s, ok := cb.(StatefulCallback)
		if !ok {
			continue
		}
		k := s.StateKey()
		seen[k]++
		if seen[k] > 1 {
			k = fmt.Sprintf("%s#%d", k, seen[k])
		}
		out = append(out, keyedCallback{s, k})
	}
	return out
}

// callbackStates returns the states to save: those kept by the trainer (loaded, or
// left from an earlier Fit) overridden by the live states of the callbacks of the
// Fit in progress or of the last one.
func (t *Trainer) callbackStates() (map[string]CallbackState, error) {
	out := make(map[string]CallbackState, len(t.cbStates))
	for k, v := range t.cbStates {
		out[k] = v
	}
	for _, kc := range t.cbKeys {
		st, err := kc.cb.SaveState(t)
		if err != nil {
			return nil, errors.Wrapf(err, "callback state %s", kc.key)
		}
		out[kc.key] = st
	}
	return out, nil
}

// beginCallbackStates is called by Fit after every OnTrainBegin: a resumed Fit
// gives each stateful callback its saved state; a Fit from epoch 0 forgets them.
func (t *Trainer) beginCallbackStates(cbs []Callback, initialEpoch int) error {
	// Keep what the last Fit's callbacks hold before taking the new ones.
	prev, err := t.callbackStates()
	if err != nil {
		return err
	}
	t.cbStates, t.cbKeys = prev, callbackStateKeys(cbs)
	if initialEpoch == 0 {
		t.cbStates = nil
		return nil
	}
	for _, kc := range t.cbKeys {
		st, ok := t.cbStates[kc.key]
		if !ok {
			continue
		}
		if err := kc.cb.LoadState(t, st); err != nil {
			return errors.Wrapf(err, "resume callback state %s", kc.key)
		}
	}
	return nil
}

// endCallbackStates is called when Fit returns: the trainer keeps the callbacks'
// states, so that a Save after Fit writes them even if the callbacks change later.
func (t *Trainer) endCallbackStates() error {
	st, err := t.callbackStates()
	t.cbStates, t.cbKeys = st, nil
	return err
}

// jsonFloat is a float64 that JSON can hold when infinite or NaN (a monitor's best
// before any epoch is ±Inf): those are written as the strings "Infinity",
// "-Infinity" and "NaN". Finite values round-trip exactly.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return []byte(`"NaN"`), nil
	case math.IsInf(v, 1):
		return []byte(`"Infinity"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Infinity"`), nil
	}
	return []byte(strconv.FormatFloat(v, 'g', -1, 64)), nil
}

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		switch s {
		case "NaN":
			*f = jsonFloat(math.NaN())
		case "Infinity":
			*f = jsonFloat(math.Inf(1))
		case "-Infinity":
			*f = jsonFloat(math.Inf(-1))
		default:
			return errors.Errorf("%q is not a number", s)
		}
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = jsonFloat(v)
	return nil
}

// monitorState is what a monitor saves.
type monitorState struct {
	Best jsonFloat `json:"best"`
	Wait int       `json:"wait"`
}

func (m *monitor) state() monitorState { return monitorState{Best: jsonFloat(m.best), Wait: m.wait} }

func (m *monitor) setState(s monitorState) error {
	if s.Wait < 0 {
		return errors.Errorf("monitor %s: wait %d is negative", m.name, s.Wait)
	}
	m.best, m.wait = float64(s.Best), s.Wait
	return nil
}

// key is the part of a StateKey that names the monitor: "val_loss, min".
func (m *monitor) key() string {
	mode := "min"
	if m.max {
		mode = "max"
	}
	return m.name + ", " + mode
}

// marshalState encodes v as a CallbackState's values.
func marshalState(v interface{}) (CallbackState, error) {
	b, err := json.Marshal(v)
	return CallbackState{Values: b}, errors.Wrap(err, "encode state")
}

// unmarshalState decodes a CallbackState's values into v.
func unmarshalState(s CallbackState, v interface{}) error {
	if len(s.Values) == 0 {
		return errors.New("the saved state is empty")
	}
	return errors.Wrap(json.Unmarshal(s.Values, v), "decode state")
}
