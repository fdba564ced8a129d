#!/usr/bin/env bash
# Issue 14 target 4 in one run: KSG/Ross against scikit-learn on the same data, back to back.
# Real FC features (epoch 3, d = 32, sigma^2 = 0.25, M = 1; benchmarks/ross_sklearn_peer.py,
# KDTree with the Chebyshev metric) at N = 10000 and 60000, then the toy correlated Gaussians at
# d = 1 (mutual_info_regression) and d = 8 (the same algorithm with scikit-learn's trees) at
# N = 10000 and 60000 (benchmarks/compare_classic.sh).
# usage: benchmarks/real/ksg_ratio.sh [BUILD] [REAL_DIR]   (about 2 minutes; needs --peers)
set -euo pipefail
build=${1:-build}
real=${2:-out/real}
here=$(dirname "$0")
for split in test train; do
  f=$real/fc/no_noise_${split}_representations_3.npy y=$real/fc/${split}_labels.npy
  "$build/tools/infoplane" dropout --estimator dropout-mc --means "$f" --noise-var 0.25 --m 1 --threads 2 \
      --labels "$y" --label-estimator ksg --discrete-y | grep -o '"i_zy": [^,]*, "i_zy_seconds": [^,}]*'
  (unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE; /usr/bin/python3 "$here/../ross_sklearn_peer.py" --x "$f" --y "$y" --noise-var 0.25 --m 1 --seed 1)
done
for d in 1 8; do
  for n in 10000 60000; do bash "$here/../compare_classic.sh" "$build" "$n" "$d" | grep -i -E "correlated|ksg"; done
done
