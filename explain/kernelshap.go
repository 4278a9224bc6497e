package explain

import (
	"math"
	"math/rand"

	"github.com/gokeras/gokeras/internal/tensorvals"

	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// SHAPResult is what KernelSHAP returns.
type SHAPResult struct {
	// Values has x's shape, float64: the SHAP value of each feature of each row.
	Values *tensor.Dense
	// Classes is the class explained for each row.
	Classes []int
	// BaseValue is, per row, the mean class score over the background rows,
	// E[f(b)], from which the values of the row start.
	BaseValue []float64
	// Output is, per row, the class score f(x) the values add up to.
	Output []float64
	// AdditivityError is, per row, |Σ values + BaseValue − Output| (the efficiency
	// property, enforced by the solver: it measures rounding only).
	AdditivityError []float64
	// Exact is true when every coalition was enumerated (at most MaxExactFeatures
	// features, or a budget covering all 2^M − 2 of them).
	Exact bool
	// Coalitions is the number of coalitions evaluated per row (sampled ones
	// counted with repeats).
	Coalitions int
}

// MaxAdditivityError is the largest additivity error of the rows.
func (r *SHAPResult) MaxAdditivityError() float64 {
	m := 0.0
	for _, e := range r.AdditivityError {
		m = math.Max(m, e)
	}
	return m
}

// KernelSHAP returns the SHAP values of each row of x (N, features...) (Lundberg
// and Lee 2017), each of the M values of a row being a feature. A coalition z of
// features is scored by v(z), the mean class score over the background rows
// (K, features...) with the features in z taken from x; the values φ solve the
// least squares fit of v(z) − φ0 ≈ Σ_{i∈z} φ_i weighted by the Shapley kernel
// (M − 1) / (C(M, |z|) |z| (M − |z|)), under the constraints φ0 = E[f(b)] (the
// empty coalition) and Σ φ = f(x) − φ0 (the full one, enforced exactly). With at
// most MaxExactFeatures (11) features every coalition is enumerated, which gives
// the exact Shapley values of v; beyond, WithCoalitions (default 2048) coalitions
// are sampled, in complementary pairs, sizes drawn in proportion to the kernel's
// total weight of each size, from WithSeed (default 1). Each coalition costs K
// model evaluations: use a small background (tens of rows, a sample or k-means
// summary of the training data). The class is the predicted one unless WithClass,
// its score the logit unless WithProbability. Options: WithClass,
// WithProbability, WithCoalitions, WithSeed, WithBatchSize.
func KernelSHAP(t *trainers.Trainer, x, background *tensor.Dense, opts ...Option) (*SHAPResult, error) {
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	xs, err := prepare(t, x)
	if err != nil {
		return nil, errors.Wrap(err, "kernel shap")
	}
	n, m := rows(x)
	if background == nil {
		return nil, errors.New("kernel shap: no background rows")
	}
	bs := tensorvals.Floats(background)
	if bs == nil || len(bs) == 0 || len(bs)%m != 0 {
		return nil, errors.Errorf("kernel shap: background of shape %v and dtype %v: want float rows of %d values (the shape of x's rows)", background.Shape(), background.Dtype(), m)
	}
	kb := len(bs) / m
	classes, err := c.targetClasses(t, x)
	if err != nil {
		return nil, errors.Wrap(err, "kernel shap")
	}
	coal, err := shapCoalitions(m, c.coalitions, c.seed)
	if err != nil {
		return nil, errors.Wrap(err, "kernel shap")
	}
	res := &SHAPResult{Classes: classes, BaseValue: make([]float64, n), Output: make([]float64, n),
		AdditivityError: make([]float64, n), Exact: coal.exact, Coalitions: len(coal.masks)}
	eval := func(vals []float64, class int) ([]float64, error) {
		shape := append([]int{len(vals) / m}, x.Shape()[1:]...)
		_, s, err := t.InputGradientsScores(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(vals)), c.target(class), trainers.BatchSize(c.batch))
		return s, err
	}
	base := map[int]float64{}
	out := make([]float64, n*m)
	batch := make([]float64, (len(coal.masks)*kb+1)*m)
	for r := 0; r < n; r++ {
		cl := classes[r]
		if _, ok := base[cl]; !ok {
			s, err := eval(append([]float64(nil), bs...), cl)
			if err != nil {
				return nil, errors.Wrapf(err, "kernel shap: background for class %d", cl)
			}
			mu, _ := meanStd(s)
			base[cl] = mu
		}
		row := xs[r*m : (r+1)*m]
		copy(batch, row) // example 0: x itself
		p := m
		for _, z := range coal.masks {
			for k := 0; k < kb; k++ {
				b := bs[k*m : (k+1)*m]
				for i := 0; i < m; i++ {
					if z[i] {
						batch[p+i] = row[i]
					} else {
						batch[p+i] = b[i]
					}
				}
				p += m
			}
		}
		s, err := eval(append([]float64(nil), batch...), cl)
		if err != nil {
			return nil, errors.Wrapf(err, "kernel shap: row %d", r)
		}
		v := make([]float64, len(coal.masks))
		for j := range v {
			v[j], _ = meanStd(s[1+j*kb : 1+(j+1)*kb])
		}
		phi0, fx := base[cl], s[0]
		phi, err := solveSHAP(coal, v, phi0, fx, m)
		if err != nil {
			return nil, errors.Wrapf(err, "kernel shap: row %d", r)
		}
		copy(out[r*m:], phi)
		sum := phi0
		for _, f := range phi {
			sum += f
		}
		res.BaseValue[r], res.Output[r], res.AdditivityError[r] = phi0, fx, math.Abs(sum-fx)
	}
	res.Values = like(x, out)
	return res, nil
}

