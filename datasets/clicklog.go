package datasets

import (
	"math"
	"math/rand"
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// clickTarget is the name of ClickLog's target.
const clickTarget = "click"

// clickCalibrationRows is the number of rows drawn from the model's own
// stream to set the bias, the mean latent vectors and PartStd.
const clickCalibrationRows = 20_000

// crossTopIDs is how many of the most frequent ids of a field a cross may
// pick from.
const crossTopIDs = 5

// ClickCross is one explicit cross term of a ClickLog model: Weight is added
// to the logit of every row where field FieldA holds IDA and field FieldB
// holds IDB.
type ClickCross struct {
	FieldA string
	IDA    int64
	FieldB string
	IDB    int64
	Weight float64
}

// ClickParts holds standard deviations of the parts of a ClickLog logit,
// measured on the model's 20,000 calibration rows (so they describe the
// model, not the rows drawn).
type ClickParts struct {
	// Main is the sum of the per-id main effects.
	Main float64
	// Interactions is the factorization-machine term.
	Interactions float64
	// Crosses is the sum of the explicit cross terms.
	Crosses float64
	// Numeric is the numeric part g(x).
	Numeric float64
	// Logit is the whole logit.
	Logit float64
}

// ClickLogData is a synthetic click log made by ClickLog: the data set, the
// description of its inputs, and the known click probabilities with the
// scores they reach. Its slices are shared with Data or with each other:
// treat them as read-only.
type ClickLogData struct {
	// Data holds the inputs, in the order of Fields: one Int64 input of
	// shape (n, 1) per categorical field, named after it; the bag, Int64 of
	// shape (n, MaxLen); "numeric", Float32 of shape (n, count). Its one
	// target "click" is Float32 of shape (n, 1), values 0 or 1.
	Data *Tensors
	// Fields describes the inputs of Data, in order.
	Fields []ClickField
	// Crosses lists the explicit cross terms of the model.
	Crosses []ClickCross
	// Clicks holds the n labels (0 or 1), shared with Data's target.
	Clicks []float32
	// P holds the probability each label was drawn from, sigmoid(Logit).
	P []float64
	// Logit holds the logit of P for each row.
	Logit []float64
	// Bias is the logit's constant, solved for the base rate.
	Bias float64
	// CTR is the fraction of clicks among the rows.
	CTR float64
	// BayesAUC is the ROC AUC of P against Clicks (exact, ties counted
	// half): the best AUC any model can expect on these rows. NaN when the
	// rows hold a single class.
	BayesAUC float64
	// BayesLogLoss is the mean binary cross-entropy of P against Clicks
	// (natural log): the best log loss any model can expect.
	BayesLogLoss float64
	// AdditiveAUC is the AUC of an additive approximation of the logit:
	// each field's main effect plus its interactions and crosses averaged
	// over the other fields (with their mean latent vectors and the
	// frequencies of the cross ids, from the calibration rows), plus the
	// linear part of g(x). It estimates what logistic regression on one-hot
	// ids, the bag's mean multi-hot vector and the raw numerics can reach
	// with unlimited data; the gap to BayesAUC is what interactions and
	// nonlinearity are worth.
	AdditiveAUC float64
	// ConstantLogLoss is the log loss of predicting CTR for every row (the
	// labels' entropy), the baseline of normalized entropy.
	ConstantLogLoss float64
	// PartStd gives the standard deviation of each part of the logit.
	PartStd ClickParts

	nf, bagLen, numeric int
	ids                 [][]int64 // per categorical field, n ids
	bag                 []int64   // n*bagLen
	num                 []float32 // n*numeric
	additive            []float64 // additive score per row
}

// ClickLog returns n rows (1 <= n <= MaxClickRows) of a synthetic click log
// drawn from a known logistic model, deterministic from seed: the same
// seed and options give the same rows, and the rows of ClickLog(n, seed)
// are the first n rows of ClickLog(m, seed) for m > n.
//
// Each row holds:
//
//   - one id per categorical field; by default (see ClickFields) user_id
//     (vocabulary 100,000), item_id (50,000), site_id (5,000), category
//     (300) and device (12). Ids follow a Zipf law of exponent 1.2: id r is
//     the (r+1)-th most frequent, with probability proportional to
//     (r+1)^-1.2, so a few ids are frequent and most are rare;
//   - a bag of 1 to MaxLen distinct ids (see ClickBagField; default
//     "genres", vocabulary 64, MaxLen 6), padded with ClickPadding (0);
//   - count numeric features drawn from N(0, 1) (see ClickNumericCount;
//     default 3), stored as float32;
//   - the label click, 1 with probability p = sigmoid(z) and 0 otherwise.
//
// The logit is
//
//	z = Bias + sum_f w_f[id_f] + sum_{f<g} <v_f, v_g> + crosses + g(x).
//
// The sums run over the fields, the bag counting as one field whose w and
// v are the means over its ids (padding excluded). w_f[id] ~ N(0, main^2)
// are the main effects (ClickMainEffects, default 0.25). v_f[id] are latent
// vectors of dimension k (ClickLatentDim, default 4) with components from
// N(0, s^2), s^2 = interactions / sqrt(k*P) for P field pairs (15 by
// default), so that the pairwise term, of the factorization-machine kind
// that FM and DeepFM fit, has a standard deviation of about interactions
// (ClickInteractions, default 1.0). crosses is the sum of the explicit
// cross terms (ClickCrosses, default 4 of weight ±2 each, listed in
// Crosses): a weight added when two fields hold two specific frequent ids,
// which a wide part or a cross network can learn. g(x) is numeric/sqrt(T)
// times a sum of T uncorrelated unit-variance terms (ClickNumericEffect,
// default numeric = 0.6): feature j gives sin(2x_j)/0.7071 when j%3 == 0,
// (x_j^2-1)/sqrt(2) when j%3 == 1 and x_j when j%3 == 2, and x_0*x_1 is one
// more term when count >= 2 (with 3 features, T = 4 and 29% of the variance
// of g is linear in x). Bias is solved so that the mean of p is the base
// rate (ClickBaseRate, default 0.2).
//
// The model (effects, vectors, crosses, Bias) is drawn from
// rand.New(rand.NewSource(modelSeed)), modelSeed being seed unless
// ClickModelSeed gives another, and the rows from a separate stream derived
// from seed; so logs with one model seed and different seeds are
// independent draws of the same model (training and test logs).
//
// The defaults are tuned for models with interactions to beat logistic
// regression clearly at a size a laptop trains in minutes. With seed 1,
// 100,000 rows have a CTR of 0.201, a Bayes-optimal AUC of 0.807 and log
// loss of 0.392 (the constant prediction has 0.501), while the best
// additive model reaches an AUC of 0.695; the logit's parts have standard
// deviations 0.60 (main), 0.92 (interactions), 0.47 (crosses), 0.60
// (numeric), 1.33 in all. Other seeds give Bayes AUCs of about 0.78 to 0.81
// (seeds 2 and 3: 0.785, 0.807), as the effects of the few most frequent
// ids weigh much. On an 80/20 split of those 100,000 rows, logistic
// regression on one-hot ids, the bag's mean multi-hot vector and the
// numerics reaches a test AUC of about 0.675 and a factorization machine
// with k = 4 about 0.72 (two epochs of Adagrad; see
// TestClickLogInteractionsPay), against 0.802 for the Bayes AUC of the
// test rows: most ids are rare, so no model gets near it at this size.
//
// The inputs of Data are, in this order: the categorical fields, the bag,
// "numeric"; Fields describes them (name, kind, vocabulary, length) so
// that model builders can size embeddings. The target is "click". Split
// splits the rows into training and test logs with their own Bayes
// numbers; WriteCSV writes them for `demo csv`.
func ClickLog(n int, seed int64, opts ...ClickOption) (*ClickLogData, error) {
	const fn = "datasets.ClickLog"
	if n <= 0 || n > MaxClickRows {
		return nil, errors.Errorf("%s: n = %d, want 1 to %d", fn, n, MaxClickRows)
	}
	c := newClickConfig(opts)
	if err := c.check(); err != nil {
		return nil, errors.Wrap(err, fn)
	}
	if !c.modelSeedSet {
		c.modelSeed = seed
	}
	m := newClickModel(c)
	d := &ClickLogData{
		nf: len(c.fields), bagLen: c.bag.Len, numeric: c.numeric,
		ids:      make([][]int64, len(c.fields)),
		bag:      make([]int64, n*c.bag.Len),
		num:      make([]float32, n*c.numeric),
		Clicks:   make([]float32, n),
		P:        make([]float64, n),
		Logit:    make([]float64, n),
		additive: make([]float64, n),
		Bias:     m.bias,
		PartStd:  m.parts,
		Crosses:  m.exportCrosses(),
	}
	for f := range d.ids {
		d.ids[f] = make([]int64, n)
	}
	r := newRand(int64(splitmix64(uint64(seed))))
	s := m.sampler(r)
	row := m.newRow()
	for i := 0; i < n; i++ {
		s.draw(row)
		parts := m.eval(row, true)
		z := m.bias + parts.total()
		for f, id := range row.ids {
			d.ids[f][i] = id
		}
		copy(d.bag[i*d.bagLen:], row.bag)
		for j, x := range row.x {
			d.num[i*d.numeric+j] = float32(x)
		}
		d.Logit[i] = z
		d.P[i] = sigmoid(z)
		d.additive[i] = parts.additive
		d.Clicks[i] = float32(label(r.Float64() < d.P[i]))
	}
	d.Fields = m.fields()
	if err := d.finish(); err != nil {
		return nil, errors.Wrap(err, fn)
	}
	return d, nil
}

// finish builds Data from the row slices and computes the scores.
func (d *ClickLogData) finish() error {
	n := len(d.Clicks)
	names := make([]string, 0, d.nf+2)
	ins := make([]*tensor.Dense, 0, d.nf+2)
	for f := 0; f < d.nf; f++ {
		names = append(names, d.Fields[f].Name)
		ins = append(ins, tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(d.ids[f])))
	}
	names = append(names, d.Fields[d.nf].Name, ClickNumeric)
	ins = append(ins,
		tensor.New(tensor.WithShape(n, d.bagLen), tensor.WithBacking(d.bag)),
		tensor.New(tensor.WithShape(n, d.numeric), tensor.WithBacking(d.num)))
	y := tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(d.Clicks))
	t, err := NewTensors(names, ins, []string{clickTarget}, []*tensor.Dense{y})
	if err != nil {
		return err
	}
	d.Data = t
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
	return nil
}

