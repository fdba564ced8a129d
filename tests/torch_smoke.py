#!/usr/bin/env python3
"""Smoke run of train_ip (examples/torch): 1 epoch, 1000 train and 200 test images, for Gaussian
and information dropout. The training log has its rows and every value is finite; the
information-plane rows equal those of `infoplane ip` run on the saved representations with the
same seed (all columns but the timing). Exit 77 (SKIPPED) without the Fashion-MNIST files.
Usage: torch_smoke.py TRAIN_IP INFOPLANE WORK_DIR"""
import csv
import math
import os
import shutil
import subprocess
import sys

exe, cli, work = sys.argv[1:4]
data = "/usr/share/datasets/fashion-mnist"
if not os.path.isdir(data):
    print("SKIPPED: Fashion-MNIST not found (" + data + "; bash tools/install-deps.sh --torch)")
    sys.exit(77)
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def finite(text):
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


numeric_ip = ["i_xz", "i_xz_lower", "i_xz_upper", "i_xz_std_error", "i_xz_ceiling", "i_xz_gauss_bound", "i_zy",
              "i_zy_ce_bound", "h_y"]
for mode in ("gaussian", "information"):
    out = os.path.join(work, mode)
    shutil.rmtree(out, ignore_errors=True)
    cmd = [exe, "--dropout", mode, "--epochs", "1", "--every", "1", "--train", "1000", "--test", "200",
           "--save-representations", "--out", out, "--seed", "7", "--threads", "2", "--quiet"]
    subprocess.run(cmd, check=True)
    log = rows(os.path.join(out, "training_log.csv"))
    check(len(log) == 1 and log[0]["epoch"] == "1", f"{mode}: training_log.csv has the one epoch")
    for r in log:
        for k, v in r.items():
            if mode == "gaussian" and k in ("train_kl_bound", "test_kl_bound"):
                check(v == "", f"{mode}: {k} is empty (no KL term)")
            else:
                check(finite(v), f"{mode}: training_log {k} = {v!r} is finite")
    ip = rows(os.path.join(out, "information_plane.csv"))
    check([(r["epoch"], r["split"]) for r in ip] == [("0", "train"), ("0", "test"), ("1", "train"), ("1", "test")],
          f"{mode}: information_plane.csv has epochs 0 and 1, train and test")
    for r in ip:
        check(all(finite(r[k]) for k in numeric_ip), f"{mode}: epoch {r['epoch']} {r['split']}: IP values finite")
    again = os.path.join(out, "ip_check")
    flags = ["--noise-var", "0.25"] if mode == "gaussian" else []
    subprocess.run([cli, "ip", "--dir", os.path.join(out, "representations"), *flags, "--seed", "7", "--out", again,
                    "--quiet"], check=True, stdout=subprocess.DEVNULL)
    ip2 = rows(os.path.join(again, "information_plane.csv"))
    strip = lambda rs: [{k: v for k, v in r.items() if k != "seconds"} for r in rs]
    check(strip(ip) == strip(ip2), f"{mode}: the IP rows equal those of `infoplane ip` on the saved representations")
    if mode == "information":
        kl = rows(os.path.join(out, "i_xz_information_dropout.csv"))
        check(len(kl) == 4, "information: i_xz_information_dropout.csv has 4 rows")
        for r in kl:
            check(all(finite(v) for k, v in r.items() if k not in ("epoch", "split")),
                  f"information: epoch {r['epoch']} {r['split']}: both I(X;Z) estimates finite")
            # plug-in (biased low) <= I(X;Z) <= the variational KL bound, up to Monte Carlo error
            check(float(r["i_xz"]) <= float(r["i_xz_kl_bound"]) + 4 * float(r["i_xz_std_error"]),
                  f"information: epoch {r['epoch']} {r['split']}: mixture {float(r['i_xz']):.3f} <= KL bound "
                  f"{float(r['i_xz_kl_bound']):.3f}")
sys.exit(1 if failures else 0)
