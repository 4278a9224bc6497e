#!/usr/bin/python3
"""Writes .npz files laid out exactly as Keras' model.get_weights() returns them,
for three small Keras models, and the models' outputs on fixed inputs, computed with
NumPy only (Keras 3 is not installable where these fixtures were made).

    cd interop/testdata/readers && /usr/bin/python3 make_keras_like.py

A Keras 3 (or tf.keras) user writes the weights file with:

    import numpy as np
    import keras
    from keras import layers

    # keras_mlp.npz
    model = keras.Sequential([
        keras.Input((4,)),
        layers.Dense(8, activation="relu"),
        layers.BatchNormalization(),            # epsilon 1e-3
        layers.Dense(3, activation="softmax"),
    ])
    # keras_lstm.npz
    model = keras.Sequential([keras.Input((5, 3)), layers.LSTM(4), layers.Dense(2)])
    # keras_cnn.npz
    model = keras.Sequential([
        keras.Input((6, 6, 2)),
        layers.Conv2D(3, 3, activation="relu"),  # valid padding, channels last
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(2),
    ])
    ...  # train
    np.savez("w.npz", *model.get_weights())

get_weights() lists the weights layer by layer; within a layer, trainable weights
then non-trainable ones, in creation order: Dense kernel (in, out), bias (out);
BatchNormalization gamma, beta, moving_mean, moving_variance; LSTM kernel
(in, 4*units), recurrent_kernel (units, 4*units), bias (4*units), gates i, f, c, o;
Conv2D kernel (kh, kw, in, out), bias. np.savez(*arrays) names them arr_0, arr_1, ...

Each model gets <name>.npz (the weights, as above) and <name>_io.npz (x: inputs,
y: the Keras model's outputs in inference mode, computed in float64 here).
"""
import numpy as np

rng = np.random.default_rng(7)


def u(*shape, scale=0.5):
    return rng.uniform(-scale, scale, size=shape).astype(np.float32)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def save(name, weights, x, y):
    np.savez(name + ".npz", *weights)
    np.savez(name + "_io.npz", x=x.astype(np.float32), y=y.astype(np.float32))


def f64(a):
    return a.astype(np.float64)


# 1. Dense, BatchNormalization (inference: moving statistics), softmax.
k1, b1 = u(4, 8), u(8)
gamma, beta, mean, var = u(8) + 1, u(8), u(8), rng.uniform(0.5, 2, 8).astype(np.float32)
k2, b2 = u(8, 3), u(3)
x = u(6, 4, scale=2)
h = np.maximum(f64(x) @ f64(k1) + f64(b1), 0)
h = f64(gamma) * (h - f64(mean)) / np.sqrt(f64(var) + 1e-3) + f64(beta)
z = h @ f64(k2) + f64(b2)
z = np.exp(z - z.max(axis=1, keepdims=True))
save("keras_mlp", [k1, b1, gamma, beta, mean, var, k2, b2], x, z / z.sum(axis=1, keepdims=True))

# 2. LSTM (last output) then Dense.
units = 4
k, rk, b = u(3, 4 * units), u(units, 4 * units), u(4 * units)
kd, bd = u(units, 2), u(2)
x = u(3, 5, 3, scale=1)
hs = np.zeros((3, units))
cs = np.zeros((3, units))
for t in range(5):
    zz = f64(x[:, t]) @ f64(k) + hs @ f64(rk) + f64(b)
    i, f, g, o = (zz[:, j * units:(j + 1) * units] for j in range(4))
    cs = sigmoid(f) * cs + sigmoid(i) * np.tanh(g)
    hs = sigmoid(o) * np.tanh(cs)
save("keras_lstm", [k, rk, b, kd, bd], x, hs @ f64(kd) + f64(bd))

# 3. Conv2D (valid, relu), MaxPooling2D(2), Flatten, Dense.
kc, bc = u(3, 3, 2, 3), u(3)
kd, bd = u(2 * 2 * 3, 2), u(2)
x = u(2, 6, 6, 2, scale=1)
conv = np.zeros((2, 4, 4, 3))
for r in range(4):
    for c in range(4):
        patch = f64(x[:, r:r + 3, c:c + 3, :])  # (batch, 3, 3, 2)
        conv[:, r, c, :] = np.tensordot(patch, f64(kc), axes=([1, 2, 3], [0, 1, 2])) + f64(bc)
conv = np.maximum(conv, 0)
pool = conv.reshape(2, 2, 2, 2, 2, 3).max(axis=(2, 4))  # (batch, 2, 2, 3)
save("keras_cnn", [kc, bc, kd, bd], x, pool.reshape(2, -1) @ f64(kd) + f64(bd))
