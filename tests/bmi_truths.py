"""Independent check of every benchmark task's truth (tests/bmi_tasks_print.cpp prints them).

Nothing here is copied from the C++ code: the expected task ids are bmi's
BENCHMARK_TASKS_LIST (src/bmi/benchmark/task_list.py), and each truth is recomputed from the
distribution's definition with NumPy/SciPy:
  multinormal   log-determinants of the covariance built from bmi's definitions (the 2-pair
                tasks through bmi's full latent-variable covariance, not the shortcut)
  Student-t     each entropy h_t(k) = E[-log p(T)] as a 1-D integral over ||T||^2 / k ~ F(k, df),
                with scipy.stats.multivariate_t's log-density (no digamma formula)
  additive      h(Y) by quadrature of the trapezoid density of Y = X + N, minus log(2 eps)
  toy dropout   h(Z) from p(z) = int phi_U(u) N(z; u, s^2 u^2) du, both integrals by the
                trapezoid rule on log-spaced grids (u = +-e^t, z = +-e^v), and
                h(Z|X) = E[1/2 log(2 pi e s^2 U^2)] on the same grid, U = 2X + 0.5
Usage: bmi_truths.py PATH_TO_bmi_tasks_print
"""
import subprocess
import sys

import numpy as np
from scipy import integrate, stats

BASE_1D = ["1v1-normal-0.75", "normal_cdf-1v1-normal-0.75", "1v1-additive-0.1", "1v1-additive-0.75",
           "1v1-bimodal-0.75", "wiggly-1v1-normal-0.75", "half_cube-1v1-normal-0.75",
           "student-identity-1-1-1", "asinh-student-identity-1-1-1"]
EXPECTED_BMI = (
    BASE_1D + ["swissroll_x-normal_cdf-1v1-normal-0.75"]
    + [f"multinormal-dense-{d}-{d}-0.5" for d in (2, 3, 5, 25, 50)]
    + [f"multinormal-sparse-{d}-{d}-2-2.0" for d in (2, 3, 5, 25)]
    + [f"student-identity-{d}-{d}-{df}" for d, df in ((2, 1), (2, 2), (3, 2), (3, 3), (5, 2), (5, 3))]
    + [f"{p}multinormal-sparse-{d}-{d}-2-2.0" for p in ("normal_cdf-", "half_cube-", "spiral-", "spiral-normal_cdf-")
       for d in (3, 5, 25)]
    + [f"asinh-student-identity-{d}-{d}-{df}" for d, df in ((2, 1), (3, 2), (5, 2))]
)
EXPECTED_DROPOUT = [f"dropout-toy-{d}-{v}" for v in (0.1, 0.4) for d in (1, 5, 10, 50)]
PREFIXES = ("normal_cdf-", "half_cube-", "spiral-", "asinh-", "wiggly-", "swissroll_x-")


def gaussian_mi(cov, dx):
    ld = lambda m: np.linalg.slogdet(m)[1]
    return 0.5 * (ld(cov[:dx, :dx]) + ld(cov[dx:, dx:]) - ld(cov))


def lvm_correlation(dx, dy, k, lam, eta, eps=1.0):
    """bmi's GaussianLVMParametrization(alpha=0, beta=0, lambd=lam, eta=eta).correlation."""
    n = dx + dy
    cov = np.zeros((n, n))
    cov[np.arange(n), np.arange(n)] += eps ** 2
    for i in range(k):
        j = dx + i
        cov[i, j] += lam ** 2
        cov[j, i] += lam ** 2
        cov[i, i] += lam ** 2
        cov[j, j] += lam ** 2
    for i in range(k, dx):
        cov[i, i] += eta ** 2
    for j in range(dx + k, n):
        cov[j, j] += eta ** 2
    v = np.diag(cov)
    return cov / np.sqrt(np.outer(v, v))


def t_entropy(k, df):
    """E[-log p(T)] for T ~ t_df(0, I_k): ||T||^2 / k ~ F(k, df)."""
    dist = stats.multivariate_t(loc=np.zeros(k), shape=np.eye(k), df=df)
    def neg_logp(s):  # the density depends on t only through ||t||^2 = k s
        t = np.zeros(k)
        t[0] = np.sqrt(k * s)
        return -dist.logpdf(t)
    f = stats.f(k, df)
    val = 0.0
    for lo, hi in ((0, 1), (1, 100), (100, np.inf)):
        val += integrate.quad(lambda s: f.pdf(s) * neg_logp(s), lo, hi, limit=400, epsabs=1e-12, epsrel=1e-11)[0]
    return val


