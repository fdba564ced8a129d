#!/usr/bin/env bash
# Every mixture kernel on every kernel-choice workload (benchmarks/README.md, "Automatic kernel
# choice on real features"): real FC and LeNet features (out/real, benchmarks/real/make_all.sh),
# the toy problem at d = 2, 32, 84 and clustered tanh features at d = 32, 84
# (kernel_grid_data.py), each with and without leave-one-out, in double and float. One line per
# run: workload, LOO, storage, kernel, CPU seconds (user + sys), plug-in value.
# usage: benchmarks/real/kernel_grid.sh BUILD/tools/infoplane OUT.txt [REAL_DIR] [DATA_DIR]
set -euo pipefail
bin=$1 out=$2 real=${3:-out/real} data=${4:-out/kernel_grid}
mkdir -p "$data"
/usr/bin/python3 "$(dirname "$0")/kernel_grid_data.py" "$data"
: > "$out"
workloads=(
  "fc_train $real/fc/no_noise_train_representations_3.npy 0.25 1"
  "fc_test $real/fc/no_noise_test_representations_3.npy 0.25 6"
  "lenet_train $real/lenet/no_noise_train_representations_3.npy 0.25 1"
  "lenet_test $real/lenet/no_noise_test_representations_3.npy 0.25 6"
  "toy2 $data/toy2.npy 0.1 6" "toy32 $data/toy32.npy 0.1 6" "toy84 $data/toy84.npy 0.1 6"
  "tanh32 $data/tanh32.npy 0.25 6" "tanh84 $data/tanh84.npy 0.25 6"
)
for w in "${workloads[@]}"; do
  read -r name f v m <<<"$w"
  for loo in "" "--no-loo"; do
    for fl in "" "--float"; do
      kernels="auto brute pruned screened"
      [ -n "$fl" ] && kernels="auto brute pruned"  # float data has no screen
      for k in $kernels; do
        kf=()
        [ "$k" != auto ] && kf=(--kernel "$k")
        res=$(/usr/bin/time -f "cpu %U %S" "$bin" dropout --estimator dropout-mc --means "$f" --noise-var "$v" \
          --m "$m" --threads 2 --population-se per_point $loo $fl "${kf[@]}" 2>&1)
        sec=$(echo "$res" | awk '/^cpu/ {print $2 + $3}')
        val=$(echo "$res" | grep -o '"value": *[0-9.e-]*' | head -1 | grep -o '[0-9.e-]*$')
        echo "$name loo=${loo:-yes} ${fl:---double} $k $sec $val" | tee -a "$out"
      done
    done
  done
done
