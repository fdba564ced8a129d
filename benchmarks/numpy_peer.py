"""NumPy peer: Monte Carlo h(Z) of the dropout mixture, written as a NumPy user would write it.

Quadratic forms through the matrix-product expansion, then scipy.special.logsumexp over chunks
of 2048 rows. Prints one JSON line: implementation, seconds (best of `reps`), h(Z).
"""
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
    folder = sys.argv[1]
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    means = np.load(f"{folder}/means.npy")
    variances = np.load(f"{folder}/variances.npy")
    samples = np.load(f"{folder}/samples.npy")
    best, h = float("inf"), None
    for _ in range(reps):
        t0 = time.perf_counter()
        h = mixture_entropy(means, variances, samples)
        best = min(best, time.perf_counter() - t0)
    print(json.dumps({"impl": "numpy-openblas", "seconds": round(best, 4), "h_z": h}))


if __name__ == "__main__":
    main()
