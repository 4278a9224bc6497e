#!/usr/bin/env node
// run_ort.js runs an ONNX model in ONNX Runtime (onnxruntime-node, CPU) for
// gokeras' export tests (internal/onnxcheck).
//
// Usage: node run_ort.js [--opt LEVEL] MODEL.onnx INPUTS.json OUTPUTS.json [MODEL INPUTS OUTPUTS ...]
//
// Runs each model (in one process, so that ONNX Runtime loads once) on its
// inputs and writes its outputs. INPUTS.json: {"inputs": [{"name": "x", "dtype": "float32", "shape": [2, 3],
// "data": [...]}]}, dtype one of float32, float64, int64, int32, data flat in
// row-major order. OUTPUTS.json (written atomically): {"ort_version": "1.20.1",
// "outputs": [{"name": "y", "dtype": "float32", "dims": [2, 4], "data": [...]}]},
// outputs in the model's order; int64 data are written as numbers (exact up
// to 2^53). A model that fails gets {"error": "..."} in its OUTPUTS.json instead
// (and the message on stderr; exit status 1). LEVEL is the graph optimization
// level (disabled, basic, extended, all; default all). One intra-op and one
// inter-op thread, for deterministic sums. Usage errors: exit status 2.
'use strict';

const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

const arrays = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: BigInt64Array,
};

function makeTensor(inp, i) {
  const where = `input ${i} (${JSON.stringify(inp.name)})`;
  const Arr = arrays[inp.dtype];
  if (!Arr) {
    throw new Error(`${where}: dtype ${JSON.stringify(inp.dtype)} is not one of ${Object.keys(arrays).join(', ')}`);
  }
  if (!Array.isArray(inp.shape) || !Array.isArray(inp.data)) {
    throw new Error(`${where}: shape and data must be arrays`);
  }
  const n = inp.shape.reduce((a, b) => a * b, 1);
  if (n !== inp.data.length) {
    throw new Error(`${where}: shape [${inp.shape}] holds ${n} values, data has ${inp.data.length}`);
  }
  const data = inp.dtype === 'int64' ? BigInt64Array.from(inp.data, (v) => BigInt(v)) : Arr.from(inp.data);
  return new ort.Tensor(inp.dtype, data, inp.shape);
}

function plain(t) {
  if (t.type === 'int64' || t.type === 'uint64') {
    return Array.from(t.data, (v) => Number(v));
  }
  if (t.type === 'bool') {
    return Array.from(t.data, (v) => (v ? 1 : 0));
  }
  return Array.from(t.data);
}

function writeAtomic(file, value) {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(value));
  fs.renameSync(tmp, file);
}

async function runOne(modelPath, inputsPath, outputsPath, optLevel) {
  const spec = JSON.parse(fs.readFileSync(inputsPath, 'utf8'));
  const feeds = {};
  (spec.inputs || []).forEach((inp, i) => {
    feeds[inp.name] = makeTensor(inp, i);
  });
  const session = await ort.InferenceSession.create(modelPath, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: optLevel,
  });
  const missing = session.inputNames.filter((n) => !(n in feeds));
  if (missing.length > 0) {
    throw new Error(`model needs inputs [${missing.join(', ')}]; given [${Object.keys(feeds).join(', ')}]`);
  }
  const results = await session.run(feeds);
  const outputs = session.outputNames.map((name) => {
    const t = results[name];
    return { name, dtype: t.type, dims: Array.from(t.dims, Number), data: plain(t) };
  });
  if (typeof session.release === 'function') {
    await session.release();
  }
  return outputs;
}

async function main(argv) {
  let optLevel = 'all';
  if (argv[0] === '--opt') {
    optLevel = argv[1];
    argv = argv.slice(2);
  }
  if (argv.length === 0 || argv.length % 3 !== 0 || !optLevel) {
    process.stderr.write('usage: node run_ort.js [--opt LEVEL] MODEL.onnx INPUTS.json OUTPUTS.json [MODEL INPUTS OUTPUTS ...]\n');
    return 2;
  }
  const version = require('onnxruntime-node/package.json').version;
  let status = 0;
  for (let i = 0; i < argv.length; i += 3) {
    const [modelPath, inputsPath, outputsPath] = argv.slice(i, i + 3);
    try {
      const outputs = await runOne(modelPath, inputsPath, outputsPath, optLevel);
      writeAtomic(outputsPath, { ort_version: version, outputs });
    } catch (err) {
      const msg = `${err && err.message ? err.message : err}`;
      process.stderr.write(`run_ort: ${modelPath}: ${msg}\n`);
      writeAtomic(outputsPath, { ort_version: version, error: msg });
      status = 1;
    }
  }
  return status;
}

main(process.argv.slice(2)).then((status) => {
  process.exitCode = status;
}, (err) => {
  process.stderr.write(`run_ort: ${err && err.message ? err.message : err}\n`);
  process.exitCode = 1;
});
