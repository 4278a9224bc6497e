#!/usr/bin/python3
"""Writes fixtures.json: reference values for package privacy's tests.

An independent Python implementation of the RDP accountant of TensorFlow
Privacy (tensorflow_privacy/privacy/analysis/rdp_accountant.py, whose formulas
dp_accounting's RdpAccountant keeps for the Poisson-sampled Gaussian): the
binomial sum for integer orders, the two-tailed series for fractional orders
(Mironov, Talwar and Zhang 2019, Sec. 3.3), the classic conversion
eps = rdp - log(delta)/(alpha-1) and the improved one of dp_accounting's
compute_epsilon (Balle et al. 2020; Canonne, Kamath and Steinke 2020). It uses
scipy's binom and log_ndtr as TF Privacy does, and, as a third check, scipy's
adaptive quadrature of the defining integral.

Run with Debian's python3 (numpy, scipy) from this directory:

    /usr/bin/python3 make_fixtures.py > fixtures.json
"""
import json
import math
import sys

import numpy as np
from scipy import integrate, special


def log_add(x, y):
    a, b = min(x, y), max(x, y)
    if a == -np.inf:
        return b
    return math.log1p(math.exp(a - b)) + b


def log_sub(x, y):
    if x < y:
        raise ValueError("negative result")
    if y == -np.inf:
        return x
    if x == y:
        return -np.inf
    try:
        return math.log(math.expm1(x - y)) + y
    except OverflowError:
        return x


def log_erfc(x):
    return math.log(2) + special.log_ndtr(-x * 2 ** .5)


def log_a_int(q, sigma, alpha):
    log_a = -np.inf
    for i in range(alpha + 1):
        log_coef = (math.log(special.binom(alpha, i)) + i * math.log(q) +
                    (alpha - i) * math.log(1 - q))
        log_a = log_add(log_a, log_coef + (i * i - i) / (2 * sigma ** 2))
    return float(log_a)


def log_a_frac(q, sigma, alpha):
    log_a0, log_a1 = -np.inf, -np.inf
    i = 0
    z0 = sigma ** 2 * math.log(1 / q - 1) + .5
    while True:
        coef = special.binom(alpha, i)
        log_coef = math.log(abs(coef))
        j = alpha - i
        log_t0 = log_coef + i * math.log(q) + j * math.log(1 - q)
        log_t1 = log_coef + j * math.log(q) + i * math.log(1 - q)
        log_e0 = math.log(.5) + log_erfc((i - z0) / (math.sqrt(2) * sigma))
        log_e1 = math.log(.5) + log_erfc((z0 - j) / (math.sqrt(2) * sigma))
        log_s0 = log_t0 + (i * i - i) / (2 * sigma ** 2) + log_e0
        log_s1 = log_t1 + (j * j - j) / (2 * sigma ** 2) + log_e1
        if coef > 0:
            log_a0, log_a1 = log_add(log_a0, log_s0), log_add(log_a1, log_s1)
        else:
            log_a0, log_a1 = log_sub(log_a0, log_s0), log_sub(log_a1, log_s1)
        i += 1
        if max(log_s0, log_s1) < -30:
            break
    return log_add(log_a0, log_a1)


def rdp_one_step(q, sigma, alpha):
    if q == 1:
        return alpha / (2 * sigma ** 2)
    if float(alpha).is_integer():
        return log_a_int(q, sigma, int(alpha)) / (alpha - 1)
    return log_a_frac(q, sigma, alpha) / (alpha - 1)


