#!/usr/bin/python3
"""Python call overhead against the C++ call on the same data, in one run.

For each repetition, alternately: the command-line program on f.npy (its "seconds": the
estimation alone, timed inside the C++ process, plus the CPU time of the whole process), and
`infoplane.dropout_mc` on the same array (wall time around the Python call, CPU time of the
process over the call, and the Result's own seconds, timed in C++ without the GIL). Prints a
table of medians and minima and the overheads:

  call overhead  = Python wall around the call - its Result.seconds (the binding's own cost)
  vs C++ program = Python wall around the call / the program's seconds - 1

  /usr/bin/python3 benchmarks/python_overhead.py --cli build/tools/infoplane   (PYTHONPATH=build/python)
"""
import argparse
import json
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

import infoplane as ip


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", required=True, help="the infoplane program (build/tools/infoplane)")
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--d", type=int, default=32)
    ap.add_argument("--m", type=int, default=10)
    ap.add_argument("--noise-var", type=float, default=0.25)
    ap.add_argument("--threads", type=int, default=0, help="0: all cores")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--float32", action="store_true", help="float32 storage (--float) in both")
    args = ap.parse_args()

    f = 2.0 * np.random.default_rng(0).standard_normal((args.n, args.d)) + 0.5
    opts = dict(m=args.m, seed=1, threads=args.threads, float32=args.float32)
    flags = ["--m", args.m, "--seed", 1, "--threads", args.threads] + (["--float"] if args.float32 else [])
    rows = {k: [] for k in ("cli_seconds", "cli_cpu", "py_wall", "py_cpu", "py_seconds")}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.npy"
        np.save(path, f)
        cmd = [args.cli, "dropout", "--estimator", "dropout-mc", "--means", str(path), "--noise-var",
               str(args.noise_var), *map(str, flags)]
        tiny = np.ones((2, 1))
        ip.dropout_mc(tiny, noise_var=args.noise_var)  # first-call costs out of the way
        for rep in range(args.reps):
            c0 = children_cpu()
            out = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
            rows["cli_cpu"].append(children_cpu() - c0)
            rows["cli_seconds"].append(out["seconds"])
            t0, p0 = time.perf_counter(), time.process_time()
            r = ip.dropout_mc(f, noise_var=args.noise_var, **opts)
            rows["py_wall"].append(time.perf_counter() - t0)
            rows["py_cpu"].append(time.process_time() - p0)
            rows["py_seconds"].append(r.seconds)
            assert r.value == out["value"] and r.upper == out["upper"], (r, out)
            print(f"rep {rep}: program {out['seconds']:.3f} s, Python {rows['py_wall'][-1]:.3f} s "
                  f"(estimation {r.seconds:.3f} s)", flush=True)
        # The fixed cost of a call: argument binding, option parsing, the Map, the GIL.
        small = [0.0] * 200
        for i in range(len(small)):
            t0 = time.perf_counter()
            rs = ip.dropout_mc(tiny, noise_var=args.noise_var, m=1, threads=1)
            small[i] = (time.perf_counter() - t0) - rs.seconds

    med = {k: statistics.median(v) for k, v in rows.items()}
    low = {k: min(v) for k, v in rows.items()}
    overhead = [w - s for w, s in zip(rows["py_wall"], rows["py_seconds"])]
    print(f"\ndropout-mc, N = {args.n}, d = {args.d}, M = {args.m}, s^2 = {args.noise_var}, threads = "
          f"{args.threads or 'all'}, {'float32' if args.float32 else 'float64'} storage, {args.reps} alternating "
          f"repetitions, kernels: {ip.kernel_instruction_set()}; same value in both: {r.value!r}")
    print(f"{'':34s} {'median':>10s} {'min':>10s}")
    for label, k in (("C++ program: estimation (s)", "cli_seconds"), ("C++ program: process CPU (s)", "cli_cpu"),
                     ("Python: wall around the call (s)", "py_wall"), ("Python: Result.seconds (s)", "py_seconds"),
                     ("Python: process CPU over call (s)", "py_cpu")):
        print(f"{label:34s} {med[k]:10.4f} {low[k]:10.4f}")
    print(f"call overhead (wall - Result.seconds): median {statistics.median(overhead) * 1e6:.0f} us; "
          f"tiny input: median {statistics.median(small) * 1e6:.1f} us")
    print(f"Python wall vs program's estimation: median {100 * (med['py_wall'] / med['cli_seconds'] - 1):+.1f}%, "
          f"min {100 * (low['py_wall'] / low['cli_seconds'] - 1):+.1f}%")


if __name__ == "__main__":
    main()
