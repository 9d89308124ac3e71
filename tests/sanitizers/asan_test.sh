#!/usr/bin/env bash
# The core libraries that parse, compute and schedule — util, jobs, weights, screen, image, metrics, profiles,
# features — and their whole test suites, built with AddressSanitizer + UndefinedBehaviorSanitizer (BUILD_DIR/asan,
# like the `asan` preset but only these areas, so CI stays within its time) and run: any memory error, leak or
# undefined behaviour fails. Usage: asan_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src="$1"
out="$2/asan"
areas="util jobs weights screen image metrics profiles features"
mkdir -p "$out"
if [ ! -f "$out/build.ninja" ]; then
  launcher=""; command -v ccache >/dev/null && launcher="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
  flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
  cmake -S "$src" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" -DCPRECON_BUILD_GUI=OFF \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" $launcher > "$out/configure.log" 2>&1 ||
    { cat "$out/configure.log"; exit 1; }
fi
targets=()
regex=""
for a in $areas; do
  while IFS= read -r t; do targets+=("$t"); done < <(ninja -C "$out" -t targets all 2>/dev/null | sed -n "s/^\(tst_${a}_[a-z0-9_]*\): phony$/\1/p" | sort -u)
  regex="${regex:+$regex|}^$a\\."
done
[ ${#targets[@]} -gt 0 ] || { echo "FAIL: no test targets found for: $areas" >&2; exit 1; }
cmake --build "$out" -j "$(nproc)" --target "${targets[@]}" > "$out/build.log" 2>&1 || { tail -40 "$out/build.log"; exit 1; }
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export QT_QPA_PLATFORM=offscreen
ctest --test-dir "$out" -R "$regex" -j "$(nproc)" --output-on-failure --timeout 900
