package trainers

import (
	"fmt"
	"math"

	"github.com/pkg/errors"
)

// ReduceLROnPlateau multiplies the learning rate by Factor when a monitored log has
// not improved for Patience epochs, as Keras' ReduceLROnPlateau. When the Fit is
// verbose (Verbose 1 or 2) it prints "Epoch 5: ReduceLROnPlateau reducing learning
// rate to 0.01." to the trainer's output at each reduction. Its state (best value,
// epochs waited, cooldown left) is saved with the trainer and given back to a
// resumed Fit (see StatefulCallback); the rate itself is the optimizer's, saved
// with it.
type ReduceLROnPlateau struct {
	BaseCallback
	// Monitor is the log to watch (default "val_loss").
	Monitor string
	// Factor multiplies the rate (default 0.1); it must be in (0, 1).
	Factor float64
	// Patience is the number of epochs without improvement to wait (default 10).
	Patience int
	// MinDelta is the smallest change that counts as an improvement (default 1e-4).
	MinDelta float64
	// Cooldown is the number of epochs to wait after a reduction (default 0).
	Cooldown int
	// MinLR is the lowest rate (default 0).
	MinLR float64
	// Mode is "auto" (default), "min" or "max".
	Mode string

	m        monitor
	cooldown int
}

// OnTrainBegin fills in the defaults and resets the monitor.
func (r *ReduceLROnPlateau) OnTrainBegin(*Trainer) error {
	if r.Monitor == "" {
		r.Monitor = "val_loss"
	}
	if r.Factor == 0 {
		r.Factor = 0.1
	}
	if r.Patience == 0 {
		r.Patience = 10
	}
	if r.MinDelta == 0 {
		r.MinDelta = 1e-4
	}
	if r.Factor <= 0 || r.Factor >= 1 {
		return errors.Errorf("reduce lr on plateau: factor %g must be in (0, 1)", r.Factor)
	}
	m, err := newMonitor(r.Monitor, r.Mode, r.MinDelta)
	r.m, r.cooldown = m, 0
	return errors.Wrap(err, "reduce lr on plateau")
}

// OnEpochEnd reduces the rate when the monitored value stalls.
func (r *ReduceLROnPlateau) OnEpochEnd(t *Trainer, epoch int, logs Logs) error {
	v, err := r.m.value(logs)
	if err != nil {
		return errors.Wrap(err, "reduce lr on plateau")
	}
	if r.cooldown > 0 {
		r.cooldown--
		r.m.wait = 0
	}
	if r.m.improved(v) || r.cooldown > 0 {
		return nil
	}
	if r.m.wait >= r.Patience {
		lr := t.opt.LearningRate()
		if nl := math.Max(lr*r.Factor, r.MinLR); nl < lr {
			if err := t.opt.SetLearningRate(nl); err != nil {
				return errors.Wrap(err, "reduce lr on plateau")
			}
			if t.fit.verbose > 0 {
				fmt.Fprintf(t.output(), "Epoch %d: ReduceLROnPlateau reducing learning rate to %g.\n", epoch+1, nl)
			}
		}
		r.cooldown, r.m.wait = r.Cooldown, 0
	}
	logs["lr"] = t.opt.LearningRate()
	return nil
}

// StateKey is "ReduceLROnPlateau(<monitor>, <mode>)".
func (r *ReduceLROnPlateau) StateKey() string { return "ReduceLROnPlateau(" + r.m.key() + ")" }

// reduceLRState is what ReduceLROnPlateau saves.
type reduceLRState struct {
	monitorState
	Cooldown int `json:"cooldown"`
}

// SaveState returns the best value, the epochs waited and the cooldown left.
func (r *ReduceLROnPlateau) SaveState(*Trainer) (CallbackState, error) {
	return marshalState(reduceLRState{monitorState: r.m.state(), Cooldown: r.cooldown})
}

// LoadState puts back what SaveState returned.
func (r *ReduceLROnPlateau) LoadState(_ *Trainer, s CallbackState) error {
	var st reduceLRState
	if err := unmarshalState(s, &st); err != nil {
		return errors.Wrap(err, "reduce lr on plateau")
	}
	if st.Cooldown < 0 {
		return errors.Errorf("reduce lr on plateau: saved cooldown %d is negative", st.Cooldown)
	}
	r.cooldown = st.Cooldown
	return errors.Wrap(r.m.setState(st.monitorState), "reduce lr on plateau")
}

// LearningRateScheduler sets the learning rate at the start of every epoch from
// Schedule(epoch, current rate), as Keras' LearningRateScheduler.
type LearningRateScheduler struct {
	BaseCallback
	Schedule func(epoch int, lr float64) float64
}

// OnEpochBegin sets the epoch's rate.
func (l *LearningRateScheduler) OnEpochBegin(t *Trainer, epoch int) error {
	if l.Schedule == nil {
		return errors.New("learning rate scheduler: no schedule function")
	}
	return errors.Wrapf(t.opt.SetLearningRate(l.Schedule(epoch, t.opt.LearningRate())), "learning rate scheduler, epoch %d", epoch)
}

// TerminateOnNaN stops training as soon as the loss is NaN or infinite.
type TerminateOnNaN struct {
	BaseCallback
	// Stopped is true when it stopped training.
	Stopped bool
}

// OnBatchEnd checks the loss.
func (n *TerminateOnNaN) OnBatchEnd(t *Trainer, _, _ int, logs Logs) error {
	if l := logs["loss"]; math.IsNaN(l) || math.IsInf(l, 0) {
		n.Stopped = true
		t.StopTraining()
	}
	return nil
}
