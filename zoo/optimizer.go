package zoo

import "github.com/gokeras/gokeras/trainers"

// finalLRFraction is the share of the peak learning rate that the cosine schedule
// of the recipes ends at.
const finalLRFraction = 0.01

// adamConstant returns Adam at the constant learning rate lr; steps is unused.
// The linear recipe uses it: its loss is a convex quadratic whose valley along
// the weight/bias direction is shallow, and a decaying rate would stop short of
// the least-squares point, while a constant one reaches it to within 0.003 (measured
// over 12 seeds).
func adamConstant(lr float64, _ int) trainers.Optimizer { return trainers.Adam(lr) }

// adamCosine returns Adam whose learning rate follows a half cosine from lr down to
// lr·finalLRFraction over steps steps. The decay lets the last epochs settle in a
// minimum instead of ending on whatever a noisy step at a constant rate left, so
// the final weights (and the results) barely depend on the shuffling order.
func adamCosine(lr float64, steps int) trainers.Optimizer {
	return trainers.Adam(lr, trainers.WithSchedule(trainers.CosineDecay{
		Initial:    lr,
		DecaySteps: steps,
		Alpha:      finalLRFraction,
	}))
}
