#!/usr/bin/env bash
# Builds CellPaint Recon and runs the whole CTest suite (Qt Test, offscreen GUI tests included).
# Fixtures and real data: CPRECON_FIXTURES / CPRECON_DATA (default ../shared/fixtures, ../shared/data).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
preset="${CPRECON_PRESET:-release}"
bash "$here/scripts/build.sh" "$preset"
export QT_QPA_PLATFORM=offscreen
export CPRECON_FIXTURES="${CPRECON_FIXTURES:-$here/../shared/fixtures}"
export CPRECON_DATA="${CPRECON_DATA:-$here/../shared/data}"
cd "$here"
ctest --preset "$preset" -j "${CPRECON_TEST_JOBS:-2}" "$@"
