package datasets

import (
	"math"
	"math/rand"
)

// clickCalibrationRows is the number of rows drawn from the model's own
// stream to set the bias, the mean latent vectors and PartStd.
const clickCalibrationRows = 20_000

// crossTopIDs is how many of the most frequent ids of a field a cross may
// pick from.
const crossTopIDs = 5

// clickModel is the generating model of a ClickLog.
type clickModel struct {
	cfg     *clickConfig
	k       int
	w       [][]float64 // main effects per field (categorical fields, then the bag), Vocab each
	v       [][]float64 // latent vectors per field, Vocab*k each
	crosses []clickCross
	bias    float64
	// muOthers[f] is the sum of the mean latent vectors of the other fields
	// (from the calibration rows): the additive projection of the
	// interactions gives field f the term <v_f, muOthers[f]>.
	muOthers [][]float64
	numCoef  []float64 // linear projection of g(x) on each x_j
	parts    ClickParts
}

// clickCross is a cross term with field positions and, for the additive
// projection, the calibration frequencies of its two ids.
type clickCross struct {
	fa, fb int
	a, b   int64
	weight float64
	pa, pb float64
}

// Constants of the numeric part.
var (
	sinSD      = math.Sqrt((1 - math.Exp(-8)) / 2) // sd of sin(2x), x ~ N(0,1)
	sinLinear  = 2 * math.Exp(-2) / sinSD          // E[x sin(2x)] / sinSD
	invSqrtTwo = 1 / math.Sqrt2
)

// newClickModel draws the model from c.modelSeed: effects and vectors of
// each field in order, the crosses, then the calibration rows that set the
// bias, the mean vectors, the cross frequencies and PartStd.
func newClickModel(c *clickConfig) *clickModel {
	r := newRand(c.modelSeed)
	k := c.latent
	all := append(append([]ClickField(nil), c.fields...), c.bag)
	pairs := len(all) * (len(all) - 1) / 2
	s := 0.0
	if pairs > 0 {
		s = math.Sqrt(c.interactions / math.Sqrt(float64(pairs*k)))
	}
	m := &clickModel{cfg: c, k: k, w: make([][]float64, len(all)), v: make([][]float64, len(all))}
	for f, fd := range all {
		w := make([]float64, fd.Vocab)
		v := make([]float64, fd.Vocab*k)
		for i := range w {
			w[i] = c.main * r.NormFloat64()
		}
		for i := range v {
			v[i] = s * r.NormFloat64()
		}
		if f == len(all)-1 { // the bag's padding has no effect
			w[ClickPadding] = 0
			clear(v[ClickPadding*k : (ClickPadding+1)*k])
		}
		m.w[f], m.v[f] = w, v
	}
	m.drawCrosses(r)
	m.numCoef = numericLinear(c.numeric, c.numericStd)
	m.calibrate(r)
	return m
}

// drawCrosses draws the explicit crosses: two distinct fields, an id among
// the crossTopIDs most frequent of each, a sign; an exact repeat is drawn
// again (up to 100 times).
func (m *clickModel) drawCrosses(r *rand.Rand) {
	c := m.cfg
	nf := len(c.fields)
	seen := map[[4]int64]bool{}
	for len(m.crosses) < c.crosses {
		var x clickCross
		for try := 0; try < 100; try++ {
			fa := r.Intn(nf)
			fb := r.Intn(nf - 1)
			if fb >= fa {
				fb++
			}
			a := int64(r.Intn(min(crossTopIDs, c.fields[fa].Vocab)))
			b := int64(r.Intn(min(crossTopIDs, c.fields[fb].Vocab)))
			w := c.crossWeight
			if r.Intn(2) == 0 {
				w = -w
			}
			x = clickCross{fa: fa, fb: fb, a: a, b: b, weight: w}
			key := [4]int64{int64(fa), a, int64(fb), b}
			if fb < fa {
				key = [4]int64{int64(fb), b, int64(fa), a}
			}
			if !seen[key] {
				seen[key] = true
				break
			}
		}
		m.crosses = append(m.crosses, x)
	}
}

// numericLinear returns the coefficient of x_j in the linear projection of
// g(x) (see ClickLog): only the sin and linear terms have one.
func numericLinear(count int, std float64) []float64 {
	scale := std / math.Sqrt(float64(numericTerms(count)))
	coef := make([]float64, count)
	for j := range coef {
		switch j % 3 {
		case 0:
			coef[j] = scale * sinLinear
		case 2:
			coef[j] = scale
		}
	}
	return coef
}

