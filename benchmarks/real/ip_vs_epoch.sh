#!/usr/bin/env bash
# Issue 14 target 6 in one script: one training epoch of the seed's FC network with PyTorch
# (benchmarks/real/make_representations.py, 2 threads, full Fashion-MNIST) against one full-size
# information-plane point on the epoch it saved: train 60000 x 32 at M = 1 and test 10000 x 32
# at M = 6, I(X;Z) with its bracket and Gaussian bound, I(Z;Y) by the mixture, EDGE and KSG.
# usage: benchmarks/real/ip_vs_epoch.sh [BUILD] [WORK_DIR]
set -euo pipefail
build=${1:-build}
work=${2:-out/ip_vs_epoch}
here=$(dirname "$0")
mkdir -p "$work"
/usr/bin/python3 "$here/make_representations.py" --arch fc --out "$work/run" --epochs 1 --threads 2 > "$work/train.log"
epoch_s=$(awk -F, '$1 == 1 { print $9 }' "$work/run/training_log.csv")
# Each IP point twice: the default float64 mixture, then --float (float32 storage; I(X;Z) agrees
# to ~1e-9 relative on these features).
for storage in float64 float32; do
  flag=""; [ "$storage" = float32 ] && flag="--float"
  start=$(date +%s.%N)
  "$build/tools/infoplane" ip --dir "$work/run" --noise-var 0.25 --epochs 1 --label-estimators mixture,edge,ksg \
      --threads 2 --out "$work/ip_$storage" --quiet $flag > "$work/ip_$storage.json"
  ip_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  echo "$storage:"
  awk -F, 'NR > 1 { printf "  %s: %s s\n", $2, $21 }' "$work/ip_$storage/information_plane.csv"
  awk -v e="$epoch_s" -v i="$ip_s" -v s="$storage" 'BEGIN { printf "training epoch %.2f s (PyTorch, 2 threads); IP point %.2f s wall (infoplane ip, %s): %.2fx the epoch\n", e, i, s, i / e }'
done
