"""Every estimator gives the command line's numbers for the same data and seed: float64 data in
either order exactly, float32 data exactly what the library gives for float32 input."""
import numpy as np
import pytest

import infoplane as ip
from conftest import estimator_info, toy_f

NOISE_VAR = 0.25
# Small enough to run every estimator quickly; the neural ones train briefly.
QUICK = {"steps": 40, "batch": 32, "hidden": 16}
NAMES = ip.estimators()


def options_for(info):
    taken = {o["name"] for o in info["options"]}
    base = {"seed": 7, "m": 4, **QUICK}
    return {k: v for k, v in base.items() if k in taken}


def cli_flags(options):
    flags = []
    for k, v in options.items():
        flag = f"--{k.replace('_', '-')}"
        if v is True:
            flags.append(flag)
        elif v is not False:
            flags += [flag, v]
    return flags


def pair_data(n=300, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 2))
    y = 0.8 * x[:, :1] + 0.6 * rng.standard_normal((n, 1))
    return x, y


def result_keys_equal(py, cli_json):
    d = py.to_dict()
    assert set(d) <= set(cli_json)
    for k in d:
        if k != "seconds":
            assert d[k] == cli_json[k], (k, d[k], cli_json[k])


def run_both(cli, tmp_path, name, arrays, py_options=None):
    info = estimator_info()[name]
    fn = getattr(ip, info["function"])
    options = options_for(info) if py_options is None else py_options
    files = []
    for i, a in enumerate(arrays):
        path = tmp_path / f"a{i}.npy"
        np.save(path, a)
        files.append(path)
    if info["input"] == "noise_model":
        out = cli.json("dropout", "--estimator", name, "--means", files[0], "--noise-var", NOISE_VAR,
                       *cli_flags(options))
        r = fn(arrays[0], noise_var=NOISE_VAR, **options)
    else:
        out = cli.json("estimate", "--estimator", name, "--x", files[0], "--y", files[1], *cli_flags(options))
        r = fn(arrays[0], arrays[1], **options)
    return r, out


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("variant", ["C", "F", "float32-C", "float32-F"])
def test_same_numbers_as_the_command_line(cli, tmp_path, name, variant):
    info = estimator_info()[name]
    arrays = [toy_f(300, 3, seed=2)] if info["input"] == "noise_model" else list(pair_data())
    dtype = np.float32 if variant.startswith("float32") else np.float64
    order = variant[-1]
    arrays = [np.asarray(a, dtype=dtype, order=order) for a in arrays]
    r, out = run_both(cli, tmp_path, name, arrays)
    result_keys_equal(r, out)
    assert r.estimator == name and np.isfinite(r.value)


@pytest.mark.parametrize("name", ["ksg", "binning", "edge"])
@pytest.mark.parametrize("dtype", [np.int8, np.uint16, np.int32, np.int64, np.uint64])
def test_integer_labels_of_any_width(cli, tmp_path, name, dtype):
    rng = np.random.default_rng(4)
    labels = rng.integers(0, 5, 400)
    z = toy_f(400, 2, seed=5) + labels[:, None]
    options = {"seed": 3} if name != "binning" else {}
    if name != "edge":
        options["discrete_y"] = True
    r, out = run_both(cli, tmp_path, name, [z, labels.astype(dtype)], py_options=options)
    result_keys_equal(r, out)
    assert r.value > 0.1


def test_dropout_mc_options_reach_the_estimator(cli, tmp_path):
    f = toy_f(500, 4, seed=6)
    opts = {"m": 3, "seed": 11, "components": 200, "kernel": "pruned", "no_loo": True, "threads": 1}
    r, out = run_both(cli, tmp_path, "dropout-mc", [f], py_options=opts)
    result_keys_equal(r, out)
    assert r.upper is None and r.ceiling == pytest.approx(np.log(200))
    # The friendly spellings set the same options.
    r2 = ip.dropout_mc(f, noise_var=NOISE_VAR, m=3, seed=11, components=200, kernel="pruned", leave_one_out=False,
                       threads=1)
    assert r2.value == r.value
    r32 = ip.dropout_mc(f, noise_var=NOISE_VAR, float32=True)
    assert r32.value == ip.dropout_mc(f, noise_var=NOISE_VAR, **{"float": True}).value


def test_toy_representation_is_the_command_lines(cli):
    if not hasattr(ip, "toy_representation"):
        pytest.skip("built without the validation target")
    f = ip.toy_representation(400, 2, seed=9)
    out = cli.json("toy", "--estimator", "dropout-mc", "--n", 400, "--d", 2, "--noise-var", 0.1, "--seed", 9)
    r = ip.dropout_mc(f, noise_var=0.1, seed=9)
    result_keys_equal(r, out)
    assert out["truth"] == pytest.approx(2 * ip.toy_truth(noise_var=0.1)["mi"], rel=1e-12)
