package trainers

import (
	"fmt"
	"math"
	"strings"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// monitor tracks the best value of a log, for EarlyStopping and ReduceLROnPlateau.
type monitor struct {
	name     string
	minDelta float64
	max      bool // higher is better
	best     float64
	wait     int
}

// newMonitor resolves the mode: "min", "max", or "auto" (max for accuracy, auc,
// precision and recall; min otherwise), as Keras.
func newMonitor(name, mode string, minDelta float64) (monitor, error) {
	m := monitor{name: name, minDelta: math.Abs(minDelta)}
	switch mode {
	case "min":
	case "max":
		m.max = true
	case "auto", "":
		for _, s := range []string{"acc", "auc", "precision", "recall"} {
			if strings.Contains(name, s) {
				m.max = true
			}
		}
	default:
		return m, errors.Errorf("monitor %s: mode %q (valid: auto, min, max)", name, mode)
	}
	m.reset()
	return m, nil
}

func (m *monitor) reset() {
	m.wait = 0
	m.best = math.Inf(1)
	if m.max {
		m.best = math.Inf(-1)
	}
}

// improved records v and reports whether it beats the best by more than minDelta.
func (m *monitor) improved(v float64) bool {
	better := v < m.best-m.minDelta
	if m.max {
		better = v > m.best+m.minDelta
	}
	if better {
		m.best = v
		m.wait = 0
	} else {
		m.wait++
	}
	return better
}

func (m *monitor) value(logs Logs) (float64, error) {
	v, ok := logs[m.name]
	if !ok {
		return 0, errors.Errorf("monitored %q is not in the logs (have %s)", m.name, strings.Join(logs.Names(), ", "))
	}
	return v, nil
}

// EarlyStopping stops training when a monitored log has not improved for Patience
// epochs, as Keras' EarlyStopping. When it stops, and the Fit is verbose (Verbose 1
// or 2), it prints "Epoch 12: early stopping" to the trainer's output, after
// "Restoring model weights from the end of the best epoch: 9." when it restores
// them. Its state (best value, epochs waited, best weights) is saved with the
// trainer and given back to a resumed Fit (see StatefulCallback).
type EarlyStopping struct {
	BaseCallback
	// Monitor is the log to watch (default "val_loss").
	Monitor string
	// MinDelta is the smallest change that counts as an improvement (default 0).
	MinDelta float64
	// Patience is the number of epochs without improvement to wait (default 0).
	Patience int
	// Mode is "auto" (default), "min" or "max".
	Mode string
	// RestoreBestWeights puts back the weights of the best epoch when stopping
	// (default false).
	RestoreBestWeights bool
	// StoppedEpoch is the epoch training stopped at (-1 if it did not stop early).
	StoppedEpoch int

	m         monitor
	best      [][]float64
	bestEpoch int
}

// OnTrainBegin resets the monitor.
func (e *EarlyStopping) OnTrainBegin(*Trainer) error {
	if e.Monitor == "" {
		e.Monitor = "val_loss"
	}
	m, err := newMonitor(e.Monitor, e.Mode, e.MinDelta)
	e.m, e.StoppedEpoch, e.best, e.bestEpoch = m, -1, nil, -1
	return errors.Wrap(err, "early stopping")
}

// OnEpochEnd checks the monitored value and stops training when patience runs out.
func (e *EarlyStopping) OnEpochEnd(t *Trainer, epoch int, logs Logs) error {
	v, err := e.m.value(logs)
	if err != nil {
		return errors.Wrap(err, "early stopping")
	}
	if e.m.improved(v) {
		e.bestEpoch = epoch
		if e.RestoreBestWeights {
			e.best = snapshot(t.model.Params(), e.best)
		}
		return nil
	}
	if e.m.wait > e.Patience {
		e.StoppedEpoch = epoch
		t.StopTraining()
		if e.RestoreBestWeights && e.best != nil {
			if t.fit.verbose > 0 {
				fmt.Fprintf(t.output(), "Restoring model weights from the end of the best epoch: %d.\n", e.bestEpoch+1)
			}
			return restore(t.model.Params(), e.best)
		}
	}
	return nil
}

// OnTrainEnd says that training stopped early, when the Fit is verbose.
func (e *EarlyStopping) OnTrainEnd(t *Trainer, _ Logs) error {
	if e.StoppedEpoch >= 0 && t.fit.verbose > 0 {
		_, err := fmt.Fprintf(t.output(), "Epoch %d: early stopping\n", e.StoppedEpoch+1)
		return err
	}
	return nil
}

// StateKey is "EarlyStopping(<monitor>, <mode>)".
func (e *EarlyStopping) StateKey() string { return "EarlyStopping(" + e.m.key() + ")" }

// earlyStoppingState is what EarlyStopping saves; the best weights go beside it as
// tensors named by the weights' paths (layers.WeightPaths).
type earlyStoppingState struct {
	monitorState
	BestEpoch    int  `json:"best_epoch"`
	StoppedEpoch int  `json:"stopped_epoch"`
	BestWeights  bool `json:"best_weights"`
}

// SaveState returns the best value, the epochs waited, the best epoch and, with
// RestoreBestWeights, the best weights.
func (e *EarlyStopping) SaveState(t *Trainer) (CallbackState, error) {
	st, err := marshalState(earlyStoppingState{monitorState: e.m.state(), BestEpoch: e.bestEpoch, StoppedEpoch: e.StoppedEpoch, BestWeights: e.best != nil})
	if err != nil || e.best == nil {
		return st, err
	}
	st.Tensors, err = weightTensors(t, e.best)
	return st, errors.Wrap(err, "early stopping: best weights")
}

// LoadState puts back what SaveState returned.
func (e *EarlyStopping) LoadState(t *Trainer, s CallbackState) error {
	var st earlyStoppingState
	if err := unmarshalState(s, &st); err != nil {
		return errors.Wrap(err, "early stopping")
	}
	if err := e.m.setState(st.monitorState); err != nil {
		return errors.Wrap(err, "early stopping")
	}
	e.bestEpoch, e.StoppedEpoch, e.best = st.BestEpoch, st.StoppedEpoch, nil
	if st.BestWeights {
		best, err := weightValues(t, s.Tensors)
		if err != nil {
			return errors.Wrap(err, "early stopping: best weights")
		}
		e.best = best
	}
	return nil
}

// snapshot copies every parameter's values, reusing buf when it fits.
func snapshot(ps []*graph.Param, buf [][]float64) [][]float64 {
	if len(buf) != len(ps) {
		buf = make([][]float64, len(ps))
	}
	for i, p := range ps {
		buf[i] = p.Float64s()
	}
	return buf
}

func restore(ps []*graph.Param, vals [][]float64) error {
	for i, p := range ps {
		if err := p.SetFloat64s(vals[i]); err != nil {
			return errors.Wrap(err, "restore weights")
		}
	}
	return nil
}

// weightTensors turns values of the model's parameters (in Params order) into
// tensors of the parameters' dtype and shape, named by the weights' paths.
func weightTensors(t *Trainer, vals [][]float64) (map[string]*tensor.Dense, error) {
	ps := t.model.Params()
	if len(vals) != len(ps) {
		return nil, errors.Errorf("%d values for %d weights", len(vals), len(ps))
	}
	paths, err := layers.WeightPaths(t.model)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*tensor.Dense, len(ps))
	for i, p := range ps {
		if len(vals[i]) != p.Size() {
			return nil, errors.Errorf("weight %s: %d values for %d", paths[p], len(vals[i]), p.Size())
		}
		var back interface{}
		switch p.Value.Dtype() {
		case tensor.Float32:
			d := make([]float32, len(vals[i]))
			for j, v := range vals[i] {
				d[j] = float32(v)
			}
			back = d
		default:
			back = append([]float64(nil), vals[i]...)
		}
		out[paths[p]] = tensor.New(tensor.WithShape(p.Value.Shape().Clone()...), tensor.WithBacking(back))
	}
	return out, nil
}

// weightValues is the inverse of weightTensors: every parameter must be there, of
// its dtype and shape.
func weightValues(t *Trainer, ts map[string]*tensor.Dense) ([][]float64, error) {
	ps := t.model.Params()
	paths, err := layers.WeightPaths(t.model)
	if err != nil {
		return nil, err
	}
	out := make([][]float64, len(ps))
	for i, p := range ps {
		v, ok := ts[paths[p]]
		if !ok {
			return nil, errors.Errorf("no saved value of weight %s", paths[p])
		}
		if v.Dtype() != p.Value.Dtype() || !v.Shape().Eq(p.Value.Shape()) {
			return nil, errors.Errorf("saved weight %s is %v %v, the model's is %v %v", paths[p], v.Dtype(), v.Shape(), p.Value.Dtype(), p.Value.Shape())
		}
		out[i] = toFloat64s(v, nil)
	}
	return out, nil
}
