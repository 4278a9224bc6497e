package layers

// customLayer carries a SingleLayer whose type the library cannot see through the
// Layer interface (see Custom).
type customLayer struct{ SingleLayer }

// Custom wraps a layer of your own of one input so that it can be given wherever a
// Layer goes. In compiled Go it is not needed: a type with Build and Forward already
// is a Layer a model can build. In the gophernotes interpreter it is: gophernotes
// hands a notebook's type to compiled code as a stand-in with only the methods of
// the parameter's interface, so pass layers.Custom(&MyLayer{}) to NewSequential,
// Apply or Residual. The wrapper has the layer's name, type, weights and Base;
// Save writes it if the layer implements Configurable (compiled Go only).
func Custom(l SingleLayer) Layer { return &customLayer{l} }

// Apply calls the wrapped layer on x.
func (c *customLayer) Apply(x *Tensor) *Tensor { return apply1(c, []*Tensor{x}) }
