"""Peers for the classic estimators, on the same .npy data infoplane reads:
scikit-learn's mutual_info_regression (1-D KSG, k = 3); for multivariate X and Y the same
algorithm (scikit-learn's `_compute_mi_cc`: NearestNeighbors and KDTree with the Chebyshev
metric) on columns scaled to unit variance with 1e-10 tie noise, as scikit-learn prepares them;
and a NumPy binning estimator written as a NumPy user would write it (equal-width bins over the
global range, plug-in MI in nats).
usage: peers_classic.py X.npy Y.npy BINS  -> JSON lines"""
import json
import sys
import time

import numpy as np
from scipy.special import digamma
from sklearn.feature_selection import mutual_info_regression
from sklearn.neighbors import KDTree, NearestNeighbors


def numpy_binning(x, y, bins):
    def codes(a):
        lo, hi = a.min(), a.max()
        b = np.minimum(np.floor((a - lo) / ((hi - lo) / bins)), bins - 1).astype(np.int64)
        _, ids = np.unique(b, axis=0, return_inverse=True)
        return ids.ravel()
    cx, cy = codes(x), codes(y)
    def h(ids):
        p = np.bincount(ids) / len(ids)
        p = p[p > 0]
        return -np.sum(p * np.log(p))
    joint = cx * (cy.max() + 1) + cy
    _, jids = np.unique(joint, return_inverse=True)
    return h(cx) + h(cy) - h(jids)


x, y, bins = np.load(sys.argv[1]), np.load(sys.argv[2]), int(sys.argv[3])
t0 = time.perf_counter()
v = numpy_binning(x, y, bins)
print(json.dumps({"impl": "numpy-binning", "seconds": round(time.perf_counter() - t0, 4), "value": v}))
if x.shape[1] == 1 and y.shape[1] == 1:
    t0 = time.perf_counter()
    v = mutual_info_regression(x, y.ravel(), n_neighbors=3, random_state=0)[0]
    print(json.dumps({"impl": "sklearn-ksg", "seconds": round(time.perf_counter() - t0, 4), "value": v}))
else:
    rng = np.random.default_rng(0)
    def prepare(a):
        a = (a - a.mean(axis=0)) / a.std(axis=0)
        return a + 1e-10 * rng.standard_normal(a.shape)
    t0 = time.perf_counter()
    xs, ys = prepare(x), prepare(y)
    n, k = xs.shape[0], 3
    nn = NearestNeighbors(metric="chebyshev", n_neighbors=k).fit(np.hstack((xs, ys)))
    radius = np.nextafter(nn.kneighbors()[0][:, -1], 0)
    nx = KDTree(xs, metric="chebyshev").query_radius(xs, radius, count_only=True) - 1.0
    ny = KDTree(ys, metric="chebyshev").query_radius(ys, radius, count_only=True) - 1.0
    v = digamma(n) + digamma(k) - np.mean(digamma(nx + 1)) - np.mean(digamma(ny + 1))
    print(json.dumps({"impl": "sklearn-style-ksg-chebyshev", "seconds": round(time.perf_counter() - t0, 4), "value": v}))
