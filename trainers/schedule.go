package trainers

import (
	"math"
)

// Schedule gives the learning rate for a step (the optimizer's iteration count
// before the update, from 0), as Keras' LearningRateSchedule.
type Schedule interface {
	Rate(step int) float64
}

// ExponentialDecay is Keras' ExponentialDecay: Initial · DecayRate^(step/DecaySteps),
// with the exponent floored when Staircase is set.
type ExponentialDecay struct {
	Initial    float64
	DecaySteps int
	DecayRate  float64
	Staircase  bool
}

// Rate implements Schedule.
func (e ExponentialDecay) Rate(step int) float64 {
	if e.DecaySteps <= 0 {
		return e.Initial
	}
	p := float64(step) / float64(e.DecaySteps)
	if e.Staircase {
		p = math.Floor(p)
	}
	return e.Initial * math.Pow(e.DecayRate, p)
}

// PiecewiseConstant is Keras' PiecewiseConstantDecay: Values[0] while step <=
// Boundaries[0], Values[i] while Boundaries[i-1] < step <= Boundaries[i], and the
// last value after the last boundary. len(Values) must be len(Boundaries)+1.
type PiecewiseConstant struct {
	Boundaries []int
	Values     []float64
}

// Rate implements Schedule.
func (p PiecewiseConstant) Rate(step int) float64 {
	if len(p.Values) == 0 {
		return 0
	}
	for i, b := range p.Boundaries {
		if step <= b && i < len(p.Values) {
			return p.Values[i]
		}
	}
	return p.Values[len(p.Values)-1]
}

// CosineDecay is Keras' CosineDecay with linear warm-up: from Initial the rate rises
// linearly to Target over WarmupSteps (skipped when WarmupSteps is 0, when Target
// is taken as Initial), then follows a half cosine from Target down to Alpha·Target
// over DecaySteps, and stays there.
type CosineDecay struct {
	Initial     float64
	DecaySteps  int
	Alpha       float64
	WarmupSteps int
	Target      float64
}

// Rate implements Schedule.
func (c CosineDecay) Rate(step int) float64 {
	target := c.Target
	if c.WarmupSteps <= 0 || target == 0 {
		target = c.Initial
	}
	if c.WarmupSteps > 0 && step < c.WarmupSteps {
		return c.Initial + (target-c.Initial)*float64(step)/float64(c.WarmupSteps)
	}
	if c.DecaySteps <= 0 {
		return target
	}
	s := math.Min(float64(step-c.WarmupSteps), float64(c.DecaySteps))
	cos := 0.5 * (1 + math.Cos(math.Pi*s/float64(c.DecaySteps)))
	return target * ((1-c.Alpha)*cos + c.Alpha)
}
