"""The module is generated from the registry: one function per estimator, its keywords the
registration's options, its docstring their help and defaults."""
import inspect
import re

import pytest

import infoplane as ip
from conftest import SOURCE_DIR, estimator_info

HELPERS = {"estimators", "toy_truth", "toy_representation", "kernel_instruction_set", "information_plane",
           "information_plane_dir"}


def test_version_is_the_librarys():
    text = (SOURCE_DIR / "include/infoplane/version.hpp").read_text()
    assert ip.__version__ == re.search(r'#define INFOPLANE_VERSION_STRING "([^"]+)"', text).group(1)


def test_one_function_per_registered_estimator(cli):
    names = cli("--list-estimators").split()
    assert ip.estimators() == names
    functions = {n for n in dir(ip) if not n.startswith("_") and callable(getattr(ip, n))
                 and not isinstance(getattr(ip, n), type)} - HELPERS
    assert functions == {n.replace("-", "_") for n in names}


def test_details_match_the_command_lines_json(cli):
    import json
    lines = [json.loads(line) for line in cli("--list-estimators", "--json").splitlines()]
    details = ip.estimators(details=True)
    assert [d["name"] for d in details] == [j["name"] for j in lines]
    for d, j in zip(details, lines):
        assert (d["kind"], d["input"], d["trainable"], d["summary"]) == (j["kind"], j["input"], j["trainable"],
                                                                          j["summary"])
        assert [(o["option"], o["kind"], o["default"], o["help"]) for o in d["options"]] == \
               [(o["name"], o["kind"], o["default"], o["help"]) for o in j["options"]]


@pytest.mark.parametrize("name", ip.estimators())
def test_signature_lists_every_option_with_its_default(name):
    info = estimator_info()[name]
    fn = getattr(ip, info["function"])
    sig = inspect.signature(fn)
    params = list(sig.parameters)
    data = ["f"] if info["input"] == "noise_model" else ["x", "y"]
    assert params[:len(data)] == data
    options = [o["name"] for o in info["options"]]
    assert [p for p in params if p in options] == options
    for o in info["options"]:
        default = sig.parameters[o["name"]].default
        if o["kind"] == "flag":
            assert default is (o["default"] == "on")
        elif o["default"] == "":
            assert default is None
        elif o["kind"] == "choice":
            assert default == o["default"]
        else:
            assert float(default) == float(o["default"])
    if info["input"] == "noise_model":
        assert {"noise_var", "noise_std", "drop_probability"} <= set(params)


@pytest.mark.parametrize("name", ip.estimators())
def test_docstring_has_every_options_help_units_and_result(name):
    info = estimator_info()[name]
    doc = getattr(ip, info["function"]).__doc__
    assert "nats" in doc and "value" in doc and "lower, upper" in doc and info["summary"] in doc
    for o in info["options"]:
        assert re.search(rf"^{o['name']} : .*default", doc, re.M), o["name"]
        first_words = re.sub(r"--[\w-]+", "", o["help"]).split()[:3]
        assert " ".join(first_words) in re.sub(r"\s+", " ", doc), o["help"]
    for o in info["options"]:
        assert f"--{o['option']}" not in doc, "a command-line spelling left in the docstring"


def test_help_shows_the_signature():
    text = ip.dropout_mc.__text_signature__
    assert text.startswith("(f, *, noise_var=None") and "no_loo=False" in text and "leave_one_out=True" in text
