#!/usr/bin/env bash
# The standard real-representation benchmark set: FC and LeNet on full Fashion-MNIST
# (60000 / 10000), 3 epochs, features saved at epochs 0 (before training), 1, 2, 3.
# usage: benchmarks/real/make_all.sh [OUTDIR]   (default out/real; 4-5 minutes on 2 idle cores)
set -euo pipefail
out=${1:-out/real}
here=$(dirname "$0")
for arch in fc lenet; do
    mkdir -p "$out/$arch"
    log="$out/$arch/stdout.log"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$log"
    # One training at a time: the machine has 2 cores.
    /usr/bin/python3 "$here/make_representations.py" --arch "$arch" --out "$out/$arch" \
        --epochs 3 --every 1 --noise-var 0.25 --train 60000 --test 10000 --seed 1 --threads 2 \
        | tee -a "$log"
done
