package generate

import (
	"math"
	"math/rand"
	"sort"

	"github.com/pkg/errors"
)

// Sampling says how the next token is drawn from the model's distribution.
// The zero value draws from the full distribution (temperature 1) with seed 0.
type Sampling struct {
	// Temperature divides the logits: below 1 sharpens, above 1 flattens
	// (default 0, which means 1). It must not be negative.
	Temperature float64
	// Greedy picks the most likely token every time (argmax; Temperature, TopK,
	// TopP and Seed are then unused). Default false.
	Greedy bool
	// TopK keeps the TopK most likely tokens (default 0: all).
	TopK int
	// TopP keeps the smallest set of most likely tokens whose probability
	// reaches TopP, in (0, 1] (default 0: no limit; 1 keeps all).
	TopP float64
	// Seed seeds the draws: the same seed, model and prompt give the same text.
	Seed int64
}

// check validates s.
func (s Sampling) check() error {
	switch {
	case s.Temperature < 0 || math.IsNaN(s.Temperature) || math.IsInf(s.Temperature, 0):
		return errors.Errorf("generate: temperature %g must be a finite number >= 0", s.Temperature)
	case s.TopK < 0:
		return errors.Errorf("generate: top-k %d must not be negative", s.TopK)
	case s.TopP < 0 || s.TopP > 1 || math.IsNaN(s.TopP):
		return errors.Errorf("generate: top-p %g must be in [0, 1]", s.TopP)
	}
	return nil
}

// sampler draws token ids from logits by the rules of a Sampling.
type sampler struct {
	s     Sampling
	rng   *rand.Rand
	order []int
	p     []float64
}

func newSampler(s Sampling) *sampler {
	return &sampler{s: s, rng: rand.New(rand.NewSource(s.Seed))}
}

// next returns the id drawn from logits z (one per token id); the ids below
// reserved (padding, out of vocabulary) are never drawn.
func (sp *sampler) next(z []float64, reserved int) int {
	if reserved >= len(z) {
		reserved = 0
	}
	if sp.s.Greedy {
		best := -1
		for i, v := range z {
			if i >= reserved && (best < 0 || v > z[best]) {
				best = i
			}
		}
		return best
	}
	t := sp.s.Temperature
	if t == 0 {
		t = 1
	}
	n := len(z)
	if cap(sp.order) < n {
		sp.order, sp.p = make([]int, n), make([]float64, n)
	}
	order, p := sp.order[:0], sp.p[:n]
	for i := 0; i < n; i++ {
		if i >= reserved && !math.IsInf(z[i], -1) {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return z[order[a]] > z[order[b]] })
	if k := sp.s.TopK; k > 0 && k < len(order) {
		order = order[:k]
	}
	top := z[order[0]] / t
	var sum float64
	for _, id := range order {
		p[id] = math.Exp(z[id]/t - top)
		sum += p[id]
	}
	if tp := sp.s.TopP; tp > 0 && tp < 1 {
		var c float64
		for i, id := range order {
			c += p[id] / sum
			if c >= tp {
				order = order[:i+1]
				break
			}
		}
		sum = 0
		for _, id := range order {
			sum += p[id]
		}
	}
	u := sp.rng.Float64() * sum
	for _, id := range order {
		if u -= p[id]; u < 0 {
			return id
		}
	}
	return order[len(order)-1]
}
