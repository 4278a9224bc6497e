// Package safetensors reads and writes the safetensors format (Hugging Face): an
// 8-byte little-endian header length, a JSON header mapping tensor names to dtype,
// shape and byte offsets (plus an optional "__metadata__" map of strings), and the
// raw little-endian tensor bytes. Files written here load in Python with
// safetensors.numpy.load_file or safetensors.torch.load_file.
//
// Only F32 and F64 tensors are supported, which is what gokeras stores.
package safetensors
