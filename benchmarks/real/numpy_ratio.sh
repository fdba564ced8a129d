#!/usr/bin/env bash
# Issue 14 target 3 in one run: dropout-mc on the real FC test features (N = 10000, M = 6) against
# the NumPy + OpenBLAS peer (benchmarks/numpy_peer.py, plug-in h(Z) only) on the same data.
# infoplane's time is its JSON "seconds" (the estimator, loading excluded, as the peer's is);
# each variant's best of 3 and the peer's best of 2 (`--reps 2`). Prints one line per variant
# with the ratio. usage: benchmarks/real/numpy_ratio.sh [BUILD] [DATA]
set -euo pipefail
build=${1:-build}
data=${2:-out/real/fc}
here=$(dirname "$0")
f="$data/no_noise_test_representations_3.npy"
peer=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 "$here/../numpy_peer.py" --means "$f" --noise-var 0.25 --m 6 --seed 1 --reps 2)
peer_s=$(echo "$peer" | sed -E 's/.*"seconds": ([0-9.]+).*/\1/')
echo "numpy-openblas: $peer_s s  ($peer)"
for opt in "--population-se per_point" "--population-se per_point --no-loo" "--population-se per_point --float" \
           "--population-se per_point --float --no-loo" ""; do
    best=
    for rep in 1 2 3; do
        s=$("$build/tools/infoplane" dropout --estimator dropout-mc --means "$f" --noise-var 0.25 --m 6 --seed 1 $opt |
            sed -E 's/.*"seconds": ([0-9.e+-]+).*/\1/')
        best=$(awk -v a="$s" -v b="${best:-1e99}" 'BEGIN { print (a < b ? a : b) }')
    done
    awk -v s="$best" -v p="$peer_s" -v o="${opt:-(default: influence SE)}" 'BEGIN { printf "infoplane %-42s %.3f s  %.1fx numpy\n", o, s, p / s }'
done
