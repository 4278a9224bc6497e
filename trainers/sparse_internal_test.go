package trainers

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"gorgonia.org/tensor"
)

func rowGrad(t *testing.T, v int, rows []int, vals ...float32) *graph.RowGrad {
	t.Helper()
	r, err := graph.NewRowGrad(v, rows, tensor.New(tensor.WithShape(len(rows), len(vals)/len(rows)), tensor.WithBacking(vals)))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func table32(name string, v, d int, seed int64) *graph.Param {
	rng := rand.New(rand.NewSource(seed))
	data := make([]float32, v*d)
	for i := range data {
		data[i] = float32(rng.NormFloat64())
	}
	return &graph.Param{Name: name, Value: tensor.New(tensor.WithShape(v, d), tensor.WithBacking(data)), Trainable: true}
}

// TestLazyStateHoldsTouchedRowsOnly: Adam by rows on a table of 1,000,000 rows
// keeps state for the rows touched only (in one chunk), no dense state, and
// leaves the other rows alone.
func TestLazyStateHoldsTouchedRowsOnly(t *testing.T) {
	p := table32("big", 1000000, 2, 1)
	before := append([]float32(nil), p.Value.Data().([]float32)...)
	opt := Adam(0.1).(*adam)
	for step := 0; step < 3; step++ {
		r := rowGrad(t, 1000000, []int{999999, 7, step}, 1, 2, 3, 4, 5, 6)
		if err := opt.StepSparse([]*graph.Param{p}, []*tensor.Dense{nil}, []*graph.RowGrad{r}); err != nil {
			t.Fatal(err)
		}
	}
	if opt.state[0] != nil {
		t.Fatal("dense state was allocated for a table updated by rows")
	}
	st := opt.rows[0].(*rowStore[float32])
	if len(st.rows) != 5 || st.nslots != 2 || len(st.chunks[0]) != 1 || len(st.chunks[0][0]) != chunkElems {
		t.Fatalf("store holds %d rows, %d slots, %d chunks of %d values; want 5 rows (0 1 2 7 999999), 2 slots, 1 chunk of %d",
			len(st.rows), st.nslots, len(st.chunks[0]), len(st.chunks[0][0]), chunkElems)
	}
	after := p.Value.Data().([]float32)
	touched := map[int]bool{0: true, 1: true, 2: true, 7: true, 999999: true}
	for i := range after {
		if touched[i/2] == (after[i] == before[i]) {
			t.Fatalf("row %d: touched %v, changed %v", i/2, touched[i/2], after[i] != before[i])
		}
	}
}

// TestLazyAdamIsSparseAdam: a row touched at steps 1 and 3, absent at step 2,
// follows PyTorch's SparseAdam (its moments and weights do not move at step 2;
// bias corrections use the global step 3 at step 3).
func TestLazyAdamIsSparseAdam(t *testing.T) {
	p := table32("t", 4, 1, 2)
	w0 := float64(p.Value.Data().([]float32)[1])
	opt := Adam(0.1, Epsilon(1e-8)).(*adam)
	g := []float64{0.5, 0, -0.25}
	w, m, v := w0, 0.0, 0.0
	for step, gi := range g {
		var r *graph.RowGrad
		if gi != 0 {
			r = rowGrad(t, 4, []int{1}, float32(gi))
			tt := float64(step + 1)
			m += 0.1 * (gi - m)
			v += 0.001 * (gi*gi - v)
			w -= 0.1 * math.Sqrt(1-math.Pow(0.999, tt)) / (1 - math.Pow(0.9, tt)) * m / (math.Sqrt(v) + 1e-8)
		} else {
			r = rowGrad(t, 4, []int{3}, 1)
		}
		if err := opt.StepSparse([]*graph.Param{p}, []*tensor.Dense{nil}, []*graph.RowGrad{r}); err != nil {
			t.Fatal(err)
		}
		if got := float64(p.Value.Data().([]float32)[1]); math.Abs(got-w) > 1e-6 {
			t.Fatalf("step %d: w = %v, want %v", step+1, got, w)
		}
	}
}

// TestSGDRowsEqualDense: SGD by rows and SGD on the dense gradient give the same
// weights bit for bit.
func TestSGDRowsEqualDense(t *testing.T) {
	a, b := table32("a", 50, 3, 3), table32("b", 50, 3, 3)
	sa, sb := SGD(0.3), SGD(0.3)
	rng := rand.New(rand.NewSource(4))
	for step := 0; step < 5; step++ {
		rows := []int{rng.Intn(50), 50 - 1 - step}
		vals := make([]float32, 6)
		for i := range vals {
			vals[i] = float32(rng.NormFloat64())
		}
		r := rowGrad(t, 50, rows, vals...)
		dense := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(50, 3))
		if err := r.ToDense(dense); err != nil {
			t.Fatal(err)
		}
		if err := sa.(SparseOptimizer).StepSparse([]*graph.Param{a}, []*tensor.Dense{nil}, []*graph.RowGrad{r}); err != nil {
			t.Fatal(err)
		}
		if err := sb.Step([]*graph.Param{b}, []*tensor.Dense{dense}); err != nil {
			t.Fatal(err)
		}
	}
	ad, bd := a.Value.Data().([]float32), b.Value.Data().([]float32)
	for i := range ad {
		if ad[i] != bd[i] {
			t.Fatalf("value %d: %v by rows, %v dense", i, ad[i], bd[i])
		}
	}
}

