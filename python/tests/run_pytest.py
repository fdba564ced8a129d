"""Runs the Python module's tests for ctest.

Exits 77 (the test's SKIP_RETURN_CODE) when pytest or NumPy is missing, so such a machine
reports the test as skipped, never as passed; pytest's "no tests collected" (5) is a failure.
"""
import importlib.util
import sys

missing = [m for m in ("pytest", "numpy") if importlib.util.find_spec(m) is None]
if missing:
    print(f"SKIPPED: {' and '.join(missing)} not importable by {sys.executable}")
    sys.exit(77)

import pytest  # noqa: E402

rc = int(pytest.main(sys.argv[1:]))
if rc == pytest.ExitCode.NO_TESTS_COLLECTED:
    print("no tests collected: the test files are missing or filtered out")
    sys.exit(1)
sys.exit(rc)