// numericTerms is the number T of unit-variance terms of g(x).
func numericTerms(count int) int {
	if count >= 2 {
		return count + 1
	}
	return count
}

// numericPart returns g(x).
func numericPart(x []float64, std float64) float64 {
	sum := 0.0
	for j, v := range x {
		switch j % 3 {
		case 0:
			sum += math.Sin(2*v) / sinSD
		case 1:
			sum += (v*v - 1) * invSqrtTwo
		default:
			sum += v
		}
	}
	if len(x) >= 2 {
		sum += x[0] * x[1]
	}
	return std * sum / math.Sqrt(float64(numericTerms(len(x))))
}

// clickRow is one drawn row, with scratch space for eval.
type clickRow struct {
	ids []int64   // one per categorical field
	bag []int64   // MaxLen, padded
	x   []float64 // numeric features, already rounded to float32
	sum []float64 // scratch: sum of latent vectors
	u   []float64 // scratch: the bag's mean vector
}

func (m *clickModel) newRow() *clickRow {
	return &clickRow{
		ids: make([]int64, len(m.cfg.fields)),
		bag: make([]int64, m.cfg.bag.Len),
		x:   make([]float64, m.cfg.numeric),
		sum: make([]float64, m.k),
		u:   make([]float64, m.k),
	}
}

// clickSampler draws rows from r.
type clickSampler struct {
	r       *rand.Rand
	zipf    []*rand.Zipf
	bagZipf *rand.Zipf
	bagLen  int
}

func (m *clickModel) sampler(r *rand.Rand) *clickSampler {
	s := &clickSampler{r: r, bagLen: m.cfg.bag.Len}
	for _, f := range m.cfg.fields {
		s.zipf = append(s.zipf, rand.NewZipf(r, f.Zipf, 1, uint64(f.Vocab-1)))
	}
	s.bagZipf = rand.NewZipf(r, m.cfg.bag.Zipf, 1, uint64(m.cfg.bag.Vocab-2))
	return s
}

// draw fills row: the field ids, the bag, the numeric features (rounded to
// float32, as stored).
func (s *clickSampler) draw(row *clickRow) {
	for f, z := range s.zipf {
		row.ids[f] = int64(z.Uint64())
	}
	count := 1 + s.r.Intn(s.bagLen)
	size := 0
	for t := 0; t < count; t++ {
		id := int64(s.bagZipf.Uint64()) + 1
		dup := false
		for _, b := range row.bag[:size] {
			if b == id {
				dup = true
				break
			}
		}
		if !dup {
			row.bag[size] = id
			size++
		}
	}
	for j := size; j < s.bagLen; j++ {
		row.bag[j] = ClickPadding
	}
	for j := range row.x {
		row.x[j] = float64(float32(s.r.NormFloat64()))
	}
}

// clickParts is the logit of a row without the bias, by part, and its
// additive projection.
type clickParts struct {
	main, fm, cross, num float64
	additive             float64
}

func (p clickParts) total() float64 { return p.main + p.fm + p.cross + p.num }

// eval computes the parts of the logit of row; with additive set it also
// computes the additive projection (which needs the calibrated means).
func (m *clickModel) eval(row *clickRow, additive bool) clickParts {
	k := m.k
	var p clickParts
	clear(row.sum)
	sq := 0.0
	for f, id := range row.ids {
		vec := m.v[f][int(id)*k : int(id+1)*k]
		p.main += m.w[f][id]
		for l, x := range vec {
			row.sum[l] += x
			sq += x * x
		}
		if additive {
			p.additive += m.w[f][id] + dot(vec, m.muOthers[f])
		}
	}
	bag := len(m.w) - 1
	wb, u := m.bagMean(row)
	p.main += wb
	for l, x := range u {
		row.sum[l] += x
		sq += x * x
	}
	if additive {
		p.additive += wb + dot(u, m.muOthers[bag])
	}
	p.fm = 0.5 * (dot(row.sum, row.sum) - sq)
	for _, c := range m.crosses {
		hitA, hitB := row.ids[c.fa] == c.a, row.ids[c.fb] == c.b
		if hitA && hitB {
			p.cross += c.weight
		}
		if additive {
			if hitA {
				p.additive += c.weight * c.pb
			}
			if hitB {
				p.additive += c.weight * c.pa
			}
		}
	}
	p.num = numericPart(row.x, m.cfg.numericStd)
	if additive {
		p.additive += dot(m.numCoef, row.x)
	}
	return p
}

