"""NumPy writes an epoch folder in the paper code's layout (float32 and float64, C and Fortran
order, int64 and int32 labels); the `ip` engine reads it; NumPy computes the known answers."""
import csv
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

cmd = sys.argv[1:]  # the program and its subcommand: infoplane ip
failed = passed = 0


def check(ok, what):
    global failed, passed
    print(("ok     " if ok else "FAILED ") + what)
    passed += bool(ok)
    failed += not ok


def entropy_of_rows(codes):
    _, counts = np.unique(codes, axis=0, return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum())


def features(n, per_class, rng):
    """Classes far apart, points within a class on a 0.5 grid: exact in float32."""
    y = np.repeat(np.arange(n // per_class), per_class)
    j = np.arange(n) % per_class
    f = np.empty((n, 4))
    f[:, 0] = 20.0 * (y + 1) + 0.5 * (j % 25)
    f[:, 1] = 30.0 + 0.5 * (j // 25)
    f[:, 2] = 5.0 + 0.25 * rng.integers(0, 8, n)
    f[:, 3] = 1.0 + 0.125 * y
    return f, y


var = 1e-8  # sd 1e-4 f: every point 50 sd from its neighbours
rng = np.random.default_rng(3)
f_train, y_train = features(200, 50, rng)
f_test, y_test = features(100, 25, rng)
with tempfile.TemporaryDirectory() as d:
    np.save(os.path.join(d, "no_noise_train_representations_0.npy"), f_train.astype(np.float32))
    np.save(os.path.join(d, "no_noise_train_representations_2.npy"), np.asfortranarray(f_train))
    np.save(os.path.join(d, "no_noise_test_representations_0.npy"), np.asfortranarray(f_test.astype(np.float32)))
    np.save(os.path.join(d, "no_noise_test_representations_2.npy"), f_test)
    np.save(os.path.join(d, "train_labels.npy"), y_train.astype(np.int64))
    np.save(os.path.join(d, "test_labels.npy"), y_test.astype(np.int32))
    out = os.path.join(d, "out")
    r = subprocess.run([*cmd, "--dir", d, "--out", out, "--noise-var", str(var), "--m-train", "1", "--m-test", "2",
                        "--label-estimators", "mixture", "--bins", "5,50", "--seed", "4", "--quiet"],
                       capture_output=True, text=True)
    check(r.returncode == 0, "exit status 0 (stderr: %r)" % r.stderr[-300:])
    lines = r.stdout.strip().splitlines()
    check(len(lines) == 1 and json.loads(lines[0])["points"] == 4, "stdout is one JSON summary line")
    rows = list(csv.DictReader(open(os.path.join(out, "information_plane.csv"))))
    check(len(rows) == 4, "four rows")
    by = {(int(x["epoch"]), x["split"]): x for x in rows}
    for split, f, y in (("train", f_train, y_train), ("test", f_test, y_test)):
        n = len(y)
        _, counts = np.unique(y, return_counts=True)
        p = counts / n
        h_y = float(-(p * np.log(p)).sum())
        # Gaussian bound, analytic covariance: Cov f(X) + s^2 diag E f^2, minus h(Z|X).
        cov = np.cov(f, rowvar=False, bias=True) + var * np.diag((f ** 2).mean(axis=0))
        h_bound = 0.5 * np.linalg.slogdet(2 * np.pi * np.e * cov)[1]
        h_cond = np.mean(np.sum(0.5 * np.log(2 * np.pi * np.e * var * f ** 2), axis=1))
        gauss = h_bound - h_cond
        for epoch in (0, 2):
            row = by[(epoch, split)]
            tag = "%s epoch %d" % (split, epoch)
            check(int(row["n"]) == n and int(row["d"]) == 4, tag + ": n and d")
            check(abs(float(row["i_xz"]) - np.log(n)) < 1e-6, tag + ": I(X;Z) = log N")
            check(abs(float(row["i_zy"]) - h_y) < 1e-9, tag + ": I(Z;Y) = H(Y) (NumPy counts)")
            check(abs(float(row["i_xz_gauss_bound"]) - gauss) < 1e-8 * abs(gauss), tag + ": Gaussian bound = NumPy slogdet")
        # float32 C-order and float64 Fortran-order files of the same values give the same deterministic numbers
        check(by[(0, split)]["i_xz_gauss_bound"] == by[(2, split)]["i_xz_gauss_bound"], split + ": layouts agree")
    bins = list(csv.DictReader(open(os.path.join(out, "binning_plane.csv"))))
    check(len(bins) == 8, "binning plane: 4 points x 2 bin counts")
    for b in bins:
        f, y = (f_train, y_train) if b["split"] == "train" else (f_test, y_test)
        k = int(b["bins"])
        lo, hi = f.min(), f.max()  # one range for the whole layer
        codes = np.minimum(np.floor((f - lo) / ((hi - lo) / k)), k - 1).astype(np.int64)
        h_t = entropy_of_rows(codes)
        i_ty = h_t + entropy_of_rows(y[:, None]) - entropy_of_rows(np.c_[codes, y])
        tag = "binning %s epoch %s, %d bins" % (b["split"], b["epoch"], k)
        check(abs(float(b["i_xt"]) - h_t) < 1e-12 and abs(float(b["i_ty"]) - i_ty) < 1e-12, tag + " = NumPy")
    j = json.load(open(os.path.join(out, "information_plane.json")))
    check(j["points"][1]["i_zy_mixture"]["target"] == "dataset" and j["options"]["m_test"] == 2, "JSON fields")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
