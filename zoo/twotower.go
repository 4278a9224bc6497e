package zoo

import (
	"fmt"
	"math"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/retrieval"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TwoTowerOutput is the name of the training model's one output, [u, v, log q]
// of shape (2·Dim+1), and of the (zero) target TwoTower.TrainingSet adds.
const TwoTowerOutput = "uvq"

// TwoTowerConfig sets the architecture of NewTwoTower. A zero field takes its
// default.
type TwoTowerConfig struct {
	// Dim is the width d of the L2-normalized user and item embeddings
	// (default 32).
	Dim int
	// IDDim is the width of the user_id and item_id embeddings (default 32).
	IDDim int
	// AttrDim is the width of the embeddings of the categorical attributes
	// user_region and item_category (default 8).
	AttrDim int
	// Hidden is the width of each tower's relu layer (default 64).
	Hidden int
	// Temperature is τ of the in-batch softmax, scores being cosines/τ
	// (default 0.1; 0.05 and 0.2 did slightly worse on the recipe's data).
	Temperature float64
	// NoLogQ drops the log q correction from the loss (default false: the
	// correction is on). For ablations.
	NoLogQ bool
}

func (c TwoTowerConfig) withDefaults() (TwoTowerConfig, error) {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Dim, 32)
	def(&c.IDDim, 32)
	def(&c.AttrDim, 8)
	def(&c.Hidden, 64)
	if c.Temperature == 0 {
		c.Temperature = 0.1
	}
	if c.Dim < 0 || c.IDDim < 0 || c.AttrDim < 0 || c.Hidden < 0 {
		return c, errors.Errorf("widths must be positive: dim %d, id dim %d, attribute dim %d, hidden %d", c.Dim, c.IDDim, c.AttrDim, c.Hidden)
	}
	if !(c.Temperature > 0) || math.IsInf(c.Temperature, 0) {
		return c, errors.Errorf("temperature = %v, want a finite value > 0", c.Temperature)
	}
	return c, nil
}

// TwoTower is a two-tower retrieval model for the data of
// datasets.NewInteractions: a user tower and an item tower, each mapping its
// features to an L2-normalized embedding of width Dim, and a training model
// that joins them for the in-batch softmax loss (graph.InBatchSoftmax).
//
//	User:  user_id -> Embedding(Users, IDDim), user_region -> Embedding(Regions,
//	       AttrDim), user_age; Flatten, Concatenate -> Dense(Hidden, relu) ->
//	       Dense(Dim) -> unit length                                 (B, Dim)
//	Item:  item_id -> Embedding(Items, IDDim), item_category ->
//	       Embedding(Categories, AttrDim); the same head              (B, Dim)
//	Model: inputs of both towers and item_log_q; output "uvq" =
//	       Concatenate(User(...), Item(...), item_log_q)           (B, 2·Dim+1)
//
// The towers share their weights with Model, so after training Model the
// towers embed users and items on their own (UserEmbeddings, ItemEmbeddings).
// The unit-length layer is this package's own: a saved model loads with
// layers.WithCustomLayer("UnitNormalization", UnitNormalizationFactory).
type TwoTower struct {
	// User is the user tower: inputs "user_id" Int64 (1), "user_region"
	// Int64 (1), "user_age" (1); output (Dim).
	User *layers.Functional
	// Item is the item tower: inputs "item_id" Int64 (1), "item_category"
	// Int64 (1); output (Dim).
	Item *layers.Functional
	// Model is the training model: the inputs of both towers and
	// "item_log_q" (1); output TwoTowerOutput (2·Dim+1).
	Model *layers.Functional
	// Config is the configuration used, defaults filled in.
	Config TwoTowerConfig
}

