"""scikit-learn-style peer of the Ross (2014) continuous-discrete KSG estimator I(Z;Y) for
multivariate Z and discrete labels Y: scikit-learn's `_compute_mi_cd` (k = 3, per-label
k-th neighbour radius, then points of any label within it) with KDTree(metric='chebyshev')
in place of its 1-D Euclidean trees, written as a scikit-learn user would write it.

usage: /usr/bin/python3 ross_sklearn_peer.py --x Z.npy --y labels.npy [--k 3]
           [--no-standardize] [--jitter J] [--noise-var V --m M] [--seed S] [--reps R] [--check]
Prints one JSON line: impl, value (nats, raw: not clipped at 0, like infoplane), seconds (best
of R; noise draws and loading excluded), n, d.
--noise-var V --m M: treat --x as noise-free means f and estimate on M draws z = f * eps,
eps ~ N(1, V), labels repeated (what `infoplane dropout --labels` does, with its own draws).
--check: compare on 1-D data with scikit-learn's _compute_mi_cd (no noise) and with
mutual_info_classif (its scaling and tie noise replayed here); exit 1 unless both agree to 1e-12.
"""
import argparse
import json
import sys
import time

import numpy as np
from scipy.special import digamma
from sklearn.neighbors import KDTree


def ross_mi(z, labels, k=3):
    n = z.shape[0]
    radius = np.empty(n)
    label_counts = np.empty(n)
    k_all = np.empty(n)
    for label in np.unique(labels):
        mask = labels == label
        count = int(np.sum(mask))
        if count > 1:
            kk = min(k, count - 1)
            members = z[mask]
            # k + 1: the query point is its own nearest neighbour.
            dist, _ = KDTree(members, metric="chebyshev").query(members, k=kk + 1)
            radius[mask] = np.nextafter(dist[:, -1], 0)   # count strictly closer points below
            k_all[mask] = kk
        label_counts[mask] = count
    keep = label_counts > 1                                # a unique label carries no neighbours
    z, radius, label_counts, k_all = z[keep], radius[keep], label_counts[keep], k_all[keep]
    m_all = KDTree(z, metric="chebyshev").query_radius(z, radius, count_only=True)   # includes self
    return digamma(z.shape[0]) + np.mean(digamma(k_all)) - np.mean(digamma(label_counts)) - np.mean(digamma(m_all))


def prepare(z, standardize, jitter, rng):
    z = z.astype(np.float64)
    if standardize:                                        # as infoplane's ksg (population std)
        sd = z.std(axis=0)
        z = (z - z.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    if jitter > 0:
        z = z + jitter * rng.standard_normal(z.shape)
    return z


def check():
    """1-D: same value as mutual_info_classif with its tie noise off, and within it when on."""
    from sklearn.feature_selection import mutual_info_classif
    from sklearn.feature_selection._mutual_info import _compute_mi_cd
    rng = np.random.default_rng(0)
    out = []
    for n, classes, shift, step in [(500, 2, 1.0, 0), (5000, 10, 0.5, 0), (5000, 10, 0.5, 0.1)]:
        y = rng.integers(0, classes, n)
        x = rng.normal(size=n) + shift * y
        if step:                                           # quantised: ties, where the noise matters
            x = np.round(x / step) * step
        ours = ross_mi(x[:, None], y)
        no_noise = _compute_mi_cd(x, y, 3)                 # what mutual_info_classif calls, clipped at 0
        classif = mutual_info_classif(x[:, None], y, discrete_features=False, n_neighbors=3, random_state=0)[0]
        # mutual_info_classif's own preprocessing, replayed: divide by the std, add its tie noise.
        xs = x / x.std()
        xs = xs + 1e-10 * max(1.0, np.mean(np.abs(xs))) * np.random.RandomState(0).standard_normal(n)
        ours_noisy = ross_mi(xs[:, None], y)
        out.append({"n": n, "classes": classes, "tie_step": step, "ours": float(ours),
                    "sklearn_compute_mi_cd": float(no_noise), "ours_with_its_noise": float(ours_noisy),
                    "mutual_info_classif": float(classif),
                    "diff_no_noise": float(abs(max(0.0, ours) - no_noise)),
                    "diff_with_noise": float(abs(max(0.0, ours_noisy) - classif))})
    for r in out:
        print(json.dumps(r))
    return 0 if all(r["diff_no_noise"] < 1e-12 and r["diff_with_noise"] < 1e-12 for r in out) else 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--x")
    p.add_argument("--y")
    p.add_argument("--k", type=int, default=3)
    p.add_argument("--no-standardize", action="store_true")
    p.add_argument("--jitter", type=float, default=0.0, help="std of tie-breaking noise (after standardising)")
    p.add_argument("--noise-var", type=float)
    p.add_argument("--m", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--reps", type=int, default=1)
    p.add_argument("--check", action="store_true")
    a = p.parse_args()
    if a.check:
        return check()
    if not a.x or not a.y:
        p.error("--x and --y are required")
    z = np.load(a.x)
    z = z.reshape(len(z), -1)
    y = np.load(a.y).reshape(-1)
    if len(y) != len(z):
        p.error(f"--y has {len(y)} labels for {len(z)} rows of --x")
    rng = np.random.default_rng(a.seed)
    if a.noise_var is not None:
        z = np.repeat(z, a.m, axis=0)
        z = z * (1.0 + np.sqrt(a.noise_var) * rng.standard_normal(z.shape))
        y = np.repeat(y, a.m)
    z = prepare(z, not a.no_standardize, a.jitter, rng)
    best, value = float("inf"), None
    for _ in range(a.reps):
        t0 = time.perf_counter()
        value = ross_mi(z, y, a.k)
        best = min(best, time.perf_counter() - t0)
    print(json.dumps({"impl": "sklearn-kdtree-chebyshev-ross", "value": float(value), "seconds": round(best, 4),
                      "n": int(z.shape[0]), "d": int(z.shape[1])}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
