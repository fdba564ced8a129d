#!/usr/bin/env bash
# Baseline timings on the real FC features (epoch 3): infoplane's dropout-mc kernels, its Ross
# KSG for I(Z;Y), the scikit-learn Ross peer and the NumPy mixture peer, each run twice, plus
# the toy problem at the same sizes as a control (same command, toy data).
# Prints one line per run: command, JSON output, user+sys CPU seconds, 1-minute load average
# at the start (the machine is shared: CPU seconds are less disturbed by others than wall time).
# usage: benchmarks/real/baseline.sh [BUILD] [DATA]   (defaults: build out/real/fc)
set -euo pipefail
build=${1:-build}
data=${2:-out/real/fc}
here=$(dirname "$0")
ip="$build/tools/infoplane"
cpu=$(mktemp)
trap 'rm -f "$cpu"' EXIT
run() {
    for rep in 1 2; do
        load=$(cut -d' ' -f1 /proc/loadavg)
        out=$(/usr/bin/time -f '%U %S' -o "$cpu" "$@")
        printf '%s\t%s\t%s\t%s\n' "$*" "$out" "$(awk '{print $1 + $2}' "$cpu")" "$load"
    done
}
mc=(dropout --estimator dropout-mc --noise-var 0.25 --threads 2)
for split in test train; do
    f="$data/no_noise_${split}_representations_3.npy"
    n=$([ "$split" = test ] && echo 10000 || echo 60000)
    for kernel in auto screened pruned brute; do
        for loo in "" --no-loo; do
            run "$ip" "${mc[@]}" --means "$f" --m 1 --kernel "$kernel" $loo
            run "$ip" toy --estimator dropout-mc --n "$n" --m 1 --d 32 --noise-var 0.25 --threads 2 --kernel "$kernel" $loo
        done
    done
    for kernel in auto pruned brute; do
        for loo in "" --no-loo; do
            run "$ip" "${mc[@]}" --means "$f" --m 1 --kernel "$kernel" $loo --float
            run "$ip" toy --estimator dropout-mc --n "$n" --m 1 --d 32 --noise-var 0.25 --threads 2 --kernel "$kernel" $loo --float
        done
    done
done
f="$data/no_noise_test_representations_3.npy" y="$data/test_labels.npy"
run "$ip" "${mc[@]}" --means "$f" --m 1 --labels "$y" --label-estimator ksg --discrete-y
for opt in "--kernel auto" "--kernel pruned" "--kernel brute" "--kernel auto --float" "--kernel auto --no-loo"; do
    run "$ip" "${mc[@]}" --means "$f" --m 6 $opt      # the NumPy peer's workload
done
# Peers, as their users run them: the two OpenBLAS variables set on this machine slow it down.
(
    unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
    export OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2
    run /usr/bin/python3 "$here/../ross_sklearn_peer.py" --x "$f" --y "$y" --noise-var 0.25 --m 1 --seed 1
    run /usr/bin/python3 "$here/../ross_sklearn_peer.py" --x "$f" --y "$y"
    run /usr/bin/python3 "$here/../numpy_peer.py" --means "$f" --noise-var 0.25 --m 6 --seed 1
)
