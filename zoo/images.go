package zoo

import (
	"math"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// imageData loads an MNIST-style ImageSplit for the image recipes: its first
// trainRows and testRows examples (0: all), with the pixels as the raw bytes 0..255
// (the loader scales them to [0, 1]; the models do it themselves with pixelScale,
// so a saved model takes raw pixels). The class names go to *classes, for
// nameClasses.
func imageData(load func(dir string) (*datasets.ImageSplit, error), trainRows, testRows int, classes *[]string) func(int64) (datasets.Dataset, datasets.Dataset, error) {
	return func(int64) (datasets.Dataset, datasets.Dataset, error) {
		s, err := load("")
		if err != nil {
			return nil, nil, err
		}
		for _, part := range []*datasets.Tensor{s.Train, s.Test} {
			if err := rawPixels(part); err != nil {
				return nil, nil, err
			}
		}
		if classes != nil {
			*classes = append([]string(nil), s.Classes...)
		}
		train, err := firstRows(s.Train, trainRows)
		if err != nil {
			return nil, nil, err
		}
		test, err := firstRows(s.Test, testRows)
		return train, test, err
	}
}

// rawPixels turns the loader's pixels v/255 back into the bytes v, in place.
func rawPixels(t *datasets.Tensor) error {
	x, ok := t.X().Data().([]float32)
	if !ok {
		return errors.Errorf("images of dtype %v, want float32", t.X().Dtype())
	}
	for i, v := range x {
		x[i] = float32(math.Round(float64(v) * 255))
	}
	return nil
}

// pixelScale is the first layer of the image recipes' models: a Normalization
// with mean 0 and variance 255², x/255, which maps raw pixel bytes to [0, 1].
func pixelScale() *layers.NormalizationLayer {
	return layers.Normalization(layers.WithName("scale"), layers.WithMeanVariance([]float64{0}, []float64{255 * 255}))
}

// nameClasses is a spec.adapt that gives the model the class names imageData
// found, so that predictions, reports and servers can name classes.
func nameClasses(classes *[]string) func(layers.Model, datasets.Multi) error {
	return func(m layers.Model, _ datasets.Multi) error {
		if len(*classes) == 0 {
			return nil
		}
		return errors.Wrap(layers.SetClassNames(m, *classes...), "class names")
	}
}
