package layers_test

import (
	"bytes"
	"testing"

	"github.com/gokeras/gokeras/layers"
)

// FuzzLoad: whatever the bytes, LoadFrom returns a model or an error, never panics,
// and a model it returns has every parameter set.
func FuzzLoad(f *testing.F) {
	_, data := savedModel(f)
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add(data[:12])
	f.Add([]byte{})
	f.Add([]byte("{\"__metadata__\":{}}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := layers.LoadFrom(bytes.NewReader(b))
		if err != nil {
			return
		}
		if !m.Built() || len(m.Params()) == 0 && len(m.Layers()) > 1 {
			t.Errorf("loaded model is not usable: built %v", m.Built())
		}
	})
}
