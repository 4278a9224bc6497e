#!/usr/bin/env python3
"""Writes the small ONNX models the tests of internal/onnxcheck run.

Run by hand from this folder with Debian's python3-onnx (1.12):
    /usr/bin/python3 make_models.py
It writes add.onnx, add_f64.onnx, gather_matmul.onnx, bad_graph.onnx and
malformed.onnx; the expected values are computed in the Go test from the
weights printed here (they are fixed, not random).
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = [helper.make_opsetid("", 17)]


def save(model, path):
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, path)


def add_model(elem, name, path):
    a = helper.make_tensor_value_info("a", elem, ["batch", 3])
    b = helper.make_tensor_value_info("b", elem, ["batch", 3])
    y = helper.make_tensor_value_info("y", elem, ["batch", 3])
    g = helper.make_graph([helper.make_node("Add", ["a", "b"], ["y"])], name, [a, b], [y])
    save(helper.make_model(g, opset_imports=OPSET, producer_name="make_models.py"), path)


def gather_matmul(path):
    # y[n, t, :] = E[ids[n, t]] @ W + P[pos[n]]
    emb = np.arange(20, dtype=np.float32).reshape(5, 4) / 10   # E (5, 4)
    w = np.arange(12, dtype=np.float32).reshape(4, 3) / 4 - 1   # W (4, 3)
    p = np.array([[100, 200, 300], [-1, -2, -3]], dtype=np.float32)  # P (2, 3)
    inits = [numpy_helper.from_array(emb, "E"), numpy_helper.from_array(w, "W"),
             numpy_helper.from_array(p, "P"), numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1")]
    nodes = [
        helper.make_node("Gather", ["E", "ids"], ["g"], axis=0),
        helper.make_node("MatMul", ["g", "W"], ["m"]),
        helper.make_node("Gather", ["P", "pos"], ["pp"], axis=0),
        helper.make_node("Unsqueeze", ["pp", "axis1"], ["pu"]),
        helper.make_node("Add", ["m", "pu"], ["y"]),
    ]
    ins = [helper.make_tensor_value_info("ids", TensorProto.INT64, ["batch", 2]),
           helper.make_tensor_value_info("pos", TensorProto.INT32, ["batch"])]
    outs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 2, 3])]
    g = helper.make_graph(nodes, "gather_matmul", ins, outs, initializer=inits)
    save(helper.make_model(g, opset_imports=OPSET, producer_name="make_models.py"), path)


def bad_graph(path):
    # Parses, but the checker refuses it: "missing" is no input, initializer
    # or node output.
    a = helper.make_tensor_value_info("a", TensorProto.FLOAT, ["batch", 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 3])
    g = helper.make_graph([helper.make_node("Add", ["a", "missing"], ["y"])], "bad", [a], [y])
    onnx.save(helper.make_model(g, opset_imports=OPSET, producer_name="make_models.py"), path)


if __name__ == "__main__":
    add_model(TensorProto.FLOAT, "add", "add.onnx")
    add_model(TensorProto.DOUBLE, "add_f64", "add_f64.onnx")
    gather_matmul("gather_matmul.onnx")
    bad_graph("bad_graph.onnx")
    with open("malformed.onnx", "wb") as f:
        f.write(b"this is not an ONNX model\n")