// NewTwoTower returns an unbuilt two-tower model whose embedding
// vocabularies are the sizes of data (data.Config: Users, Regions, Items,
// Categories). A nil data or a bad cfg is an error.
func NewTwoTower(data *datasets.Interactions, cfg TwoTowerConfig) (*TwoTower, error) {
	if data == nil {
		return nil, errors.New("zoo.NewTwoTower: nil data")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, errors.Wrap(err, "zoo.NewTwoTower")
	}
	dc := data.Config
	head := func(x *layers.Tensor) *layers.Tensor {
		x = layers.Dense(cfg.Hidden, layers.WithActivation("relu")).Apply(x)
		x = layers.Dense(cfg.Dim).Apply(x)
		return layers.Apply(&unitNorm{}, x)[0]
	}
	embed := func(ids *layers.Tensor, vocab, dim int, name string) *layers.Tensor {
		e := layers.Embedding(vocab, dim, layers.WithName(name)).Apply(ids)
		return layers.Flatten().Apply(e)
	}
	uid, ureg, uage := userInputs()
	u := head(layers.Concatenate(-1).Apply(
		embed(uid, dc.Users, cfg.IDDim, "user_id_embedding"),
		embed(ureg, dc.Regions, cfg.AttrDim, "user_region_embedding"),
		uage))
	user, err := layers.NewModel([]*layers.Tensor{uid, ureg, uage}, []*layers.Tensor{u}, layers.ModelName("user_tower"))
	if err != nil {
		return nil, errors.Wrap(err, "zoo.NewTwoTower: user tower")
	}
	iid, icat := itemInputs()
	v := head(layers.Concatenate(-1).Apply(
		embed(iid, dc.Items, cfg.IDDim, "item_id_embedding"),
		embed(icat, dc.Categories, cfg.AttrDim, "item_category_embedding")))
	item, err := layers.NewModel([]*layers.Tensor{iid, icat}, []*layers.Tensor{v}, layers.ModelName("item_tower"))
	if err != nil {
		return nil, errors.Wrap(err, "zoo.NewTwoTower: item tower")
	}
	tuid, tureg, tuage := userInputs()
	tiid, ticat := itemInputs()
	logQ := layers.NewInput("item_log_q", layers.Shape(1))
	out := layers.Concatenate(-1, layers.WithName(TwoTowerOutput)).Apply(
		user.Apply(tuid, tureg, tuage), item.Apply(tiid, ticat), logQ)
	model, err := layers.NewModel([]*layers.Tensor{tuid, tureg, tuage, tiid, ticat, logQ}, []*layers.Tensor{out}, layers.ModelName("two_tower"))
	if err != nil {
		return nil, errors.Wrap(err, "zoo.NewTwoTower: training model")
	}
	return &TwoTower{User: user, Item: item, Model: model, Config: cfg}, nil
}

func userInputs() (id, region, age *layers.Tensor) {
	return layers.NewInput("user_id", layers.Shape(1), layers.Int64),
		layers.NewInput("user_region", layers.Shape(1), layers.Int64),
		layers.NewInput("user_age", layers.Shape(1))
}

func itemInputs() (id, category *layers.Tensor) {
	return layers.NewInput("item_id", layers.Shape(1), layers.Int64),
		layers.NewInput("item_category", layers.Shape(1), layers.Int64)
}

// Loss returns the loss of Model for trainers.WithLossFunc:
// graph.InBatchSoftmax(Dim, Temperature, !NoLogQ).
func (m *TwoTower) Loss() graph.LossFunc {
	return graph.InBatchSoftmax(m.Config.Dim, m.Config.Temperature, !m.Config.NoLogQ)
}

// TrainingSet returns pairs (the Train or Test of datasets.Interactions: the
// inputs of Model, no targets) with a target TwoTowerOutput of zeros of shape
// (2·Dim+1) added, as trainers need a target of the output's shape; the loss
// does not read it. The zeros are written at each gather, not stored.
func (m *TwoTower) TrainingSet(pairs datasets.Multi) (datasets.Multi, error) {
	if pairs == nil {
		return nil, errors.New("zoo.TwoTower.TrainingSet: nil data")
	}
	if n := len(pairs.Targets()); n != 0 {
		return nil, errors.Errorf("zoo.TwoTower.TrainingSet: the pairs have %d targets, want none", n)
	}
	return &zeroTarget{Multi: pairs, spec: datasets.Spec{Name: TwoTowerOutput, Shape: []int{2*m.Config.Dim + 1}, DType: tensor.Float32}}, nil
}

