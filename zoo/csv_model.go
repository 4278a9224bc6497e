package zoo

import (
	"math"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// csvModel builds the model of TrainCSV and adapts its preprocessing layers to the
// training rows (see TrainCSV and CSVModel).
func csvModel(p *csvParts, train *datasets.Tensors, task CSVTask, hidden []int, cfg csvConfig) (*layers.Functional, error) {
	norm, err := csvNumericNorm(p, train)
	if err != nil {
		return nil, err
	}
	var fields []CTRField
	for _, name := range p.data.StringNames {
		lk, err := adaptedLookup(train, name, layers.StringLookup(layers.WithName(name+"_lookup")))
		if err != nil {
			return nil, err
		}
		fields = append(fields, CTRField{Name: name, Lookup: lk})
	}
	for _, name := range p.data.IntNames {
		lk, err := adaptedLookup(train, name, layers.IntegerLookup(layers.WithName(name+"_lookup")))
		if err != nil {
			return nil, err
		}
		fields = append(fields, CTRField{Name: name, Lookup: lk})
	}
	var m *layers.Functional
	if cfg.model == CSVMLP {
		m, err = csvMLP(p, train, norm, fields, task, hidden, cfg.dropout)
	} else {
		m, err = csvCTR(p, norm, fields, hidden, cfg)
	}
	if err != nil {
		return nil, err
	}
	if p.classNames != nil {
		if err := layers.SetClassNames(m, p.classNames...); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// csvNumericNorm is the Normalization of the numeric input, adapted to the
// training rows (nil without numeric columns).
func csvNumericNorm(p *csvParts, train *datasets.Tensors) (*layers.NormalizationLayer, error) {
	if p.numericName == "" {
		return nil, nil
	}
	i := inputIndex(train, p.numericName)
	x, err := wholeInput(train, i, train.Inputs()[i])
	if err != nil {
		return nil, err
	}
	norm := layers.Normalization(layers.WithName("normalize"))
	return norm, norm.Adapt(x)
}

// adaptedLookup adapts lk to the training values of the input named name.
func adaptedLookup(train *datasets.Tensors, name string, lk *layers.LookupLayer) (*layers.LookupLayer, error) {
	i := inputIndex(train, name)
	x, err := wholeInput(train, i, train.Inputs()[i])
	if err != nil {
		return nil, err
	}
	return lk, lk.Adapt(x)
}

// csvMLP is the MLP of TrainCSV: the standardized numeric columns and every
// categorical column one-hot encoded (an Embedding above csvOneHotMax values),
// concatenated, through ReLU layers with dropout, to a softmax (several classes),
// a sigmoid (two) or an inverted Normalization of the target (regression).
func csvMLP(p *csvParts, train *datasets.Tensors, norm *layers.NormalizationLayer, fields []CTRField,
	task CSVTask, hidden []int, dropout float64) (*layers.Functional, error) {
	var ins, feats []*layers.Tensor
	if norm != nil {
		in := layers.NewInput(p.numericName, layers.Shape(p.data.X.Shape()[1]))
		ins, feats = append(ins, in), append(feats, norm.Apply(in))
	}
	for _, f := range fields {
		dt := layers.String
		if f.Lookup.Type() == "IntegerLookup" {
			dt = layers.Int64
		}
		in := layers.NewInput(f.Name, layers.Shape(1), dt)
		ids := f.Lookup.Apply(in)
		v := f.Lookup.VocabularySize()
		var x *layers.Tensor
		if v <= csvOneHotMax {
			x = layers.CategoryEncoding(v, layers.WithName(f.Name+"_onehot")).Apply(ids)
		} else {
			dim := int(math.Min(16, math.Max(8, math.Ceil(math.Sqrt(float64(v))))))
			x = layers.Flatten(layers.WithName(f.Name + "_flatten")).Apply(
				layers.Embedding(v, dim, layers.WithName(f.Name+"_embedding")).Apply(ids))
		}
		ins, feats = append(ins, in), append(feats, x)
	}
	if len(ins) == 0 {
		return nil, errors.New("the file has no feature column")
	}
	h := feats[0]
	if len(feats) > 1 {
		h = layers.Concatenate(-1, layers.WithName("features")).Apply(feats...)
	}
	for _, w := range hidden {
		h = layers.Dense(w, layers.WithActivation("relu")).Apply(h)
		if dropout > 0 {
			h = layers.Dropout(dropout).Apply(h)
		}
	}
	var out *layers.Tensor
	switch {
	case task == Classification && p.classes == 2:
		out = layers.Dense(1, layers.WithActivation("sigmoid"), layers.WithName(csvOutput)).Apply(h)
	case task == Classification:
		out = layers.Dense(p.classes, layers.WithActivation("softmax"), layers.WithName(csvOutput)).Apply(h)
	default:
		y, err := wholeTarget(train)
		if err != nil {
			return nil, err
		}
		unscale := layers.Normalization(layers.WithInvert(true), layers.WithName(csvOutput))
		if err := unscale.Adapt(y); err != nil {
			return nil, err
		}
		out = unscale.Apply(layers.Dense(1, layers.WithName("standardized")).Apply(h))
	}
	return layers.NewModel(ins, []*layers.Tensor{out}, layers.ModelName("csv"))
}

// csvCTR is a recommender model (CSVModel) over the CSV columns, for a binary
// target: the wide part of Wide&Deep crosses every pair of categorical columns
// when there are at most 6 of them.
func csvCTR(p *csvParts, norm *layers.NormalizationLayer, fields []CTRField, hidden []int, cfg csvConfig) (*layers.Functional, error) {
	if p.classes != 2 {
		return nil, errors.Errorf("model %q predicts a binary target; this one has %d classes", cfg.model, p.classes)
	}
	f := CTRFeatures{Fields: fields, NumericNorm: norm, Output: csvOutput}
	if norm != nil {
		f.Numeric, f.NumericWidth = p.numericName, p.data.X.Shape()[1]
	}
	if len(fields) <= 6 {
		for i := range fields {
			for j := i + 1; j < len(fields); j++ {
				f.Crosses = append(f.Crosses, [2]string{fields[i].Name, fields[j].Name})
			}
		}
	}
	opts := []CTROption{CTRHidden(hidden...), CTRDropout(cfg.dropout)}
	switch cfg.model {
	case CSVWideDeep:
		return WideDeep(f, opts...)
	case CSVDeepFM:
		return DeepFM(f, opts...)
	default:
		return DCN(f, opts...)
	}
}
