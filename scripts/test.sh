#!/bin/bash
# test.sh - install what is missing, build with ASan/UBSan and run every
# test; ends with the totals line "N passed, N failed".
set -u -o pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
sh scripts/deps.sh || exit 1
bdir=${XENLITE_TEST_BUILD:-build-test}
if [ ! -f "$bdir/build.ninja" ]; then
	meson setup "$bdir" -Db_sanitize=address,undefined -Db_lundef=false || exit 1
fi
ninja -C "$bdir" || exit 1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
meson test -C "$bdir" --print-errorlogs --num-processes 2 "$@" | tee "$bdir/test-summary.txt"
status=$?
ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$bdir/test-summary.txt" | tail -n 1)
fail=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$bdir/test-summary.txt" | tail -n 1)
to=$(sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' "$bdir/test-summary.txt" | tail -n 1)
skip=$(sed -n 's/^Skipped: *\([0-9]*\).*/\1/p' "$bdir/test-summary.txt" | tail -n 1)
echo "${ok:-0} passed, $(( ${fail:-0} + ${to:-0} )) failed, ${skip:-0} skipped"
exit $status
