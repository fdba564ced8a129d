"""Bad input raises ValueError or TypeError with a message naming the problem; library errors
keep the library's message."""
import numpy as np
import pytest

import infoplane as ip
from conftest import toy_f

F = toy_f(100, 2)


def test_nan_and_inf():
    bad = F.copy()
    bad[7, 1] = np.nan
    with pytest.raises(ValueError, match=r"non-finite value \(NaN or Inf\) at row 7, column 1"):
        ip.dropout_mc(bad, noise_var=0.1)
    bad[7, 1] = np.inf
    with pytest.raises(ValueError, match="non-finite"):
        ip.ksg(bad, F)


def test_wrong_ndim():
    with pytest.raises(ValueError, match=r"1-D or 2-D.*got 3-D with shape \(2, 3, 4\)"):
        ip.dropout_mc(np.ones((2, 3, 4)), noise_var=0.1)
    with pytest.raises(ValueError, match=r"y: expected a 1-D or 2-D array.*0-D"):
        ip.binning(F, np.float64(1.0))


def test_mismatched_lengths():
    with pytest.raises(ValueError, match=r"mismatched lengths: x has 100 rows but y has 99"):
        ip.edge(F, F[:99])


def test_noise_keywords():
    with pytest.raises(ValueError, match=r"exactly one of noise_var, noise_std and drop_probability.*none"):
        ip.dropout_mc(F)
    with pytest.raises(ValueError, match=r"exactly one.*got noise_var and noise_std"):
        ip.dropout_mc(F, noise_var=0.1, noise_std=0.3)
    with pytest.raises(ValueError, match=r"noise_var: .*noise variance must be finite and > 0"):
        ip.dropout_mc(F, noise_var=-0.1)
    with pytest.raises(ValueError, match=r"drop probability must lie in \(0, 1\)"):
        ip.pairwise_kl(F, drop_probability=1.0)
    assert ip.dropout_mc(F, noise_std=0.5).value == ip.dropout_mc(F, noise_var=0.25).value
    assert ip.dropout_mc(F, drop_probability=0.2, noise_var=None).value == ip.dropout_mc(F, noise_var=0.25).value


def test_unknown_keywords_and_arguments():
    with pytest.raises(TypeError, match=r"dropout_mc\(\) got an unexpected keyword argument 'bins'"):
        ip.dropout_mc(F, noise_var=0.1, bins=3)
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'noise_var'"):
        ip.ksg(F, F, noise_var=0.1)
    with pytest.raises(TypeError, match=r"takes 1 positional argument but 2"):
        ip.dropout_mc(F, F, noise_var=0.1)
    with pytest.raises(TypeError, match=r"missing required argument 'y'"):
        ip.ksg(F)
    with pytest.raises(TypeError, match=r"both no_loo and leave_one_out"):
        ip.dropout_mc(F, noise_var=0.1, no_loo=True, leave_one_out=True)


def test_option_values_are_checked_by_the_registry():
    with pytest.raises(ValueError, match=r"dropout_mc\(\): option m: '0' must be >= 1"):
        ip.dropout_mc(F, noise_var=0.1, m=0)
    with pytest.raises(ValueError, match=r"option kernel: 'fast' is not one of auto\|screened"):
        ip.dropout_mc(F, noise_var=0.1, kernel="fast")
    with pytest.raises(ValueError, match=r"give only one of bins and bin_size"):
        ip.binning(F, F, bins=4, bin_size=0.5)
    with pytest.raises(ValueError, match=r"option lr: 'nan' is not a finite number"):
        ip.dv(F, F, lr=float("nan"))
    with pytest.raises(ValueError, match=r"option m: '-1' is not a valid number"):
        ip.dropout_mc(F, noise_var=0.1, m=-1)


def test_option_types():
    with pytest.raises(TypeError, match=r"m takes an integer, got float"):
        ip.dropout_mc(F, noise_var=0.1, m=2.5)
    with pytest.raises(TypeError, match=r"no_loo takes True or False"):
        ip.dropout_mc(F, noise_var=0.1, no_loo="yes")
    with pytest.raises(TypeError, match=r"kernel takes one of 'auto'"):
        ip.dropout_mc(F, noise_var=0.1, kernel=3)
    with pytest.raises(TypeError, match=r"noise_var takes a real number"):
        ip.dropout_mc(F, noise_var="0.1")
    with pytest.raises(TypeError, match=r"expected an array"):
        ip.dropout_mc(object(), noise_var=0.1)
    with pytest.raises(TypeError, match=r"dtype complex128 is not supported"):
        ip.dropout_mc(F.astype(complex), noise_var=0.1)
    # NumPy scalars are numbers, None is the default.
    r = ip.dropout_mc(F, noise_var=np.float32(0.25), m=np.int64(3), no_loo=np.bool_(True), components=None)
    assert r.value == ip.dropout_mc(F, noise_var=0.25, m=3, no_loo=True).value


def test_empty_data():
    with pytest.raises(ValueError, match="empty data"):
        ip.dropout_mc(np.ones((0, 3)), noise_var=0.1)


def test_result_object():
    r = ip.dropout_mc(F, noise_var=0.25, seed=1)
    d = r.to_dict()
    assert list(d) == ["estimator", "value", "std_error", "lower", "upper", "ceiling", "kind", "target",
                       "population_lower", "population_upper", "population_lower_std_error",
                       "population_upper_std_error", "upper_source", "n_samples", "seconds", "status", "warnings"]
    assert d["warnings"] == r.warnings == []  # toy data: nothing suspicious
    assert d["value"] == r.value == float(r) and d["lower"] == r.lower and d["upper"] == r.upper
    assert r.seconds > 0 and r.n_samples == 100 and r.ok()
    assert "Result(estimator='dropout-mc', value=" in repr(r)
    b = ip.binning(F, F)
    assert b.std_error is None and b.lower is None and b.to_dict()["std_error"] is None


def test_infinite_bound_is_a_float_not_none():
    # Row 0's zero pattern has no other member: the leave-one-out upper end is +inf. None means
    # "does not apply"; an infinite bound stays a float.
    f = np.array([[0.0, 1.5], [1.0, 2.0], [1.2, 2.2], [0.9, 1.8]])
    r = ip.dropout_mc(f, noise_var=0.1, m=2)
    assert r.upper == float("inf") and r.to_dict()["upper"] == float("inf")
    assert r.lower is not None and np.isfinite(r.lower)
