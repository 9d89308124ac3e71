#!/usr/bin/env bash
# Builds CellPaint Recon and runs the whole CTest suite (Qt Test, offscreen GUI tests included).
# Fixtures and real data: CPRECON_FIXTURES / CPRECON_DATA (default ../shared/fixtures, ../shared/data).
# CPRECON_REQUIRE_DATA=1 (CI): strict mode — missing fixtures or data fail, and any skipped test fails the run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
preset="${CPRECON_PRESET:-release}"
bash "$here/scripts/build.sh" "$preset"
export QT_QPA_PLATFORM=offscreen
export CPRECON_FIXTURES="${CPRECON_FIXTURES:-$here/../shared/fixtures}"
export CPRECON_DATA="${CPRECON_DATA:-$here/../shared/data}"
strict="${CPRECON_REQUIRE_DATA:-0}"
if [ "$strict" != "0" ]; then
  for d in "$CPRECON_FIXTURES" "$CPRECON_DATA"; do
    [ -d "$d" ] || { echo "test.sh: strict mode: $d does not exist (set CPRECON_FIXTURES / CPRECON_DATA)" >&2; exit 1; }
  done
fi
cd "$here"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
ctest --preset "$preset" -j "${CPRECON_TEST_JOBS:-2}" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" -eq 0 ] && [ "$strict" != "0" ] && grep -q "The following tests did not run" "$log"; then
  echo "test.sh: strict mode: tests were skipped (listed above); with the fixtures and data present none may skip" >&2
  exit 1
fi
exit "$rc"
