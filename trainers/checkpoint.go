package trainers

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/gokeras/gokeras/internal/atomicfile"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// metaTraining is the metadata key of a trainer's state in a model file.
const metaTraining = "training"

// trainingState is what a trainer adds to a model file.
type trainingState struct {
	Loss    string   `json:"loss"`
	Metrics []string `json:"metrics"`
	// Outputs holds, for a model of several outputs, each output's loss, weight
	// and own metrics (Loss and Metrics are then empty and shared).
	Outputs   []outputState `json:"outputs,omitempty"`
	Seed      int64         `json:"seed"`
	Epoch     int           `json:"epoch"`
	Optimizer *optState     `json:"optimizer"`
	// EmbeddingUpdates records how Embedding tables were trained, so that training
	// resumes as it ran: "rows" (updates by rows) or "dense"
	// (WithDenseEmbeddingUpdates). Files written before updates by rows existed
	// lack it and were trained densely: they resume densely.
	EmbeddingUpdates string `json:"embedding_updates,omitempty"`
	// Callbacks holds the states of the stateful callbacks (StatefulCallback),
	// sorted by key; their tensors go beside the weights as
	// "callbacks/<index>/<name>".
	Callbacks []savedCallback `json:"callbacks,omitempty"`
}

// savedCallback is one callback's state in a model file.
type savedCallback struct {
	Key     string          `json:"key"`
	Values  json.RawMessage `json:"values"`
	Tensors []string        `json:"tensors,omitempty"`
}

func callbackTensorName(i int, name string) string { return fmt.Sprintf("callbacks/%d/%s", i, name) }

// exportCallbacks turns the trainer's callback states into their file form, adding
// their tensors to tensors.
func (t *Trainer) exportCallbacks(tensors map[string]*tensor.Dense) ([]savedCallback, error) {
	states, err := t.callbackStates()
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(states))
	for k := range states {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]savedCallback, len(keys))
	for i, k := range keys {
		st := states[k]
		out[i] = savedCallback{Key: k, Values: st.Values}
		names := make([]string, 0, len(st.Tensors))
		for n := range st.Tensors {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			full := callbackTensorName(i, n)
			if _, taken := tensors[full]; taken {
				return nil, errors.Errorf("callback state %s: tensor %q is taken", k, full)
			}
			tensors[full] = st.Tensors[n]
			out[i].Tensors = append(out[i].Tensors, n)
		}
	}
	return out, nil
}

// importCallbacks is the inverse of exportCallbacks.
func importCallbacks(saved []savedCallback, tensors map[string]*tensor.Dense) (map[string]CallbackState, error) {
	if len(saved) == 0 {
		return nil, nil
	}
	out := make(map[string]CallbackState, len(saved))
	for i, sc := range saved {
		if _, dup := out[sc.Key]; dup {
			return nil, errors.Errorf("callback state %s is saved twice", sc.Key)
		}
		st := CallbackState{Values: sc.Values}
		for _, n := range sc.Tensors {
			v, ok := tensors[callbackTensorName(i, n)]
			if !ok {
				return nil, errors.Errorf("callback state %s: the file has no tensor %q", sc.Key, callbackTensorName(i, n))
			}
			if st.Tensors == nil {
				st.Tensors = map[string]*tensor.Dense{}
			}
			st.Tensors[n] = v
		}
		out[sc.Key] = st
	}
	return out, nil
}

// outputState is what a trainer saves of one output of a model of several.
type outputState struct {
	Name    string   `json:"name"`
	Loss    string   `json:"loss"`
	Custom  bool     `json:"custom_loss,omitempty"`
	Weight  float64  `json:"weight"`
	Metrics []string `json:"metrics,omitempty"`
}

// Epoch is the number of epochs trained so far: the InitialEpoch to resume from.
func (t *Trainer) Epoch() int { return t.epoch }

// Save writes the model (architecture, weights, attachments) and the training state
// (loss, metrics, seed, epochs done, the optimizer with its step count, learning
// rate and state, and the state of the stateful callbacks of the Fit in progress or
// of the last Fit: EarlyStopping, ReduceLROnPlateau, ModelCheckpoint; see
// StatefulCallback) to path, atomically. Load resumes from it: training continued
// for the remaining epochs (InitialEpoch(tr.Epoch()), with callbacks of the same
// settings) gives bit-identical weights and the same learning rates as training
// without a stop.
// Use the model's own Save for the model alone.
func (t *Trainer) Save(path string) error {
	return atomicfile.Write(path, t.SaveTo)
}

