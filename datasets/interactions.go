package datasets

import (
	"math"
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Limits of InteractionsConfig: at most MaxInteractionUsers users and
// MaxInteractionItems items, and at most MaxInteractionScores user-item scores
// (Users·Items) in all, which bounds the generator's time (about 10 ns a score).
const (
	MaxInteractionUsers  = 100000
	MaxInteractionItems  = 100000
	MaxInteractionScores = 200000000
)

// Limits of the attribute vocabularies and of the latent dimension.
const (
	maxInteractionVocab = 10000
	maxInteractionDim   = 1024
)

// InteractionsConfig sets the sizes and the generative model of Interactions.
// A zero field takes its default, so InteractionsConfig{} is a small published
// set (2000 users, 1000 items, 20 positives per user of which 2 are held out:
// 36000 training and 4000 test pairs, made in about 0.1 s).
type InteractionsConfig struct {
	// Users is the number of users, the vocabulary of "user_id" (default 2000,
	// at most MaxInteractionUsers).
	Users int
	// Items is the number of items in the catalogue, the vocabulary of
	// "item_id" (default 1000, at most MaxInteractionItems).
	Items int
	// Regions is the vocabulary of the categorical user attribute
	// "user_region" (default 8, at most 10000).
	Regions int
	// Categories is the vocabulary of the item attribute "item_category"
	// (default 20, at most 10000).
	Categories int
	// LatentDim is the dimension of the true user and item vectors (default
	// 8, at most 1024).
	LatentDim int
	// PerUser is the number of distinct items each user interacts with
	// (default 20); it must be more than TestPerUser and at most Items/2.
	PerUser int
	// TestPerUser is how many of each user's interactions, the last ones in
	// time order, are held out for testing (default 2).
	TestPerUser int
	// Temperature is τ of the generative model: an item is drawn with
	// probability ∝ popularity·exp(u·v/τ), u and v unit vectors (default 0.1;
	// lower is more personal, higher more popularity-driven).
	Temperature float64
	// Zipf is the exponent s of item popularity: the item of popularity rank r
	// (1-based) has weight r^-s (default 1; 0 means the default, so uniform
	// popularity is asked with a tiny value such as 1e-9).
	Zipf float64
	// Seed seeds every random draw (any value, 0 included).
	Seed int64
}

// withDefaults checks c and fills its zero fields.
func (c InteractionsConfig) withDefaults() (InteractionsConfig, error) {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Users, 2000)
	def(&c.Items, 1000)
	def(&c.Regions, 8)
	def(&c.Categories, 20)
	def(&c.LatentDim, 8)
	def(&c.PerUser, 20)
	def(&c.TestPerUser, 2)
	if c.Temperature == 0 {
		c.Temperature = 0.1
	}
	if c.Zipf == 0 {
		c.Zipf = 1
	}
	switch {
	case c.Users < 0 || c.Users > MaxInteractionUsers:
		return c, errors.Errorf("users = %d, want 1..%d", c.Users, MaxInteractionUsers)
	case c.Items < 0 || c.Items > MaxInteractionItems:
		return c, errors.Errorf("items = %d, want 1..%d", c.Items, MaxInteractionItems)
	case c.Users*c.Items > MaxInteractionScores:
		return c, errors.Errorf("users·items = %d·%d is more than %d scores", c.Users, c.Items, MaxInteractionScores)
	case c.Regions < 0 || c.Regions > maxInteractionVocab:
		return c, errors.Errorf("regions = %d, want 1..%d", c.Regions, maxInteractionVocab)
	case c.Categories < 0 || c.Categories > maxInteractionVocab:
		return c, errors.Errorf("categories = %d, want 1..%d", c.Categories, maxInteractionVocab)
	case c.LatentDim < 0 || c.LatentDim > maxInteractionDim:
		return c, errors.Errorf("latent dim = %d, want 1..%d", c.LatentDim, maxInteractionDim)
	case c.TestPerUser < 0 || c.PerUser <= c.TestPerUser:
		return c, errors.Errorf("per user = %d and test per user = %d: want 1 <= test per user < per user", c.PerUser, c.TestPerUser)
	case c.PerUser > c.Items/2:
		return c, errors.Errorf("per user = %d, want at most items/2 = %d", c.PerUser, c.Items/2)
	case !(c.Temperature > 0) || math.IsInf(c.Temperature, 0):
		return c, errors.Errorf("temperature = %v, want a finite value > 0", c.Temperature)
	case !(c.Zipf > 0) || math.IsInf(c.Zipf, 0):
		return c, errors.Errorf("zipf = %v, want a finite value > 0", c.Zipf)
	}
	return c, nil
}

