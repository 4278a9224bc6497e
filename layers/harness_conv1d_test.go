package layers_test

// conv1DHarnessCases are the harness cases of the 1-D convolution and pooling
// layers.
func conv1DHarnessCases() []harnessCase { return nil }