def additive_mi(eps):
    def p(y):  # density of X + N, X ~ U(0, 1), N ~ U(-eps, eps)
        return (np.clip(y + eps, 0, 1) - np.clip(y - eps, 0, 1)) / (2 * eps)
    breaks = sorted({-eps, eps, 1 - eps, 1 + eps})
    h = -sum(integrate.quad(lambda y: p(y) * np.log(p(y)) if p(y) > 0 else 0.0, a, b, epsabs=1e-13)[0]
             for a, b in zip(breaks[:-1], breaks[1:]))
    return h - np.log(2 * eps)


def toy_mi_1d(var, slope=2.0, intercept=0.5):
    """I(X;Z) per unit on fixed log-spaced grids (the trapezoid rule, exponentially accurate on
    these smooth integrands), independent of the Boost Gauss-Kronrod code in toy_truth.hpp."""
    s = np.sqrt(var)
    u_pdf = lambda u: stats.norm.pdf(u, intercept, slope)
    dt = 0.02
    t = np.arange(-45.0, np.log(intercept + 40 * slope), dt)  # u = +-e^t
    v = np.arange(-40.0, np.log(intercept + 40 * slope) + np.log1p(12 * s), dt)  # z = +-e^v
    h_z = 0.0
    for zsign in (1.0, -1.0):
        z = zsign * np.exp(v)
        p = np.zeros_like(z)
        for usign in (1.0, -1.0):
            u = usign * np.exp(t)
            for chunk in range(0, len(z), 256):
                zz = z[chunk:chunk + 256, None]
                f = u_pdf(u)[None, :] * stats.norm.pdf(zz, u[None, :], s * np.abs(u)[None, :]) * np.exp(t)[None, :]
                p[chunk:chunk + 256] += np.trapz(f, dx=dt, axis=1)
        g = np.where(p > 0, -p * np.log(np.where(p > 0, p, 1.0)), 0.0) * np.exp(v)
        h_z += np.trapz(g, dx=dt)
    e_log_u = sum(np.trapz(u_pdf(sign * np.exp(t)) * t * np.exp(t), dx=dt) for sign in (1.0, -1.0))
    return h_z - (0.5 * np.log(2 * np.pi * np.e * var) + e_log_u)


def expected(task_id, cache):
    base = task_id
    while base.startswith(PREFIXES):  # bmi's transforms are bijections: the base's MI
        base = base.split("-", 1)[1]
    parts = base.split("-")
    if base.startswith("1v1-normal-") or base.startswith("1v1-bimodal-"):
        rho = float(parts[2])
        return -0.5 * np.log(1 - rho ** 2)
    if base.startswith("1v1-additive-"):
        return additive_mi(float(parts[2]))
    if base.startswith("multinormal-dense-"):
        dx, dy, off = int(parts[2]), int(parts[3]), float(parts[4])
        return gaussian_mi(np.eye(dx + dy) * (1 - off) + off, dx)
    if base.startswith("multinormal-sparse-"):
        dx, dy, k, lam = int(parts[2]), int(parts[3]), int(parts[4]), float(parts[5])
        return gaussian_mi(lvm_correlation(dx, dy, k, lam, lam), dx)
    if base.startswith("student-identity-"):
        dx, dy, df = int(parts[2]), int(parts[3]), int(parts[4])
        h = lambda k: cache.setdefault(("t", k, df), t_entropy(k, df))
        return h(dx) + h(dy) - h(dx + dy)  # identity dispersion: no Gaussian part
    if base.startswith("dropout-toy-"):
        d, var = int(parts[2]), float(parts[3])
        return d * cache.setdefault(("toy", var), toy_mi_1d(var))
    raise ValueError(f"no independent truth for {task_id}")


def main():
    out = subprocess.run([sys.argv[1]], check=True, capture_output=True, text=True).stdout
    rows = [line.split("\t") for line in out.strip().splitlines()]
    ids = [r[0] for r in rows]
    failures = []
    if ids != EXPECTED_BMI + EXPECTED_DROPOUT:
        failures.append(f"task list differs from bmi's BENCHMARK_TASKS_LIST + dropout tasks:\n  got {ids}")
    cache = {}
    for task_id, family, dx, dy, truth in rows:
        want = expected(task_id, cache)
        got = float(truth)
        # Closed forms agree to rounding; quadratures to their tolerance (1e-7 relative).
        tol = 1e-9 + (2e-7 if task_id.startswith(("dropout", "student", "asinh-student", "1v1-additive")) else 1e-12) * abs(want)
        status = "ok" if abs(got - want) <= tol else "FAIL"
        print(f"{status:4} {task_id:50} {family:8} {dx:>3} x {dy:<3} c++ {got:.10f}  scipy {want:.10f}")
        if status != "ok":
            failures.append(task_id)
    if failures:
        print("FAILED:", failures)
        return 1
    print(f"all {len(rows)} truths agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