// Len returns the number of rows.
func (d *ClickLogData) Len() int { return len(d.Clicks) }

// Split splits the rows as TrainTestSplitMulti(d.Data, testFraction, seed)
// does (the same positions, in the same shuffled order) into two
// ClickLogData with copies of their rows and their own CTR, Bayes and
// additive scores; Fields, Crosses, Bias and PartStd are the model's and
// shared. testFraction must lie in (0, 1) and leave both parts non-empty.
func (d *ClickLogData) Split(testFraction float64, seed int64) (train, test *ClickLogData, err error) {
	const fn = "datasets.ClickLogData.Split"
	if d == nil || d.Data == nil {
		return nil, nil, errors.New(fn + ": nil click log")
	}
	if !(testFraction > 0 && testFraction < 1) {
		return nil, nil, errors.Errorf("%s: test fraction %v is not in (0, 1)", fn, testFraction)
	}
	n := d.Len()
	nTest := int(math.Ceil(testFraction * float64(n)))
	at := n - nTest
	if at <= 0 || at >= n {
		return nil, nil, errors.Errorf("%s: test fraction %v of %d rows leaves %d for training and %d for test",
			fn, testFraction, n, at, nTest)
	}
	perm := rand.New(rand.NewSource(seed)).Perm(n)
	if train, err = d.subset(perm[:at]); err != nil {
		return nil, nil, errors.Wrap(err, fn)
	}
	if test, err = d.subset(perm[at:]); err != nil {
		return nil, nil, errors.Wrap(err, fn)
	}
	return train, test, nil
}

