#!/usr/bin/env python3
"""Check an ONNX model with the ONNX reference tooling (Debian python3-onnx).

Usage: python3 check_onnx.py MODEL.onnx [MODEL.onnx ...]

For each model (in one process, so that onnx is imported once): loads it,
runs onnx.checker.check_model(full_check=True) and
onnx.shape_inference.infer_shapes(strict_mode=True), and prints one line of
JSON on stdout: path, onnx_version, ir_version, opsets ({domain: version},
"" for the default domain), inputs and outputs (name, elem_type as ONNX's
TensorProto name, shape: ints for fixed dimensions, strings for symbolic
ones, null for unknown ones; outputs as shape inference gives them). A model
that fails gets {"path": ..., "error": "<stage>: <message>"} instead, the
same on stderr, and the exit status is 1.
"""
import json
import warnings
import sys

import onnx
from onnx import shape_inference


def _shape(vi):
    t = vi.type.tensor_type
    if not t.HasField("shape"):
        return None
    dims = []
    for d in t.shape.dim:
        if d.HasField("dim_value"):
            dims.append(d.dim_value)
        elif d.HasField("dim_param"):
            dims.append(d.dim_param)
        else:
            dims.append(None)
    return dims


def _describe(vi):
    return {
        "name": vi.name,
        "elem_type": onnx.TensorProto.DataType.Name(vi.type.tensor_type.elem_type),
        "shape": _shape(vi),
    }


def check(path):
    """Returns the summary of the model at path, or raises (stage, message)."""
    stage = "load"
    warnings.simplefilter("ignore", RuntimeWarning)  # protobuf's note on a bad file repeats the error
    try:
        model = onnx.load(path)
        stage = "checker"
        onnx.checker.check_model(model, full_check=True)
        stage = "shape inference"
        inferred = shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    except Exception as e:  # the checker raises several types; report them all alike
        msg = " ".join(str(e).split())
        raise CheckError("%s: %s" % (stage, msg or type(e).__name__))
    return {
        "path": path,
        "onnx_version": onnx.__version__,
        "ir_version": model.ir_version,
        "opsets": {o.domain: o.version for o in model.opset_import},
        "producer": model.producer_name,
        "inputs": [_describe(v) for v in inferred.graph.input],
        "outputs": [_describe(v) for v in inferred.graph.output],
    }


class CheckError(Exception):
    pass


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("usage: python3 check_onnx.py MODEL.onnx [MODEL.onnx ...]\n")
        return 2
    failed = 0
    for path in argv[1:]:
        try:
            out = check(path)
        except CheckError as e:
            failed += 1
            out = {"path": path, "error": str(e)}
            sys.stderr.write("check_onnx: %s: %s\n" % (path, e))
        json.dump(out, sys.stdout)
        sys.stdout.write("\n")
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
