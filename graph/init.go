package graph

import (
	"math"
	"math/rand"
	"sort"
	"strings"

	"github.com/pkg/errors"
)

// Initializer fills a new parameter's values. fanIn and fanOut are the numbers of
// input and output units the parameter connects (for a kernel of shape (in, out):
// in and out). rng is the model's seeded source: the same seed gives the same values.
type Initializer interface {
	Fill(rng *rand.Rand, fanIn, fanOut int, dst []float64) error
}

// VarianceScaling is Keras' VarianceScaling initializer: values with variance
// Scale/n, where n is fanIn ("fan_in"), fanOut ("fan_out") or their mean
// ("fan_avg"); Distribution is "truncated_normal" (cut at 2 standard deviations, as
// Keras), "normal" or "uniform". GlorotUniform is {1, "fan_avg", "uniform"}.
type VarianceScaling struct {
	Scale        float64
	Mode         string
	Distribution string
}

// Fill implements Initializer.
func (v VarianceScaling) Fill(rng *rand.Rand, fanIn, fanOut int, dst []float64) error {
	if fanIn <= 0 || fanOut <= 0 {
		return errors.Errorf("variance scaling: fans (%d, %d) must be positive", fanIn, fanOut)
	}
	var n float64
	switch v.Mode {
	case "fan_in":
		n = float64(fanIn)
	case "fan_out":
		n = float64(fanOut)
	case "fan_avg":
		n = float64(fanIn+fanOut) / 2
	default:
		return errors.Errorf("variance scaling: unknown mode %q (valid: fan_avg, fan_in, fan_out)", v.Mode)
	}
	variance := v.Scale / n
	switch v.Distribution {
	case "uniform":
		limit := math.Sqrt(3 * variance)
		for i := range dst {
			dst[i] = (2*rng.Float64() - 1) * limit
		}
	case "normal":
		sd := math.Sqrt(variance)
		for i := range dst {
			dst[i] = rng.NormFloat64() * sd
		}
	case "truncated_normal":
		// The standard deviation of a unit normal truncated to [-2, 2].
		sd := math.Sqrt(variance) / 0.87962566103423978
		for i := range dst {
			z := rng.NormFloat64()
			for math.Abs(z) > 2 {
				z = rng.NormFloat64()
			}
			dst[i] = z * sd
		}
	default:
		return errors.Errorf("variance scaling: unknown distribution %q (valid: normal, truncated_normal, uniform)", v.Distribution)
	}
	return nil
}

// Constant fills every value with V. Zeros and Ones are Constant{0} and Constant{1}.
type Constant struct{ V float64 }

// Fill implements Initializer.
func (c Constant) Fill(_ *rand.Rand, _, _ int, dst []float64) error {
	for i := range dst {
		dst[i] = c.V
	}
	return nil
}

// RandomNormal draws from N(Mean, Stddev²). Keras' default is {0, 0.05}.
type RandomNormal struct{ Mean, Stddev float64 }

// Fill implements Initializer.
func (r RandomNormal) Fill(rng *rand.Rand, _, _ int, dst []float64) error {
	for i := range dst {
		dst[i] = r.Mean + r.Stddev*rng.NormFloat64()
	}
	return nil
}

// RandomUniform draws from U(Min, Max). Keras' default is {-0.05, 0.05}.
type RandomUniform struct{ Min, Max float64 }

// Fill implements Initializer.
func (r RandomUniform) Fill(rng *rand.Rand, _, _ int, dst []float64) error {
	if r.Max < r.Min {
		return errors.Errorf("random uniform: max %g < min %g", r.Max, r.Min)
	}
	for i := range dst {
		dst[i] = r.Min + (r.Max-r.Min)*rng.Float64()
	}
	return nil
}

// initializers maps Keras names to initializers; never written after initialization.
var initializers = map[string]Initializer{
	"glorot_uniform": VarianceScaling{1, "fan_avg", "uniform"},
	"glorot_normal":  VarianceScaling{1, "fan_avg", "truncated_normal"},
	"he_uniform":     VarianceScaling{2, "fan_in", "uniform"},
	"he_normal":      VarianceScaling{2, "fan_in", "truncated_normal"},
	"lecun_uniform":  VarianceScaling{1, "fan_in", "uniform"},
	"lecun_normal":   VarianceScaling{1, "fan_in", "truncated_normal"},
	"zeros":          Constant{0},
	"ones":           Constant{1},
	"random_normal":  RandomNormal{0, 0.05},
	"random_uniform": RandomUniform{-0.05, 0.05},
}

// InitializerByName returns the initializer of the given Keras name: glorot_uniform
// (Keras' default for kernels), glorot_normal, he_uniform, he_normal, lecun_uniform,
// lecun_normal (normals are truncated at 2 standard deviations, as in Keras), zeros
// (the default for biases), ones, random_normal (0, 0.05), random_uniform
// (-0.05, 0.05). Use Constant, RandomNormal, RandomUniform or VarianceScaling for
// other settings. An unknown name is an error listing the valid ones.
func InitializerByName(name string) (Initializer, error) {
	in, ok := initializers[name]
	if !ok {
		names := make([]string, 0, len(initializers))
		for n := range initializers {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, errors.Errorf("unknown initializer %q (valid: %s)", name, strings.Join(names, ", "))
	}
	return in, nil
}
