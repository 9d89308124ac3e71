#!/usr/bin/env bash
# Regenerates the user guide's screenshots (docs/images) under xvfb-run: the results views of a weight-free run on the
# bundled sample (phantom plate + real sites), the New run dialog and the run panel (from the GUI tests, which save
# them when CPRECON_SCREENSHOTS is set) and the main window. Needs a release build (scripts/build.sh) and xvfb.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$here/build/release/app"
out="$here/docs/images"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
xvfb() { xvfb-run -a -s "-screen 0 1600x1000x24" "$@"; }
sample="$here/resources/sample"
[ -f "$sample/phantom/phantom.json" ] ||
  "$bin/cprecon-cli" phantom --out "$sample/phantom" --plates 1 --wells 96 --sites 1 --size 256 --seed 1 --quiet
"$bin/cprecon-cli" run --screen "$sample" --out "$tmp/sample-run" --model bicubic8 --model jpeg:10 --extractor handcrafted \
  --repeats 1 --null-size 10000 > "$tmp/run.log" 2>&1
for view in pixel fid fr activity heatmap scatter tiles; do
  xvfb "$bin/cprecon" --run "$tmp/sample-run" --results-view "$view" --screenshot "$out/results-$view.png"
done
CPRECON_SCREENSHOTS="$out" CPRECON_CLI="$bin/cprecon-cli" xvfb "$here/build/release/tests/tst_ui_runs" \
  dialogNamesWhatStopsARun pauseContinueAndTheWindowNeverStalls > "$tmp/tests.log" 2>&1
xvfb "$bin/cprecon" "$sample" --well A01 --screenshot "$out/browser.png"
echo "screenshots in $out"
