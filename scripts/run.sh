#!/usr/bin/env bash
# Builds CellPaint Recon if needed and opens the app on the bundled sample screen (resources/sample):
# real Cell Painting sites (in git) plus a small phantom plate generated here on first run (seeded, not in git).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
preset="${CPRECON_PRESET:-release}"
bash "$here/scripts/build.sh" "$preset"
bin="$here/build/$preset/app"
sample="$here/resources/sample"
if [ ! -f "$sample/phantom/phantom.json" ]; then
  "$bin/cprecon-cli" phantom --out "$sample/phantom" --plates 1 --wells 96 --sites 1 --size 256 --seed 1 --quiet
fi
screen="${1:-$sample}"
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "${QT_QPA_PLATFORM:-}" = "" ]; then
  echo "run.sh: no display; run under xvfb-run or set QT_QPA_PLATFORM=offscreen" >&2
fi
exec "$bin/cprecon" "$screen"
