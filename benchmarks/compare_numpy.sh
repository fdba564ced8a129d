#!/usr/bin/env bash
# Same workload, same data, through infoplane's kernels and the NumPy peer; prints the ratios.
# usage: benchmarks/compare_numpy.sh [build-dir] [N M d]   (default: build 10000 6 32)
set -euo pipefail
build=${1:-build}
n=${2:-10000}; m=${3:-6}; d=${4:-32}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# These are set on the benchmark machines and slow OpenBLAS down; NumPy's users run without them.
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
echo "workload: N=$n components, M=$m draws each (P=$((n * m)) samples), d=$d, noise variance 0.1"
"$build/benchmarks/peer_problem" "$dir" "$n" "$m" "$d" | tee "$dir/ours.jsonl"
/usr/bin/python3 "$(dirname "$0")/numpy_peer.py" "$dir" 1 | tee "$dir/peer.jsonl"
/usr/bin/python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
peer = json.loads(open(f"{d}/peer.jsonl").read())
for line in open(f"{d}/ours.jsonl"):
    r = json.loads(line)
    print(f"{r['impl']:28s} {r['seconds']:8.3f} s   {peer['seconds'] / r['seconds']:6.1f}x faster than NumPy"
          f"   |h_z difference| = {abs(r['h_z'] - peer['h_z']):.2e}")
PY
