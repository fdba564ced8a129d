"""Smoke test of `infoplane benchmark --quick` with every registered estimator: the eight tasks,
every sample-pair estimator on every task and the noise-model ones on the dropout task, the
columns the issue names, and summary.csv recomputed here from benchmark.csv.

usage: /usr/bin/python3 benchmark_quick.py path/to/infoplane
"""
import csv
import math
import re
import shutil
import subprocess
import sys
import tempfile

COLUMNS = "task,dim_x,dim_y,truth,estimator,seed,n,value,std_error,status,seconds".split(",")
failures = []


def check(name, ok):
    print(("ok      " if ok else "FAILED  ") + name)
    if not ok:
        failures.append(name)


def main(binary):
    usage = subprocess.run([binary, "toy", "--help"], capture_output=True, text=True).stdout
    every = re.search(r"--estimator ([a-z0-9|-]+)", usage).group(1).split("|")
    help_text = subprocess.run([binary, "benchmark", "--help"], capture_output=True, text=True).stdout
    with tempfile.TemporaryDirectory() as out:
        run = subprocess.run([binary, "benchmark", "--quick", "--seeds", "2", "--out", out, "--quiet"],
                             capture_output=True, text=True)
        check("exit 0 (stderr: %s)" % run.stderr.strip()[-300:], run.returncode == 0)
        with open(out + "/benchmark.csv") as f:
            reader = csv.reader(f)
            header = next(reader)
            rows = [dict(zip(header, r)) for r in reader]
        check("benchmark.csv has the issue's columns", header == COLUMNS)
        tasks = sorted({r["task"] for r in rows})
        check("eight tasks (%s)" % ",".join(tasks), len(tasks) == 8)
        dropout_tasks = [t for t in tasks if t.startswith("dropout-")]
        check("a dropout task among them", len(dropout_tasks) >= 1)
        ran = {(r["task"], r["estimator"]) for r in rows}
        for e in every:
            on = [t for t in tasks if (t, e) in ran]
            check("estimator %s ran (on %d tasks)" % (e, len(on)), len(on) >= 1)
        pair_estimators = {r["estimator"] for r in rows if not r["task"].startswith("dropout-")}
        for t in tasks:
            missing = [e for e in pair_estimators if (t, e) not in ran]
            check("every sample-pair estimator on %s" % t, not missing)
        for r in rows:
            v = float(r["value"]) if r["value"] not in ("", "nan") else math.nan
            if r["status"] == "ok" and not math.isfinite(v):
                check("row %s/%s/%s: status ok but value %s" % (r["task"], r["estimator"], r["seed"], r["value"]), False)
        check("seeds 0 and 1 for every (task, estimator)",
              all({r["seed"] for r in rows if (r["task"], r["estimator"]) == k} == {"0", "1"} for k in ran))
        # summary.csv from benchmark.csv, recomputed independently
        with open(out + "/summary.csv") as f:
            summary = list(csv.DictReader(f))
        check("summary.csv: one row per (task, estimator)", len(summary) == len(ran))
        for s in summary:
            group = [r for r in rows if (r["task"], r["estimator"]) == (s["task"], s["estimator"])]
            values = [float(r["value"]) for r in group if r["value"] not in ("", "nan", "inf", "-inf")
                      and math.isfinite(float(r["value"]))]
            not_ok = sum(r["status"] != "ok" for r in group)
            check("summary %s/%s runs and not_ok" % (s["task"], s["estimator"]),
                  int(s["runs"]) == len(group) and int(s["not_ok"]) == not_ok)
            if values:
                mean = sum(values) / len(values)
                truth = float(group[0]["truth"])
                rel = sum(abs(v - truth) / truth for v in values) / len(values)
                check("summary %s/%s mean" % (s["task"], s["estimator"]),
                      math.isclose(float(s["mean"]), mean, rel_tol=1e-8, abs_tol=1e-9))
                check("summary %s/%s mean relative error" % (s["task"], s["estimator"]),
                      math.isclose(float(s["mean_relative_error"]), rel, rel_tol=1e-8, abs_tol=1e-9))
        if shutil.which("gnuplot"):
            import os
            check("benchmark.png written", os.path.getsize(out + "/benchmark.png") > 1000)
    check("benchmark --help names --quick", "--quick" in help_text)
    print("%d checks failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
