package datasets

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// clickLog is ClickLog that fails t on error.
func clickLog(t *testing.T, n int, seed int64, opts ...ClickOption) *ClickLogData {
	t.Helper()
	d, err := ClickLog(n, seed, opts...)
	if err != nil {
		t.Fatalf("ClickLog(%d, %d): %v", n, seed, err)
	}
	return d
}

func TestClickLogLayout(t *testing.T) {
	d := clickLog(t, 2000, 1)
	wantFields := []ClickField{
		{Name: "user_id", Kind: ClickCategorical, Vocab: 100000, Len: 1, Zipf: 1.2},
		{Name: "item_id", Kind: ClickCategorical, Vocab: 50000, Len: 1, Zipf: 1.2},
		{Name: "site_id", Kind: ClickCategorical, Vocab: 5000, Len: 1, Zipf: 1.2},
		{Name: "category", Kind: ClickCategorical, Vocab: 300, Len: 1, Zipf: 1.2},
		{Name: "device", Kind: ClickCategorical, Vocab: 12, Len: 1, Zipf: 1.2},
		{Name: "genres", Kind: ClickBag, Vocab: 64, Len: 6, Zipf: 1.2},
		{Name: "numeric", Kind: ClickNumeric, Len: 3},
	}
	if !reflect.DeepEqual(d.Fields, wantFields) {
		t.Fatalf("Fields = %+v\nwant %+v", d.Fields, wantFields)
	}
	ins := d.Data.Inputs()
	if len(ins) != len(wantFields) {
		t.Fatalf("%d inputs, want %d", len(ins), len(wantFields))
	}
	for i, s := range ins {
		f := wantFields[i]
		dt := tensor.Int64
		if f.Kind == ClickNumeric {
			dt = tensor.Float32
		}
		if s.Name != f.Name || !reflect.DeepEqual(s.Shape, []int{f.Len}) || s.DType != dt {
			t.Errorf("input %d = %+v, want %s [%d] %v", i, s, f.Name, f.Len, dt)
		}
	}
	if outs := d.Data.Targets(); len(outs) != 1 || outs[0].Name != "click" || !reflect.DeepEqual(outs[0].Shape, []int{1}) || outs[0].DType != tensor.Float32 {
		t.Errorf("targets = %+v", outs)
	}
	if d.Len() != 2000 || d.Data.Len() != 2000 || len(d.P) != 2000 || len(d.Logit) != 2000 || len(d.Clicks) != 2000 {
		t.Fatalf("lengths: %d %d %d %d %d", d.Len(), d.Data.Len(), len(d.P), len(d.Logit), len(d.Clicks))
	}
	if got := d.Data.Target(0).Data().([]float32); &got[0] != &d.Clicks[0] {
		t.Error("Clicks is not shared with the target")
	}
	for f := 0; f < 5; f++ {
		for i, id := range d.Data.Input(f).Data().([]int64) {
			if id < 0 || id >= int64(wantFields[f].Vocab) {
				t.Fatalf("%s of row %d is %d, out of [0, %d)", wantFields[f].Name, i, id, wantFields[f].Vocab)
			}
		}
	}
	bags := d.Data.Input(5).Data().([]int64)
	sizes := map[int]int{}
	for i := 0; i < d.Len(); i++ {
		bag := bags[i*6 : (i+1)*6]
		size := 0
		for size < 6 && bag[size] != ClickPadding {
			size++
		}
		sizes[size]++
		seen := map[int64]bool{}
		for j, id := range bag {
			switch {
			case j >= size && id != ClickPadding:
				t.Fatalf("bag of row %d = %v: id after padding", i, bag)
			case j < size && (id < 1 || id >= 64 || seen[id]):
				t.Fatalf("bag of row %d = %v: id %d repeated or out of [1, 64)", i, bag, id)
			}
			seen[id] = true
		}
	}
	if sizes[0] != 0 || sizes[1] == 0 || sizes[6] == 0 {
		t.Errorf("bag sizes %v: want 1 to 6, each present", sizes)
	}
	for i, x := range d.Data.Input(6).Data().([]float32) {
		if math.IsNaN(float64(x)) || math.Abs(float64(x)) > 7 {
			t.Fatalf("numeric value %d = %v", i, x)
		}
	}
	for i, p := range d.P {
		if p != sigmoid(d.Logit[i]) || !(p > 0 && p < 1) {
			t.Fatalf("P[%d] = %v, Logit %v", i, p, d.Logit[i])
		}
		if c := d.Clicks[i]; c != 0 && c != 1 {
			t.Fatalf("click %d = %v", i, c)
		}
	}
	if len(d.Crosses) != 4 {
		t.Fatalf("Crosses = %v", d.Crosses)
	}
	for _, c := range d.Crosses {
		if c.FieldA == c.FieldB || c.IDA < 0 || c.IDA >= 5 || c.IDB < 0 || c.IDB >= 5 || math.Abs(c.Weight) != 2 {
			t.Errorf("cross %+v", c)
		}
	}
}

