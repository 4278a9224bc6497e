#!/usr/bin/python3
"""Writes the reader fixtures of package interop (run by hand; CI has no PyTorch).

    cd interop/testdata/readers && /usr/bin/python3 make_fixtures.py

Needs torch (1.13 was used) and numpy. Writes small .pt files (state dicts, views,
dtypes, a checkpoint, nested dicts, a pickled module and a legacy-format file that
the reader must refuse), a safetensors file written by hand, .npz/.npy files, and
expected.json with every tensor's name, dtype, shape and values (non-finite values
as the strings "nan", "inf", "-inf"), in file order.
"""
import collections
import json
import math
import struct

import numpy as np
import torch

torch.manual_seed(0)
expected = {}


def values(a):
    out = []
    for x in np.asarray(a, dtype=np.float64).reshape(-1).tolist():
        if math.isnan(x):
            out.append("nan")
        elif math.isinf(x):
            out.append("inf" if x > 0 else "-inf")
        else:
            out.append(x)
    return out


def record(fname, named):
    """named: list of (name, dtype string, shape, float64 array)."""
    expected[fname] = [
        {"name": n, "dtype": d, "shape": list(s), "data": values(a)} for n, d, s, a in named
    ]


def torch_record(fname, items):
    record(fname, [(n, str(t.dtype).replace("torch.", ""), t.shape,
                    t.detach().double().numpy() if t.dtype != torch.bool else t.numpy().astype(np.float64))
                   for n, t in items])


# 1. a small net with a BatchNorm (int64 num_batches_tracked), after one step of
# training-mode forward so the running statistics are not trivial.
net = torch.nn.Sequential(
    torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.ReLU(),
    torch.nn.Flatten(), torch.nn.Linear(8, 3))
net.train()
net(torch.randn(4, 1, 4, 4))
sd = net.state_dict()
torch.save(sd, "net.pt")
torch_record("net.pt", sd.items())

# 2. dtypes, with exact float16/bfloat16 specials.
h = torch.tensor([0.5, -2.0, 65504.0, 6e-8, float("inf"), float("-inf"), float("nan"), 1.0 / 3],
                 dtype=torch.float16)
dt = collections.OrderedDict([
    ("half", h),
    ("bf16", torch.tensor([1.0 / 3, -1e30, 3.0e38, 1e-40], dtype=torch.bfloat16)),
    ("double", torch.tensor([[1.0 / 3, -1e300], [5e-324, 2.0]], dtype=torch.float64)),
    ("i8", torch.tensor([-128, 127, 0], dtype=torch.int8)),
    ("i16", torch.tensor([-32768, 32767], dtype=torch.int16)),
    ("i32", torch.tensor([-2**31, 2**31 - 1], dtype=torch.int32)),
    ("i64", torch.tensor([-2**53, 2**53, 7], dtype=torch.int64)),
    ("u8", torch.tensor([0, 255], dtype=torch.uint8)),
    ("mask", torch.tensor([True, False, True])),
])
torch.save(dt, "dtypes.pt")
torch_record("dtypes.pt", dt.items())

# 3. views: a transposed (non-contiguous) tensor, views sharing one storage, an
# offset row, a strided column, a scalar.
a = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 8
views = collections.OrderedDict([
    ("a", a), ("t", a.t()), ("row", a[1]), ("col", a[:, 2]), ("scalar", torch.tensor(3.5)),
    ("empty", torch.zeros(0, 3)),
])
torch.save(views, "views.pt")
torch_record("views.pt", views.items())

# 4. a checkpoint dict: the tensors sit under "state_dict".
lin = torch.nn.Linear(3, 2)
opt = torch.optim.SGD(lin.parameters(), lr=0.1, momentum=0.9)
lin(torch.randn(2, 3)).sum().backward()
opt.step()
torch.save({"epoch": 3, "state_dict": lin.state_dict(), "optimizer": opt.state_dict()}, "checkpoint.pt")
torch_record("checkpoint.pt", lin.state_dict().items())

# 5. nested dicts of tensors, flattened with "."; parameters kept as Parameters.
enc = torch.nn.Linear(2, 2)
nested = {"encoder": enc.state_dict(keep_vars=True), "head": {"w": torch.ones(2), "meta": "x"}, "step": 5}
torch.save(nested, "nested.pt")
torch_record("nested.pt", [("encoder." + k, v) for k, v in enc.state_dict().items()] + [("head.w", torch.ones(2))])

