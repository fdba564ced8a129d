"""NumPy peer: Monte Carlo h(Z) of the dropout mixture, written as a NumPy user would write it.

Quadratic forms through the matrix-product expansion, then scipy.special.logsumexp over chunks
of 2048 rows. Prints one JSON line: implementation, seconds (best of `reps`), h(Z).

usage: numpy_peer.py FOLDER [REPS]       FOLDER holds means.npy, variances.npy, samples.npy
       numpy_peer.py --means F.npy --noise-var V [--m M] [--seed S] [--reps R]
The second form builds the dropout mixture from noise-free features F (N x d): components
N(f_i, V diag(f_i^2)), M draws z = f_i * eps per point, eps ~ N(1, V); it also prints the plug-in
I(X;Z) = h(Z) - h(Z|X). Draws and loading are not timed.
"""
import argparse
import json
import sys
import time

import numpy as np
from scipy.special import logsumexp


def mixture_entropy(means, variances, samples, chunk=2048):
    k = means.shape[0]
    prec = 1.0 / variances                                        # K x d
    lin = means * prec                                            # K x d
    const = -0.5 * np.sum(np.log(2 * np.pi * variances), axis=1) - 0.5 * np.sum(means * lin, axis=1)
    total = 0.0
    for start in range(0, samples.shape[0], chunk):
        z = samples[start:start + chunk]
        logp = const - 0.5 * (z * z) @ prec.T + z @ lin.T       # rows: samples, columns: components
        total += np.sum(logsumexp(logp, axis=1) - np.log(k))
    return -total / samples.shape[0]


def main():
    if len(sys.argv) > 1 and not sys.argv[1].startswith("--"):
        folder = sys.argv[1]
        reps = int(sys.argv[2]) if len(sys.argv) > 2 else 1
        means = np.load(f"{folder}/means.npy")
        variances = np.load(f"{folder}/variances.npy")
        samples = np.load(f"{folder}/samples.npy")
        h_cond = None
    else:
        p = argparse.ArgumentParser()
        p.add_argument("--means", required=True)
        p.add_argument("--noise-var", type=float, required=True)
        p.add_argument("--m", type=int, default=1)
        p.add_argument("--seed", type=int, default=1)
        p.add_argument("--reps", type=int, default=1)
        a = p.parse_args()
        reps = a.reps
        means = np.load(a.means).astype(np.float64)
        means = means.reshape(len(means), -1)
        variances = a.noise_var * means * means
        if np.any(variances == 0):
            sys.exit("numpy_peer: a zero feature gives a zero-variance component (log 0)")
        rng = np.random.default_rng(a.seed)
        samples = np.repeat(means, a.m, axis=0)
        samples *= 1.0 + np.sqrt(a.noise_var) * rng.standard_normal(samples.shape)
        h_cond = float(np.mean(np.sum(0.5 * np.log(2 * np.pi * np.e * variances), axis=1)))
    best, h = float("inf"), None
    for _ in range(reps):
        t0 = time.perf_counter()
        h = mixture_entropy(means, variances, samples)
        best = min(best, time.perf_counter() - t0)
    out = {"impl": "numpy-openblas", "seconds": round(best, 4), "h_z": h}
    if h_cond is not None:
        out |= {"h_z_given_x": h_cond, "i_xz_plugin": h - h_cond, "n": len(means), "m": len(samples) // len(means)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