// TestClickLogEval recomputes the logit of some rows from the model's
// parameters, as documented.
func TestClickLogEval(t *testing.T) {
	c := newClickConfig(nil)
	c.modelSeed = 5
	m := newClickModel(c)
	d := clickLog(t, 50, 5)
	if d.Bias != m.bias {
		t.Fatalf("Bias %v, model %v", d.Bias, m.bias)
	}
	k := m.k
	vec := func(f int, id int64) []float64 { return m.v[f][int(id)*k : int(id+1)*k] }
	for i := 0; i < d.Len(); i++ {
		z := d.Bias
		var vs [][]float64
		for f := 0; f < 5; f++ {
			id := d.ids[f][i]
			z += m.w[f][id]
			vs = append(vs, vec(f, id))
		}
		mean := make([]float64, k)
		wb, size := 0.0, 0
		for _, id := range d.bag[i*6 : (i+1)*6] {
			if id == 0 {
				continue
			}
			size++
			wb += m.w[5][id]
			for l, x := range vec(5, id) {
				mean[l] += x
			}
		}
		for l := range mean {
			mean[l] /= float64(size)
		}
		z += wb / float64(size)
		vs = append(vs, mean)
		for a := range vs {
			for b := a + 1; b < len(vs); b++ {
				z += dot(vs[a], vs[b])
			}
		}
		for _, cr := range m.crosses {
			if d.ids[cr.fa][i] == cr.a && d.ids[cr.fb][i] == cr.b {
				z += cr.weight
			}
		}
		x := d.num[i*3 : (i+1)*3]
		x0, x1, x2 := float64(x[0]), float64(x[1]), float64(x[2])
		z += 0.6 / 2 * (math.Sin(2*x0)/math.Sqrt((1-math.Exp(-8))/2) + (x1*x1-1)/math.Sqrt2 + x2 + x0*x1)
		if math.Abs(z-d.Logit[i]) > 1e-9 {
			t.Errorf("row %d: logit %v, recomputed %v", i, d.Logit[i], z)
		}
	}
}

func TestClickLogDeterministic(t *testing.T) {
	a := clickLog(t, 3000, 7)
	b := clickLog(t, 3000, 7)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different logs")
	}
	// A shorter log is a prefix.
	p := clickLog(t, 1000, 7)
	for f := range p.ids {
		if !reflect.DeepEqual(p.ids[f], a.ids[f][:1000]) {
			t.Fatalf("field %d of ClickLog(1000) is not a prefix of ClickLog(3000)", f)
		}
	}
	if !reflect.DeepEqual(p.bag, a.bag[:6000]) || !reflect.DeepEqual(p.num, a.num[:3000]) ||
		!reflect.DeepEqual(p.Clicks, a.Clicks[:1000]) || !reflect.DeepEqual(p.P, a.P[:1000]) {
		t.Fatal("ClickLog(1000) is not a prefix of ClickLog(3000)")
	}
	// Another seed: another model and other rows.
	c := clickLog(t, 3000, 8)
	if c.Bias == a.Bias || reflect.DeepEqual(c.ids[0], a.ids[0]) {
		t.Error("seeds 7 and 8 give the same model or rows")
	}
	// The same model seed: the same model, other rows.
	e := clickLog(t, 3000, 8, ClickModelSeed(7))
	if e.Bias != a.Bias || !reflect.DeepEqual(e.Crosses, a.Crosses) || e.PartStd != a.PartStd {
		t.Error("ClickModelSeed(7) does not give seed 7's model")
	}
	if reflect.DeepEqual(e.ids[0], a.ids[0]) || !reflect.DeepEqual(e.ids[0], c.ids[0]) {
		t.Error("rows do not follow the seed")
	}
	// ClickModelSeed equal to the seed is the default.
	if f := clickLog(t, 3000, 7, ClickModelSeed(7)); !reflect.DeepEqual(f, a) {
		t.Error("ClickModelSeed(seed) differs from the default")
	}
}

