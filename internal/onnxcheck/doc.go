// Package onnxcheck checks exported ONNX models with the real ONNX tooling, for
// the tests of several gokeras packages: the ONNX checker and strict shape
// inference of Python's onnx package (Debian python3-onnx 1.12) and ONNX Runtime
// (npm package onnxruntime-node, CPU, pinned in tests/onnx/package.json).
//
// The tools are external programs run through two scripts in tests/onnx:
// check_onnx.py (checker + shape inference, JSON summary) and run_ort.js
// (one InferenceSession on one thread; named inputs and outputs as JSON).
// Find locates them:
//
//   - the scripts' folder: $GOKERAS_ONNX_DIR, else tests/onnx of the module
//     that holds the working directory (found by walking up to its go.mod);
//     onnxruntime-node must be installed in its node_modules
//     (`npm ci --ignore-scripts` there);
//   - Node.js: $GOKERAS_NODE, else `node` on PATH;
//   - Python with the onnx package: $GOKERAS_PYTHON, else /usr/bin/python3
//     (Debian's, where python3-onnx lives), else `python3` on PATH.
//
// Policy for tests: Require skips the test with the reason when a tool is
// missing, unless GOKERAS_ONNX_REQUIRED=1 (as CI sets it), when it fails the test
// instead, so that CI can never skip silently.
//
// Inputs are gorgonia tensors (Float32, Float64, Int64, Int32 or Int, the
// last sent as int64); outputs come back as float64 values with their shape,
// ready for Compare against gokeras' own predictions.
package onnxcheck
