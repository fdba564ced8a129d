#!/usr/bin/env bash
# Installs the Debian 12 packages infoplane needs, skipping those present.
#   (no flag)   build and test: compiler, CMake, Eigen, xsimd, Boost.Math, Catch2, Benchmark, NumPy,
#               CLI11 and nlohmann/json (the program only), zlib (optional for the library:
#               gzip-compressed IDX files)
#   --figures   also gnuplot, for the figure programs in examples/
#   --peers     also SciPy, scikit-learn, PyTorch and OpenBLAS, for the peer benchmarks
#   --ci        also clang 15 and libFuzzer (tools/fuzz.sh) and what .ci/run needs
#   --python    also pybind11, Python's headers and pytest, for the Python module (python/)
#   --mpi       also OpenMPI, for infoplane::mpi and infoplane-mpi (include/infoplane/mpi/)
#   --torch     also LibTorch (CPU) and Fashion-MNIST, for the training example (examples/torch)
set -euo pipefail
packages=(build-essential cmake pkg-config libeigen3-dev libxsimd-dev xtl-dev libboost-math-dev catch2
          libbenchmark-dev python3-numpy libcli11-dev nlohmann-json3-dev zlib1g-dev)
for flag in "$@"; do
  case "$flag" in
    --figures) packages+=(gnuplot-nox) ;;
    --peers) packages+=(python3-scipy python3-sklearn python3-torch libopenblas0-pthread) ;;
    --ci | --fuzz) packages+=(clang-15 libfuzzer-15-dev) ;;
    --python) packages+=(pybind11-dev python3-dev python3-pytest) ;;
    --mpi) packages+=(libopenmpi-dev openmpi-bin) ;;
    --torch) packages+=(libtorch-dev dataset-fashion-mnist) ;;
    *) echo "install-deps.sh: unknown flag $flag" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  echo "infoplane: installing ${missing[*]}"
  $sudo_cmd apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y --no-install-recommends "${missing[@]}"
fi
