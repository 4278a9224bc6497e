package interop

import (
	"math"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// maxModelNesting bounds how deep models applied as layers are walked.
const maxModelNesting = 64

// KerasWeightOrder lists m's weights in the order Keras' model.get_weights()
// lists the weights of the same model: layer by layer in the order of
// m.Layers() (a model applied as a layer contributes its own layers' weights in
// place), and within a layer its trainable weights, then its non-trainable ones
// (BatchNormalization: gamma, beta, moving_mean, moving_variance), each in the
// order the layer made them (Dense: kernel, bias; LSTM: kernel,
// recurrent_kernel, bias). A weight shared by several layers comes once. m must
// be built.
func KerasWeightOrder(m layers.Model) ([]*graph.Param, error) {
	if m == nil || !m.Built() {
		return nil, errors.New("keras weight order: the model is not built (call Build first)")
	}
	var out []*graph.Param
	seen := map[*graph.Param]bool{}
	var walk func(m layers.Model, depth int) error
	walk = func(m layers.Model, depth int) error {
		if depth > maxModelNesting {
			return errors.Errorf("keras weight order: models nested more than %d deep", maxModelNesting)
		}
		for _, l := range m.Layers() {
			if inner, ok := l.(layers.Model); ok {
				if err := walk(inner, depth+1); err != nil {
					return err
				}
				continue
			}
			ps := l.Params()
			for _, trainable := range []bool{true, false} {
				for _, p := range ps {
					if p.Trainable == trainable && !seen[p] {
						seen[p] = true
						out = append(out, p)
					}
				}
			}
		}
		return nil
	}
	return out, walk(m, 0)
}

// SetWeights is Keras' model.set_weights(arrays): it copies sd's tensors, in
// sd's order, into m's weights in KerasWeightOrder. Keras layouts are gokeras'
// layouts (Dense kernel (in, out), Conv2D kernel (kh, kw, in, out), LSTM kernel
// (in, 4·units) with gates i, f, c, o), so no value is moved. A model not yet
// built is built with its defaults (float32, DefaultSeed; build it yourself for
// float64). The count and every shape are checked before the first value is
// copied: a mismatch names the gokeras weight path, the array's name and both
// shapes. Values beyond float32's range are an error for a float32 model.
//
// From Keras 3 (or tf.keras), save the arrays with NumPy:
//
//	np.savez("w.npz", *model.get_weights())
//
// and read them with ReadNPZ, which orders arr_0, arr_1, ... numerically.
func SetWeights(m layers.Model, sd *StateDict) error {
	if m == nil || sd == nil {
		return errors.New("set weights: nil model or state dict")
	}
	if !m.Built() {
		if err := m.Build(); err != nil {
			return errors.Wrap(err, "set weights: build the model")
		}
	}
	ps, err := KerasWeightOrder(m)
	if err != nil {
		return errors.Wrap(err, "set weights")
	}
	paths, err := layers.WeightPaths(m)
	if err != nil {
		return errors.Wrap(err, "set weights")
	}
	names := sd.Names()
	if len(names) != len(ps) {
		return errors.Errorf("set weights: the model has %d weights (%s ... in Keras order), the state dict holds %d arrays",
			len(ps), firstPaths(ps, paths), len(names))
	}
	f32 := m.DType().String() == "float32"
	for i, p := range ps {
		t := sd.Get(names[i])
		want := p.Value.Shape()
		if !kerasSameShape(t.Shape, []int(want)) {
			return errors.Errorf("set weights: weight %d, gokeras %q of shape %v, gets array %q of shape %v",
				i, paths[p], []int(want), t.Name, t.Shape)
		}
		if f32 {
			for j, v := range t.Data {
				if math.Abs(v) > math.MaxFloat32 && !math.IsInf(v, 0) {
					return errors.Errorf("set weights: array %q value %d (%g) is beyond float32 for gokeras %q", t.Name, j, v, paths[p])
				}
			}
		}
	}
	for i, p := range ps {
		if err := p.SetFloat64s(sd.Get(names[i]).Data); err != nil {
			return errors.Wrapf(err, "set weights: %s", paths[p])
		}
	}
	return nil
}

// firstPaths names up to the first three weights for a count mismatch.
func firstPaths(ps []*graph.Param, paths map[*graph.Param]string) string {
	s := ""
	for i, p := range ps {
		if i == 3 {
			break
		}
		if i > 0 {
			s += ", "
		}
		s += paths[p]
	}
	return s
}

// kerasSameShape reports whether a and b hold the same ints.
func kerasSameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
