"""Markdown table from kernel_grid.sh's output: per workload, leave-one-out and storage, the CPU
seconds of every kernel, the automatic choice's, and automatic / fastest named kernel.
usage: /usr/bin/python3 kernel_grid_table.py GRID.txt"""
import sys

rows = {}
for line in open(sys.argv[1]):
    name, loo, storage, kernel, sec, _value = line.split()[:6]
    rows.setdefault((name, loo.split("=")[1], storage.lstrip("-")), {})[kernel] = float(sec)
print("| workload | LOO | storage | brute | pruned | screened | automatic | auto / fastest |")
print("|---|---|---|---:|---:|---:|---:|---:|")
worst = 0.0
for (name, loo, storage), t in rows.items():
    named = {k: v for k, v in t.items() if k != "auto"}
    best = min(named.values())
    cell = lambda k: "–" if k not in t else (f"**{t[k]:.2f}**" if t[k] == best else f"{t[k]:.2f}")
    ratio = t["auto"] / best
    worst = max(worst, ratio)
    print(f"| {name} | {loo} | {storage} | {cell('brute')} | {cell('pruned')} | {cell('screened')} | {t['auto']:.2f} | {ratio:.2f} |")
print(f"\nworst automatic / fastest: {worst:.2f}")
