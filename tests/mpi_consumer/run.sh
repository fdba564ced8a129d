#!/usr/bin/env bash
# The installed infoplane::mpi through find_package(infoplane COMPONENTS mpi): configure and
# build tests/mpi_consumer against PREFIX, run it under mpirun -np 1 and -np 2, and require the
# same printed values from both and "consumer ok" (every rank got the single-process bits).
# Exit 77 (ctest: SKIPPED) when this build has no MPI.
#   run.sh CMAKE PREFIX BUILD_DIR "MPIRUN;FLAGS;...;-n" (empty: no MPI)
set -u
cmake=$1 prefix=$2 build=$3
IFS=';' read -r -a mpirun <<< "$4"
here=$(cd "$(dirname "$0")" && pwd)
if [ ${#mpirun[@]} -eq 0 ]; then
  echo "SKIPPED: no MPI in this build (tools/install-deps.sh --mpi)"
  exit 77
fi
rm -rf "$build"
"$cmake" -S "$here" -B "$build" -DCMAKE_PREFIX_PATH="$prefix" >"$build.configure.log" 2>&1 ||
  { cat "$build.configure.log"; echo "FAIL: configure"; exit 1; }
"$cmake" --build "$build" >"$build.build.log" 2>&1 || { cat "$build.build.log"; echo "FAIL: build"; exit 1; }
for np in 1 2; do
  timeout 120 "${mpirun[@]}" "$np" "$build/consumer_mpi" >"$build/np$np.txt" 2>&1
  rc=$?
  cat "$build/np$np.txt"
  [ $rc -eq 0 ] || { echo "FAIL: mpirun -np $np exited $rc"; exit 1; }
  grep -q "^ranks $np$" "$build/np$np.txt" || { echo "FAIL: -np $np did not run $np ranks"; exit 1; }
done
if ! diff <(grep -v '^ranks' "$build/np1.txt") <(grep -v '^ranks' "$build/np2.txt"); then
  echo "FAIL: 2 ranks printed other values than 1"
  exit 1
fi
echo "mpi consumer: the same bits on 1 and 2 ranks as one process"
