"""The population bracket and the intervals, against numbers computed here from the result's own
fields (z from SciPy's normal quantile, independent of the library's)."""
import math

import numpy as np
import pytest

import infoplane as ip
from conftest import toy_f

stats = pytest.importorskip("scipy.stats")


def test_population_bracket_and_intervals():
    r = ip.dropout_mc(toy_f(300, 2, seed=3), noise_var=0.1, m=3, seed=1)
    assert r.target == "dataset"
    p = r.population
    assert set(p) == {"lower", "upper", "lower_std_error", "upper_std_error", "upper_source"}
    assert p["lower"] == r.value and p["upper_source"] in ("leave-one-out", "gaussian")
    assert p["lower"] <= p["upper"] and p["lower_std_error"] > r.std_error > 0
    z = stats.norm.ppf(0.975)
    lo, hi = r.interval("population", 0.95)
    assert lo == pytest.approx(p["lower"] - z * p["lower_std_error"], rel=1e-12)
    assert hi == pytest.approx(p["upper"] + z * p["upper_std_error"], rel=1e-12)
    lo, hi = r.interval("dataset", 0.99)
    z99 = stats.norm.ppf(0.995)
    assert (lo, hi) == pytest.approx((r.value - z99 * r.std_error, r.value + z99 * r.std_error), rel=1e-12)
    d = r.to_dict()
    assert d["population_lower"] == p["lower"] and d["upper_source"] == p["upper_source"]


def test_interval_errors_name_the_problem():
    r = ip.dropout_mc(toy_f(50, 1, seed=3), noise_var=0.1, m=2)
    with pytest.raises(ValueError, match="target must be 'dataset' or 'population'"):
        r.interval("both", 0.95)
    with pytest.raises(ValueError, match=r"confidence must lie in \(0, 1\)"):
        r.interval("population", 1.0)
    assert ip.ksg(np.arange(40.0).reshape(20, 2), np.arange(20.0)).population is None


def test_no_upper_bound_is_infinite_not_none():
    f = np.full((6, 6), 0.5) + np.arange(36).reshape(6, 6) / 100.0
    f[np.arange(6), np.arange(6)] = 0.0  # every row its own zero pattern
    p = ip.dropout_mc(f, noise_var=0.1, m=2).population
    assert math.isinf(p["upper"]) and p["upper_source"] == "none"