// SaveTo writes what Save writes to w.
func (t *Trainer) SaveTo(w io.Writer) error {
	paths, err := layers.WeightPaths(t.model)
	if err != nil {
		return errors.Wrap(err, "save")
	}
	st, tensors, err := exportOptimizer(t.opt, t.model.Params(), paths)
	if err != nil {
		return errors.Wrap(err, "save")
	}
	ts := trainingState{Loss: t.lossName, Metrics: t.metrics, Seed: t.seed, Epoch: t.epoch, Optimizer: st, EmbeddingUpdates: "rows"}
	if t.denseEmbeddings {
		ts.EmbeddingUpdates = "dense"
	}
	if ts.Callbacks, err = t.exportCallbacks(tensors); err != nil {
		return errors.Wrap(err, "save")
	}
	if len(t.heads) > 1 || t.heads[0].custom || t.heads[0].weight != 1 {
		ts.Loss, ts.Metrics = "", nil
		for _, h := range t.heads {
			ts.Outputs = append(ts.Outputs, outputState{Name: h.out.Name, Loss: h.lossName, Custom: h.custom, Weight: h.weight, Metrics: h.metrics})
		}
	}
	b, err := json.Marshal(ts)
	if err != nil {
		return errors.Wrap(err, "save: training state")
	}
	return layers.Encode(w, t.model, &layers.Extra{Tensors: tensors, Metadata: map[string]string{metaTraining: string(b)}})
}

// Load reads a file written by Trainer.Save and returns a trainer ready to resume:
// the model with its weights, the loss, metrics, seed, optimizer state, Epoch and
// the saved callback states, which a Fit with InitialEpoch > 0 gives back to its
// callbacks of the same kind and settings (see StatefulCallback).
// Options override settings (WithOutput; WithOptimizer starts a fresh optimizer).
// A model saved with the model's own Save (no training state) is an error: use
// layers.Load and New.
func Load(path string, opts ...Option) (*Trainer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.Wrap(err, "load")
	}
	defer f.Close()
	t, err := LoadFrom(bufio.NewReader(f), opts...)
	return t, errors.Wrapf(err, "%s", path)
}

// LoadFrom reads what Trainer.SaveTo wrote (see Load).
func LoadFrom(r io.Reader, opts ...Option) (*Trainer, error) {
	model, extra, err := layers.Decode(r)
	if err != nil {
		return nil, err
	}
	raw, ok := extra.Metadata[metaTraining]
	if !ok {
		return nil, errors.New("load: the file holds a model but no training state (use layers.Load and trainers.New)")
	}
	var st trainingState
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return nil, errors.Wrap(err, "load: training state")
	}
	if st.Optimizer == nil {
		return nil, errors.New("load: the training state has no optimizer")
	}
	paths, err := layers.WeightPaths(model)
	if err != nil {
		return nil, errors.Wrap(err, "load")
	}
	opt, err := importOptimizer(st.Optimizer, extraTensors(extra), model.Params(), paths)
	if err != nil {
		return nil, errors.Wrap(err, "load")
	}
	base := []Option{WithSeed(st.Seed), WithOptimizer(opt)}
	switch st.EmbeddingUpdates {
	case "rows":
	case "dense", "": // "": a file from before updates by rows, trained densely
		base = append(base, WithDenseEmbeddingUpdates())
	default:
		return nil, errors.Errorf("load: embedding updates %q are unknown (valid: rows, dense)", st.EmbeddingUpdates)
	}
	if st.Outputs == nil && st.Loss != "" {
		base = append(base, WithLoss(st.Loss), WithMetrics(st.Metrics...))
	}
	for _, o := range st.Outputs {
		if o.Loss == "" && !o.Custom {
			continue // saved by a trainer that only predicts
		}
		if !o.Custom {
			base = append(base, WithOutputLoss(o.Name, o.Loss))
		}
		base = append(base, WithLossWeights(map[string]float64{o.Name: o.Weight}), WithOutputMetrics(o.Name, o.Metrics...))
	}
	t, err := New(model, append(base, opts...)...)
	if err != nil {
		return nil, errors.Wrap(err, "load")
	}
	t.epoch = st.Epoch
	if t.cbStates, err = importCallbacks(st.Callbacks, extraTensors(extra)); err != nil {
		return nil, errors.Wrap(err, "load")
	}
	return t, nil
}

func extraTensors(e *layers.Extra) map[string]*tensor.Dense {
	if e == nil {
		return nil
	}
	return e.Tensors
}
