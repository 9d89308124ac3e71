#!/usr/bin/env bash
# Builds CellPaint Recon if needed and opens the app on the bundled sample screen (resources/sample).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
preset="${CPRECON_PRESET:-release}"
bash "$here/scripts/build.sh" "$preset"
screen="${1:-$here/resources/sample}"
exec "$here/build/$preset/app/cprecon" "$screen"
