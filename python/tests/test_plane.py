"""ip.information_plane and ip.information_plane_dir: built only with the library's
plane/information_plane.hpp (and tools/ip_command.hpp for the folder); skipped without."""
import numpy as np
import pytest

import infoplane as ip
from conftest import toy_f

needs_plane = pytest.mark.skipif(not hasattr(ip, "information_plane"), reason="built without plane/information_plane.hpp")
needs_dir = pytest.mark.skipif(not hasattr(ip, "information_plane_dir"), reason="built without tools/ip_command.hpp")


def data(n=600, d=3, seed=0):
    labels = np.random.default_rng(seed).integers(0, 4, n)
    return (toy_f(n, d, seed) + labels[:, None]).astype(np.float32), labels


@needs_plane
def test_one_point():
    f, y = data()
    p = ip.information_plane(f, y, noise_var=0.25, noise_draws=2, seed=1, epoch=3, split="test", held_out=True,
                             label_estimators=["mixture", "ksg"], cross_entropy=0.5, bins=[10])
    assert (p["epoch"], p["split"], p["n"], p["d"], p["m"], p["classes"]) == (3, "test", 600, 3, 2, 4)
    r = p["i_xz"]
    assert r.kind == "point_estimate" and r.lower <= r.upper and r.ceiling == pytest.approx(np.log(600))
    assert p["i_xz_gauss_bound"].kind == "upper_bound" and p["i_xz_pairwise_kl"] is None
    assert 0 < p["i_zy_mixture"].value <= p["h_y"] + 1e-9 and p["i_zy_ksg"] is not None
    assert p["i_zy_ce_bound"].value == pytest.approx(p["h_y"] - 0.5)
    assert p["i_zy_lower"] == p["i_zy_ce_bound"].value and p["i_zy_upper"] is not None
    # The mixture's own population bracket for I(Z;Y): the plug-in plus Miller-Madow's (C - 1)/(2N)
    # above (4 classes), the held-out kernel classifier's bound below.
    zp = p["i_zy_mixture"].population
    assert zp["upper_source"] == "plug-in"
    assert zp["upper"] == pytest.approx(p["i_zy_mixture"].value + 3 / (2 * 600), rel=1e-12)
    assert 0 < zp["lower"] < zp["upper"] and zp["lower_std_error"] > 0 and zp["upper_std_error"] > 0
    # The label prior's weight moves the lower end only.
    w = ip.information_plane(f, y, noise_var=0.25, noise_draws=2, seed=1, epoch=3, split="test", held_out=True,
                             label_prior_weight=0.2)["i_zy_mixture"].population
    assert w["lower"] != zp["lower"] and w["upper"] == zp["upper"]
    with pytest.raises(ValueError, match="label_prior_weight"):
        ip.information_plane(f, y, noise_var=0.25, label_prior_weight=1.5)
    assert len(p["binning"]) == 1 and p["binning"][0]["bins"] == 10 and p["total_seconds"] > 0
    # In place or not, any order and label width: the same point.
    q = ip.information_plane(np.asfortranarray(f), y.astype(np.int8), noise_var=0.25, noise_draws=2, seed=1, epoch=3,
                             split="test", held_out=True, label_estimators=["mixture", "ksg"], cross_entropy=0.5,
                             bins=[10])
    assert q["i_xz"].value == r.value and q["i_zy_mixture"].value == p["i_zy_mixture"].value


@needs_plane
def test_point_errors():
    f, y = data()
    with pytest.raises(ValueError, match="exactly one of noise_var"):
        ip.information_plane(f, y)
    with pytest.raises(TypeError, match="labels must be integers"):
        ip.information_plane(f, y.astype(float), noise_var=0.1)
    with pytest.raises(ValueError):
        ip.information_plane(f, y[:-1], noise_var=0.1)
    with pytest.raises(ValueError, match="unknown label estimator 'knn'"):
        ip.information_plane(f, y, noise_var=0.1, label_estimators=["knn"])


@needs_dir
def test_folder(tmp_path):
    f, y = data(400, 2, seed=3)
    for epoch in (0, 2):
        np.save(tmp_path / f"no_noise_train_representations_{epoch}.npy", f + epoch)
        np.save(tmp_path / f"no_noise_test_representations_{epoch}.npy", f[:200] - epoch)
    np.save(tmp_path / "train_labels.npy", y)
    np.save(tmp_path / "test_labels.npy", y[:200])
    out = ip.information_plane_dir(str(tmp_path), noise_var=0.25, seed=5, out=str(tmp_path / "ip"))
    assert out["failed"] == [] and len(out["points"]) == 4
    pt = next(p for p in out["points"] if p["epoch"] == 2 and p["split"] == "test")
    same = ip.information_plane(f[:200] - 2, y[:200], noise_var=0.25, noise_draws=6, seed=5, epoch=2, split="test",
                                held_out=True, label_estimators=["mixture", "ksg"])
    assert pt["i_xz"]["value"] == same["i_xz"].value
    with pytest.raises(OSError, match="no such folder"):
        ip.information_plane_dir(str(tmp_path / "missing"), noise_var=0.25)
