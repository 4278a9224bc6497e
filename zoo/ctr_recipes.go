package zoo

import (
	"strconv"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// The click log of the CTR recipes: ctrRows rows of datasets.ClickLog with the
// vocabularies below (smaller than ClickLog's defaults, so that a model trained
// for a minute on two cores sees most ids often enough to get near the Bayes
// AUC), split 80/20.
const ctrRows = 1_000_000

// ctrVocab are the categorical fields' vocabularies of the CTR recipes.
var ctrVocab = []struct {
	name  string
	vocab int
}{{"user_id", 500}, {"item_id", 300}, {"site_id", 100}, {"category", 30}, {"device", 12}}

// ctrRecipes are the click-through-rate recipes (Wide&Deep, DeepFM, DCN-v2), and
// logistic regression and an MLP on the same data for comparison.
func ctrRecipes() []Recipe { return ctrRecipesRows(ctrRows) }

// ctrRecipesRows are ctrRecipes on a click log of rows rows (the short tests use
// fewer).
func ctrRecipesRows(rows int) []Recipe {
	return []Recipe{
		ctrRecipe("ctr-logistic", "logistic regression on ids, bag and numerics", rows, func(f CTRFeatures) (*layers.Functional, error) { return LogisticCTR(f) }),
		ctrRecipe("ctr-mlp", "MLP over 16-d field embeddings and numerics (128-64)", rows, func(f CTRFeatures) (*layers.Functional, error) { return MLPCTR(f) }),
		ctrRecipe("widedeep", "Wide & Deep: linear ids and crosses + MLP over 16-d embeddings", rows, func(f CTRFeatures) (*layers.Functional, error) { return WideDeep(f) }),
		ctrRecipe("deepfm", "DeepFM: first order + FM over 16-d embeddings + MLP (128-64)", rows, func(f CTRFeatures) (*layers.Functional, error) { return DeepFM(f) }),
		ctrRecipe("dcn", "DCN-v2: 3 full-rank cross layers over 16-d embeddings and numerics + MLP (128-64)", rows, func(f CTRFeatures) (*layers.Functional, error) { return DCN(f) }),
	}
}

// ctrRecipe trains build's model on the click log with binary cross-entropy and
// AUC; Extra reports the test rows' Bayes-optimal AUC and log loss (the labels'
// generating probabilities are known) and the parameter count.
func ctrRecipe(name, what string, rows int, build func(CTRFeatures) (*layers.Functional, error)) Recipe {
	data := ctrData{rows: rows}
	return newRecipe(name,
		what+" on a synthetic click log ("+strconv.Itoa(rows)+" rows, 5 Zipf id fields, a bag, 3 numerics, FM-type interactions; datasets.ClickLog)",
		"test AUC near the Bayes AUC reported beside it (deepfm and dcn within 0.01)",
		Settings{Epochs: 4, BatchSize: 256, LR: 0.002, Seed: 42},
		spec{
			multi: data.split,
			model: func() (layers.Model, error) {
				if data.features == nil {
					return nil, errors.New("ctr: the data is not loaded")
				}
				return build(*data.features)
			},
			loss:      "binary_crossentropy",
			metrics:   []string{"auc"},
			optimizer: adamCosine,
			extra: func(m layers.Model, _ datasets.Multi) (map[string]float64, error) {
				params := 0
				for _, p := range m.Params() {
					params += p.Size()
				}
				return map[string]float64{"bayes_auc": data.test.BayesAUC, "bayes_loss": data.test.BayesLogLoss,
					"additive_auc": data.test.AdditiveAUC, "params": float64(params)}, nil
			},
		})
}

// ctrData is the click log of one recipe run.
type ctrData struct {
	rows        int
	train, test *datasets.ClickLogData
	features    *CTRFeatures
}

// split draws the click log (seed: the run's) and splits it.
func (d *ctrData) split(seed int64) (datasets.Multi, datasets.Multi, error) {
	opts := make([]datasets.ClickOption, 0, len(ctrVocab))
	for _, v := range ctrVocab {
		opts = append(opts, datasets.ClickVocab(v.name, v.vocab))
	}
	all, err := datasets.ClickLog(d.rows, seed, opts...)
	if err != nil {
		return nil, nil, err
	}
	if d.train, d.test, err = all.Split(testFraction, seed); err != nil {
		return nil, nil, err
	}
	f := clickFeatures(all)
	d.features = &f
	return d.train.Data, d.test.Data, nil
}

// clickFeatures describes a click log's inputs for the CTR builders, with the
// crosses of its model for the wide part.
func clickFeatures(d *datasets.ClickLogData) CTRFeatures {
	var f CTRFeatures
	for _, fl := range d.Fields {
		switch fl.Kind {
		case datasets.ClickCategorical:
			f.Fields = append(f.Fields, CTRField{Name: fl.Name, Vocab: fl.Vocab})
		case datasets.ClickBag:
			f.Bags = append(f.Bags, CTRBag{Name: fl.Name, Vocab: fl.Vocab, MaxLen: fl.Len})
		case datasets.ClickNumeric:
			f.Numeric, f.NumericWidth = fl.Name, fl.Len
		}
	}
	single := map[string]bool{}
	for _, fl := range f.Fields {
		single[fl.Name] = true
	}
	seen := map[[2]string]bool{}
	for _, c := range d.Crosses {
		p := [2]string{c.FieldA, c.FieldB}
		if !seen[p] && c.FieldA != c.FieldB && single[c.FieldA] && single[c.FieldB] {
			seen[p] = true
			f.Crosses = append(f.Crosses, p)
		}
	}
	return f
}
