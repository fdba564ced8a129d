"""Markdown table from baseline.sh's output: per command, wall seconds (the program's own
`seconds`; I(Z;Y) seconds where reported), CPU seconds and load of both runs, and the value.
usage: /usr/bin/python3 summarize.py baseline.tsv"""
import json
import sys

runs = {}
for line in open(sys.argv[1]):
    cmd, out, cpu, load = line.rstrip("\n").split("\t")
    runs.setdefault(cmd, []).append((json.loads(out), float(cpu), load))
print("| command | wall s (run 1, 2) | CPU s (1, 2) | load (1, 2) | value |")
print("|---|---:|---:|---:|---|")
for cmd, rs in runs.items():
    r0 = rs[0][0]
    wall = ", ".join(f"{r['seconds']:.3f}" for r, _, _ in rs)
    if "i_zy_seconds" in r0:
        wall += " (I(Z;Y): " + ", ".join(f"{r['i_zy_seconds']:.3f}" for r, _, _ in rs) + ")"
    cpu = ", ".join(f"{c:.2f}" for _, c, _ in rs)
    load = ", ".join(l for _, _, l in rs)
    if "i_xz_plugin" in r0:
        value = f"I(X;Z) plug-in {r0['i_xz_plugin']:.6f}"
    elif "impl" in r0:
        value = f"I(Z;Y) {r0['value']:.6f}"
    else:
        value = f"{r0['value']:.6f}" + (f" (upper {r0['upper']:.4f})" if r0.get("upper") is not None else "")
        value += f", I(Z;Y) {r0['i_zy']:.6f}" if "i_zy" in r0 else ""
        value += f" [{r0['status']}]" if r0.get("status") not in (None, "ok") else ""
    print(f"| `{cmd}` | {wall} | {cpu} | {load} | {value} |")
