package datasets

import (
	"math"
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// clickTarget is the name of ClickLog's target.
const clickTarget = "click"

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

// finish builds Data from the row slices and computes the scores (see
// score).
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
	d.score()
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

// splitmix64 scrambles a seed (SplitMix64's finalizer), so that the rows'
// stream differs from the model's for the same seed.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
