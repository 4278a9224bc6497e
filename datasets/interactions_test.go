package datasets

import (
	"math"
	"reflect"
	"sort"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// smallInteractions is a quick configuration for the tests.
var smallInteractions = InteractionsConfig{Users: 300, Items: 200, PerUser: 12, TestPerUser: 3, Seed: 5}

func newSmallInteractions(t *testing.T) *Interactions {
	t.Helper()
	d, err := NewInteractions(smallInteractions)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestInteractionsDefaults(t *testing.T) {
	c, err := InteractionsConfig{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	want := InteractionsConfig{Users: 2000, Items: 1000, Regions: 8, Categories: 20, LatentDim: 8,
		PerUser: 20, TestPerUser: 2, Temperature: 0.1, Zipf: 1}
	if c != want {
		t.Fatalf("defaults %+v, want %+v", c, want)
	}
}

func TestInteractionsTensors(t *testing.T) {
	d := newSmallInteractions(t)
	c := d.Config
	type want struct {
		name string
		dt   tensor.Dtype
	}
	user := []want{{"user_id", tensor.Int64}, {"user_region", tensor.Int64}, {"user_age", tensor.Float32}}
	item := []want{{"item_id", tensor.Int64}, {"item_category", tensor.Int64}}
	pair := append(append(append([]want(nil), user...), item...), want{"item_log_q", tensor.Float32})
	check := func(what string, m *Tensors, n int, ws []want) {
		t.Helper()
		if m.Len() != n {
			t.Errorf("%s: %d examples, want %d", what, m.Len(), n)
		}
		if len(m.Targets()) != 0 {
			t.Errorf("%s: %d targets, want none", what, len(m.Targets()))
		}
		specs := m.Inputs()
		if len(specs) != len(ws) {
			t.Fatalf("%s: inputs %v, want %v", what, specs, ws)
		}
		for i, w := range ws {
			if specs[i].Name != w.name || specs[i].DType != w.dt || !reflect.DeepEqual(specs[i].Shape, []int{1}) {
				t.Errorf("%s: input %d is %+v, want %q %v (1)", what, i, specs[i], w.name, w.dt)
			}
		}
	}
	nTrain := c.PerUser - c.TestPerUser
	check("Users", d.Users, c.Users, user)
	check("Catalogue", d.Catalogue, c.Items, item)
	check("Train", d.Train, c.Users*nTrain, pair)
	check("Test", d.Test, c.Users*c.TestPerUser, pair)

	// Ids are rows; attributes are in range; age in [0, 1].
	uid, reg := d.Users.Input(0).Data().([]int64), d.Users.Input(1).Data().([]int64)
	for u := range uid {
		if uid[u] != int64(u) || reg[u] < 0 || reg[u] >= int64(c.Regions) {
			t.Fatalf("user %d: id %d region %d", u, uid[u], reg[u])
		}
	}
	for u, a := range d.Users.Input(2).Data().([]float32) {
		if a < 0 || a > 1 {
			t.Fatalf("user %d: age %v outside [0, 1]", u, a)
		}
	}
	iid, cat := d.Catalogue.Input(0).Data().([]int64), d.Catalogue.Input(1).Data().([]int64)
	for i := range iid {
		if iid[i] != int64(i) || cat[i] < 0 || cat[i] >= int64(c.Categories) {
			t.Fatalf("item %d: id %d category %d", i, iid[i], cat[i])
		}
	}
	// The pairs repeat each user's and item's features, ordered by user then
	// time, and carry log q of the item.
	pu := d.Train.Input(0).Data().([]int64)
	pr := d.Train.Input(1).Data().([]int64)
	pa := d.Train.Input(2).Data().([]float32)
	pi := d.Train.Input(3).Data().([]int64)
	pc := d.Train.Input(4).Data().([]int64)
	pq := d.Train.Input(5).Data().([]float32)
	ages := d.Users.Input(2).Data().([]float32)
	k := 0
	for u, items := range d.TrainItems {
		for _, i := range items {
			if pu[k] != int64(u) || pr[k] != reg[u] || pa[k] != ages[u] || pi[k] != int64(i) || pc[k] != cat[i] {
				t.Fatalf("pair %d: (%d, %d, %v, %d, %d), want user %d item %d", k, pu[k], pr[k], pa[k], pi[k], pc[k], u, i)
			}
			if want := float32(math.Log(d.ItemProb[i])); pq[k] != want {
				t.Fatalf("pair %d: log q %v, want %v", k, pq[k], want)
			}
			k++
		}
	}
	// A test pair's item may be absent from training: log q gets the floor.
	floor := float32(math.Log(0.5 / float64(d.Train.Len())))
	tq, ti := d.Test.Input(5).Data().([]float32), d.Test.Input(3).Data().([]int64)
	for j, i := range ti {
		want := floor
		if d.ItemProb[i] > 0 {
			want = float32(math.Log(d.ItemProb[i]))
		}
		if tq[j] != want {
			t.Fatalf("test pair %d: log q %v, want %v", j, tq[j], want)
		}
	}
}

func TestInteractionsSplit(t *testing.T) {
	d := newSmallInteractions(t)
	c := d.Config
	for u := 0; u < c.Users; u++ {
		tr, te := d.TrainItems[u], d.TestItems[u]
		if len(tr) != c.PerUser-c.TestPerUser || len(te) != c.TestPerUser {
			t.Fatalf("user %d: %d training and %d test items", u, len(tr), len(te))
		}
		seen := map[int]bool{}
		for _, i := range append(append([]int(nil), tr...), te...) {
			if i < 0 || i >= c.Items || seen[i] {
				t.Fatalf("user %d: item %d repeated or out of range (train %v, test %v)", u, i, tr, te)
			}
			seen[i] = true
		}
	}
	counts := d.TrainCounts()
	var sum float64
	for i, q := range d.ItemProb {
		if want := float64(counts[i]) / float64(d.Train.Len()); q != want {
			t.Fatalf("item %d: q %v, want %v", i, q, want)
		}
		sum += q
	}
	if math.Abs(sum-1) > 1e-12 {
		t.Fatalf("item probabilities sum to %v", sum)
	}
}

// The generative model shows in the data: popularity follows Zipf, popular
// items are drawn more often, and positives score higher under the true
// vectors than random items do.
func TestInteractionsModel(t *testing.T) {
	d, err := NewInteractions(InteractionsConfig{Users: 1000, Items: 500, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	c := d.Config
	pop := append([]float64(nil), d.Popularity...)
	sort.Sort(sort.Reverse(sort.Float64Slice(pop)))
	var sum float64
	for r, p := range pop {
		sum += p
		if want := pop[0] * math.Pow(float64(r+1), -c.Zipf); math.Abs(p-want) > 1e-12 {
			t.Fatalf("popularity of rank %d is %v, want %v", r+1, p, want)
		}
	}
	if math.Abs(sum-1) > 1e-12 {
		t.Fatalf("popularity sums to %v", sum)
	}
	// The 10% most popular items draw far more than 10% of the pairs.
	order := make([]int, c.Items)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return d.Popularity[order[a]] > d.Popularity[order[b]] })
	counts := d.TrainCounts()
	top := 0
	for _, i := range order[:c.Items/10] {
		top += counts[i]
	}
	if share := float64(top) / float64(d.Train.Len()); share < 0.25 {
		t.Errorf("the 10%% most popular items have %.3f of the pairs, want >= 0.25", share)
	}
	// Unit vectors.
	k := c.LatentDim
	for _, vs := range [][]float64{d.UserVectors, d.ItemVectors} {
		for r := 0; r < len(vs)/k; r++ {
			var ss float64
			for _, x := range vs[r*k : (r+1)*k] {
				ss += x * x
			}
			if math.Abs(ss-1) > 1e-12 {
				t.Fatalf("vector %d has squared norm %v", r, ss)
			}
		}
	}
	dot := func(u, i int) float64 {
		var s float64
		for j := 0; j < k; j++ {
			s += d.UserVectors[u*k+j] * d.ItemVectors[i*k+j]
		}
		return s
	}
	var pos, all float64
	var n int
	for u, items := range d.TrainItems {
		for _, i := range items {
			pos += dot(u, i)
			n++
		}
		for i := 0; i < c.Items; i++ {
			all += dot(u, i)
		}
	}
	pos /= float64(n)
	all /= float64(c.Users * c.Items)
	if pos < all+0.3 {
		t.Errorf("mean u·v of positives %.3f, of all pairs %.3f: want the positives 0.3 higher", pos, all)
	}
	t.Logf("top 10%% items: %.3f of pairs; mean u·v positives %.3f, all %.3f", float64(top)/float64(d.Train.Len()), pos, all)
}

func TestInteractionsDeterministic(t *testing.T) {
	a, b := newSmallInteractions(t), newSmallInteractions(t)
	if !reflect.DeepEqual(a.TrainItems, b.TrainItems) || !reflect.DeepEqual(a.TestItems, b.TestItems) ||
		!reflect.DeepEqual(a.UserVectors, b.UserVectors) || !reflect.DeepEqual(a.Users.Input(2).Data(), b.Users.Input(2).Data()) {
		t.Fatal("the same config gave different data")
	}
	c := smallInteractions
	c.Seed++
	o, err := NewInteractions(c)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a.TrainItems, o.TrainItems) {
		t.Fatal("another seed gave the same interactions")
	}
}

func TestInteractionsErrors(t *testing.T) {
	cases := []struct {
		c    InteractionsConfig
		want string
	}{
		{InteractionsConfig{Users: -1}, "users = -1"},
		{InteractionsConfig{Users: MaxInteractionUsers + 1}, "users = 100001"},
		{InteractionsConfig{Items: -3}, "items = -3"},
		{InteractionsConfig{Users: 100000, Items: 5000}, "scores"},
		{InteractionsConfig{Regions: -1}, "regions = -1"},
		{InteractionsConfig{Categories: 20000}, "categories = 20000"},
		{InteractionsConfig{LatentDim: 5000}, "latent dim = 5000"},
		{InteractionsConfig{PerUser: 2, TestPerUser: 2}, "test per user < per user"},
		{InteractionsConfig{TestPerUser: -1}, "test per user"},
		{InteractionsConfig{Items: 10, PerUser: 6, TestPerUser: 1}, "at most items/2 = 5"},
		{InteractionsConfig{Temperature: -1}, "temperature = -1"},
		{InteractionsConfig{Temperature: math.NaN()}, "temperature = NaN"},
		{InteractionsConfig{Zipf: math.Inf(1)}, "zipf = +Inf"},
	}
	for _, tc := range cases {
		_, err := NewInteractions(tc.c)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "datasets.NewInteractions") {
			t.Errorf("%+v: error %v, want one containing %q", tc.c, err, tc.want)
		}
	}
}

func TestTopKeys(t *testing.T) {
	keys := []float64{0.5, 2, -1, 2, math.Inf(-1), 7, 0.5}
	got := topKeys(keys, make([]int, 0, 4), 4)
	if want := []int{5, 1, 3, 0}; !reflect.DeepEqual(got, want) {
		t.Fatalf("topKeys = %v, want %v", got, want)
	}
	if got := topKeys(keys, nil, len(keys)); !reflect.DeepEqual(got, []int{5, 1, 3, 0, 6, 2, 4}) {
		t.Fatalf("all keys = %v", got)
	}
}
