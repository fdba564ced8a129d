"""The toy problem against its exact I(X;Z), computed here by SciPy quadrature (independent of
the library's Boost.Math one): X ~ N(0, 1), f = 2x + 0.5, Z = f * eps, eps ~ N(1, s^2)."""
import math

import numpy as np
import pytest

import infoplane as ip
from conftest import toy_f

scipy_integrate = pytest.importorskip("scipy.integrate")
quad = scipy_integrate.quad


def toy_mi_scipy(var, a=2.0, b=0.5):
    s = math.sqrt(var)

    def phi_u(u):  # density of U = f(X) ~ N(b, a^2)
        return math.exp(-0.5 * ((u - b) / a) ** 2) / (a * math.sqrt(2 * math.pi))

    def p_z(z):  # int phi_U(u) N(z; u, s^2 u^2) du: the component's width is s |u|
        def g(u):
            if u == 0.0:
                return 0.0
            w = s * abs(u)
            return phi_u(u) * math.exp(-0.5 * ((z - u) / w) ** 2) / (w * math.sqrt(2 * math.pi))
        lo, hi = b - 12 * a, b + 12 * a
        pts = sorted({p for p in (0.0, z) if lo < p < hi})
        return quad(g, lo, hi, points=pts, limit=400, epsabs=1e-11, epsrel=1e-8)[0]

    def integrand(z):
        p = p_z(z)
        return -p * math.log(p) if p > 0 else 0.0

    zmax = (abs(b) + 12 * a) * (1 + 12 * s)
    h_z = sum(quad(integrand, lo, hi, points=[p for p in (-1.0, -0.1, 0.1, 1.0) if lo < p < hi], limit=400,
                   epsabs=1e-9, epsrel=1e-7)[0] for lo, hi in ((-zmax, 0.0), (0.0, zmax)))
    e_log_u = quad(lambda u: phi_u(u) * math.log(abs(u)) if u != 0 else 0.0, b - 12 * a, b + 12 * a, points=[0.0],
                   limit=400, epsabs=1e-13)[0]
    h_cond = 0.5 * math.log(2 * math.pi * math.e * var) + e_log_u
    return h_z - h_cond


@pytest.fixture(scope="module")
def truth():
    return {var: toy_mi_scipy(var) for var in (0.1, 0.25)}


def test_scipy_truth_matches_the_librarys_quadrature(truth):
    if not hasattr(ip, "toy_truth"):
        pytest.skip("built without the validation target")
    for var, mi in truth.items():
        assert ip.toy_truth(noise_var=var)["mi"] == pytest.approx(mi, abs=2e-6)


@pytest.mark.parametrize("var", [0.1, 0.25])
@pytest.mark.parametrize("d", [1, 2])
def test_dropout_mc_bracket_contains_the_truth(truth, var, d):
    f = toy_f(1500, d, seed=11)
    r = ip.dropout_mc(f, noise_var=var, m=10, seed=5)
    exact = d * truth[var]
    slack = 4 * r.std_error
    assert r.lower <= r.upper
    assert r.lower - slack <= exact <= r.upper + slack, (r, exact)
    assert abs(r.value - exact) < 0.1 * d
    assert r.ceiling == pytest.approx(math.log(1500))
    assert r.kind == "point_estimate" and r.status == "ok" and r.n_samples == 1500


def test_gaussian_bound_lies_above_the_truth(truth):
    f = toy_f(1500, 2, seed=3)
    r = ip.dropout_gauss_bound(f, noise_var=0.25)
    assert r.kind == "upper_bound" and r.value >= 2 * truth[0.25] - 0.05
