package trainers

import (
	"github.com/gokeras/gokeras/datasets"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// FitOption sets an optional setting of Fit, Evaluate or Predict. Evaluate and
// Predict take only BatchSize and Verbose; any other option is an error there.
type FitOption interface{ applyFit(*fitConfig) }

type fitFunc func(*fitConfig)

func (f fitFunc) applyFit(c *fitConfig) { f(c) }

type fitConfig struct {
	epochs, batch, verbose, initialEpoch int
	split                                float64
	valX, valY                           *tensor.Dense
	valDS                                datasets.Dataset
	valMulti                             datasets.Multi
	shuffle                              bool
	callbacks                            []Callback
	transforms                           []BatchTransformFunc
	set                                  map[string]bool
	err                                  error
}

// Epochs sets the number of passes over the training data (default 1).
func Epochs(n int) FitOption {
	return fitFunc(func(c *fitConfig) { c.epochs = n; c.set["epochs"] = true })
}

// BatchSize sets the number of examples per step (default 32). The last batch of an
// epoch holds the remainder and is trained too.
func BatchSize(n int) FitOption {
	return fitFunc(func(c *fitConfig) { c.batch = n; c.set["batch"] = true })
}

// ValidationSplit holds out the last fraction f of the training data (before
// shuffling, as Keras) and evaluates on it after each epoch; f must be in (0, 1).
func ValidationSplit(f float64) FitOption {
	return fitFunc(func(c *fitConfig) { c.split = f; c.set["validation_split"] = true })
}

// ValidationData evaluates on (x, y) after each epoch (default none).
func ValidationData(x, y *tensor.Dense) FitOption {
	return fitFunc(func(c *fitConfig) { c.valX, c.valY = x, y; c.set["validation_data"] = true })
}

// ValidationMulti evaluates on m, a data set of several named (or ordered) inputs
// and targets, after each epoch (default none).
func ValidationMulti(m datasets.Multi) FitOption {
	return fitFunc(func(c *fitConfig) { c.valMulti = m; c.set["validation_data"] = true })
}

// ValidationNamed evaluates on named inputs x and targets y (keys: the model's input
// and output names) after each epoch (default none).
func ValidationNamed(x, y map[string]*tensor.Dense) FitOption {
	return fitFunc(func(c *fitConfig) {
		m, err := datasets.NewNamedTensors(x, y)
		if err != nil {
			c.err = errors.Wrap(err, "validation data")
		}
		c.valMulti = m
		c.set["validation_data"] = true
	})
}

// ValidationDataset evaluates on ds after each epoch (default none).
func ValidationDataset(ds datasets.Dataset) FitOption {
	return fitFunc(func(c *fitConfig) { c.valDS = ds; c.set["validation_data"] = true })
}

// Shuffle turns the per-epoch shuffle of the training data on or off (default on,
// seeded by the trainer's seed).
func Shuffle(on bool) FitOption {
	return fitFunc(func(c *fitConfig) { c.shuffle = on; c.set["shuffle"] = true })
}

// Callbacks adds callbacks, called in order after the built-in History and
// progress bar.
func Callbacks(cbs ...Callback) FitOption {
	return fitFunc(func(c *fitConfig) { c.callbacks = append(c.callbacks, cbs...); c.set["callbacks"] = true })
}

// Verbose sets the progress output: 0 silent, 1 a progress bar (default; one line
// per epoch when the output is not a terminal), 2 one line per epoch.
func Verbose(v int) FitOption {
	return fitFunc(func(c *fitConfig) { c.verbose = v; c.set["verbose"] = true })
}

// InitialEpoch starts counting epochs at n (default 0), to resume training: Fit
// runs epochs n .. Epochs-1.
func InitialEpoch(n int) FitOption {
	return fitFunc(func(c *fitConfig) { c.initialEpoch = n; c.set["initial_epoch"] = true })
}

// newFitConfig applies opts over the defaults; what lists the caller ("fit",
// "evaluate", "predict") and allowed the options it takes (nil: all).
func newFitConfig(what string, allowed []string, opts []FitOption) (fitConfig, error) {
	c := fitConfig{epochs: 1, batch: 32, verbose: 1, shuffle: true, set: map[string]bool{}}
	for _, o := range opts {
		if o != nil {
			o.applyFit(&c)
		}
	}
	if allowed != nil {
		ok := map[string]bool{}
		for _, a := range allowed {
			ok[a] = true
		}
		for k := range c.set {
			if !ok[k] {
				return c, errors.Errorf("%s does not take the option %s", what, k)
			}
		}
	}
	switch {
	case c.err != nil:
		return c, errors.Wrap(c.err, what)
	case c.batch <= 0:
		return c, errors.Errorf("%s: batch size %d must be at least 1", what, c.batch)
	case c.epochs < 0:
		return c, errors.Errorf("%s: epochs %d must not be negative", what, c.epochs)
	case c.initialEpoch < 0:
		return c, errors.Errorf("%s: initial epoch %d must not be negative", what, c.initialEpoch)
	case c.set["validation_split"] && !(c.split > 0 && c.split < 1):
		return c, errors.Errorf("%s: validation split %g must be in (0, 1)", what, c.split)
	case c.set["validation_split"] && (c.valX != nil || c.valDS != nil || c.valMulti != nil):
		return c, errors.Errorf("%s: give either a validation split or validation data, not both", what)
	case c.verbose < 0 || c.verbose > 2:
		return c, errors.Errorf("%s: verbose %d must be 0, 1 or 2", what, c.verbose)
	}
	return c, nil
}
