// Package interop moves models between gokeras and other frameworks.
//
// Reading: ReadTorch reads a state_dict saved by torch.save (.pt/.pth, a zip of
// pickles; the pickle reader builds only the allow-listed classes a state dict
// needs and executes nothing from the file; checkpoint dicts with the tensors under
// "state_dict", "model_state_dict" or "model" are accepted and nested dicts are
// flattened with "."), ReadSafetensors a safetensors file (any of its ten dtypes),
// ReadNPZ the arrays of NumPy's np.savez and ReadNPY one .npy array. Each gives a
// StateDict: named tensors in the other framework's layout, in file order.
//
// PyTorch in: Load copies a StateDict into a gokeras model (built with the
// defaults first if it is not built). Layers are paired with torch modules by
// WithModules (gokeras layer path -> module prefix) or, for the rest, in order,
// with automatic layout conversion for the counterparts of nn.Linear (Dense),
// nn.Conv1d/2d (Conv1D/Conv2D, to channels-last kernels), nn.BatchNorm1d/2d,
// nn.LayerNorm, nn.Embedding, nn.LSTM (multi-layer, bidirectional), nn.GRU
// (gates reordered; reset_after), nn.MultiheadAttention and
// nn.TransformerEncoderLayer; WithTensor and WithConverter map any weight
// explicitly. Every weight must get a value and every tensor must be used (but
// num_batches_tracked; WithAllowUnused relaxes the second); every shape is checked
// before the first value is copied, so a failed Load leaves the model unchanged,
// and a mismatch names both tensors. Plan shows what Load would do, with notes on
// what a state dict cannot tell (epsilon, momentum, heads, strides).
//
// Whole architectures: BuildArchitecture builds the gokeras counterpart of a
// torchvision ResNet (resnet18 and its Bottleneck relatives, any widths), an
// LSTM text classifier or a transformer-encoder classifier from a state dict,
// inferring sizes from the tensors; ImportTorch reads the file, builds and loads
// in one call (what "demo import" runs).
//
// Keras in: SetWeights is Keras' set_weights: the arrays of
// np.savez("w.npz", *model.get_weights()), read by ReadNPZ (arr_0, arr_1, ...
// in numeric order), go in order into the weights of the same model written with
// gokeras' layers (KerasWeightOrder), whose layouts are Keras' own.
//
// ONNX out is package onnx.
package interop
