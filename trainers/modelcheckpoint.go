package trainers

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// ModelCheckpoint saves the trainer (model and training state, see Trainer.Save)
// at the end of epochs, as Keras' ModelCheckpoint. Files are written atomically;
// the folder of a file is created when missing. At the end of an epoch it runs
// after the other callbacks, whatever their order, so a file holds their state of
// that epoch (a rate ReduceLROnPlateau has just lowered, EarlyStopping's count).
// Its own state (the best value of SaveBestOnly, the files KeepLast keeps) is
// saved with the trainer and given back to a resumed Fit (see StatefulCallback).
type ModelCheckpoint struct {
	BaseCallback
	// Path is the file to write; "{epoch}" in it is replaced by the epoch number
	// (from 1, as Keras), giving one file per epoch.
	Path string
	// SaveBestOnly saves only when Monitor improves (default: every epoch).
	SaveBestOnly bool
	// Monitor is the log watched by SaveBestOnly (default "val_loss").
	Monitor string
	// Mode is "auto" (default), "min" or "max".
	Mode string
	// KeepLast keeps only the newest KeepLast files when Path holds "{epoch}"
	// (default 0: keep all).
	KeepLast int
	// WeightsOnly saves the model alone, without the training state.
	WeightsOnly bool
	// Period saves at the end of every Period-th epoch only (epochs Period,
	// 2·Period, ..., counted from 1 as Keras' period; default 0 or 1: every
	// epoch). Training resumed from such a file (ResumeFrom) redoes at most the
	// Period-1 epochs run since it was written.
	Period int

	m     monitor
	saved []string
}

// OnTrainBegin checks the settings.
func (c *ModelCheckpoint) OnTrainBegin(*Trainer) error {
	if c.Path == "" {
		return errors.New("model checkpoint: no path")
	}
	if c.Monitor == "" {
		c.Monitor = "val_loss"
	}
	if c.KeepLast < 0 {
		return errors.Errorf("model checkpoint: keep last %d must not be negative", c.KeepLast)
	}
	if c.Period < 0 {
		return errors.Errorf("model checkpoint: period %d must not be negative", c.Period)
	}
	m, err := newMonitor(c.Monitor, c.Mode, 0)
	c.m, c.saved = m, nil
	return errors.Wrap(err, "model checkpoint")
}

// lastAtEpochEnd marks ModelCheckpoint as a callback Fit runs after the others at
// the end of an epoch.
func (c *ModelCheckpoint) lastAtEpochEnd() {}

// OnEpochEnd saves when due and removes files beyond KeepLast.
func (c *ModelCheckpoint) OnEpochEnd(t *Trainer, epoch int, logs Logs) error {
	if c.Period > 1 && (epoch+1)%c.Period != 0 {
		return nil
	}
	if c.SaveBestOnly {
		v, err := c.m.value(logs)
		if err != nil {
			return errors.Wrap(err, "model checkpoint")
		}
		if !c.m.improved(v) {
			return nil
		}
	}
	path := strings.ReplaceAll(c.Path, "{epoch}", strconv.Itoa(epoch+1))
	// The list of files kept is part of the state saved in the file: update it
	// first, remove the old files once the new one is written.
	var old []string
	if path != c.Path {
		c.saved = append(c.saved, path)
		if c.KeepLast > 0 && len(c.saved) > c.KeepLast {
			n := len(c.saved) - c.KeepLast
			old = append(old, c.saved[:n]...)
			c.saved = append([]string(nil), c.saved[n:]...)
		}
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return errors.Wrapf(err, "model checkpoint: epoch %d: create the folder of %s", epoch+1, path)
		}
	}
	var err error
	if c.WeightsOnly {
		err = t.model.Save(path)
	} else {
		err = t.Save(path)
	}
	if err != nil {
		return errors.Wrapf(err, "model checkpoint: epoch %d: save %s", epoch+1, path)
	}
	for _, o := range old {
		if o == path {
			continue
		}
		if err := os.Remove(o); err != nil && !os.IsNotExist(err) {
			return errors.Wrapf(err, "model checkpoint: remove the old file %s", o)
		}
	}
	return nil
}

