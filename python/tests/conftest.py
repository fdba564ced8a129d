import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import infoplane as ip

SOURCE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cli():
    """Runs the command-line program (INFOPLANE_CLI, set by ctest) and returns its JSON."""
    path = os.environ.get("INFOPLANE_CLI")
    if not path or not Path(path).is_file():
        pytest.skip("INFOPLANE_CLI does not name the built command-line program")

    def run(*args):
        out = subprocess.run([path, *map(str, args)], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        return out.stdout

    run.path = path
    run.json = lambda *args: json.loads(run(*args))
    return run


def estimator_info():
    return {e["name"]: e for e in ip.estimators(details=True)}


def toy_f(n, d, seed=0):
    """The toy problem's representations f = 2x + 0.5, x ~ N(0, 1), from NumPy's generator."""
    return 2.0 * np.random.default_rng(seed).standard_normal((n, d)) + 0.5
