package zoo_test

import (
	"bytes"
	"context"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"github.com/gokeras/gokeras/zoo"
	"gorgonia.org/tensor"
)

// shortInteractions is the data of the short two-tower runs: 600 users, 400
// items, 18 training and 2 test items per user.
var shortInteractions = datasets.InteractionsConfig{Users: 600, Items: 400, Seed: 7}

// shortTwoTower is the short run's settings: about 2 s on two cores.
var shortTwoTower = zoo.Settings{Epochs: 4, BatchSize: 128}

func newShortData(t *testing.T) *datasets.Interactions {
	t.Helper()
	d, err := datasets.NewInteractions(shortInteractions)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func rows(t *testing.T, shape []int, data []float32) *tensor.Dense {
	t.Helper()
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

func checkMetrics(t *testing.T, got map[string]float64, want map[string]float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("metrics %v, want %v", got, want)
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || math.Abs(g-w) > 1e-6 {
			t.Errorf("%s = %.6f, want %.6f", k, g, w)
		}
	}
}

// A hand-checked case: items at angles 0, 37, 53 and 90 degrees; user 0
// points at item 0 (seen, so removed) and wants item 2, found second; user 1
// points at item 3 and wants items 3 (first) and 0 (fourth, past k = 3);
// user 2 has no held-out item and is skipped.
func TestEvaluateRetrievalByHand(t *testing.T) {
	items := rows(t, []int{4, 2}, []float32{1, 0, 0.8, 0.6, 0.6, 0.8, 0, 1})
	users := rows(t, []int{3, 2}, []float32{1, 0, 0, 1, 0.7, 0.7})
	seen := [][]int{{0}, nil, {1}}
	relevant := [][]int{{2}, {3, 0}, nil}
	got, err := zoo.EvaluateRetrieval(users, items, seen, relevant, []int{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	l3 := 1 / math.Log2(3)
	checkMetrics(t, got, map[string]float64{
		"recall_at_1": (0 + 0.5) / 2, "recall_at_2": (1 + 0.5) / 2, "recall_at_3": (1 + 0.5) / 2,
		"ndcg_at_1": (0 + 1) / 2.0, "ndcg_at_2": (l3 + 1/(1+l3)) / 2, "ndcg_at_3": (l3 + 1/(1+l3)) / 2,
	})
	// float64 embeddings give the same.
	i64 := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{1, 0, 0.8, 0.6, 0.6, 0.8, 0, 1}))
	u64 := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float64{1, 0, 0, 1, 0.7, 0.7}))
	got64, err := zoo.EvaluateRetrieval(u64, i64, seen, relevant, []int{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, got64) {
		t.Errorf("float64 %v, float32 %v", got64, got)
	}
}

// Most popular: counts rank items 1, 3, 0, 2; user 0 has seen item 1 and
// wants item 0 (second once item 1 is removed), user 1 wants item 2 (fourth).
func TestPopularityRetrievalByHand(t *testing.T) {
	got, err := zoo.PopularityRetrieval([]int{5, 9, 1, 7}, [][]int{{1}, {}}, [][]int{{0}, {2}}, []int{1, 2, 4})
	if err != nil {
		t.Fatal(err)
	}
	l3, l5 := 1/math.Log2(3), 1/math.Log2(5)
	checkMetrics(t, got, map[string]float64{
		"recall_at_1": 0, "recall_at_2": 0.5, "recall_at_4": 1,
		"ndcg_at_1": 0, "ndcg_at_2": l3 / 2, "ndcg_at_4": (l3 + l5) / 2,
	})
	// Ties go to the lower item index.
	got, err = zoo.PopularityRetrieval([]int{3, 3, 3}, nil, [][]int{{0}, {2}}, []int{1})
	if err != nil {
		t.Fatal(err)
	}
	checkMetrics(t, got, map[string]float64{"recall_at_1": 0.5, "ndcg_at_1": 0.5})
}

