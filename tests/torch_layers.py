#!/usr/bin/env python3
"""train_ip's dropout layers (examples/torch) against truths computed here with NumPy.

Gaussian dropout: the multiplicative noise has mean 1 and the variance asked for (given as
sigma^2, or as p / (1 - p) from a drop probability). Information dropout: the layer's KL equals
the closed form KL(N(log f, alpha^2) || N(mu1, sigma1^2)) written out below and a Monte Carlo
estimate of the same KL, and log(z / f) has mean 0 and variance alpha^2.
Usage: torch_layers.py TRAIN_IP"""
import json
import math
import subprocess
import sys

import numpy as np

exe = sys.argv[1]
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def layers(*flags):
    out = subprocess.run([exe, "--self-test-layers", *flags], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


for flags, var in ((["--noise-var", "0.3"], 0.3), (["--drop-probability", "0.2"], 0.25)):
    g = layers(*flags, "--seed", "1")["gaussian"]
    n = g["n"]
    se_mean, se_var = math.sqrt(var / n), var * math.sqrt(2.0 / (n - 1))  # normal noise: Var(s^2) = 2 sigma^4 / (n-1)
    check(abs(g["variance_asked"] - var) < 1e-12, f"{flags}: the layer's variance is {var}")
    check(abs(g["mean"] - 1.0) < 5 * se_mean, f"{flags}: noise mean {g['mean']:.5f} = 1 within 5 SE ({se_mean:.1e})")
    check(abs(g["variance"] - var) < 5 * se_var, f"{flags}: noise variance {g['variance']:.5f} = {var} within 5 SE ({se_var:.1e})")
    check(g["noise_free_equal"], f"{flags}: without noise the layer is the identity")

info = layers("--seed", "2")["information"]
mu1, s1 = info["mu1"], info["sigma1"]
log_f, alpha = np.array(info["log_f"]), np.array(info["alpha"])
closed = (np.log(s1 / alpha) + (alpha**2 + (log_f - mu1) ** 2) / (2 * s1**2) - 0.5).sum(axis=1)
for row in range(2):
    got = info["kl"][row]
    check(abs(got - closed[row]) < 1e-5 * closed[row], f"KL row {row}: layer {got:.6f} = closed form {closed[row]:.6f}")

# Monte Carlo: E over u ~ N(log f, alpha^2) of log N(u; log f, alpha^2) - log N(u; mu1, sigma1^2).
rng = np.random.default_rng(0)
m = 400000
for row in range(2):
    terms = np.zeros(m)
    for k in range(log_f.shape[1]):
        a, lf = alpha[row, k], log_f[row, k]
        u = lf + a * rng.standard_normal(m)
        terms += (-np.log(a) - 0.5 * ((u - lf) / a) ** 2) - (-np.log(s1) - 0.5 * ((u - mu1) / s1) ** 2)
    mc, se = terms.mean(), terms.std(ddof=1) / math.sqrt(m)
    got = info["kl"][row]
    check(abs(got - mc) < 5 * se + 1e-4, f"KL row {row}: layer {got:.5f} = Monte Carlo {mc:.5f} within 5 SE ({se:.1e})")

a, n = info["noise_alpha"], info["n"]
check(abs(info["log_noise_mean"]) < 5 * a / math.sqrt(n), f"log noise mean {info['log_noise_mean']:.5f} = 0")
check(abs(info["log_noise_variance"] - a * a) < 5 * a * a * math.sqrt(2.0 / (n - 1)),
      f"log noise variance {info['log_noise_variance']:.5f} = alpha^2 = {a * a}")

sys.exit(1 if failures else 0)
