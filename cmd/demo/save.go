package main

import (
	"fmt"
	"io"

	"github.com/gokeras/gokeras/zoo"
	"github.com/pkg/errors"
)

// saveResult writes the trained model and its training state to path with
// Trainer.Save (so that trainers.Load resumes training and layers.Load reads the
// model) and says so on w.
func saveResult(w io.Writer, res *zoo.Result, path string) error {
	if res == nil || res.Trainer == nil {
		return errors.New("save: the run returned no trainer")
	}
	if err := res.Trainer.Save(path); err != nil {
		return errors.Wrapf(err, "save %s", path)
	}
	_, err := fmt.Fprintf(w, "saved: %s (epoch %d)\n", path, res.Trainer.Epoch())
	return errors.Wrap(err, "write")
}
