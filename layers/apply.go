package layers

// Apply calls the layer on x and returns its output (see the package function Apply).
func (l *DenseLayer) Apply(x *Tensor) *Tensor { return apply1(l, []*Tensor{x}) }

// Apply calls the layer on x and returns its output (see the package function Apply).
func (l *ActivationLayer) Apply(x *Tensor) *Tensor { return apply1(l, []*Tensor{x}) }

// Apply calls the layer on x and returns its output (see the package function Apply).
func (l *DropoutLayer) Apply(x *Tensor) *Tensor { return apply1(l, []*Tensor{x}) }

// Apply calls the layer on x and returns its output (see the package function Apply).
func (l *ReshapeLayer) Apply(x *Tensor) *Tensor { return apply1(l, []*Tensor{x}) }

// Apply calls the layer on x and returns its output (see the package function Apply).
func (l *Conv2DLayer) Apply(x *Tensor) *Tensor { return apply1(l, []*Tensor{x}) }

// Apply calls the layer on x and returns its output (see the package function Apply).
func (l *PoolingLayer) Apply(x *Tensor) *Tensor { return apply1(l, []*Tensor{x}) }

// Apply calls the layer on x and returns its output (see the package function Apply).
func (l *GlobalPoolingLayer) Apply(x *Tensor) *Tensor { return apply1(l, []*Tensor{x}) }

// Apply calls the layer on x and returns its output (see the package function Apply).
func (l *BatchNormLayer) Apply(x *Tensor) *Tensor { return apply1(l, []*Tensor{x}) }

// Apply calls the layer on x and returns its output (see the package function Apply).
func (l *ZeroPaddingLayer) Apply(x *Tensor) *Tensor { return apply1(l, []*Tensor{x}) }

// Apply calls the layer on x and returns its output (see the package function Apply).
func (l *ResidualLayer) Apply(x *Tensor) *Tensor { return apply1(l, []*Tensor{x}) }