func TestEvaluateRetrievalErrors(t *testing.T) {
	items := rows(t, []int{4, 2}, make([]float32, 8))
	users := rows(t, []int{2, 2}, make([]float32, 4))
	rel := [][]int{{1}, {2}}
	cases := []struct {
		name  string
		users *tensor.Dense
		items *tensor.Dense
		seen  [][]int
		rel   [][]int
		ks    []int
		want  string
	}{
		{"nil users", nil, items, nil, rel, []int{1}, "users: shape"},
		{"rank 1 items", users, rows(t, []int{8}, make([]float32, 8)), nil, rel, []int{1}, "items: shape"},
		{"widths", users, rows(t, []int{2, 4}, make([]float32, 8)), nil, rel, []int{1}, "width 2"},
		{"users vs relevant", users, items, nil, [][]int{{1}}, []int{1}, "1 users of relevant items, 2 user embeddings"},
		{"seen count", users, items, [][]int{{1}}, rel, []int{1}, "1 users of seen items"},
		{"k too big", users, items, nil, rel, []int{5}, "k = 5"},
		{"k zero", users, items, nil, rel, []int{0}, "k = 0"},
		{"no k", users, items, nil, rel, nil, "no cutoff"},
		{"item range", users, items, nil, [][]int{{4}, {1}}, []int{1}, "relevant item 4 out of range"},
		{"nobody", users, items, nil, [][]int{nil, {}}, []int{1}, "no user has relevant items"},
		{"NaN", rows(t, []int{2, 2}, []float32{float32(math.NaN()), 0, 0, 0}), items, nil, rel, []int{1}, "NaN"},
	}
	for _, tc := range cases {
		_, err := zoo.EvaluateRetrieval(tc.users, tc.items, tc.seen, tc.rel, tc.ks)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	if _, err := zoo.PopularityRetrieval(nil, nil, rel, []int{1}); err == nil {
		t.Error("popularity of no items: no error")
	}
}

func TestNewTwoTowerErrors(t *testing.T) {
	if _, err := zoo.NewTwoTower(nil, zoo.TwoTowerConfig{}); err == nil {
		t.Error("nil data: no error")
	}
	d := newShortData(t)
	for _, c := range []zoo.TwoTowerConfig{{Dim: -1}, {Hidden: -2}, {Temperature: -1}, {Temperature: math.NaN()}} {
		if _, err := zoo.NewTwoTower(d, c); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	m, err := zoo.NewTwoTower(d, zoo.TwoTowerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.TrainingSet(nil); err == nil {
		t.Error("TrainingSet(nil): no error")
	}
	withTarget, err := m.TrainingSet(d.Train)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.TrainingSet(withTarget); err == nil || !strings.Contains(err.Error(), "want none") {
		t.Errorf("TrainingSet of a set with targets: %v", err)
	}
	if _, err := m.UserEmbeddings(d.Users); err == nil || !strings.Contains(err.Error(), "not built") {
		t.Errorf("embeddings of an unbuilt model: %v", err)
	}
}

// The zero target TrainingSet adds: named after the output, of the
// output's width, all zeros, whatever was in the destination.
func TestTwoTowerTrainingSet(t *testing.T) {
	d := newShortData(t)
	m, err := zoo.NewTwoTower(d, zoo.TwoTowerConfig{Dim: 4})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := m.TrainingSet(d.Train)
	if err != nil {
		t.Fatal(err)
	}
	ts := ds.Targets()
	if len(ts) != 1 || ts[0].Name != zoo.TwoTowerOutput || !reflect.DeepEqual(ts[0].Shape, []int{9}) {
		t.Fatalf("targets %+v, want one %q (9)", ts, zoo.TwoTowerOutput)
	}
	idx := []int{3, 0, 5}
	xs := make([]*tensor.Dense, len(ds.Inputs()))
	for i, s := range ds.Inputs() {
		xs[i] = tensor.New(tensor.Of(s.DType), tensor.WithShape(len(idx), 1))
	}
	y := tensor.New(tensor.WithShape(len(idx), 9), tensor.WithBacking(make([]float32, 27)))
	y.Data().([]float32)[4] = 7
	if err := ds.GatherMulti(idx, xs, []*tensor.Dense{y}); err != nil {
		t.Fatal(err)
	}
	for i, v := range y.Data().([]float32) {
		if v != 0 {
			t.Fatalf("target[%d] = %v", i, v)
		}
	}
	if got, want := xs[3].Data().([]int64), d.Train.Input(3).Data().([]int64); got[0] != want[3] || got[1] != want[0] {
		t.Errorf("gathered item ids %v", got)
	}
	if err := ds.GatherMulti(idx, xs, []*tensor.Dense{tensor.New(tensor.WithShape(2, 9), tensor.Of(tensor.Float32))}); err == nil {
		t.Error("target destination of the wrong size: no error")
	}
}

// TestTwoTowerBeatsPopularity trains the short version and requires exact
// top-k retrieval from the towers to beat the most-popular recommender
// clearly, and the log q correction to beat the uncorrected loss.
func TestTwoTowerBeatsPopularity(t *testing.T) {
	d := newShortData(t)
	res, err := zoo.RunTwoTower(context.Background(), d, zoo.TwoTowerConfig{}, shortTwoTower)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d epochs in %.2fs\n train %v\n test %v\n extra %v", res.Epochs, res.Seconds, res.Train, res.Test, res.Extra)
	keys := []string{"loss", "recall_at_10", "recall_at_50", "ndcg_at_10", "ndcg_at_50"}
	for _, m := range []map[string]float64{res.Train, res.Test} {
		if len(m) != len(keys) {
			t.Errorf("logs %v, want %v", m, keys)
		}
		for _, k := range keys {
			if v, ok := m[k]; !ok || math.IsNaN(v) || v < 0 {
				t.Errorf("%s = %v (present %v)", k, v, ok)
			}
		}
	}
	for _, k := range keys[1:] {
		for _, who := range []string{"popularity_", "oracle_"} {
			if _, ok := res.Extra[who+k]; !ok {
				t.Errorf("extra has no %s%s", who, k)
			}
		}
	}
	pop := func(k string) float64 { return res.Extra["popularity_"+k] }
	if r, p := res.Test["recall_at_10"], pop("recall_at_10"); r < 1.5*p || r < p+0.1 {
		t.Errorf("recall@10 %.3f does not beat most popular %.3f clearly", r, p)
	}
	if n, p := res.Test["ndcg_at_10"], pop("ndcg_at_10"); n < 1.5*p {
		t.Errorf("ndcg@10 %.3f does not beat most popular %.3f clearly", n, p)
	}
	if r, p := res.Test["recall_at_50"], pop("recall_at_50"); r < p+0.1 {
		t.Errorf("recall@50 %.3f does not beat most popular %.3f clearly", r, p)
	}
	if r, o := res.Test["recall_at_10"], res.Extra["oracle_recall_at_10"]; r > o+0.05 {
		t.Errorf("recall@10 %.3f above the true model's %.3f: the evaluation is suspect", r, o)
	}
	if res.Model != "two-tower" || res.Epochs != shortTwoTower.Epochs || res.Trainer == nil || res.TestMulti != d.Test {
		t.Errorf("result %q epochs %d trainer %v", res.Model, res.Epochs, res.Trainer)
	}
	if testing.Short() {
		return
	}
	// Without the correction popular items are over-penalized as negatives.
	plain, err := zoo.RunTwoTower(context.Background(), d, zoo.TwoTowerConfig{NoLogQ: true}, shortTwoTower)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("without log q: test %v", plain.Test)
	if r, p := res.Test["recall_at_10"], plain.Test["recall_at_10"]; r < p+0.05 {
		t.Errorf("recall@10 with log q %.3f, without %.3f: want the correction 0.05 ahead", r, p)
	}
}

// The towers, used alone after training, give unit vectors whose dot
// products are the scores of the training model; the same seed gives the
// same result; a saved model loads back with UnitNormalizationFactory.
func TestTwoTowerTowersAndDeterminism(t *testing.T) {
	if testing.Short() {
		t.Skip("trains twice")
	}
	d := newShortData(t)
	s := zoo.Settings{Epochs: 1, BatchSize: 128, Seed: 3}
	cfg := zoo.TwoTowerConfig{Dim: 8, Hidden: 16}
	a, err := zoo.RunTwoTower(context.Background(), d, cfg, s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := zoo.RunTwoTower(context.Background(), d, cfg, s)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Test, b.Test) || !reflect.DeepEqual(a.Train, b.Train) {
		t.Errorf("same seed, different results:\n%v\n%v", a.Test, b.Test)
	}

	// Rebuild the towers around the trained weights: the trainer's model is
	// the training model, whose layers "user_tower" and "item_tower" are the
	// towers.
	model := a.Trainer.Model()
	var user, item layers.Model
	for _, l := range model.Layers() {
		switch l.Name() {
		case "user_tower":
			user, _ = l.(layers.Model)
		case "item_tower":
			item, _ = l.(layers.Model)
		}
	}
	if user == nil || item == nil {
		t.Fatalf("no towers among %d layers", len(model.Layers()))
	}
	m := &zoo.TwoTower{User: user.(*layers.Functional), Item: item.(*layers.Functional), Model: model.(*layers.Functional), Config: cfg}
	ue, err := m.UserEmbeddings(d.Users)
	if err != nil {
		t.Fatal(err)
	}
	ie, err := m.ItemEmbeddings(d.Catalogue)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ue.Shape(), tensor.Shape{600, 8}) || !reflect.DeepEqual(ie.Shape(), tensor.Shape{400, 8}) {
		t.Fatalf("embedding shapes %v %v", ue.Shape(), ie.Shape())
	}
	for _, e := range []*tensor.Dense{ue, ie} {
		x := e.Data().([]float32)
		for r := 0; r < e.Shape()[0]; r++ {
			var ss float64
			for _, v := range x[r*8 : (r+1)*8] {
				ss += float64(v) * float64(v)
			}
			if math.Abs(ss-1) > 1e-5 {
				t.Fatalf("row %d has squared norm %v", r, ss)
			}
		}
	}
	// The training model's output on the first test pairs is [u, v, log q].
	idx := []int{0, 1, 2}
	x := map[string]*tensor.Dense{}
	for i, sp := range d.Test.Inputs() {
		dst := tensor.New(tensor.Of(sp.DType), tensor.WithShape(len(idx), 1))
		if err := datasets.GatherInputMulti(d.Test, idx, i, dst); err != nil {
			t.Fatal(err)
		}
		x[sp.Name] = dst
	}
	out, err := trainers.PredictNamed(model, x)
	if err != nil {
		t.Fatal(err)
	}
	uvq := out[zoo.TwoTowerOutput].Data().([]float32)
	uid, iid := x["user_id"].Data().([]int64), x["item_id"].Data().([]int64)
	for r := range idx {
		row := uvq[r*17 : (r+1)*17]
		for j := 0; j < 8; j++ {
			if math.Abs(float64(row[j]-ue.Data().([]float32)[int(uid[r])*8+j])) > 1e-6 ||
				math.Abs(float64(row[8+j]-ie.Data().([]float32)[int(iid[r])*8+j])) > 1e-6 {
				t.Fatalf("pair %d: training output %v differs from the towers", r, row)
			}
		}
		if row[16] != x["item_log_q"].Data().([]float32)[r] {
			t.Fatalf("pair %d: log q %v, want %v", r, row[16], x["item_log_q"].Data().([]float32)[r])
		}
	}

	var buf bytes.Buffer
	if err := model.SaveTo(&buf); err != nil {
		t.Fatal(err)
	}
	saved := buf.Bytes()
	if _, err := layers.LoadFrom(bytes.NewReader(saved)); err == nil || !strings.Contains(err.Error(), "UnitNormalization") {
		t.Errorf("load without the factory: %v", err)
	}
	back, err := layers.LoadFrom(bytes.NewReader(saved), layers.WithCustomLayer("UnitNormalization", zoo.UnitNormalizationFactory))
	if err != nil {
		t.Fatal(err)
	}
	out2, err := trainers.PredictNamed(back, x)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out2[zoo.TwoTowerOutput].Data(), out[zoo.TwoTowerOutput].Data()) {
		t.Error("the loaded model predicts differently")
	}
}

func TestTwoTowerRecipe(t *testing.T) {
	r, err := zoo.Find("two-tower")
	if err != nil {
		t.Fatal(err)
	}
	if r.Defaults.Epochs <= 0 || r.Defaults.BatchSize <= 0 || r.Defaults.LR <= 0 || r.Defaults.Seed == 0 || r.Expected == "" {
		t.Errorf("recipe %+v", r)
	}
	if _, err := r.Run(context.Background(), zoo.Settings{Epochs: -1}); err == nil {
		t.Error("negative epochs: no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Run(ctx, zoo.Settings{}); err == nil {
		t.Error("cancelled context: no error")
	}
}