// UserEmbeddings returns the user tower's embeddings (N, Dim) of the N users
// of users (named inputs "user_id", "user_region", "user_age", such as
// datasets.Interactions.Users), in the model's dtype. The model must have
// been built (trained).
func (m *TwoTower) UserEmbeddings(users datasets.Multi) (*tensor.Dense, error) {
	e, err := embedAll(m.User, users)
	return e, errors.Wrap(err, "zoo.TwoTower.UserEmbeddings")
}

// ItemEmbeddings returns the item tower's embeddings (N, Dim) of the N items
// of items (named inputs "item_id", "item_category", such as
// datasets.Interactions.Catalogue).
func (m *TwoTower) ItemEmbeddings(items datasets.Multi) (*tensor.Dense, error) {
	e, err := embedAll(m.Item, items)
	return e, errors.Wrap(err, "zoo.TwoTower.ItemEmbeddings")
}

// embedAll runs tower on every example of ds.
func embedAll(tower *layers.Functional, ds datasets.Multi) (*tensor.Dense, error) {
	if ds == nil || ds.Len() == 0 {
		return nil, errors.New("no data")
	}
	all := make([]int, ds.Len())
	for i := range all {
		all[i] = i
	}
	x := map[string]*tensor.Dense{}
	for i, s := range ds.Inputs() {
		dt := s.DType
		if dt == tensor.Float64 {
			dt = tensor.Float32
		}
		t := tensor.New(tensor.Of(dt), tensor.WithShape(append([]int{len(all)}, s.Shape...)...))
		if err := datasets.GatherInputMulti(ds, all, i, t); err != nil {
			return nil, err
		}
		x[s.Name] = t
	}
	out, err := trainers.PredictNamed(tower, x, trainers.BatchSize(evalBatch))
	if err != nil {
		return nil, err
	}
	outs := tower.Outputs()
	if len(outs) != 1 || out[outs[0].Name] == nil {
		return nil, errors.Errorf("the tower gave %d outputs, want one", len(out))
	}
	return out[outs[0].Name], nil
}

// zeroTarget is a Multi with one more target, all zeros.
type zeroTarget struct {
	datasets.Multi
	spec datasets.Spec
}

func (z *zeroTarget) Targets() []datasets.Spec {
	s := z.spec
	s.Shape = append([]int(nil), s.Shape...)
	return []datasets.Spec{s}
}

func (z *zeroTarget) GatherMulti(idx []int, xs, ys []*tensor.Dense) error {
	if len(ys) != 1 {
		return errors.Errorf("%d target destinations for 1 target", len(ys))
	}
	if err := z.Multi.GatherMulti(idx, xs, nil); err != nil {
		return err
	}
	return z.GatherTarget(idx, 0, ys[0])
}

// GatherInput reads one input (datasets.TensorGatherer).
func (z *zeroTarget) GatherInput(idx []int, i int, dst *tensor.Dense) error {
	return datasets.GatherInputMulti(z.Multi, idx, i, dst)
}

// GatherTarget writes zeros (datasets.TensorGatherer).
func (z *zeroTarget) GatherTarget(idx []int, j int, dst *tensor.Dense) error {
	if j != 0 {
		return errors.Errorf("target index %d out of range [0, 1)", j)
	}
	if dst == nil {
		return errors.Errorf("target %q: nil destination", z.spec.Name)
	}
	if want := len(idx) * z.spec.Shape[0]; dst.Shape().TotalSize() != want {
		return errors.Errorf("target %q: destination of size %d for %d examples of shape %v", z.spec.Name, dst.Shape().TotalSize(), len(idx), z.spec.Shape)
	}
	dst.Zero()
	return nil
}

// unitNorm scales each example (B, d) to unit L2 length (graph.L2Normalize
// along axis 1): Keras' UnitNormalization.
type unitNorm struct{ layers.Base }

// unitNormClass is unitNorm's class name in model files.
const unitNormClass = "UnitNormalization"

func (l *unitNorm) Type() string { return unitNormClass }

func (l *unitNorm) Build(_ layers.BuildContext, in []int) ([]int, error) {
	if len(in) != 1 {
		return nil, errors.Errorf("UnitNormalization: input shape %v, want (d)", in)
	}
	return append([]int(nil), in...), nil
}