// StateKey is "ModelCheckpoint(<path>, <monitor>, <mode>)".
func (c *ModelCheckpoint) StateKey() string {
	return "ModelCheckpoint(" + c.Path + ", " + c.m.key() + ")"
}

// modelCheckpointState is what ModelCheckpoint saves.
type modelCheckpointState struct {
	monitorState
	Saved []string `json:"saved"`
}

// SaveState returns the best value of SaveBestOnly and the files kept for KeepLast.
func (c *ModelCheckpoint) SaveState(*Trainer) (CallbackState, error) {
	return marshalState(modelCheckpointState{monitorState: c.m.state(), Saved: c.saved})
}

// LoadState puts back what SaveState returned.
func (c *ModelCheckpoint) LoadState(_ *Trainer, s CallbackState) error {
	var st modelCheckpointState
	if err := unmarshalState(s, &st); err != nil {
		return errors.Wrap(err, "model checkpoint")
	}
	c.saved = append([]string(nil), st.Saved...)
	return errors.Wrap(c.m.setState(st.monitorState), "model checkpoint")
}

// ResumeFrom resumes a Fit from a file written by Trainer.Save or
// ModelCheckpoint (the model with its training state), for a trainer made
// afresh with New on a model of the same architecture: Fit starts at the
// file's epoch (as InitialEpoch; a later InitialEpoch overrides it) and, before
// its first step, copies the file's weights into the trainer's model, takes the
// file's optimizer (settings, schedule, step count and state) and gives the
// saved callback states back to the callbacks of the same kind and settings.
// With the same data, seed and options, the resumed Fit ends with the weights
// of a Fit never stopped, bit for bit. The file is read when Fit reads its
// options; an unreadable file, weights of other shapes or dtypes, or another
// seed than the trainer's is an error of Fit. Under WithDistributed every rank
// must pass the same file (a shared folder, or a copy on each machine).
func ResumeFrom(path string) FitOption {
	return fitFunc(func(c *fitConfig) {
		c.set["resume"] = true
		from, err := Load(path)
		if err != nil {
			c.err = errors.Wrap(err, "resume")
			return
		}
		c.initialEpoch = from.epoch
		c.callbacks = append(c.callbacks, &resumer{from: from, path: path})
	})
}

// resumer is ResumeFrom's callback: it puts the loaded trainer's state into the
// trainer of the Fit when training begins, before Fit hands the callbacks their
// saved states.
type resumer struct {
	BaseCallback
	from *Trainer
	path string
}

// OnTrainBegin copies the weights, the optimizer, the epoch and the callback
// states of the loaded trainer.
func (r *resumer) OnTrainBegin(t *Trainer) error {
	f := r.from
	if f.seed != t.seed {
		return errors.Errorf("resume from %s: it was trained with seed %d, this trainer has seed %d: resume with the same seed", r.path, f.seed, t.seed)
	}
	ps, qs := t.model.Params(), f.model.Params()
	if len(ps) != len(qs) {
		return errors.Errorf("resume from %s: the file's model has %d weights, this model %d: resume the same model", r.path, len(qs), len(ps))
	}
	for i, p := range ps {
		q := qs[i]
		if p.Value.Dtype() != q.Value.Dtype() || !p.Value.Shape().Eq(q.Value.Shape()) {
			return errors.Errorf("resume from %s: weight %d (%s) is %v %v in the file, %v %v in this model", r.path, i, p.Name, q.Value.Dtype(), q.Value.Shape(), p.Value.Dtype(), p.Value.Shape())
		}
	}
	for i, p := range ps {
		if err := tensor.Copy(p.Value, qs[i].Value); err != nil {
			return errors.Wrapf(err, "resume from %s: weight %s", r.path, p.Name)
		}
	}
	t.opt, t.epoch, t.cbStates = f.opt, f.epoch, f.cbStates
	return nil
}