// TestClickLogZipf checks the frequencies of the ids against the Zipf law.
func TestClickLogZipf(t *testing.T) {
	const n = 100000
	d := clickLog(t, n, 3)
	// device: 12 ids, probabilities (r+1)^-1.2 / H; each count within 4
	// standard deviations.
	counts := make([]float64, 12)
	for _, id := range d.ids[4] {
		counts[id]++
	}
	h := 0.0
	for r := 1; r <= 12; r++ {
		h += math.Pow(float64(r), -1.2)
	}
	for r, c := range counts {
		p := math.Pow(float64(r+1), -1.2) / h
		if sd := math.Sqrt(n * p * (1 - p)); math.Abs(c-n*p) > 4*sd {
			t.Errorf("device id %d: %v rows, want %.0f ± %.0f", r, c, n*p, 4*sd)
		}
	}
	// user_id: the slope of log(count) on log(rank+1) over the 30 most
	// frequent ids is -1.2, and they are ids 0..29 in order of frequency
	// (up to noise: ids 0..9 strictly).
	counts = make([]float64, 100000)
	for _, id := range d.ids[0] {
		counts[id]++
	}
	var sx, sy, sxx, sxy float64
	const top = 30
	for r := 0; r < top; r++ {
		x, y := math.Log(float64(r+1)), math.Log(counts[r])
		sx, sy, sxx, sxy = sx+x, sy+y, sxx+x*x, sxy+x*y
	}
	slope := (top*sxy - sx*sy) / (top*sxx - sx*sx)
	if math.Abs(slope+1.2) > 0.08 {
		t.Errorf("user_id log-log slope %.3f, want -1.2", slope)
	}
	for r := 1; r < 10; r++ {
		if counts[r] >= counts[r-1] {
			t.Errorf("user_id %d has %v rows, id %d %v", r, counts[r], r-1, counts[r-1])
		}
	}
	// A long tail: most ids are rare.
	seen, once := 0, 0
	for _, c := range counts {
		if c > 0 {
			seen++
		}
		if c == 1 {
			once++
		}
	}
	if seen < 10000 || once < seen/3 {
		t.Errorf("user_id: %d distinct ids, %d seen once", seen, once)
	}
}

