package trainers

import (
	"os"
	"strconv"
	"strings"

	"github.com/pkg/errors"
)

// ModelCheckpoint saves the trainer (model and training state, see Trainer.Save)
// at the end of epochs, as Keras' ModelCheckpoint. Files are written atomically.
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
	c.m = m
	return errors.Wrap(err, "model checkpoint")
}

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
	var err error
	if c.WeightsOnly {
		err = t.model.Save(path)
	} else {
		err = t.Save(path)
	}
	if err != nil {
		return errors.Wrap(err, "model checkpoint")
	}
	if path != c.Path {
		c.saved = append(c.saved, path)
		for c.KeepLast > 0 && len(c.saved) > c.KeepLast {
			if err := os.Remove(c.saved[0]); err != nil && !os.IsNotExist(err) {
				return errors.Wrap(err, "model checkpoint: remove an old file")
			}
			c.saved = c.saved[1:]
		}
	}
	return nil
}