func (l *unitNorm) Forward(_ *graph.Graph, x *G.Node) (*G.Node, error) {
	return graph.L2Normalize(x, 1)
}

// Config makes the layer savable (layers.Configurable).
func (l *unitNorm) Config() layers.LayerConfig {
	return layers.LayerConfig{Class: unitNormClass, Name: l.Name(), Config: map[string]interface{}{"axis": -1}}
}

// UnitNormalizationFactory rebuilds the unit-length layer of TwoTower's
// towers (class "UnitNormalization", Keras' UnitNormalization over the last
// axis) when a saved two-tower model is loaded:
//
//	m, err := layers.Load(path, layers.WithCustomLayer("UnitNormalization", zoo.UnitNormalizationFactory))
func UnitNormalizationFactory(c layers.LayerConfig) (layers.Layer, error) {
	if c.Class != unitNormClass {
		return nil, errors.Errorf("zoo.UnitNormalizationFactory: class %q, want %q", c.Class, unitNormClass)
	}
	if a, ok := c.Config["axis"]; ok {
		if f, isNum := a.(float64); !isNum || f != -1 {
			if i, isInt := a.(int); !isInt || i != -1 {
				return nil, errors.Errorf("zoo.UnitNormalizationFactory: axis %v, only -1 is supported", a)
			}
		}
	}
	l := &unitNorm{}
	l.SetName(c.Name)
	return l, nil
}

// EvaluateRetrieval scores exact top-k retrieval of the items for each user
// with relevant items: users is (U, d) (row u is user u's embedding), items
// (N, d); the score of an item is the dot product (the cosine for
// L2-normalized embeddings), found over the whole catalogue by
// retrieval.TopK. seen[u] are user u's training items, removed from its
// ranking before the cut (the usual protocol: an already-known item is not a
// recommendation); relevant[u] its held-out items. Users with no relevant item
// are skipped; seen may be nil. For each k of ks (each in [1, N]) it returns
// "recall_at_<k>" (the share of a user's relevant items in its top k, averaged
// over users) and "ndcg_at_<k>" (binary relevance: DCG = Σ 1/log2(rank+1)
// over the hits in the top k, divided by the best possible DCG of
// min(k, |relevant|) hits, averaged over users).
func EvaluateRetrieval(users, items *tensor.Dense, seen, relevant [][]int, ks []int) (map[string]float64, error) {
	u, du, err := flat32("users", users)
	if err != nil {
		return nil, errors.Wrap(err, "zoo.EvaluateRetrieval")
	}
	it, di, err := flat32("items", items)
	if err != nil {
		return nil, errors.Wrap(err, "zoo.EvaluateRetrieval")
	}
	if du != di {
		return nil, errors.Errorf("zoo.EvaluateRetrieval: user embeddings of width %d, item embeddings of width %d", du, di)
	}
	if len(relevant) != len(u)/du {
		return nil, errors.Errorf("zoo.EvaluateRetrieval: %d users of relevant items, %d user embeddings", len(relevant), len(u)/du)
	}
	m, err := rankMetrics(it, du, u, seen, relevant, ks)
	return m, errors.Wrap(err, "zoo.EvaluateRetrieval")
}

// PopularityRetrieval scores the most-popular recommender under the protocol
// of EvaluateRetrieval: every user gets the items in decreasing order of
// counts (its training items removed; ties to the lower item index).
func PopularityRetrieval(counts []int, seen, relevant [][]int, ks []int) (map[string]float64, error) {
	if len(counts) == 0 {
		return nil, errors.New("zoo.PopularityRetrieval: no items")
	}
	// Scores of one dimension: the item's count against a query of 1.
	items := make([]float32, len(counts))
	for i, c := range counts {
		items[i] = float32(c)
	}
	ones := make([]float32, len(relevant))
	for i := range ones {
		ones[i] = 1
	}
	m, err := rankMetrics(items, 1, ones, seen, relevant, ks)
	return m, errors.Wrap(err, "zoo.PopularityRetrieval")
}

