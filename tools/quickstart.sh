#!/usr/bin/env bash
# The README's main job: install what is missing, build in Release, and regenerate the paper's
# estimator figures (Figs. 2, 3, 4 and A.7's 8-10) with the exact values the paper did not
# have, then print the summary table; then a short LibTorch training run (FC, Gaussian dropout)
# with its information plane. Output: out/figures/*.csv and *.png, out/train_ip/quickstart/.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
bash tools/install-deps.sh --figures --torch
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
# Only what this job runs (the `infoplane` program and the tests: the README's second command).
targets=(fig_convergence fig_upper_bound fig_estimators)
grep -q "INFOPLANE_TORCH_EXAMPLES:BOOL=ON" build/CMakeCache.txt && targets+=(train_ip)
cmake --build build -j"$(nproc)" --target "${targets[@]}"
out=out/figures
mkdir -p "$out"
echo "== Figs. 2 and 9: convergence of the Monte Carlo h(Z) with N"
build/examples/fig_convergence "$out"
echo "== Figs. 3 and 8: Gaussian upper bound on h(Z) against the mixture estimate"
build/examples/fig_upper_bound "$out"
echo "== Figs. 4 and 10: every estimator against the exact I(X;Z)"
build/examples/fig_estimators "$out" | tee "$out/summary.txt"
echo
echo "Figures and CSV files in $out (see docs/figures.md)."
if [ -x build/examples/torch/train_ip ]; then
  echo "== The information plane of a network as it trains (LibTorch, FC, Gaussian dropout, 6 epochs)"
  build/examples/torch/train_ip --epochs 6 --every 2 --train 5000 --test 1000 --out out/train_ip/quickstart
  echo "Information plane: out/train_ip/quickstart/information_plane.png (see docs/training-example.md)."
fi
echo "Done in $((SECONDS - start)) s. The plots: $out/*.png (docs/figures.md)$([ -x build/examples/torch/train_ip ] && echo ", out/train_ip/quickstart/information_plane.png")."
