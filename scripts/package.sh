#!/usr/bin/env bash
# Builds the Debian package into build/packages/ (docs/user/install.md): a release build of its own (build/package,
# Debian's hardening flags from dpkg-buildflags, no tests), then CPack and lintian. Idempotent and incremental;
# installs what it needs like the other scripts. Install the result with: sudo apt install ./build/packages/cprecon_*.deb
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup-deps.sh"
cd "$here"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/cprecon-ccache}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$here}"
export DEB_BUILD_MAINT_OPTIONS="hardening=+all"
build="build/package"
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCPRECON_BUILD_TESTS=OFF \
    -DCMAKE_CXX_FLAGS="$(dpkg-buildflags --get CPPFLAGS) $(dpkg-buildflags --get CXXFLAGS)" \
    -DCMAKE_EXE_LINKER_FLAGS="$(dpkg-buildflags --get LDFLAGS)" >/dev/null
fi
cmake --build "$build" -j "${CPRECON_BUILD_JOBS:-$(nproc)}"
(cd "$build" && cpack -G DEB -D CPACK_OUTPUT_FILE_PREFIX="$here/build/packages")
deb="$(ls -t "$here"/build/packages/cprecon_*_amd64.deb | head -1)"
lintian --tag-display-limit 0 "$deb" || true
echo "package: $deb"
