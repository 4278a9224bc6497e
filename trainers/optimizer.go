package trainers

import (
	"sort"
	"strings"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Optimizer updates a model's parameters in place from their gradients. The
// optimizers of this package keep their state (momenta, moments) per parameter,
// allocated at the first step and never again, and clip gradients before the update
// when asked (ClipValue, ClipNorm, GlobalClipNorm).
type Optimizer interface {
	// Name is the Keras name: "sgd", "adam", "adamw", "rmsprop", "adagrad".
	Name() string
	// Step applies one update. params and grads are in the same order at every call,
	// with equal shapes; grads may be modified (clipping works in place).
	Step(params []*graph.Param, grads []*tensor.Dense) error
	// LearningRate is the rate the next Step uses (the schedule's value, if any).
	LearningRate() float64
	// SetLearningRate replaces the constant learning rate. It is an error for an
	// optimizer driven by a Schedule.
	SetLearningRate(lr float64) error
	// Iterations is the number of steps taken.
	Iterations() int
}

// OptimizerOption sets an optional setting of an optimizer. Each optimizer
// documents the options it takes; any optimizer takes ClipValue, ClipNorm,
// GlobalClipNorm and WithSchedule.
type OptimizerOption interface{ applyOpt(*optConfig) }

type optFunc func(*optConfig)

func (f optFunc) applyOpt(c *optConfig) { f(c) }

type optConfig struct {
	lr                  float64
	momentum            float64
	nesterov            bool
	beta1, beta2, eps   float64
	amsgrad             bool
	weightDecay         float64
	rho                 float64
	initialAccumulator  float64
	clipValue, clipNorm float64
	globalClipNorm      float64
	schedule            Schedule
	set                 map[string]bool
}

// Momentum sets SGD's or RMSProp's momentum (default 0).
func Momentum(m float64) OptimizerOption {
	return optFunc(func(c *optConfig) { c.momentum = m; c.set["momentum"] = true })
}

// Nesterov turns on Nesterov momentum for SGD (default off).
func Nesterov() OptimizerOption {
	return optFunc(func(c *optConfig) { c.nesterov = true; c.set["nesterov"] = true })
}

// Beta1 sets Adam's first-moment decay (default 0.9).
func Beta1(b float64) OptimizerOption {
	return optFunc(func(c *optConfig) { c.beta1 = b; c.set["beta1"] = true })
}

// Beta2 sets Adam's second-moment decay (default 0.999).
func Beta2(b float64) OptimizerOption {
	return optFunc(func(c *optConfig) { c.beta2 = b; c.set["beta2"] = true })
}

// Epsilon sets the term added to denominators (default 1e-7, as in Keras).
func Epsilon(e float64) OptimizerOption {
	return optFunc(func(c *optConfig) { c.eps = e; c.set["epsilon"] = true })
}

// AMSGrad turns on Adam's AMSGrad variant (default off).
func AMSGrad() OptimizerOption {
	return optFunc(func(c *optConfig) { c.amsgrad = true; c.set["amsgrad"] = true })
}

// WeightDecay sets the weight decay: for SGD and Adam it is added to the gradient
// (wd·w, PyTorch's coupled L2, default 0); for AdamW it is decoupled, w -= lr·wd·w
// before the Adam update (default 0.004, Keras' AdamW default).
func WeightDecay(wd float64) OptimizerOption {
	return optFunc(func(c *optConfig) { c.weightDecay = wd; c.set["weight_decay"] = true })
}

// Rho sets RMSProp's decay of the squared-gradient average (default 0.9).
func Rho(r float64) OptimizerOption {
	return optFunc(func(c *optConfig) { c.rho = r; c.set["rho"] = true })
}

// InitialAccumulator sets AdaGrad's starting sum of squared gradients (default 0.1).
func InitialAccumulator(v float64) OptimizerOption {
	return optFunc(func(c *optConfig) { c.initialAccumulator = v; c.set["initial_accumulator"] = true })
}

// ClipValue clips every gradient element to [-v, v] before the update (default off).
func ClipValue(v float64) OptimizerOption {
	return optFunc(func(c *optConfig) { c.clipValue = v; c.set["clip"] = true })
}

// ClipNorm rescales each parameter's gradient whose L2 norm exceeds n to norm n,
// Keras' clipnorm (default off).
func ClipNorm(n float64) OptimizerOption {
	return optFunc(func(c *optConfig) { c.clipNorm = n; c.set["clip"] = true })
}

// GlobalClipNorm rescales all gradients together when their joint L2 norm exceeds
// n, Keras' global_clipnorm and PyTorch's clip_grad_norm_ (default off).
func GlobalClipNorm(n float64) OptimizerOption {
	return optFunc(func(c *optConfig) { c.globalClipNorm = n; c.set["clip"] = true })
}

// WithSchedule makes the learning rate follow s (by step) instead of the constant
// rate given to the constructor.
func WithSchedule(s Schedule) OptimizerOption {
	return optFunc(func(c *optConfig) { c.schedule = s; c.set["schedule"] = true })
}

// newOptConfig applies opts over the defaults shared by every optimizer and checks
// that the optimizer (name, taking allowed) takes every option given.
func newOptConfig(name string, lr float64, allowed []string, opts []OptimizerOption) (optConfig, error) {
	c := optConfig{lr: lr, beta1: 0.9, beta2: 0.999, eps: 1e-7, rho: 0.9, initialAccumulator: 0.1, set: map[string]bool{}}
	for _, o := range opts {
		if o != nil {
			o.applyOpt(&c)
		}
	}
	ok := map[string]bool{"clip": true, "schedule": true}
	for _, a := range allowed {
		ok[a] = true
	}
	var bad []string
	for k := range c.set {
		if !ok[k] {
			bad = append(bad, k)
		}
	}
	sort.Strings(bad)
	switch {
	case len(bad) > 0:
		return c, errors.Errorf("optimizer %s does not take option(s) %s", name, strings.Join(bad, ", "))
	case lr <= 0 && c.schedule == nil:
		return c, errors.Errorf("optimizer %s: learning rate %g must be positive", name, lr)
	case c.eps <= 0:
		return c, errors.Errorf("optimizer %s: epsilon %g must be positive", name, c.eps)
	case c.momentum < 0 || c.momentum >= 1:
		return c, errors.Errorf("optimizer %s: momentum %g must be in [0, 1)", name, c.momentum)
	case c.beta1 < 0 || c.beta1 >= 1 || c.beta2 < 0 || c.beta2 >= 1:
		return c, errors.Errorf("optimizer %s: betas (%g, %g) must be in [0, 1)", name, c.beta1, c.beta2)
	case c.rho <= 0 || c.rho >= 1:
		return c, errors.Errorf("optimizer %s: rho %g must be in (0, 1)", name, c.rho)
	case c.weightDecay < 0 || c.clipValue < 0 || c.clipNorm < 0 || c.globalClipNorm < 0 || c.initialAccumulator < 0:
		return c, errors.Errorf("optimizer %s: weight decay, clipping and accumulator settings must not be negative", name)
	case c.nesterov && c.momentum == 0:
		return c, errors.Errorf("optimizer %s: Nesterov needs a momentum > 0", name)
	}
	return c, nil
}

// OptimizerNames lists the names OptimizerByName accepts.
func OptimizerNames() []string { return []string{"adagrad", "adam", "adamw", "rmsprop", "sgd"} }

// KerasLearningRate returns Keras' default learning rate of the optimizer of the
// given name (any case): 0.01 for sgd, 0.001 for adam, adamw, rmsprop and
// adagrad; false for an unknown name.
func KerasLearningRate(name string) (float64, bool) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "sgd":
		return 0.01, true
	case "adam", "adamw", "rmsprop", "adagrad":
		return 0.001, true
	}
	return 0, false
}

// OptimizerByName returns the optimizer of the given Keras name with learning rate
// lr and default settings. An unknown name is an error listing the valid ones.
// WithOptimizerName uses it with Keras' default rate (KerasLearningRate).
func OptimizerByName(name string, lr float64) (Optimizer, error) {
	switch name {
	case "sgd":
		return SGD(lr), nil
	case "adam":
		return Adam(lr), nil
	case "adamw":
		return AdamW(lr), nil
	case "rmsprop":
		return RMSProp(lr), nil
	case "adagrad":
		return AdaGrad(lr), nil
	}
	return nil, errors.Errorf("unknown optimizer %q (valid: %s)", name, strings.Join(OptimizerNames(), ", "))
}
