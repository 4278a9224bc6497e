package trainers

import (
	"math"
	"strings"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
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
// epochs, as Keras' EarlyStopping.
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

	m    monitor
	best [][]float64
}

// OnTrainBegin resets the monitor.
func (e *EarlyStopping) OnTrainBegin(*Trainer) error {
	if e.Monitor == "" {
		e.Monitor = "val_loss"
	}
	m, err := newMonitor(e.Monitor, e.Mode, e.MinDelta)
	e.m, e.StoppedEpoch, e.best = m, -1, nil
	return errors.Wrap(err, "early stopping")
}

// OnEpochEnd checks the monitored value and stops training when patience runs out.
func (e *EarlyStopping) OnEpochEnd(t *Trainer, epoch int, logs Logs) error {
	v, err := e.m.value(logs)
	if err != nil {
		return errors.Wrap(err, "early stopping")
	}
	if e.m.improved(v) {
		if e.RestoreBestWeights {
			e.best = snapshot(t.model.Params(), e.best)
		}
		return nil
	}
	if e.m.wait > e.Patience {
		e.StoppedEpoch = epoch
		t.StopTraining()
		if e.RestoreBestWeights && e.best != nil {
			return restore(t.model.Params(), e.best)
		}
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