func TestClickLogOptions(t *testing.T) {
	d := clickLog(t, 500, 2,
		ClickFields(ClickField{Name: "a", Vocab: 3}, ClickField{Name: "b", Vocab: 1000, Zipf: 1.5, Kind: "ignored", Len: 9}),
		ClickVocab("a", 4),
		ClickBagField("tags", 10, 3),
		ClickVocab("tags", 20),
		ClickNumericCount(1),
		ClickLatentDim(2),
		ClickCrosses(2, 1),
		ClickBaseRate(0.5),
		nil,
	)
	want := []ClickField{
		{Name: "a", Kind: ClickCategorical, Vocab: 4, Len: 1, Zipf: 1.2},
		{Name: "b", Kind: ClickCategorical, Vocab: 1000, Len: 1, Zipf: 1.5},
		{Name: "tags", Kind: ClickBag, Vocab: 20, Len: 3, Zipf: 1.2},
		{Name: "numeric", Kind: ClickNumeric, Len: 1},
	}
	if !reflect.DeepEqual(d.Fields, want) {
		t.Fatalf("Fields = %+v", d.Fields)
	}
	names := []string{}
	for _, s := range d.Data.Inputs() {
		names = append(names, s.Name)
	}
	if !reflect.DeepEqual(names, []string{"a", "b", "tags", "numeric"}) {
		t.Errorf("inputs %v", names)
	}
	if math.Abs(d.CTR-0.5) > 0.1 || len(d.Crosses) != 2 {
		t.Errorf("CTR %v, crosses %v", d.CTR, d.Crosses)
	}
	if !reflect.DeepEqual(d.CSVHeader(), []string{"a", "b", "tags", "numeric_0", "click"}) {
		t.Errorf("CSVHeader %v", d.CSVHeader())
	}

	// No effect at all: every p is the base rate, the AUC is 1/2 (all ties).
	flat := clickLog(t, 2000, 3, ClickMainEffects(0), ClickInteractions(0), ClickCrosses(0, 0), ClickNumericEffect(0), ClickBaseRate(0.3))
	for _, p := range flat.P {
		if math.Abs(p-0.3) > 1e-9 {
			t.Fatalf("p = %v, want 0.3", p)
		}
	}
	if flat.BayesAUC != 0.5 || flat.AdditiveAUC != 0.5 || flat.PartStd.Logit != 0 || len(flat.Crosses) != 0 {
		t.Errorf("flat model: AUC %v, additive %v, parts %+v", flat.BayesAUC, flat.AdditiveAUC, flat.PartStd)
	}

	// Main effects only: the additive projection is the logit.
	main := clickLog(t, 2000, 3, ClickInteractions(0), ClickCrosses(0, 0), ClickNumericEffect(0))
	if main.AdditiveAUC != main.BayesAUC {
		t.Errorf("main effects only: additive AUC %v, Bayes %v", main.AdditiveAUC, main.BayesAUC)
	}
	// Interactions only: the additive model falls well short.
	inter := clickLog(t, 20000, 3, ClickMainEffects(0), ClickCrosses(0, 0), ClickNumericEffect(0), ClickInteractions(1.5))
	if inter.AdditiveAUC > inter.BayesAUC-0.1 {
		t.Errorf("interactions only: additive AUC %v, Bayes %v", inter.AdditiveAUC, inter.BayesAUC)
	}
	// Numeric only: about 29% of the variance of g is linear, so the
	// additive AUC lies clearly below the Bayes AUC.
	num := clickLog(t, 20000, 3, ClickMainEffects(0), ClickCrosses(0, 0), ClickInteractions(0), ClickNumericEffect(1.5))
	if math.Abs(num.PartStd.Numeric-1.5) > 0.05 || num.AdditiveAUC > num.BayesAUC-0.1 {
		t.Errorf("numeric only: std %v, additive AUC %v, Bayes %v", num.PartStd.Numeric, num.AdditiveAUC, num.BayesAUC)
	}
}

