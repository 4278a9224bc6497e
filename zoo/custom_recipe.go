package zoo

import (
	"context"

	"github.com/pkg/errors"
)

// customRecipe is a recipe that trains with its own run function rather than a
// spec: the settings take defaults for their zero fields, errors name the
// recipe, and the result carries its name and settings.
func customRecipe(name, description, expected string, defaults Settings, run func(context.Context, Settings) (*Result, error)) Recipe {
	return Recipe{
		Name:        name,
		Description: description,
		Expected:    expected,
		Defaults:    defaults,
		Run: func(ctx context.Context, s Settings) (*Result, error) {
			s, err := s.withDefaults(defaults)
			if err != nil {
				return nil, errors.Wrapf(err, "zoo: recipe %q: settings", name)
			}
			res, err := run(ctx, s)
			if err != nil {
				return nil, errors.Wrapf(err, "zoo: recipe %q", name)
			}
			res.Model, res.Settings = name, s
			res.Settings.Out = nil
			return res, nil
		},
	}
}
