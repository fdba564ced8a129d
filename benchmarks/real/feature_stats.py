"""Statistics of noise-free features that matter for the dropout-mixture kernel, for a saved
F.npy or for the toy problem (f = 2x + 0.5, x ~ N(0, I_d)).

usage: /usr/bin/python3 feature_stats.py (--means F.npy | --toy N D) [--noise-var 0.25]
           [--queries 500] [--seed 1]
Prints one JSON line. Component j is N(f_j, V diag(f_j^2)). For Q random rows i against all
N components j != i:
  d2        = sum_k (f_ik - f_jk)^2 / (V f_jk^2): squared distance in units of component j's
              per-unit noise variance (how well separated the components are)
Exact zeros (float32 softplus underflow) are point masses: only components with the same
zero pattern can be live, and d2 / gap are taken within the pattern over its nonzero units.
  gap       = ln p_i(z) - ln p_j(z) at one draw z from component i (log-weight of j below i's own)
  live      = fraction of components with gap < 40 + ln N, the kernel's threshold for a block
              that cannot change the sum (all others are prunable)
"""
import argparse
import json
import sys

import numpy as np


def log_density(z, means, log_var):
    """ln N(z; means_j, diag(exp(log_var_j))) for one point z against all rows j."""
    return -0.5 * np.sum((z - means) ** 2 / np.exp(log_var) + log_var + np.log(2 * np.pi), axis=1)


def stats(f, v, queries, rng):
    n, d = f.shape
    f = f.astype(np.float64)
    out = {"n": n, "d": d, "noise_var": v,
           "frac_exact_zero": float(np.mean(f == 0)), "frac_negative": float(np.mean(f < 0))}
    umin, umax, umean = f.min(0), f.max(0), f.mean(0)
    out["unit_min"] = {"min": float(umin.min()), "median": float(np.median(umin)), "max": float(umin.max())}
    out["unit_max"] = {"min": float(umax.min()), "median": float(np.median(umax)), "max": float(umax.max())}
    out["unit_mean"] = {"min": float(umean.min()), "median": float(np.median(umean)), "max": float(umean.max())}
    out["abs_f_quantiles_1_50_99"] = [float(q) for q in np.quantile(np.abs(f), [0.01, 0.5, 0.99])]
    out["dead_units_max_below_1e-3"] = int(np.sum(umax < 1e-3))
    zero = f == 0
    patterns, group = np.unique(zero, axis=0, return_inverse=True)
    group = group.ravel()
    out["zero_patterns"] = int(len(patterns))
    out["largest_pattern_fraction"] = float(np.bincount(group).max() / n)
    # A zero unit is a point mass: a draw from i can only come from components with i's zero
    # pattern, so separation is measured within the pattern, over its nonzero units.
    log_var = np.log(v * np.where(zero, 1.0, f) ** 2)
    threshold = 40 + np.log(n)
    rows = rng.choice(n, size=min(queries, n), replace=False)
    d2_all, d2_nn, gap_nn, live = [], [], [], []
    for i in rows:
        same = np.flatnonzero(group == group[i])
        if len(same) < 2:
            continue
        units = ~zero[i]
        fs, lv = f[same][:, units], log_var[same][:, units]
        own = np.searchsorted(same, i)
        d2 = np.sum((fs[own] - fs) ** 2 / np.exp(lv), axis=1)
        z = fs[own] * (1 + np.sqrt(v) * rng.standard_normal(units.sum()))
        lp = log_density(z, fs, lv)
        gap = lp[own] - lp
        d2, gap = np.delete(d2, own), np.delete(gap, own)
        d2_all.append(d2[rng.integers(0, len(d2), 64)])
        d2_nn.append(d2.min())
        gap_nn.append(gap.min())
        live.append(np.sum(gap < threshold) / (n - 1))   # of all components: others are exactly 0
    out["queries_with_pattern_mates"] = len(live)
    d2_all = np.concatenate(d2_all)
    out["d2_pairs_quantiles_1_50_99"] = [float(q) for q in np.quantile(d2_all, [0.01, 0.5, 0.99])]
    out["d2_nearest_quantiles_1_50_99"] = [float(q) for q in np.quantile(d2_nn, [0.01, 0.5, 0.99])]
    out["gap_nearest_median"] = float(np.median(gap_nn))
    out["frac_nearest_gap_below_0"] = float(np.mean(np.array(gap_nn) < 0))
    out["live_threshold"] = float(threshold)
    out["live_fraction_mean"] = float(np.mean(live))
    out["live_fraction_quantiles_50_90"] = [float(q) for q in np.quantile(live, [0.5, 0.9])]
    out["live_components_mean"] = float(np.mean(live) * (n - 1))
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--means")
    g.add_argument("--toy", nargs=2, type=int, metavar=("N", "D"))
    p.add_argument("--noise-var", type=float, default=0.25)
    p.add_argument("--queries", type=int, default=500)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rng = np.random.default_rng(a.seed)
    if a.toy:
        f = 2 * rng.standard_normal(tuple(a.toy)) + 0.5
        name = f"toy f = 2x + 0.5, N = {a.toy[0]}, d = {a.toy[1]}"
    else:
        f = np.load(a.means)
        f = f.reshape(len(f), -1)
        name = a.means
    print(json.dumps({"features": name} | stats(f, a.noise_var, a.queries, rng)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
