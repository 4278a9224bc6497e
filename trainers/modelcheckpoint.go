package trainers

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pkg/errors"
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
	m, err := newMonitor(c.Monitor, c.Mode, 0)
	c.m, c.saved = m, nil
	return errors.Wrap(err, "model checkpoint")
}

// lastAtEpochEnd marks ModelCheckpoint as a callback Fit runs after the others at
// the end of an epoch.
func (c *ModelCheckpoint) lastAtEpochEnd() {}

// OnEpochEnd saves when due and removes files beyond KeepLast.
func (c *ModelCheckpoint) OnEpochEnd(t *Trainer, epoch int, logs Logs) error {
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