// rankMetrics computes the metrics of EvaluateRetrieval from flat (N, d)
// items and (U, d) users.
func rankMetrics(items []float32, d int, users []float32, seen, relevant [][]int, ks []int) (map[string]float64, error) {
	n := len(items) / d
	if seen != nil && len(seen) != len(relevant) {
		return nil, errors.Errorf("%d users of seen items, %d of relevant items", len(seen), len(relevant))
	}
	if len(ks) == 0 {
		return nil, errors.New("no cutoff k")
	}
	kmax := 0
	for _, k := range ks {
		if k < 1 || k > n {
			return nil, errors.Errorf("k = %d, want 1 <= k <= %d (the number of items)", k, n)
		}
		kmax = max(kmax, k)
	}
	// Queries: the users with relevant items; each asks for kmax plus its
	// seen items, so that kmax remain after removing them.
	var who []int
	extra := 0
	for u, rel := range relevant {
		if len(rel) == 0 {
			continue
		}
		for _, i := range rel {
			if i < 0 || i >= n {
				return nil, errors.Errorf("user %d: relevant item %d out of range [0, %d)", u, i, n)
			}
		}
		who = append(who, u)
		if seen != nil {
			extra = max(extra, len(seen[u]))
		}
	}
	if len(who) == 0 {
		return nil, errors.New("no user has relevant items")
	}
	q := make([]float32, 0, len(who)*d)
	for _, u := range who {
		q = append(q, users[u*d:(u+1)*d]...)
	}
	res, err := retrieval.TopK(items, q, d, min(n, kmax+extra))
	if err != nil {
		return nil, err
	}
	recall := make([]float64, len(ks))
	ndcg := make([]float64, len(ks))
	for r, u := range who {
		ranked, _ := res.Row(r)
		skip := map[int]bool{}
		if seen != nil {
			for _, i := range seen[u] {
				skip[i] = true
			}
		}
		rel := map[int]bool{}
		for _, i := range relevant[u] {
			rel[i] = true
		}
		// hitAt[p] is 1/log2(p+2) when the item at position p (after
		// removing seen items) is relevant.
		var hitAt []float64
		for _, i := range ranked {
			if skip[i] {
				continue
			}
			if len(hitAt) == kmax {
				break
			}
			g := 0.0
			if rel[i] {
				g = 1 / math.Log2(float64(len(hitAt))+2)
			}
			hitAt = append(hitAt, g)
		}
		for j, k := range ks {
			hits, dcg, idcg := 0, 0.0, 0.0
			for p := 0; p < k && p < len(hitAt); p++ {
				if hitAt[p] > 0 {
					hits++
					dcg += hitAt[p]
				}
			}
			for p := 0; p < k && p < len(rel); p++ {
				idcg += 1 / math.Log2(float64(p)+2)
			}
			recall[j] += float64(hits) / float64(len(rel))
			ndcg[j] += dcg / idcg
		}
	}
	out := make(map[string]float64, 2*len(ks))
	for j, k := range ks {
		out[fmt.Sprintf("recall_at_%d", k)] = recall[j] / float64(len(who))
		out[fmt.Sprintf("ndcg_at_%d", k)] = ndcg[j] / float64(len(who))
	}
	return out, nil
}

// flat32 returns a rank-2 float tensor as float32s and its width.
func flat32(what string, t *tensor.Dense) ([]float32, int, error) {
	if t == nil || t.Dims() != 2 || t.Shape()[0] == 0 || t.Shape()[1] == 0 {
		var s tensor.Shape
		if t != nil {
			s = t.Shape()
		}
		return nil, 0, errors.Errorf("%s: shape %v, want (n, d)", what, s)
	}
	d := t.Shape()[1]
	if t.IsMaterializable() {
		if m, ok := t.Materialize().(*tensor.Dense); ok {
			t = m
		}
	}
	switch x := t.Data().(type) {
	case []float32:
		return x, d, nil
	case []float64:
		y := make([]float32, len(x))
		for i, v := range x {
			y[i] = float32(v)
		}
		return y, d, nil
	}
	return nil, 0, errors.Errorf("%s: dtype %v, want float32 or float64", what, t.Dtype())
}
