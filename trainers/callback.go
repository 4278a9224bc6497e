package trainers

import (
	"sort"
	"strings"
)

// Logs maps metric names to values: "loss", "accuracy", "val_loss", ... At the end
// of a batch they are the running means over the epoch so far.
type Logs map[string]float64

// Names returns the keys sorted, training metrics first ("loss" before the others),
// then the validation ones.
func (l Logs) Names() []string {
	names := make([]string, 0, len(l))
	for k := range l {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := names[i], names[j]
		va, vb := strings.HasPrefix(a, "val_"), strings.HasPrefix(b, "val_")
		if va != vb {
			return vb
		}
		ra, rb := strings.TrimPrefix(a, "val_"), strings.TrimPrefix(b, "val_")
		if (ra == "loss") != (rb == "loss") {
			return ra == "loss"
		}
		return a < b
	})
	return names
}

func (l Logs) clone() Logs {
	c := make(Logs, len(l))
	for k, v := range l {
		c[k] = v
	}
	return c
}

// Callback hooks into Fit. Each hook may return an error, which stops training and
// is returned by Fit. Embed BaseCallback to implement only the hooks you need.
// Epochs are counted from 0.
type Callback interface {
	OnTrainBegin(t *Trainer) error
	OnEpochBegin(t *Trainer, epoch int) error
	OnBatchEnd(t *Trainer, epoch, batch int, logs Logs) error
	OnEpochEnd(t *Trainer, epoch int, logs Logs) error
	OnTrainEnd(t *Trainer, logs Logs) error
}

// BaseCallback implements every Callback hook as a no-op.
type BaseCallback struct{}

// OnTrainBegin does nothing.
func (BaseCallback) OnTrainBegin(*Trainer) error { return nil }

// OnEpochBegin does nothing.
func (BaseCallback) OnEpochBegin(*Trainer, int) error { return nil }

// OnBatchEnd does nothing.
func (BaseCallback) OnBatchEnd(*Trainer, int, int, Logs) error { return nil }

// OnEpochEnd does nothing.
func (BaseCallback) OnEpochEnd(*Trainer, int, Logs) error { return nil }

// OnTrainEnd does nothing.
func (BaseCallback) OnTrainEnd(*Trainer, Logs) error { return nil }

// History records the logs of every epoch; Fit returns it.
type History struct {
	BaseCallback
	// Epoch lists the epochs run, from 0 (or the initial epoch).
	Epoch []int
	// Metrics maps each log name to its value per epoch, as Keras' history.history.
	Metrics map[string][]float64
}

// OnTrainBegin prepares the record.
func (h *History) OnTrainBegin(*Trainer) error {
	if h.Metrics == nil {
		h.Metrics = map[string][]float64{}
	}
	return nil
}

// OnEpochEnd records the epoch's logs.
func (h *History) OnEpochEnd(_ *Trainer, epoch int, logs Logs) error {
	h.Epoch = append(h.Epoch, epoch)
	for k, v := range logs {
		h.Metrics[k] = append(h.Metrics[k], v)
	}
	return nil
}

// Get returns the per-epoch values of a log name (nil if never logged).
func (h *History) Get(name string) []float64 { return h.Metrics[name] }

// Last returns the last value of a log name and whether there is one.
func (h *History) Last(name string) (float64, bool) {
	v := h.Metrics[name]
	if len(v) == 0 {
		return 0, false
	}
	return v[len(v)-1], true
}