// Interactions is a synthetic recommendation data set made by
// NewInteractions: users and items with features, and the items each user
// interacted with, split into training and test positive pairs. Row u of
// Users is user u and row i of Catalogue is item i.
//
// Tensors (each of per-example shape (1)):
//
//	user inputs: "user_id" Int64 in [0, Users), "user_region" Int64 in
//	  [0, Regions), "user_age" Float32: an age of 18 to 70 years scaled to [0, 1]
//	item inputs: "item_id" Int64 in [0, Items), "item_category" Int64 in
//	  [0, Categories)
//	"item_log_q" Float32: log of the item's sampling probability in the
//	  training pairs (ItemProb), the logQ correction of in-batch softmax; an
//	  item absent from the training pairs gets log(0.5/len(Train))
type Interactions struct {
	// Config is the configuration used, defaults filled in.
	Config InteractionsConfig
	// Train and Test are the positive (user, item) pairs, one example per
	// interaction, ordered by user then time: inputs user_id, user_region,
	// user_age, item_id, item_category, item_log_q; no targets.
	Train, Test *Tensors
	// Users holds every user (Users rows): user_id, user_region, user_age.
	Users *Tensors
	// Catalogue holds every item (Items rows): item_id, item_category; the
	// rows to embed and index for retrieval.
	Catalogue *Tensors
	// ItemProb is, for each item, its share of the training pairs: q_i =
	// (number of training pairs of item i) / len(Train), the probability that
	// a uniformly drawn training pair (hence an in-batch negative) is item i.
	ItemProb []float64
	// TrainItems and TestItems list, for each user, the items of its training
	// and test pairs in time order; a user's items are distinct, so no test
	// item is a training item of the same user.
	TrainItems, TestItems [][]int
	// Popularity is the normalized Zipf weight of each item (sums to 1).
	Popularity []float64
	// UserVectors (Users, LatentDim) and ItemVectors (Items, LatentDim) are
	// the true unit vectors of the generative model, row-major.
	UserVectors, ItemVectors []float64
}