// TestRowStateConverts: a lazy store becomes dense state (touched rows kept,
// others at the initial accumulator) when the parameter gets a dense gradient,
// and dense state is used in place by rows.
func TestRowStateConverts(t *testing.T) {
	p := table32("t", 6, 2, 5)
	opt := AdaGrad(0.1, InitialAccumulator(0.5)).(*adagrad)
	step := func(dense *tensor.Dense, r *graph.RowGrad) {
		t.Helper()
		if err := opt.StepSparse([]*graph.Param{p}, []*tensor.Dense{dense}, []*graph.RowGrad{r}); err != nil {
			t.Fatal(err)
		}
	}
	step(nil, rowGrad(t, 6, []int{4}, 1, 2))
	step(tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(6, 2)), nil)
	if opt.rows[0] != nil || opt.state[0] == nil {
		t.Fatal("the dense gradient did not make the state dense")
	}
	acc := opt.state[0][0].Data().([]float32)
	if acc[8] != 1.5 || acc[9] != 4.5 || acc[0] != 0.5 {
		t.Fatalf("accumulator %v: want row 4 = (1.5, 4.5), others 0.5", acc)
	}
	step(nil, rowGrad(t, 6, []int{0}, 1, 1))
	if acc[0] != 1.5 || opt.rows[0].(*rowStore[float32]).lazy() {
		t.Fatalf("dense state not updated in place by rows: %v", acc)
	}
}

