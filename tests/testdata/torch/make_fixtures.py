#!/usr/bin/python3
"""Generate PyTorch reference fixtures for gokeras Go tests.

Run from the repository root with Debian's PyTorch:

    /usr/bin/python3 tests/testdata/torch/make_fixtures.py

Writes dense.json, losses.json and optimizers.json next to this script.
All computation is float32; every array is {"shape": [...], "data": [flat row-major]}.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
DT = torch.float32
OUT_DIR = os.path.dirname(os.path.abspath(__file__))
SEED = 20240601


def arr(t):
    """Tensor/ndarray -> {"shape", "data"} with exact float32 values as JSON doubles."""
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu().numpy()
    a = np.asarray(t, dtype=np.float32)
    return {"shape": [int(s) for s in a.shape],
            "data": [float(v) for v in a.reshape(-1)]}


def scalar(t):
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu().numpy()
    return float(np.float32(t))


def rnd(rng, lo, hi, shape):
    """Uniform values rounded to 4 decimals, as float32 ndarray."""
    return np.round(rng.uniform(lo, hi, size=shape), 4).astype(np.float32)


def tens(a, grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float32), dtype=DT, requires_grad=grad)


def write(name, obj):
    path = os.path.join(OUT_DIR, name)
    with open(path, "w") as f:
        json.dump(obj, f)
        f.write("\n")
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


# ---------------------------------------------------------------- dense ----

def hard_sigmoid_keras2(z):
    # Keras 2: clip(0.2*x + 0.5, 0, 1). NOT torch's F.hardsigmoid (x/6 + 0.5).
    return torch.clamp(0.2 * z + 0.5, 0.0, 1.0)


ACTIVATIONS = [
    ("linear", lambda z: z, {}),
    ("relu", F.relu, {}),
    ("sigmoid", torch.sigmoid, {}),
    ("tanh", torch.tanh, {}),
    ("softmax", lambda z: F.softmax(z, dim=-1), {"note": "softmax over the last axis"}),
    ("elu", lambda z: F.elu(z, alpha=1.0), {"alpha": 1.0}),
    ("selu", F.selu, {"note": "torch selu: scale=1.0507009873554805, alpha=1.6732632423543772"}),
    ("gelu", lambda z: F.gelu(z, approximate="none"), {"note": "exact erf form: 0.5*x*(1+erf(x/sqrt(2)))"}),
    ("softplus", F.softplus, {"note": "log(1+exp(x)), beta=1"}),
    ("softsign", F.softsign, {"note": "x/(1+|x|)"}),
    ("swish", F.silu, {"note": "x*sigmoid(x) (silu)"}),
    ("leaky_relu", lambda z: F.leaky_relu(z, negative_slope=0.2), {"alpha": 0.2, "note": "negative slope 0.2"}),
    ("hard_sigmoid", hard_sigmoid_keras2,
     {"note": "Keras 2 definition clip(0.2*x+0.5, 0, 1); NOT torch F.hardsigmoid (x/6+0.5)"}),
]


def make_dense(rng):
    cases = []
    for name, fn, extra in ACTIVATIONS:
        # resample until x and the pre-activation z stay away from kinks
        for _ in range(10000):
            x = rnd(rng, -2.0, 2.0, (4, 3))
            w = rnd(rng, -1.0, 1.0, (3, 5))
            b = rnd(rng, -0.5, 0.5, (5,))
            up = rnd(rng, -1.0, 1.0, (4, 5))
            z = (torch.from_numpy(x) @ torch.from_numpy(w) + torch.from_numpy(b)).numpy()
            ok = (np.abs(x).min() >= 0.05 and np.abs(z).min() >= 0.05
                  and np.abs(np.abs(z) - 2.5).min() >= 0.05      # hard_sigmoid kinks
                  and (z > 0).sum() >= 4 and (z < 0).sum() >= 4)  # both signs
            if ok:
                break
        else:
            raise RuntimeError("could not sample dense case")
        xt, wt, bt = tens(x, True), tens(w, True), tens(b, True)
        upt = tens(up)
        y = fn(xt @ wt + bt)
        (y * upt).sum().backward()
        c = {"activation": name}
        c.update(extra)
        c.update({"x": arr(x), "w": arr(w), "b": arr(b), "upstream": arr(up),
                  "y": arr(y), "dx": arr(xt.grad), "dw": arr(wt.grad), "db": arr(bt.grad)})
        cases.append(c)
    return {"description": "y = act(x @ w + b), w shape (in,out); dx/dw/db = grads of sum(y*upstream); float32, torch "
            + torch.__version__, "cases": cases}


# --------------------------------------------------------------- losses ----

def away_from(a, points, margin):
    for p in points:
        if np.abs(a - p).min() < margin:
            return False
    return True


def make_losses(rng):
    cases = []

    def add(name, pred, target, fn, extra=None):
        p = tens(pred, True)
        t = tens(target)
        v = fn(p, t)
        v.backward()
        c = {"loss": name}
        if extra:
            c.update(extra)
        c.update({"pred": arr(pred), "target": arr(target), "value": scalar(v), "dpred": arr(p.grad)})
        cases.append(c)

    # mse / mae / huber: [5,3]
    while True:
        pred = rnd(rng, -3.0, 3.0, (5, 3))
        target = rnd(rng, -3.0, 3.0, (5, 3))
        d = pred - target
        if away_from(d, [0.0], 0.05) and away_from(np.abs(d), [1.0], 0.05) \
                and (np.abs(d) < 1).sum() >= 3 and (np.abs(d) > 1).sum() >= 3:
            break
    add("mse", pred, target, lambda p, t: F.mse_loss(p, t), {"reduction": "mean over all elements"})
    add("mae", pred, target, lambda p, t: F.l1_loss(p, t), {"reduction": "mean over all elements"})
    add("huber", pred, target, lambda p, t: F.huber_loss(p, t, delta=1.0),
        {"delta": 1.0, "reduction": "mean over all elements",
         "note": "0.5*d^2 if |d|<=delta else delta*(|d|-0.5*delta)"})

    # binary crossentropy on probabilities: [5,1]
    pred = rnd(rng, 0.05, 0.95, (5, 1))
    target = np.array([[1], [0], [1], [0], [1]], dtype=np.float32)
    add("binary_crossentropy", pred, target, lambda p, t: F.binary_cross_entropy(p, t),
        {"from_logits": False, "reduction": "mean",
         "note": "-(t*log(p)+(1-t)*log(1-p)); preds in [0.05,0.95] so Keras eps clipping (1e-7) has no effect"})

    # binary crossentropy with logits: [5,1]
    pred = np.array([[30.0], [-30.0], [1.2345], [-0.7531], [29.5]], dtype=np.float32)
    target = np.array([[0], [0], [1], [0], [1]], dtype=np.float32)
    add("binary_crossentropy_logits", pred, target,
        lambda p, t: F.binary_cross_entropy_with_logits(p, t),
        {"from_logits": True, "reduction": "mean",
         "note": "stable form max(z,0) - z*t + log1p(exp(-|z|)); dpred = (sigmoid(z)-t)/N"})

    # categorical crossentropy with logits: [5,4], one-hot targets
    logits = rnd(rng, -3.0, 3.0, (5, 4))
    logits[2] = np.array([1000.0, 0.0, -3.0, 2.0], dtype=np.float32)
    cls = np.array([1, 3, 3, 0, 2])
    onehot = np.eye(4, dtype=np.float32)[cls]
    add("categorical_crossentropy_logits", logits, onehot,
        lambda z, t: (-(t * F.log_softmax(z, dim=-1)).sum(dim=-1)).mean(),
        {"from_logits": True, "reduction": "mean over rows",
         "note": "mean_rows(-sum(t*log_softmax(z))); row 2 has logits [1000,0,-3,2] (stable path), "
                 "true class 3 -> row loss 998"})

    # sparse categorical crossentropy with logits: [5,4], target [5,1] float class ids
    logits = rnd(rng, -3.0, 3.0, (5, 4))
    logits[4] = np.array([-2.0, 1000.0, 0.5, 0.0], dtype=np.float32)
    ids = np.array([[2], [0], [3], [1], [2]], dtype=np.float32)
    add("sparse_categorical_crossentropy_logits", logits, ids,
        lambda z, t: F.cross_entropy(z, t.reshape(-1).long()),
        {"from_logits": True, "reduction": "mean over rows",
         "note": "target holds class ids as floats, shape [5,1]; row 4 has logits [-2,1000,0.5,0] with class 2"})
    return {"description": "losses, batch 5, float32, torch " + torch.__version__, "cases": cases}


# ----------------------------------------------------------- optimizers ----

# torch defaults used as fillers where a field does not apply
DEFAULTS = dict(lr=0.01, momentum=0.0, nesterov=False, beta1=0.9, beta2=0.999, eps=1e-8,
                amsgrad=False, weight_decay=0.0, rho=0.99, initial_accumulator=0.0,
                clip="none", clip_arg=0.0)

OPT_CASES = [
    dict(name="sgd", optimizer="sgd", lr=0.1),
    dict(name="sgd_momentum", optimizer="sgd", lr=0.1, momentum=0.9),
    dict(name="sgd_nesterov", optimizer="sgd", lr=0.1, momentum=0.9, nesterov=True),
    dict(name="sgd_weight_decay", optimizer="sgd", lr=0.1, weight_decay=0.01),
    dict(name="adam", optimizer="adam", lr=0.01, eps=1e-7),
    dict(name="adam_amsgrad", optimizer="adam", lr=0.01, eps=1e-7, amsgrad=True),
    dict(name="adam_weight_decay", optimizer="adam", lr=0.01, eps=1e-7, weight_decay=0.01),
    dict(name="adamw", optimizer="adamw", lr=0.01, eps=1e-7, weight_decay=0.1),
    dict(name="rmsprop", optimizer="rmsprop", lr=0.01, rho=0.9, eps=1e-7),
    dict(name="rmsprop_momentum", optimizer="rmsprop", lr=0.01, rho=0.9, momentum=0.9, eps=1e-7),
    dict(name="adagrad", optimizer="adagrad", lr=0.1, initial_accumulator=0.1, eps=1e-7),
    # extra (not in the original brief): beta2 0.9 + larger lr so the amsgrad max actually
    # differs from plain Adam within 5 steps; "adam_b2_09" is the non-amsgrad twin.
    dict(name="adam_b2_09", optimizer="adam", lr=0.1, beta2=0.9, eps=1e-7),
    dict(name="adam_amsgrad_b2_09", optimizer="adam", lr=0.1, beta2=0.9, eps=1e-7, amsgrad=True),
    dict(name="sgd_clip_value", optimizer="sgd", lr=0.1, clip="value", clip_arg=0.05),
    dict(name="sgd_clip_norm_global", optimizer="sgd", lr=0.1, clip="norm_global", clip_arg=0.1),
    dict(name="sgd_clip_norm_per_tensor", optimizer="sgd", lr=0.1, clip="norm_per_tensor", clip_arg=0.1),
    dict(name="adam_clip_norm_global", optimizer="adam", lr=0.01, eps=1e-7, clip="norm_global", clip_arg=0.1),
]


def build_opt(c, params):
    o = c["optimizer"]
    if o == "sgd":
        return torch.optim.SGD(params, lr=c["lr"], momentum=c["momentum"], nesterov=c["nesterov"],
                               weight_decay=c["weight_decay"], foreach=False)
    if o == "adam":
        return torch.optim.Adam(params, lr=c["lr"], betas=(c["beta1"], c["beta2"]), eps=c["eps"],
                                amsgrad=c["amsgrad"], weight_decay=c["weight_decay"], foreach=False)
    if o == "adamw":
        return torch.optim.AdamW(params, lr=c["lr"], betas=(c["beta1"], c["beta2"]), eps=c["eps"],
                                 amsgrad=c["amsgrad"], weight_decay=c["weight_decay"], foreach=False)
    if o == "rmsprop":
        return torch.optim.RMSprop(params, lr=c["lr"], alpha=c["rho"], eps=c["eps"],
                                   momentum=c["momentum"], weight_decay=c["weight_decay"], foreach=False)
    if o == "adagrad":
        return torch.optim.Adagrad(params, lr=c["lr"], eps=c["eps"], weight_decay=c["weight_decay"],
                                   initial_accumulator_value=c["initial_accumulator"], foreach=False)
    raise ValueError(o)


def make_optimizers(rng):
    # Resample the problem until the initial gradient suits the clipping cases:
    # per-tensor norms well above 0.1 (norm clipping bites) and a mix of elements
    # below and above 0.05 (value clipping is partial), none close to 0.05.
    for _ in range(10000):
        w0 = rnd(rng, -1.0, 1.0, (3, 4))
        b0 = rnd(rng, -0.5, 0.5, (4,))
        x = rnd(rng, -2.0, 2.0, (8, 3))
        t = rnd(rng, -3.0, 3.0, (8, 4))
        r = x.astype(np.float64) @ w0 + b0 - t
        g = np.concatenate([(2.0 / 32 * x.T @ r).ravel(), (2.0 / 32 * r.sum(0)).ravel()])
        ga = np.abs(g)
        if (np.linalg.norm(g[:12]) > 0.5 and np.linalg.norm(g[12:]) > 0.5
                and (ga < 0.04).sum() >= 3 and (ga > 0.07).sum() >= 8
                and np.abs(ga - 0.05).min() > 0.01):
            break
    else:
        raise RuntimeError("could not sample optimizer problem")
    xt, tt = tens(x), tens(t)

    cases = []
    for spec in OPT_CASES:
        c = dict(DEFAULTS)
        c.update(spec)
        for k in ("lr", "momentum", "beta1", "beta2", "eps", "weight_decay", "rho",
                  "initial_accumulator", "clip_arg"):
            c[k] = float(c[k])
        W, B = tens(w0, True), tens(b0, True)
        opt = build_opt(c, [W, B])
        steps = []
        for s in range(5):
            opt.zero_grad()
            loss = ((xt @ W + B - tt) ** 2).mean()
            loss.backward()
            gw, gb = W.grad.clone(), B.grad.clone()
            clipped = False
            if c["clip"] == "value":
                torch.nn.utils.clip_grad_value_([W, B], c["clip_arg"])
                n_over = int((gw.abs() > c["clip_arg"]).sum() + (gb.abs() > c["clip_arg"]).sum())
                clipped = 0 < n_over < gw.numel() + gb.numel()  # partial clipping
                print("  check %-26s step %d: %d of %d elements above clip value"
                      % (c["name"], s + 1, n_over, gw.numel() + gb.numel()))
            elif c["clip"] == "norm_global":
                torch.nn.utils.clip_grad_norm_([W, B], c["clip_arg"])
                clipped = math.sqrt(float(gw.norm()) ** 2 + float(gb.norm()) ** 2) > c["clip_arg"]
            elif c["clip"] == "norm_per_tensor":
                torch.nn.utils.clip_grad_norm_([W], c["clip_arg"])
                torch.nn.utils.clip_grad_norm_([B], c["clip_arg"])
                clipped = float(gw.norm()) > c["clip_arg"] and float(gb.norm()) > c["clip_arg"]
            if c["clip"] != "none":
                print("  check %-26s step %d: |gW|=%.4f |gb|=%.4f max|g|=%.4f clipped=%s"
                      % (c["name"], s + 1, float(gw.norm()), float(gb.norm()),
                         max(float(gw.abs().max()), float(gb.abs().max())), clipped))
                if not clipped:
                    raise RuntimeError("clipping case %s does not clip at step %d" % (c["name"], s + 1))
            opt.step()
            steps.append({"loss": scalar(loss), "w": arr(W), "b": arr(B)})
        c["steps"] = steps
        cases.append(c)
    return {"description": "loss = mean((x@w+b - t)^2) over all 32 elements; 5 steps of zero_grad, backward, "
            "clip, step; steps[i] = params after step i+1, steps[i].loss = loss before that step; "
            "float32, torch " + torch.__version__,
            "init": {"w": arr(w0), "b": arr(b0)}, "x": arr(x), "t": arr(t), "cases": cases}


def main():
    print("torch", torch.__version__, "numpy", np.__version__)
    rng = np.random.default_rng(SEED)
    write("dense.json", make_dense(rng))
    write("losses.json", make_losses(rng))
    write("optimizers.json", make_optimizers(rng))


if __name__ == "__main__":
    main()
