#!/usr/bin/env bash
# Time per training step, infoplane vs PyTorch (python3-torch, CPU, float64, 2 threads).
# usage: benchmarks/compare_torch.sh [build-dir] [DIM HIDDEN BATCH STEPS]   (default: build 128 128 128 300)
set -euo pipefail
build=${1:-build}; dim=${2:-128}; hidden=${3:-128}; batch=${4:-128}; steps=${5:-300}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
echo "dim=$dim hidden=$hidden batch=$batch steps=$steps"
"$build/benchmarks/neural_step" "$dim" "$hidden" "$batch" "$steps"
/usr/bin/python3 "$(dirname "$0")/torch_peer.py" "$dim" "$hidden" "$batch" "$steps"
