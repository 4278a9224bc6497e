package layers

import (
	"github.com/pkg/errors"
)

// buildLayer builds l for inputs in, once: the first call builds (SingleLayer.Build
// or MultiLayer.BuildMulti) and records the specs in the layer's Base; later calls
// (a shared layer applied again, a model built again) check that the inputs agree
// and return the recorded outputs. This is the one place the build-once rule lives.
func buildLayer(ctx BuildContext, l Layer, in []Spec) ([]Spec, error) {
	b := l.LayerBase()
	if b.buildErr != nil {
		return nil, b.buildErr
	}
	if b.built {
		if !sameSpecs(b.in, in) {
			return nil, errors.Errorf("layer %s was built for inputs %s and is now applied to %s: a shared layer needs the same shapes and dtypes each time (use a new layer for other shapes)",
				layerLabel(l), fmtSpecs(b.in), fmtSpecs(in))
		}
		return cloneSpecs(b.out), nil
	}
	out, err := buildFresh(ctx, l, in)
	if err != nil {
		return nil, err
	}
	b.built, b.in, b.out = true, cloneSpecs(in), cloneSpecs(out)
	return cloneSpecs(out), nil
}

func buildFresh(ctx BuildContext, l Layer, in []Spec) (out []Spec, err error) {
	defer recoverTo(&err, "build layer "+layerLabel(l))
	switch bl := l.(type) {
	case MultiLayer:
		out, err = bl.BuildMulti(ctx, cloneSpecs(in))
		if err != nil {
			return nil, err
		}
		if len(out) == 0 {
			return nil, errors.Errorf("layer %s: BuildMulti returned no outputs", layerLabel(l))
		}
		return out, nil
	case SingleLayer:
		if len(in) != 1 {
			return nil, errors.Errorf("layer %s takes one input, got %d", layerLabel(l), len(in))
		}
		if !isFloatDType(in[0].DType) {
			return nil, errors.Errorf("layer %s (%s) takes a float input, got %s: integer ids go to an Embedding first", layerLabel(l), l.Type(), in[0])
		}
		shape, err := bl.Build(ctx, append([]int(nil), in[0].Shape...))
		if err != nil {
			return nil, err
		}
		return []Spec{{Shape: shape, DType: in[0].DType}}, nil
	}
	return nil, errors.Errorf("layer %s (%T) has neither Build/Forward nor BuildMulti/ForwardMulti", layerLabel(l), l)
}

func sameSpecs(a, b []Spec) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].DType != b[i].DType || !equalShapes(a[i].Shape, b[i].Shape) {
			return false
		}
	}
	return true
}

func cloneSpecs(s []Spec) []Spec {
	out := make([]Spec, len(s))
	for i, x := range s {
		out[i] = x.clone()
	}
	return out
}
