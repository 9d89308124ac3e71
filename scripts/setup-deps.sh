#!/usr/bin/env bash
# Installs the Debian bookworm packages CellPaint Recon needs, only those missing (idempotent; root or sudo).
set -euo pipefail
PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  qt6-base-dev qt6-base-dev-tools qt6-svg-dev libqt6svg6-dev
  libtorch-dev libdnnl-dev libopenblas0-pthread libblas-dev liblapack-dev libtbb-dev
  libopencv-dev libeigen3-dev libqcustomplot-dev libqcustomplot2.1-qt6
  nlohmann-json3-dev zlib1g-dev libsqlite3-dev liblmdb-dev
  xvfb xauth fonts-dejavu-core
  slurmctld slurmd slurm-client munge
  dpkg-dev lintian man-db
  clang libclang-rt-14-dev
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
