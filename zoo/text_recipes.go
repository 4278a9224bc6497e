package zoo

import (
	"context"
	"fmt"

	"github.com/gokeras/gokeras/datasets"
	"github.com/pkg/errors"
)

// fortunesTestShare is the stratified share of the fortunes held out for test.
const fortunesTestShare = 0.2

// fortunesExpected is what a default run of each fortunes recipe reached on the
// 2-core development machine, shared with other jobs (2026-11-30; 2076
// training texts of which 10% validate, 519 test texts, sequence length 56,
// 8455 ids): test accuracy of the model and of the bag-of-words baseline
// trained in the same run, epochs before early stopping, wall time of the run.
var fortunesExpected = map[string]string{
	TextCNN:         "test accuracy ~0.70 (bow_logreg ~0.70) after 11 epochs in ~90s",
	TextLSTM:        "test accuracy ~0.59 (bow_logreg ~0.70) after 8 epochs in ~75s",
	TextTransformer: "test accuracy ~0.64 (bow_logreg ~0.70) after 8 epochs in ~40s (~230s on a busy machine)",
}

// textRecipes returns the text classification recipes: one per model of
// TrainText on Debian's fortunes.
func textRecipes() []Recipe {
	models := []string{TextCNN, TextLSTM, TextTransformer}
	rs := make([]Recipe, len(models))
	for i, m := range models {
		rs[i] = fortunesRecipe(m)
	}
	return rs
}

// fortunesRecipe trains TrainText's model on the fortunes of
// datasets.FortunesDefaultCategories, 20% held out (stratified, seeded).
func fortunesRecipe(model string) Recipe {
	return Recipe{
		Name: "fortunes-" + model,
		Description: fmt.Sprintf("%s text classifier of Debian fortunes (computers, politics, science, songs-poems) from raw text, "+
			"with a bag-of-words logistic regression baseline (apt-get install fortunes)", model),
		Expected: fortunesExpected[model],
		Defaults: TextDefaults(),
		Run: func(ctx context.Context, s Settings) (*Result, error) {
			res, err := runFortunes(ctx, model, s)
			return res, errors.Wrapf(err, "fortunes-%s", model)
		},
	}
}

// runFortunes reads the fortunes, keeps the texts that have a word, splits
// them and trains TrainText's model.
func runFortunes(ctx context.Context, model string, s Settings, opts ...datasets.FortunesOption) (*Result, error) {
	s, err := s.withDefaults(TextDefaults())
	if err != nil {
		return nil, err
	}
	all, err := datasets.Fortunes(opts...)
	if err != nil {
		return nil, err
	}
	kept := &datasets.TextSet{Classes: all.Classes}
	for i, t := range all.Texts {
		if CheckText(t) == nil {
			kept.Texts = append(kept.Texts, t)
			kept.Labels = append(kept.Labels, all.Labels[i])
		}
	}
	train, test, err := kept.Split(fortunesTestShare, s.Seed)
	if err != nil {
		return nil, err
	}
	res, err := TrainText(ctx, train, test, TextConfig{Model: model}, s)
	if err != nil {
		return nil, err
	}
	res.Model = "fortunes-" + model
	return res, nil
}