// coalitions are the feature subsets KernelSHAP evaluates, with their weights.
type coalitions struct {
	masks   [][]bool
	weights []float64
	exact   bool
}

// shapCoalitions enumerates every proper non-empty subset of m features with its
// Shapley kernel weight when m <= MaxExactFeatures or 2^m − 2 <= budget, and
// otherwise samples budget of them (rounded up to pairs) with weight 1: a size s
// with probability proportional to the kernel's total weight of size s, 1/(s(m−s)),
// then s features uniformly, and the complement of each.
func shapCoalitions(m, budget int, seed int64) (*coalitions, error) {
	if m < 1 {
		return nil, errors.New("no features")
	}
	c := &coalitions{}
	if m == 1 {
		c.exact = true
		return c, nil
	}
	if m <= MaxExactFeatures || (m < 62 && (1<<m)-2 <= budget) {
		c.exact = true
		for bits := 1; bits < (1<<m)-1; bits++ {
			z := make([]bool, m)
			s := 0
			for i := range z {
				z[i] = bits&(1<<i) != 0
				if z[i] {
					s++
				}
			}
			c.masks = append(c.masks, z)
			c.weights = append(c.weights, float64(m-1)/(binomial(m, s)*float64(s*(m-s))))
		}
		return c, nil
	}
	rng := rand.New(rand.NewSource(seed))
	cum := make([]float64, m) // cumulative weight of sizes 1..m−1
	for s := 1; s < m; s++ {
		cum[s] = cum[s-1] + 1/float64(s*(m-s))
	}
	for len(c.masks) < budget {
		u := rng.Float64() * cum[m-1]
		s := 1
		for cum[s] < u {
			s++
		}
		z, nz := make([]bool, m), make([]bool, m)
		for i := range nz {
			nz[i] = true
		}
		for _, i := range rng.Perm(m)[:s] {
			z[i], nz[i] = true, false
		}
		c.masks = append(c.masks, z, nz)
		c.weights = append(c.weights, 1, 1)
	}
	return c, nil
}

// solveSHAP fits the values: with φ_m = Δ − Σ_{i<m} φ_i (Δ = fx − φ0), it solves
// the weighted least squares Σ_z w_z (v_z − φ0 − z_m Δ − Σ_{i<m} (z_i − z_m) φ_i)²
// by its normal equations.
func solveSHAP(c *coalitions, v []float64, phi0, fx float64, m int) ([]float64, error) {
	delta := fx - phi0
	if m == 1 {
		return []float64{delta}, nil
	}
	k := m - 1
	a := make([]float64, k*k)
	b := make([]float64, k)
	xr := make([]float64, k)
	for j, z := range c.masks {
		zm := 0.0
		if z[m-1] {
			zm = 1
		}
		for i := 0; i < k; i++ {
			xr[i] = -zm
			if z[i] {
				xr[i]++
			}
		}
		y := v[j] - phi0 - zm*delta
		w := c.weights[j]
		for i := 0; i < k; i++ {
			if xr[i] == 0 {
				continue
			}
			b[i] += w * xr[i] * y
			for l := 0; l < k; l++ {
				a[i*k+l] += w * xr[i] * xr[l]
			}
		}
	}
	phi, err := solveLinear(a, b, k)
	if err != nil {
		return nil, errors.Wrap(err, "weighted least squares (sample more coalitions: WithCoalitions)")
	}
	last := delta
	for _, p := range phi {
		last -= p
	}
	return append(phi, last), nil
}

// solveLinear solves the k×k system a·x = b (a row-major) by Gaussian elimination
// with partial pivoting; a and b are overwritten.
func solveLinear(a, b []float64, k int) ([]float64, error) {
	scale := 0.0
	for _, v := range a {
		scale = math.Max(scale, math.Abs(v))
	}
	for col := 0; col < k; col++ {
		piv := col
		for r := col + 1; r < k; r++ {
			if math.Abs(a[r*k+col]) > math.Abs(a[piv*k+col]) {
				piv = r
			}
		}
		if math.Abs(a[piv*k+col]) <= 1e-12*scale {
			return nil, errors.Errorf("the system is singular at feature %d", col)
		}
		if piv != col {
			for l := 0; l < k; l++ {
				a[col*k+l], a[piv*k+l] = a[piv*k+l], a[col*k+l]
			}
			b[col], b[piv] = b[piv], b[col]
		}
		for r := col + 1; r < k; r++ {
			f := a[r*k+col] / a[col*k+col]
			if f == 0 {
				continue
			}
			for l := col; l < k; l++ {
				a[r*k+l] -= f * a[col*k+l]
			}
			b[r] -= f * b[col]
		}
	}
	x := make([]float64, k)
	for r := k - 1; r >= 0; r-- {
		s := b[r]
		for l := r + 1; l < k; l++ {
			s -= a[r*k+l] * x[l]
		}
		x[r] = s / a[r*k+r]
	}
	return x, nil
}

// binomial is C(n, k) as a float.
func binomial(n, k int) float64 {
	r := 1.0
	for i := 1; i <= k; i++ {
		r = r * float64(n-k+i) / float64(i)
	}
	return r
}
