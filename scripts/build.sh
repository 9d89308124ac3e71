#!/usr/bin/env bash
# Configures (first call) and builds (incremental afterwards) one CMake preset. Usage: scripts/build.sh [preset]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
preset="${1:-release}"
bash "$here/scripts/setup-deps.sh"
cd "$here"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/cprecon-ccache}"
# Paths relative to the checkout in the cache key: a fresh clone elsewhere (CI) reuses what this one compiled.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$here}"
if [ ! -f "build/$preset/CMakeCache.txt" ]; then
  cmake --preset "$preset" >/dev/null
fi
jobs="${CPRECON_BUILD_JOBS:-$(nproc)}"
cmake --build --preset "$preset" -j "$jobs"
