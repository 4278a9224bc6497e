package zoo

import (
	"context"
	"sort"
	"strings"

	"github.com/pkg/errors"
)

// Recipe is a ready model: how to build, train and evaluate it.
type Recipe struct {
	// Name is the recipe's short name, e.g. "mlp".
	Name string
	// Description says in one line what is trained on which data.
	Description string
	// Expected states the result a default run reaches and roughly how long it
	// takes on a small (2-core) machine, e.g. "test accuracy >= 0.97 in ~3s".
	Expected string
	// Defaults are the settings a zero field of Settings takes.
	Defaults Settings
	// Run trains the model with s (zero fields taking Defaults) and returns the
	// evaluation. It stops early with an error when ctx is cancelled.
	Run func(ctx context.Context, s Settings) (*Result, error)
}

// Recipes returns the recipes of the zoo, sorted by name. Each call returns a
// fresh list.
func Recipes() []Recipe {
	rs := []Recipe{
		backdoorRecipe(),
		denseRecipe(),
		digitsRecipe(),
		digitsCTCRecipe(),
		gptRecipe(),
		inceptionRecipe(),
		irisRecipe(),
		kwsRecipe(),
		lenetRecipe(),
		lenetRobustRecipe(),
		linearRecipe(),
		logisticRecipe(),
		mlpRecipe(),
		mnistRecipe(),
		mnistDPRecipe(),
		multitaskRecipe(),
		resnetFashionRecipe(),
		siameseRecipe(),
		vggDigitsRecipe(),
	}
	rs = append(rs, ctrRecipes()...)
	rs = append(rs, retrievalRecipes()...)
	rs = append(rs, textRecipes()...)
	rs = append(rs, bertRecipes()...)
	sort.Slice(rs, func(i, j int) bool { return rs[i].Name < rs[j].Name })
	return rs
}

// Names returns the names of the recipes, sorted.
func Names() []string {
	rs := Recipes()
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = r.Name
	}
	return names
}

// Find returns the recipe of the given name (case-sensitive). An unknown name is
// an error listing the valid ones.
func Find(name string) (Recipe, error) {
	for _, r := range Recipes() {
		if r.Name == name {
			return r, nil
		}
	}
	return Recipe{}, errors.Errorf("zoo: unknown recipe %q (valid: %s)", name, strings.Join(Names(), ", "))
}
