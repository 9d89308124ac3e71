#!/usr/bin/env bash
# The threaded core under ThreadSanitizer, built in BUILD_DIR/tsan with its tests and run: any data race fails.
# - the job system (Task, TaskManager, cancellation, progress across threads), the compute budget, parallelFor;
# - the benchmark runner as the app starts it (tests/run/tst_benchmarktask: the reader thread feeding the models,
#   the store written from the worker, progress/finished delivered to the owner's thread, cancel, resume).
# Left out: the inspector's and the networks' tests — LibTorch's OpenMP pool and oneTBB are not instrumented, and
# TSan's reports on buffers they write (the tiny VAE's output read by the metrics) stall its report machinery for
# minutes (measured: tst_ui_inspector times out after 4 min under TSan, 8 s without).
# Usage: tsan_test.sh SOURCE_DIR BUILD_DIR  (BUILD_DIR's cprecon-cli writes the runner test's phantom screen)
set -euo pipefail
src="$1"
out="$2/tsan"
mkdir -p "$out"
if [ ! -f "$out/build.ninja" ]; then
  launcher=""; command -v ccache >/dev/null && launcher="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
  cmake -S "$src" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" -DCPRECON_BUILD_GUI=OFF \
    -DCMAKE_CXX_FLAGS="-fsanitize=thread" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" $launcher > "$out/configure.log" 2>&1 ||
    { cat "$out/configure.log"; exit 1; }
fi
targets=()
while IFS= read -r t; do targets+=("$t"); done < <(ninja -C "$out" -t targets all 2>/dev/null | sed -n 's/^\(tst_jobs_[a-z0-9_]*\): phony$/\1/p' | sort -u)
[ ${#targets[@]} -gt 0 ] || { echo "FAIL: no jobs test targets" >&2; exit 1; }
targets+=(tst_run_benchmarktask)
cmake --build "$out" -j "$(nproc)" --target "${targets[@]}" > "$out/build.log" 2>&1 || { tail -40 "$out/build.log"; exit 1; }
# die_after_fork=0: QProcess forks and execs at once (the tests start cprecon-cli); nothing runs in the child.
export TSAN_OPTIONS="halt_on_error=1:die_after_fork=0:second_deadlock_stack=1:suppressions=$src/tests/sanitizers/tsan.supp"
export QT_QPA_PLATFORM=offscreen
ctest --test-dir "$out" -R '^jobs\.' -j "$(nproc)" --output-on-failure --timeout 900
CPRECON_CLI="$2/app/cprecon-cli" "$out/tests/tst_run_benchmarktask"
