#!/usr/bin/env bash
# The README's main job: install what is missing, build in Release, run the toy comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)" --target infoplane_cli
echo "Paper toy problem: X ~ N(0, I_d), f(x) = 2x + 0.5, Gaussian dropout; I(X;Z) in nats, truth by quadrature"
build/tools/infoplane toy-sweep --n 2000 --m 10 --seed 1