# 6. refused: a whole pickled module; a legacy (non-zip) file.
torch.save(torch.nn.Linear(2, 2), "module.pt")
torch.save(collections.OrderedDict([("w", torch.ones(2))]), "legacy.pt", _use_new_zipfile_serialization=False)

# 7. safetensors written by hand: header keys in another order than the data.
st_items = [
    ("f32", "F32", np.array([[1.5, -2.25], [1e-3, 3e38]], dtype="<f4")),
    ("f16", "F16", np.array([0.5, 6e-8, 65504.0], dtype="<f2")),
    ("bf16", "BF16", None),
    ("f64", "F64", np.array([1.0 / 3], dtype="<f8")),
    ("i8", "I8", np.array([-5, 7], dtype="i1")),
    ("i16", "I16", np.array([-300], dtype="<i2")),
    ("i32", "I32", np.array([[1], [-2], [3]], dtype="<i4")),
    ("i64", "I64", np.array([2**53, -1], dtype="<i8")),
    ("u8", "U8", np.array([200], dtype="u1")),
    ("flag", "BOOL", np.array([True, False], dtype="?")),
    ("scalar", "F32", np.array(2.5, dtype="<f4")),
]
bf = torch.tensor([1.0 / 3, -7.5], dtype=torch.bfloat16)
blobs, header, off, named = [], {"__metadata__": {"format": "pt"}}, 0, []
for name, code, arr in st_items:
    if code == "BF16":
        raw = bf.view(torch.int16).numpy().astype("<i2").tobytes()
        shape, vals, dtn = list(bf.shape), bf.double().numpy(), "bfloat16"
    else:
        raw = arr.tobytes()
        shape, vals = list(arr.shape), arr.astype(np.float64)
        dtn = {"F32": "float32", "F16": "float16", "F64": "float64", "I8": "int8", "I16": "int16",
               "I32": "int32", "I64": "int64", "U8": "uint8", "BOOL": "bool"}[code]
    header[name] = {"dtype": code, "shape": shape, "data_offsets": [off, off + len(raw)]}
    blobs.append(raw)
    off += len(raw)
    named.append((name, dtn, shape, vals))
hb = json.dumps(header, sort_keys=True).encode()
hb += b" " * (-len(hb) % 8)
with open("mixed.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(hb)) + hb + b"".join(blobs))
record("mixed.safetensors", named)

# 8. npz: named arrays of each dtype, Fortran order, big-endian; arr_0..arr_11.
npz = collections.OrderedDict([
    ("f2", np.array([0.5, -1.0, 6e-8], dtype="<f2")),
    ("f4", np.array([[1.5, 2.5, 3.5], [4.5, 5.5, 6.5]], dtype="<f4")),
    ("f8", np.array([1.0 / 3], dtype="<f8")),
    ("i4", np.array([-7, 8], dtype="<i4")),
    ("i8", np.array([[2**53]], dtype="<i8")),
    ("u1", np.array([255, 0], dtype="|u1")),
    ("b1", np.array([True, False], dtype="|b1")),
    ("fortran", np.asfortranarray(np.arange(6, dtype="<f8").reshape(2, 3))),
    ("big", np.array([1.25, -3.0], dtype=">f4")),
    ("big8", np.array([[1, -2], [3, 4]], dtype=">i8")),
    ("scalar", np.array(4.0, dtype="<f4")),
])
np.savez("arrays.npz", **npz)
np_dt = {"f2": "float16", "f4": "float32", "f8": "float64", "i4": "int32", "i8": "int64",
         "u1": "uint8", "b1": "bool", "fortran": "float64", "big": "float32", "big8": "int64", "scalar": "float32"}
record("arrays.npz", [(k, np_dt[k], v.shape, np.ascontiguousarray(v).astype(np.float64)) for k, v in npz.items()])
pos = [np.full((1,), i, dtype="<f4") for i in range(12)]
np.savez_compressed("positional.npz", *pos)
record("positional.npz", [("arr_%d" % i, "float32", (1,), a.astype(np.float64)) for i, a in enumerate(pos)])
np.save("object.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
np.save("fortran.npy", np.asfortranarray(np.arange(24, dtype="<f4").reshape(2, 3, 4)))
record("fortran.npy", [("fortran", "float32", (2, 3, 4), np.arange(24, dtype=np.float64).reshape(2, 3, 4))])

with open("expected.json", "w") as f:
    json.dump(expected, f, indent=1)
    f.write("\n")
