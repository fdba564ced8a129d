#!/usr/bin/env bash
# Builds every tests/fuzz/fuzz_*.cpp with clang-15 (libFuzzer, ASan, UBSan) in a build folder
# of its own and runs each for SECONDS (default 30) from its seed corpus in
# tests/fuzz/corpus/<name without fuzz_>/, with the dictionary tests/fuzz/<name without fuzz_>.dict
# where there is one. Exits non-zero if any target crashes; the input
# that did is left as build-fuzz/artifacts/<target>-crash-*.
#   INFOPLANE_FUZZ_BUILD   build folder (default build-fuzz)
#   INFOPLANE_FUZZ_JOBS    parallel build jobs, and targets fuzzed at once (default 2)
set -euo pipefail
seconds=${1:-30}
cd "$(dirname "$0")/.."
build=${INFOPLANE_FUZZ_BUILD:-build-fuzz}
# -O1 -g1 as the sanitizer jobs of .ci/run: the build, not the runs, is most of CI's fuzz step.
cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++-15 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" \
  -DINFOPLANE_BUILD_FUZZERS=ON -DINFOPLANE_SANITIZE=address,undefined \
  -DINFOPLANE_BUILD_TESTS=OFF -DINFOPLANE_BUILD_TOOLS=OFF -DINFOPLANE_BUILD_BENCHMARKS=OFF \
  -DINFOPLANE_BUILD_EXAMPLES=OFF -DINFOPLANE_INSTALL=OFF -DINFOPLANE_PYTHON=OFF -DINFOPLANE_MPI=OFF >/dev/null
cmake --build "$build" -j"${INFOPLANE_FUZZ_JOBS:-2}"
mkdir -p "$build/artifacts" "$build/logs"
# INFOPLANE_FUZZ_JOBS targets at a time (each fuzzer is one process on one core), each one's
# output in $build/logs/<target>.log, printed when it ends.
jobs=${INFOPLANE_FUZZ_JOBS:-2}
failed=()
running=()  # "pid target" of the targets started and not yet waited for
finish_oldest() {
  local pid=${running[0]%% *} target=${running[0]#* }
  running=("${running[@]:1}")
  if ! wait "$pid"; then failed+=("$target"); fi
  cat "$build/logs/$target.log"
}
for src in tests/fuzz/fuzz_*.cpp; do
  target=$(basename "$src" .cpp)
  seeds=tests/fuzz/corpus/${target#fuzz_}
  work=$build/corpus/$target  # new inputs go here; the committed seeds are only read
  mkdir -p "$work" "$seeds"
  dict=()
  [ -f "tests/fuzz/${target#fuzz_}.dict" ] && dict=(-dict="tests/fuzz/${target#fuzz_}.dict")
  [ ${#running[@]} -ge "$jobs" ] && finish_oldest
  echo "== $target: ${seconds}s from $seeds (log: $build/logs/$target.log)"
  "$build/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$build/artifacts/$target-" -print_final_stats=1 "${dict[@]}" "$work" "$seeds" \
    >"$build/logs/$target.log" 2>&1 &
  running+=("$! $target")
done
while [ ${#running[@]} -gt 0 ]; do finish_oldest; done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: crashes in ${failed[*]} (inputs in $build/artifacts/)" >&2
  exit 1
fi
echo "fuzz.sh: no crashes"