// NewInteractions generates an Interactions set from c (zero fields take
// their defaults; see InteractionsConfig). The generative model, every draw
// from one rand.New(rand.NewSource(c.Seed)):
//
//   - Attributes: each user has a region (uniform in [0, Regions)) and an age
//     (uniform in [0, 1] after scaling); each item a category (uniform in
//     [0, Categories)). Item popularity follows Zipf: a random permutation
//     gives each item a rank r = 1..Items and the weight r^-Zipf, normalized.
//   - Latent vectors of LatentDim: region centres R, category centres C and an
//     age direction A are standard normal vectors normalized to unit length;
//     user u = unit(0.5·R[region] + 0.5·(2·age-1)·A + 0.8·z/√k) and item v =
//     unit(0.7·C[category] + 0.7·z/√k), z standard normal of dimension k (so
//     attributes carry part of the taste and ids the rest).
//   - Positives: each user draws PerUser distinct items without replacement
//     with probabilities ∝ popularity·exp(u·v/Temperature) (the Gumbel top-k
//     trick, exact for successive draws), puts them in a random time order and
//     holds out the last TestPerUser (leave-last-out per user: every user has
//     training and test items, and the split is by time, not by random pair).
//
// The same config gives the same data, bit for bit. Out-of-range sizes are
// errors naming the field.
func NewInteractions(c InteractionsConfig) (*Interactions, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, errors.Wrap(err, "datasets.NewInteractions")
	}
	r := newRand(c.Seed)
	k := c.LatentDim
	unitRows := func(n int) []float64 {
		v := make([]float64, n*k)
		for i := range v {
			v[i] = r.NormFloat64()
		}
		for i := 0; i < n; i++ {
			normalizeRow(v[i*k : (i+1)*k])
		}
		return v
	}
	regionC, catC, ageDir := unitRows(c.Regions), unitRows(c.Categories), unitRows(1)

	region := make([]int64, c.Users)
	age := make([]float32, c.Users)
	uvec := make([]float64, c.Users*k)
	sk := 1 / math.Sqrt(float64(k))
	for u := 0; u < c.Users; u++ {
		region[u] = int64(r.Intn(c.Regions))
		a := r.Float64()
		age[u] = float32(a)
		row := uvec[u*k : (u+1)*k]
		for j := range row {
			row[j] = 0.5*regionC[int(region[u])*k+j] + 0.5*(2*a-1)*ageDir[j] + 0.8*sk*r.NormFloat64()
		}
		normalizeRow(row)
	}
	category := make([]int64, c.Items)
	ivec := make([]float64, c.Items*k)
	for i := 0; i < c.Items; i++ {
		category[i] = int64(r.Intn(c.Categories))
		row := ivec[i*k : (i+1)*k]
		for j := range row {
			row[j] = 0.7*catC[int(category[i])*k+j] + 0.7*sk*r.NormFloat64()
		}
		normalizeRow(row)
	}
	pop := make([]float64, c.Items)
	var total float64
	for i, rank := range r.Perm(c.Items) {
		pop[i] = math.Pow(float64(rank+1), -c.Zipf)
		total += pop[i]
	}
	logPop := make([]float64, c.Items)
	for i := range pop {
		pop[i] /= total
		logPop[i] = math.Log(pop[i])
	}

	d := &Interactions{Config: c, Popularity: pop, UserVectors: uvec, ItemVectors: ivec,
		TrainItems: make([][]int, c.Users), TestItems: make([][]int, c.Users)}
	keys := make([]float64, c.Items)
	heap := make([]int, 0, c.PerUser)
	nTrain := c.PerUser - c.TestPerUser
	counts := make([]int, c.Items)
	for u := 0; u < c.Users; u++ {
		uv := uvec[u*k : (u+1)*k]
		for i := range keys {
			var dot float64
			iv := ivec[i*k : (i+1)*k]
			for j, x := range uv {
				dot += x * iv[j]
			}
			// Gumbel(0, 1) noise -log(-log U); U = 0 gives -Inf, never chosen.
			keys[i] = logPop[i] + dot/c.Temperature - math.Log(-math.Log(r.Float64()))
		}
		top := topKeys(keys, heap, c.PerUser)
		r.Shuffle(len(top), func(a, b int) { top[a], top[b] = top[b], top[a] })
		d.TrainItems[u] = append([]int(nil), top[:nTrain]...)
		d.TestItems[u] = append([]int(nil), top[nTrain:]...)
		for _, i := range d.TrainItems[u] {
			counts[i]++
		}
	}
	nTrainPairs := c.Users * nTrain
	d.ItemProb = make([]float64, c.Items)
	logQ := make([]float32, c.Items)
	floor := math.Log(0.5 / float64(nTrainPairs))
	for i, n := range counts {
		d.ItemProb[i] = float64(n) / float64(nTrainPairs)
		logQ[i] = float32(floor)
		if n > 0 {
			logQ[i] = float32(math.Log(d.ItemProb[i]))
		}
	}

	ids := func(n int) []int64 {
		v := make([]int64, n)
		for i := range v {
			v[i] = int64(i)
		}
		return v
	}
	if d.Users, err = NewTensors(
		[]string{"user_id", "user_region", "user_age"},
		[]*tensor.Dense{column64(ids(c.Users)), column64(region), column32(age)}, nil, nil); err != nil {
		return nil, errors.Wrap(err, "datasets.NewInteractions: users")
	}
	if d.Catalogue, err = NewTensors(
		[]string{"item_id", "item_category"},
		[]*tensor.Dense{column64(ids(c.Items)), column64(category)}, nil, nil); err != nil {
		return nil, errors.Wrap(err, "datasets.NewInteractions: catalogue")
	}
	pairs := func(lists [][]int) (*Tensors, error) {
		n := 0
		for _, l := range lists {
			n += len(l)
		}
		uid, ureg, iid, icat := make([]int64, 0, n), make([]int64, 0, n), make([]int64, 0, n), make([]int64, 0, n)
		uage, lq := make([]float32, 0, n), make([]float32, 0, n)
		for u, l := range lists {
			for _, i := range l {
				uid, ureg, uage = append(uid, int64(u)), append(ureg, region[u]), append(uage, age[u])
				iid, icat, lq = append(iid, int64(i)), append(icat, category[i]), append(lq, logQ[i])
			}
		}
		return NewTensors(
			[]string{"user_id", "user_region", "user_age", "item_id", "item_category", "item_log_q"},
			[]*tensor.Dense{column64(uid), column64(ureg), column32(uage), column64(iid), column64(icat), column32(lq)},
			nil, nil)
	}
	if d.Train, err = pairs(d.TrainItems); err != nil {
		return nil, errors.Wrap(err, "datasets.NewInteractions: training pairs")
	}
	if d.Test, err = pairs(d.TestItems); err != nil {
		return nil, errors.Wrap(err, "datasets.NewInteractions: test pairs")
	}
	return d, nil
}

