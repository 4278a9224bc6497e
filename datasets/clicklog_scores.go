package datasets

import (
	"math"
	"sort"
)

// score sets CTR and the scores of P and of the additive projection
// against the labels: BayesLogLoss, ConstantLogLoss, BayesAUC, AdditiveAUC.
func (d *ClickLogData) score() {
	n := len(d.Clicks)
	clicks := 0.0
	loss := 0.0
	for i, y := range d.Clicks {
		clicks += float64(y)
		loss += softplus(d.Logit[i]) - float64(y)*d.Logit[i]
	}
	d.CTR = clicks / float64(n)
	d.BayesLogLoss = loss / float64(n)
	d.ConstantLogLoss = entropy(d.CTR)
	d.BayesAUC = exactAUC(d.Logit, d.Clicks)
	d.AdditiveAUC = exactAUC(d.additive, d.Clicks)
}

// moments accumulates a mean and variance (Welford).
type moments struct{ n, mean, m2 float64 }

func (a *moments) add(x float64) {
	a.n++
	d := x - a.mean
	a.mean += d / a.n
	a.m2 += d * (x - a.mean)
}

// std is the population standard deviation; 0 for no values.
func (a *moments) std() float64 {
	if a.n == 0 {
		return 0
	}
	return math.Sqrt(a.m2 / a.n)
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i, x := range a {
		s += x * b[i]
	}
	return s
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// softplus is log(1 + e^z), computed without overflow.
func softplus(z float64) float64 {
	return math.Max(z, 0) + math.Log1p(math.Exp(-math.Abs(z)))
}

// entropy is the binary entropy of rate, in nats; 0 at 0 and 1.
func entropy(rate float64) float64 {
	h := 0.0
	if rate > 0 {
		h -= rate * math.Log(rate)
	}
	if rate < 1 {
		h -= (1 - rate) * math.Log(1-rate)
	}
	return h
}

// exactAUC is the ROC AUC of scores against labels (positive when not 0),
// the Mann-Whitney statistic with tied scores counted half; NaN when the
// labels hold a single class.
func exactAUC(scores []float64, labels []float32) float64 {
	n := len(scores)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return scores[order[a]] < scores[order[b]] })
	var pos, rankSum float64
	for i := 0; i < n; {
		j := i
		for j < n && scores[order[j]] == scores[order[i]] {
			j++
		}
		mid := float64(i+j+1) / 2 // mean of the 1-based ranks i+1 .. j
		for _, o := range order[i:j] {
			if labels[o] != 0 {
				pos++
				rankSum += mid
			}
		}
		i = j
	}
	neg := float64(n) - pos
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}