// TestTrainProgramByRows: a training program computes a row gradient for the
// Embedding table and dense gradients for the rest; WithDenseEmbeddingUpdates and
// an optimizer without StepSparse turn it off.
func TestTrainProgramByRows(t *testing.T) {
	build := func(opts ...Option) *program {
		ids := layers.NewInput("ids", layers.Shape(2), layers.Int64)
		e := layers.Flatten().Apply(layers.Embedding(100, 3).Apply(ids))
		out := layers.Dense(1, layers.WithName("out")).Apply(e)
		m, err := layers.NewModel([]*layers.Tensor{ids}, []*layers.Tensor{out})
		if err != nil {
			t.Fatal(err)
		}
		tr, err := New(m, append([]Option{WithLoss("mse"), WithOutput(&bytes.Buffer{})}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		p, err := tr.program(trainProgram, 4, 0)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := build()
	if p.gradients == nil || p.grads[0] != nil || p.grads[1] == nil || p.params[0].Name != "embedding/embeddings" {
		t.Fatalf("program by rows: gradients %v, grads %v", p.gradients, p.grads)
	}
	copy(p.xs[0].Data().([]int64), []int64{3, 3, 9, 0, 0, 3, 42, 41})
	if err := p.run(nil); err != nil {
		t.Fatal(err)
	}
	if r := p.rowGrads[0]; len(r.Rows) != 5 || r.Values.Shape()[0] != 5 {
		t.Fatalf("row gradient rows %v", r.Rows)
	}
	if p := build(WithDenseEmbeddingUpdates()); p.gradients != nil || p.grads[0] == nil {
		t.Fatal("WithDenseEmbeddingUpdates still updates by rows")
	}
	if p := build(WithOptimizer(denseOnly{SGD(0.1)})); p.gradients != nil {
		t.Fatal("an optimizer without StepSparse got row gradients")
	}
}

// denseOnly hides StepSparse.
type denseOnly struct{ Optimizer }

// TestRowStateFileChecks: a saved row state that does not fit is refused.
func TestRowStateFileChecks(t *testing.T) {
	p := table32("t", 10, 2, 6)
	names := map[*graph.Param]string{p: "emb/embeddings"}
	opt := Adam(0.1)
	if err := opt.(SparseOptimizer).StepSparse([]*graph.Param{p}, []*tensor.Dense{nil}, []*graph.RowGrad{rowGrad(t, 10, []int{3, 8}, 1, 2, 3, 4)}); err != nil {
		t.Fatal(err)
	}
	st, tensors, err := exportOptimizer(opt, []*graph.Param{p}, names)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(st.RowState); string(b) != `[{"param":"emb/embeddings","rows":2,"slots":2}]` {
		t.Fatalf("row state %s", b)
	}
	if _, err := importOptimizer(st, tensors, []*graph.Param{p}, names); err != nil {
		t.Fatal(err)
	}
	bad := map[string]func(m map[string]*tensor.Dense){
		"row out of range": func(m map[string]*tensor.Dense) {
			m[rowsName("emb/embeddings")] = tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{3, 10}))
		},
		"row twice": func(m map[string]*tensor.Dense) {
			m[rowsName("emb/embeddings")] = tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{3, 3}))
		},
		"slot shape": func(m map[string]*tensor.Dense) {
			m[slotName("emb/embeddings", 1)] = tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(make([]float32, 6)))
		},
		"no slot": func(m map[string]*tensor.Dense) { delete(m, slotName("emb/embeddings", 0)) },
	}
	for name, spoil := range bad {
		m := map[string]*tensor.Dense{}
		for k, v := range tensors {
			m[k] = v
		}
		spoil(m)
		if _, err := importOptimizer(st, m, []*graph.Param{p}, names); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestLazyStoreEqualsDenseState: Adam and SGD with momentum by rows give the same
// weights bit for bit whether the state is a lazy store (here switching from a map
// index to a flat one as rows are touched) or dense state used in place.
func TestLazyStoreEqualsDenseState(t *testing.T) {
	for _, mk := range []func() Optimizer{
		func() Optimizer { return Adam(0.01, AMSGrad()) },
		func() Optimizer { return SGD(0.1, Momentum(0.9)) },
		func() Optimizer { return AdaGrad(0.1) },
	} {
		const v = 2048
		a, b := table32("a", v, 3, 7), table32("b", v, 3, 7)
		oa, ob := mk(), mk()
		bb := ob.(stateful).base()
		init := 0.0
		if ob.Name() == "adagrad" {
			init = bb.cfg.initialAccumulator
		}
		bb.state = [][]*tensor.Dense{newDenseState(b, bb.slots, init)}
		bb.rows = []any{nil}
		rng := rand.New(rand.NewSource(8))
		for step := 0; step < 12; step++ {
			perm := rng.Perm(v)[:100]
			vals := make([]float32, 300)
			for i := range vals {
				vals[i] = float32(rng.NormFloat64())
			}
			for _, o := range []struct {
				opt Optimizer
				p   *graph.Param
			}{{oa, a}, {ob, b}} {
				r := rowGrad(t, v, perm, append([]float32(nil), vals...)...)
				if err := o.opt.(SparseOptimizer).StepSparse([]*graph.Param{o.p}, []*tensor.Dense{nil}, []*graph.RowGrad{r}); err != nil {
					t.Fatal(err)
				}
			}
		}
		st := oa.(stateful).base().rows[0].(*rowStore[float32])
		if st.index == nil || st.small != nil || !st.lazy() {
			t.Fatalf("%s: the store did not switch to a flat index after %d rows", oa.Name(), len(st.rows))
		}
		ad, bd := a.Value.Data().([]float32), b.Value.Data().([]float32)
		for i := range ad {
			if ad[i] != bd[i] {
				t.Fatalf("%s: value %d: %v with a lazy store, %v with dense state", oa.Name(), i, ad[i], bd[i])
			}
		}
	}
}

// TestLoadOldFileTrainsDensely: a trainer file written before updates by rows
// existed (no "embedding_updates" in its training state) resumes densely, as it
// was trained; WithSparseEmbeddingUpdates overrides it.
func TestLoadOldFileTrainsDensely(t *testing.T) {
	ids := layers.NewInput("ids", layers.Shape(1), layers.Int64)
	out := layers.Dense(1, layers.WithName("out")).Apply(layers.Flatten().Apply(layers.Embedding(10, 2).Apply(ids)))
	m, err := layers.NewModel([]*layers.Tensor{ids}, []*layers.Tensor{out})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := New(m, WithLoss("mse"), WithOutput(&bytes.Buffer{}))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tr.SaveTo(&buf); err != nil {
		t.Fatal(err)
	}
	model, extra, err := layers.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]json.RawMessage
	if err := json.Unmarshal([]byte(extra.Metadata[metaTraining]), &st); err != nil {
		t.Fatal(err)
	}
	if string(st["embedding_updates"]) != `"rows"` {
		t.Fatalf("embedding_updates %s, want \"rows\"", st["embedding_updates"])
	}
	delete(st, "embedding_updates")
	raw, _ := json.Marshal(st)
	extra.Metadata[metaTraining] = string(raw)
	meta := map[string]string{metaTraining: string(raw)}
	var old bytes.Buffer
	if err := layers.Encode(&old, model, &layers.Extra{Tensors: extra.Tensors, Metadata: meta}); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadFrom(bytes.NewReader(old.Bytes()), WithOutput(&bytes.Buffer{}))
	if err != nil {
		t.Fatal(err)
	}
	if loaded.SparseEmbeddingUpdates() {
		t.Error("a file from before updates by rows loads with them on")
	}
	again, err := LoadFrom(bytes.NewReader(old.Bytes()), WithOutput(&bytes.Buffer{}), WithSparseEmbeddingUpdates())
	if err != nil {
		t.Fatal(err)
	}
	if !again.SparseEmbeddingUpdates() {
		t.Error("WithSparseEmbeddingUpdates at Load left updates by rows off")
	}
}