// TrainCounts returns, for each item, its number of training pairs
// (ItemProb·len(Train), as integers): the popularity a most-popular
// recommender ranks by.
func (d *Interactions) TrainCounts() []int {
	counts := make([]int, len(d.ItemProb))
	for _, l := range d.TrainItems {
		for _, i := range l {
			counts[i]++
		}
	}
	return counts
}

// topKeys returns the positions of the k largest keys (ties to the lower
// position), largest first, in O(n log k); h is scratch of capacity k.
func topKeys(keys []float64, h []int, k int) []int {
	// worse reports whether position a ranks after position b.
	worse := func(a, b int) bool { return keys[a] < keys[b] || (keys[a] == keys[b] && a > b) }
	// h is a min-heap (by rank) of the k best positions seen so far.
	down := func(i int) {
		for {
			l, m := 2*i+1, i
			if l < len(h) && worse(h[l], h[m]) {
				m = l
			}
			if l+1 < len(h) && worse(h[l+1], h[m]) {
				m = l + 1
			}
			if m == i {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	h = h[:0]
	for i := range keys {
		if len(h) < k {
			h = append(h, i)
			for j := len(h) - 1; j > 0 && worse(h[j], h[(j-1)/2]); j = (j - 1) / 2 {
				h[j], h[(j-1)/2] = h[(j-1)/2], h[j]
			}
		} else if worse(h[0], i) {
			h[0] = i
			down(0)
		}
	}
	out := append([]int(nil), h...)
	sort.Slice(out, func(a, b int) bool { return worse(out[b], out[a]) })
	return out
}

// normalizeRow scales v to unit length (a zero v stays zero).
func normalizeRow(v []float64) {
	var ss float64
	for _, x := range v {
		ss += x * x
	}
	if ss == 0 {
		return
	}
	s := 1 / math.Sqrt(ss)
	for i := range v {
		v[i] *= s
	}
}

// column64 is an (n, 1) Int64 tensor over v.
func column64(v []int64) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(v), 1), tensor.WithBacking(v))
}

// column32 is an (n, 1) Float32 tensor over v.
func column32(v []float32) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(v), 1), tensor.WithBacking(v))
}