def rdp_quad(q, sigma, alpha):
    """log(A_alpha)/(alpha-1) by scipy.integrate.quad, scaled by the peak."""
    def log_f(z):
        x = (z - .5) / sigma ** 2
        log_ratio = np.logaddexp(math.log1p(-q), math.log(q) + x) if q < 1 else x
        return -z * z / (2 * sigma ** 2) - math.log(sigma * math.sqrt(2 * math.pi)) + alpha * log_ratio
    grid = np.linspace(-40 * sigma, alpha + 40 * sigma, 20001)
    peak = max(log_f(z) for z in grid)
    points = sorted(set([0.0, float(alpha)] + [float(i) for i in range(0, int(alpha) + 1, max(1, int(alpha) // 20))]))
    val, _ = integrate.quad(lambda z: math.exp(log_f(z) - peak), -40 * sigma, alpha + 40 * sigma,
                            points=points, limit=500, epsabs=0, epsrel=1e-11)
    return (peak + math.log(val)) / (alpha - 1)


def default_orders():
    return [1.25, 1.5, 1.75, 2., 2.25, 2.5, 3., 3.5, 4., 4.5] + list(range(5, 64)) + [128, 256, 512]


def eps_classic(orders, rdp, delta):
    eps = [r - math.log(delta) / (a - 1) for a, r in zip(orders, rdp)]
    k = int(np.nanargmin(eps))
    return eps[k], orders[k]


def eps_improved(orders, rdp, delta):
    eps = []
    for a, r in zip(orders, rdp):
        if delta ** 2 + math.expm1(-r) >= 0:
            e = 0.
        elif a > 1.01:
            e = r + math.log1p(-1 / a) - math.log(delta * a) / (a - 1)
        else:
            e = np.inf
        eps.append(e)
    k = int(np.argmin(eps))
    return max(0., eps[k]), orders[k]


def spent(q, sigma, steps, orders, delta):
    rdp = [rdp_one_step(q, sigma, a) * steps for a in orders]
    ei, oi = eps_improved(orders, rdp, delta)
    ec, oc = eps_classic(orders, rdp, delta)
    return dict(eps_improved=ei, order_improved=float(oi), eps_classic=ec, order_classic=float(oc))


def main():
    rdp_cases = []
    for q in [0.001, 256 / 60000, 0.01, 0.1, 0.5, 1.0]:
        for sigma in [0.5, 0.8, 1.1, 2.0, 5.0]:
            for alpha in [1.25, 1.5, 2.0, 2.5, 3.0, 4.5, 8.0, 16.0, 32.0, 63.0, 128.0]:
                r = rdp_one_step(q, sigma, alpha)
                case = dict(q=q, sigma=sigma, order=alpha, rdp=r)
                if alpha <= 32 and sigma >= 0.8:
                    case["rdp_quad"] = rdp_quad(q, sigma, alpha)
                rdp_cases.append(case)

    # DP-SGD as package privacy counts it: q = batch/n, steps = epochs*ceil(n/batch).
    dpsgd = []
    for n, batch, noise, epochs, delta in [
            (60000, 256, 1.1, 60, 1e-5), (60000, 256, 1.12, 60, 1e-5),
            (60000, 150, 1.3, 15, 1e-5), (100000, 100, 1.0, 30, 1e-7),
            (50000, 512, 0.8, 100, 1e-5), (10000, 64, 2.0, 5, 1e-6),
            (1000, 1000, 1.0, 1, 1e-3), (60000, 256, 0.5, 10, 1e-5)]:
        steps = epochs * math.ceil(n / batch)
        q = batch / n
        case = dict(n=n, batch=batch, noise=noise, epochs=epochs, delta=delta, q=q, steps=steps)
        case.update(spent(q, noise, steps, default_orders(), delta))
        dpsgd.append(case)

    # Published values, recomputed here with the published settings.
    published = []
    # TF Privacy compute_dp_sgd_privacy_test.py (dp_accounting RdpAccountant,
    # steps = ceil(epochs*n/batch), default orders, improved conversion).
    for name, n, batch, noise, epochs, delta, eps, order in [
            ("tfp_test0", 60000, 150, 1.3, 15, 1e-5, 0.7242234026109595, 19.0),
            ("tfp_test1", 100000, 100, 1.0, 30, 1e-7, 1.4154988495444842, 13.0),
            ("tfp_test2", 100000000, 1024, 0.1, 10, 1e-7, 5907982.3113978775, 1.25)]:
        steps = int(math.ceil(epochs * n / batch))
        s = spent(batch / n, noise, steps, default_orders(), delta)
        published.append(dict(name=name, q=batch / n, noise=noise, steps=steps, delta=delta,
                              orders="default", conversion="improved",
                              published_eps=eps, published_order=order,
                              eps=s["eps_improved"], order=s["order_improved"]))
    # TF Privacy tutorials/README.md: the MNIST tutorial (noise 1.12, batch 256,
    # 60 epochs of 60000//256 steps, orders 1.1..10.9 and 12..63, classic
    # conversion) prints "For delta=1e-5, the current epsilon is: 2.92".
    old_orders = [1 + x / 10. for x in range(1, 100)] + list(range(12, 64))
    steps = 60 * (60000 // 256)
    rdp = [rdp_one_step(256 / 60000, 1.12, a) * steps for a in old_orders]
    eps, order = eps_classic(old_orders, rdp, 1e-5)
    published.append(dict(name="tfp_mnist_tutorial", q=256 / 60000, noise=1.12, steps=steps, delta=1e-5,
                          orders="tutorial", conversion="classic", published_eps=2.92,
                          published_order=None, eps=eps, order=float(order)))

    json.dump(dict(rdp=rdp_cases, dpsgd=dpsgd, published=published,
                   default_orders=[float(a) for a in default_orders()]),
              sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