func TestClickLogErrors(t *testing.T) {
	tests := []struct {
		n    int
		opts []ClickOption
		want string
	}{
		{0, nil, "n = 0"},
		{MaxClickRows + 1, nil, "want 1 to"},
		{10, []ClickOption{ClickFields()}, "0 fields"},
		{10, []ClickOption{ClickFields(ClickField{Name: "a", Vocab: 1})}, `field 0 "a": vocabulary 1`},
		{10, []ClickOption{ClickFields(ClickField{Name: "a", Vocab: MaxClickVocab + 1})}, "vocabulary 1000001"},
		{10, []ClickOption{ClickFields(ClickField{Name: "a", Vocab: 5, Zipf: 1})}, "Zipf exponent 1"},
		{10, []ClickOption{ClickFields(ClickField{Name: "a", Vocab: 5, Zipf: math.NaN()})}, "Zipf exponent NaN"},
		{10, []ClickOption{ClickFields(ClickField{Vocab: 5})}, "empty name"},
		{10, []ClickOption{ClickFields(ClickField{Name: "a", Vocab: 5}, ClickField{Name: "a", Vocab: 5})}, `name "a" is taken`},
		{10, []ClickOption{ClickFields(ClickField{Name: "numeric", Vocab: 5})}, `name "numeric" is taken`},
		{10, []ClickOption{ClickFields(ClickField{Name: "click", Vocab: 5})}, `name "click" is taken`},
		{10, []ClickOption{ClickFields(ClickField{Name: "numeric_2", Vocab: 5})}, `name "numeric_2" is taken`},
		{10, []ClickOption{ClickBagField("user_id", 10, 2)}, `bag: name "user_id" is taken`},
		{10, []ClickOption{ClickVocab("nope", 5)}, `ClickVocab: no field "nope"`},
		{10, []ClickOption{ClickBagField("g", 10, 0)}, "maxLen 0"},
		{10, []ClickOption{ClickBagField("g", 10, 65)}, "maxLen 65"},
		{10, []ClickOption{ClickBagField("g", 1, 2)}, "vocabulary 1"},
		{10, []ClickOption{ClickNumericCount(0)}, "numeric count 0"},
		{10, []ClickOption{ClickLatentDim(65)}, "latent dimension 65"},
		{10, []ClickOption{ClickLatentDim(64), ClickVocab("user_id", MaxClickVocab), ClickVocab("item_id", MaxClickVocab)}, "parameters"},
		{10, []ClickOption{ClickCrosses(65, 1)}, "number of crosses 65"},
		{10, []ClickOption{ClickCrosses(1, 1), ClickFields(ClickField{Name: "a", Vocab: 5})}, "at least 2 single-id fields"},
		{10, []ClickOption{ClickMainEffects(-1)}, "main effects -1"},
		{10, []ClickOption{ClickInteractions(math.Inf(1))}, "interactions +Inf"},
		{10, []ClickOption{ClickCrosses(1, math.NaN())}, "cross weight NaN"},
		{10, []ClickOption{ClickNumericEffect(-0.5)}, "numeric effect -0.5"},
		{10, []ClickOption{ClickBaseRate(0)}, "base rate 0"},
		{10, []ClickOption{ClickBaseRate(1)}, "base rate 1"},
	}
	for _, tc := range tests {
		_, err := ClickLog(tc.n, 1, tc.opts...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "datasets.ClickLog: ") {
			t.Errorf("ClickLog(%d, ...): error %v, want one containing %q", tc.n, err, tc.want)
		}
	}
	// One field and no crosses is fine.
	clickLog(t, 10, 1, ClickCrosses(0, 1), ClickFields(ClickField{Name: "a", Vocab: 2}))

	var nilLog *ClickLogData
	if err := nilLog.WriteCSV(&bytes.Buffer{}); err == nil {
		t.Error("nil WriteCSV: no error")
	}
	if _, _, err := nilLog.Split(0.5, 1); err == nil {
		t.Error("nil Split: no error")
	}
	if nilLog.CSVHeader() != nil || (&ClickLogData{}).CSVHeader() != nil {
		t.Error("nil CSVHeader")
	}
	if err := (&ClickLogData{}).WriteCSV(&bytes.Buffer{}); err == nil {
		t.Error("zero WriteCSV: no error")
	}
	if _, _, err := (&ClickLogData{}).Split(0.5, 1); err == nil {
		t.Error("zero Split: no error")
	}
	d := clickLog(t, 10, 1)
	if err := d.WriteCSV(nil); err == nil {
		t.Error("nil writer: no error")
	}
	if err := d.WriteCSV(failWriter{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("failing writer: %v", err)
	}
	for _, f := range []float64{0, 1, -0.1, math.NaN(), 0.99} {
		if _, _, err := d.Split(f, 1); err == nil {
			t.Errorf("Split(%v): no error", f)
		}
	}
	for _, s := range []string{"", "1|x", "1||2", "-1", "1|-2"} {
		if _, err := ParseClickBag(s); err == nil {
			t.Errorf("ParseClickBag(%q): no error", s)
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
