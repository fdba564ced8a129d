"""Synthetic workloads of benchmarks/real/kernel_grid.sh, written to FOLDER as .npy:
clustered tanh features (10 classes, centres N(0, 1.5^2 I), spread 0.5, tanh + 1.05, float32)
at d = 32, 84, and the toy problem f = 2x + 0.5, x ~ N(0, I) at d = 2, 32, 84; N = 10000, seed 1.
usage: /usr/bin/python3 kernel_grid_data.py FOLDER"""
import sys
import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(1)
for d in (32, 84):
    n = 10000
    centres = rng.normal(0, 1.5, (10, d))
    y = rng.integers(0, 10, n)
    x = np.tanh(centres[y] + rng.normal(0, 0.5, (n, d))) + 1.05
    np.save(f"{out}/tanh{d}.npy", x.astype(np.float32))
for d in (2, 32, 84):
    np.save(f"{out}/toy{d}.npy", 2 * rng.normal(0, 1, (10000, d)) + 0.5)