// subset returns a ClickLogData holding copies of the rows idx, in order.
func (d *ClickLogData) subset(idx []int) (*ClickLogData, error) {
	n := len(idx)
	s := &ClickLogData{
		Fields: d.Fields, Crosses: d.Crosses, Bias: d.Bias, PartStd: d.PartStd,
		nf: d.nf, bagLen: d.bagLen, numeric: d.numeric,
		ids:      make([][]int64, d.nf),
		bag:      make([]int64, n*d.bagLen),
		num:      make([]float32, n*d.numeric),
		Clicks:   make([]float32, n),
		P:        make([]float64, n),
		Logit:    make([]float64, n),
		additive: make([]float64, n),
	}
	for f := range s.ids {
		s.ids[f] = make([]int64, n)
		for i, j := range idx {
			s.ids[f][i] = d.ids[f][j]
		}
	}
	for i, j := range idx {
		copy(s.bag[i*d.bagLen:(i+1)*d.bagLen], d.bag[j*d.bagLen:])
		copy(s.num[i*d.numeric:(i+1)*d.numeric], d.num[j*d.numeric:])
		s.Clicks[i], s.P[i], s.Logit[i], s.additive[i] = d.Clicks[j], d.P[j], d.Logit[j], d.additive[j]
	}
	return s, s.finish()
}

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

// splitmix64 scrambles a seed (SplitMix64's finalizer), so that the rows'
// stream differs from the model's for the same seed.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
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
