"""NumPy writes arrays in every supported layout; infoplane reads and rewrites them; NumPy checks."""
import os
import subprocess
import sys
import tempfile

import numpy as np

copy = sys.argv[1]
rng = np.random.default_rng(1)
cases = {
    "f8_c": rng.normal(size=(5, 3)),
    "f4_c": rng.normal(size=(4, 2)).astype(np.float32),
    "f8_fortran": np.asfortranarray(rng.normal(size=(3, 4))),
    "i4_fortran": np.asfortranarray(rng.integers(-9, 9, size=(3, 2)).astype(np.int32)),
    "u1_1d": np.arange(7, dtype=np.uint8),
    "i8_1d": np.array([-5, 3, 2**40], dtype=np.int64),
}
failed = 0
with tempfile.TemporaryDirectory() as d:
    for name, a in cases.items():
        src, dst = os.path.join(d, name + ".npy"), os.path.join(d, name + "_out.npy")
        np.save(src, a)
        subprocess.run([copy, src, dst], check=True)
        b = np.load(dst)
        want = a.reshape(a.shape[0], -1).astype(np.float64)
        ok = b.dtype == np.float64 and b.shape == want.shape and np.array_equal(b, want)
        print(("ok     " if ok else "FAILED ") + name)
        failed += not ok
    # Big-endian and float16 must be refused, not misread.
    refused = {"big-endian": (">f8", "big-endian"), "float16": ("<f2", "astype(np.float32)")}
    for name, (dtype, message) in refused.items():
        src = os.path.join(d, name + ".npy")
        np.save(src, np.arange(3, dtype=dtype))
        r = subprocess.run([copy, src, os.path.join(d, "x.npy")], capture_output=True, text=True)
        ok = r.returncode != 0 and message in r.stderr
        print(("ok     " if ok else "FAILED ") + name + " refused")
        failed += not ok
total = len(cases) + len(refused)
print(f"{total - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
