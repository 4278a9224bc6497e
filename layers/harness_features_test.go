package layers_test

import (
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/layers"
)

// featureHarnessCases are the harness cases of the categorical feature layers.
// Their outputs are Int64 ids below 64 (the harness embeds them in training).
func featureHarnessCases() []harnessCase {
	words := []string{"red", "green", "blue", "", "mauve", "teal", "日本"}
	return []harnessCase{
		{name: "hashing strings", class: "Hashing",
			make:   func() layers.Layer { return layers.Hashing(16) },
			inputs: []harnessInput{hstrs(words, 2)}, out: []int{2}, outInt: true},
		{name: "hashing integers salted", class: "Hashing",
			make:   func() layers.Layer { return layers.Hashing(8, layers.WithSalt(1<<63+12345)) },
			inputs: []harnessInput{hids(1000, 2, 3)}, out: []int{2, 3}, outInt: true},
		{name: "hashing with mask value", class: "Hashing",
			make:   func() layers.Layer { return layers.Hashing(5, layers.WithMaskValue("")) },
			inputs: []harnessInput{hstrs(words, 3)}, out: []int{3}, outInt: true},
		{name: "discretization boundaries", class: "Discretization",
			make: func() layers.Layer {
				return layers.Discretization(layers.WithBinBoundaries([]float64{-1, 0, 0.5, 1.25}))
			},
			inputs: []harnessInput{hin(3)}, out: []int{3}, outInt: true},
		{name: "discretization adapted", class: "Discretization",
			make: func() layers.Layer {
				d := layers.Discretization(layers.WithNumBins(4))
				data := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{-2, -1.5, -0.3, 0.2, 0.3, 0.9, 1.1, 1.9}))
				if err := d.Adapt(data); err != nil {
					panic(err)
				}
				return d
			},
			inputs: []harnessInput{hin(2, 2)}, out: []int{2, 2}, outInt: true},
		{name: "hashed crossing strings by ids", class: "HashedCrossing",
			make:   func() layers.Layer { return layers.HashedCrossing(32) },
			inputs: []harnessInput{hstrs(words, 2), hids(5, 2)}, out: []int{2}, outInt: true},
		{name: "hashed crossing of three", class: "HashedCrossing",
			make:   func() layers.Layer { return layers.HashedCrossing(7) },
			inputs: []harnessInput{hids(3, 1), hstrs([]string{"a", "b"}, 1), hids(4, 1)}, out: []int{1}, outInt: true},
	}
}
