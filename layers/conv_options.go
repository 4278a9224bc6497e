package layers

// Options of the convolutional, pooling and normalization layers. Every layer also
// takes WithName; Conv2D also takes WithActivation, WithBias,
// WithKernelInitializer, WithKernelInitializerName, WithBiasInitializer and
// WithKernelRegularizer (see options.go).

// WithKernelSize sets a Conv2D kernel's (height, width), overriding the square
// size given to Conv2D. Conv2D takes it.
func WithKernelSize(height, width int) Option {
	return optionFunc(func(c *config) { c.kernelSize = [2]int{height, width}; c.set["kernel_size"] = true })
}

// WithPoolSize sets a pooling window's (height, width), overriding the square
// size given to MaxPooling2D or AveragePooling2D, which take it.
func WithPoolSize(height, width int) Option {
	return optionFunc(func(c *config) { c.kernelSize = [2]int{height, width}; c.set["pool_size"] = true })
}

// WithStrides sets the (vertical, horizontal) steps of a window; both must be >= 1.
// Default (1, 1) for Conv2D, the pool size for MaxPooling2D and
// AveragePooling2D. Those three take it.
func WithStrides(vertical, horizontal int) Option {
	return optionFunc(func(c *config) { c.strides = [2]int{vertical, horizontal}; c.set["strides"] = true })
}

// WithPadding sets the padding of Conv2D, MaxPooling2D or AveragePooling2D:
// "valid" (the default: no padding) or "same" (zeros around the image, so that the
// output size is ceil(input/stride); an odd total puts the extra row or column at
// the bottom or right, as Keras does; pooling ignores the padded positions).
func WithPadding(padding string) Option {
	return optionFunc(func(c *config) { c.padding = padding; c.set["padding"] = true })
}

// WithDilation sets a Conv2D kernel's (vertical, horizontal) dilation rate (default
// (1, 1)): taps are spaced that many pixels apart. Conv2D takes it.
func WithDilation(vertical, horizontal int) Option {
	return optionFunc(func(c *config) { c.dilation = [2]int{vertical, horizontal}; c.set["dilation"] = true })
}

// WithMomentum sets BatchNormalization's momentum (default 0.99), in Keras'
// meaning: moving = momentum·moving + (1-momentum)·batch. PyTorch's momentum is
// 1 - this value.
func WithMomentum(m float64) Option {
	return optionFunc(func(c *config) { c.momentum = m; c.set["momentum"] = true })
}

// WithEpsilon sets BatchNormalization's epsilon (default 1e-3), added to the
// variance before its square root.
func WithEpsilon(eps float64) Option {
	return optionFunc(func(c *config) { c.epsilon = eps; c.set["epsilon"] = true })
}

// pair returns v, or def when v was not given.
func pair(v [2]int, given bool, def [2]int) [2]int {
	if given {
		return v
	}
	return def
}

// orValid returns the padding, "valid" when none was given.
func orValid(p string) string {
	if p == "" {
		return "valid"
	}
	return p
}
