#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz, Debian's clang, ASan + UBSan) into BUILD_DIR/fuzz and runs each for a
# bounded time on its seed corpus, which holds every input a past run crashed on (regression-*). Any crash, leak,
# undefined behaviour, timeout or exception other than cprecon::Error fails the test and leaves the input in
# BUILD_DIR/fuzz/artifacts. Usage: fuzz_test.sh SOURCE_DIR BUILD_DIR [SECONDS_PER_HARNESS]
set -euo pipefail
src="$1"
out="$2/fuzz"
seconds="${3:-${CPRECON_FUZZ_SECONDS:-12}}"
if ! command -v clang++ >/dev/null; then
  if [ "${CPRECON_REQUIRE_DATA:-0}" = "1" ]; then echo "FAIL: clang++ is missing (scripts/setup-deps.sh installs clang)" >&2; exit 1; fi
  echo "SKIP   : clang++ is not installed"; exit 0
fi
mkdir -p "$out"
if [ ! -f "$out/build.ninja" ]; then
  launcher=""; command -v ccache >/dev/null && launcher="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
  CXX=clang++ cmake -S "$src/tests/fuzz" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $launcher > "$out/configure.log" 2>&1 ||
    { cat "$out/configure.log"; exit 1; }
fi
cmake --build "$out" -j "$(nproc)" > "$out/build.log" 2>&1 || { tail -40 "$out/build.log"; exit 1; }
rm -rf "$out/artifacts" "$out/new"
mkdir -p "$out/artifacts"
status=0
for harness in "$out"/fuzz_*; do
  [ -x "$harness" ] || continue
  name="$(basename "$harness")"
  corpus="$src/tests/fuzz/corpus/${name#fuzz_}"
  mkdir -p "$out/new/$name"
  # New inputs go to a scratch folder (first corpus argument); the seeds in the repository are only read.
  if "$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$out/artifacts/$name-" "$out/new/$name" "$corpus" > "$out/$name.log" 2>&1; then
    echo "$name: $(grep -E '^stat::number_of_executed_units' "$out/$name.log" | awk '{print $2}') inputs in ${seconds} s, no finding"
  else
    echo "FAIL: $name found a problem; the input is in $out/artifacts:" >&2
    grep -E "ERROR|SUMMARY|runtime error|what\(\)" "$out/$name.log" | head -5 >&2
    status=1
  fi
done
exit $status