// bagMean returns the mean main effect and (in row.u) the mean latent
// vector of the row's bag ids, padding excluded.
func (m *clickModel) bagMean(row *clickRow) (float64, []float64) {
	f := len(m.w) - 1
	k := m.k
	clear(row.u)
	w, size := 0.0, 0
	for _, id := range row.bag {
		if id == ClickPadding {
			break
		}
		size++
		w += m.w[f][id]
		for l, x := range m.v[f][int(id)*k : int(id+1)*k] {
			row.u[l] += x
		}
	}
	inv := 1 / float64(size)
	for l := range row.u {
		row.u[l] *= inv
	}
	return w * inv, row.u
}

// calibrate draws clickCalibrationRows rows from the model's stream r and
// sets the bias (mean p = base rate), the mean latent vectors (muOthers),
// the frequencies of the cross ids and PartStd.
func (m *clickModel) calibrate(r *rand.Rand) {
	k := m.k
	nFields := len(m.w)
	mu := make([][]float64, nFields)
	for f := range mu {
		mu[f] = make([]float64, k)
	}
	s := m.sampler(r)
	row := m.newRow()
	z := make([]float64, clickCalibrationRows)
	var acc [5]moments
	hitA := make([]float64, len(m.crosses))
	hitB := make([]float64, len(m.crosses))
	for i := range z {
		s.draw(row)
		p := m.eval(row, false)
		z[i] = p.total()
		for j, v := range []float64{p.main, p.fm, p.cross, p.num, z[i]} {
			acc[j].add(v)
		}
		for f, id := range row.ids {
			for l, x := range m.v[f][int(id)*k : int(id+1)*k] {
				mu[f][l] += x
			}
		}
		_, u := m.bagMean(row)
		for l, x := range u {
			mu[nFields-1][l] += x
		}
		for c, x := range m.crosses {
			if row.ids[x.fa] == x.a {
				hitA[c]++
			}
			if row.ids[x.fb] == x.b {
				hitB[c]++
			}
		}
	}
	total := make([]float64, k)
	for f := range mu {
		for l := range mu[f] {
			mu[f][l] /= clickCalibrationRows
			total[l] += mu[f][l]
		}
	}
	m.muOthers = make([][]float64, nFields)
	for f := range mu {
		m.muOthers[f] = make([]float64, k)
		for l := range total {
			m.muOthers[f][l] = total[l] - mu[f][l]
		}
	}
	for c := range m.crosses {
		m.crosses[c].pa = hitA[c] / clickCalibrationRows
		m.crosses[c].pb = hitB[c] / clickCalibrationRows
	}
	m.parts = ClickParts{Main: acc[0].std(), Interactions: acc[1].std(), Crosses: acc[2].std(),
		Numeric: acc[3].std(), Logit: acc[4].std()}
	m.bias = solveBias(z, m.cfg.baseRate)
}

// solveBias returns b such that the mean of sigmoid(b + z) is rate, by
// bisection (the mean increases with b).
func solveBias(z []float64, rate float64) float64 {
	lo, hi := -60.0, 60.0
	for it := 0; it < 100; it++ {
		mid := (lo + hi) / 2
		mean := 0.0
		for _, v := range z {
			mean += sigmoid(mid + v)
		}
		if mean/float64(len(z)) < rate {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// fields describes the inputs of the data set, in order.
func (m *clickModel) fields() []ClickField {
	c := m.cfg
	out := make([]ClickField, 0, len(c.fields)+2)
	for _, f := range c.fields {
		out = append(out, ClickField{Name: f.Name, Kind: ClickCategorical, Vocab: f.Vocab, Len: 1, Zipf: f.Zipf})
	}
	out = append(out,
		ClickField{Name: c.bag.Name, Kind: ClickBag, Vocab: c.bag.Vocab, Len: c.bag.Len, Zipf: c.bag.Zipf},
		ClickField{Name: ClickNumeric, Kind: ClickNumeric, Len: c.numeric})
	return out
}

// exportCrosses returns the crosses with field names.
func (m *clickModel) exportCrosses() []ClickCross {
	out := make([]ClickCross, len(m.crosses))
	for i, c := range m.crosses {
		out[i] = ClickCross{FieldA: m.cfg.fields[c.fa].Name, IDA: c.a, FieldB: m.cfg.fields[c.fb].Name, IDB: c.b, Weight: c.weight}
	}
	return out
}
