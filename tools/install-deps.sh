#!/usr/bin/env bash
# Installs the Debian 12 packages infoplane needs to build and test, skipping those present.
set -euo pipefail
packages=(build-essential cmake pkg-config libeigen3-dev libxsimd-dev xtl-dev libboost-math-dev catch2
          libbenchmark-dev python3-numpy python3-scipy python3-sklearn libopenblas0-pthread)
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
