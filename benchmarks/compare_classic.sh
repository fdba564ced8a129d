#!/usr/bin/env bash
# infoplane's binning and KSG against NumPy binning and scikit-learn's KSG on the same data.
# usage: benchmarks/compare_classic.sh [build-dir] [N] [d]   (default: build 60000 1)
set -euo pipefail
build=${1:-build}; n=${2:-60000}; d=${3:-1}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
/usr/bin/python3 - "$dir" "$n" "$d" <<'PY'
import sys, numpy as np
d, n, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(0)
x = rng.normal(size=(n, k)); y = 0.6 * x + 0.8 * rng.normal(size=(n, k))
np.save(f"{d}/x.npy", x); np.save(f"{d}/y.npy", y)
print(f"correlated Gaussians: N={n}, d={k}, rho=0.6, truth {-0.5 * k * np.log(1 - 0.36):.4f} nats")
PY
for est in "binning --bins 30" "ksg" "edge"; do
  "$build/tools/infoplane" estimate --estimator $est --x "$dir/x.npy" --y "$dir/y.npy" \
    | grep -o '"estimator": "[a-z]*", "value": [^,]*\|"seconds": [^,]*' | tr '\n' ' '; echo
done
/usr/bin/python3 "$(dirname "$0")/peers_classic.py" "$dir/x.npy" "$dir/y.npy" 30
