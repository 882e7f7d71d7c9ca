#!/bin/bash
# Runs every test of one build: the cmocka binaries ($BUILD/tests/test_*) and
# the integration and terminal scripts (tests/*.sh), each bounded by a
# timeout. Adds up the cases each one reports (cmocka's PASSED/FAILED lines,
# the scripts' "N passed, N failed") and ends with the total in that form.
# A program that dies or times out without a summary counts as one failure.
set -u
BUILD=${1:?usage: run-tests.sh BUILD_DIR}
TIMEOUT=${HM_TEST_TIMEOUT:-180}
export HM_BUILD=$BUILD
export HM_TEST_TIMEOUT
# Sanitizers: stop at the first error, and report leaks.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export CMOCKA_MESSAGE_OUTPUT=stdout

passed=0
failed=0
failures=()
log_dir="$BUILD/test-logs"
mkdir -p "$log_dir"

run_one() {
    local name=$1; shift
    local log="$log_dir/$(basename "$name").log"
    local rc p f
    timeout --kill-after=10 "$TIMEOUT" "$@" >"$log" 2>&1 </dev/null
    rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p; s/^\(.*: \)\{0,1\}\([0-9][0-9]*\) passed, [0-9][0-9]* failed.*/\2/p' "$log" | awk '{s+=$1} END {print s+0}')
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p; s/^\(.*: \)\{0,1\}[0-9][0-9]* passed, \([0-9][0-9]*\) failed.*/\2/p' "$log" | awk '{s+=$1} END {print s+0}')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$f" -ne 0 ]; then
        failures+=("$name (exit $rc, log $log)")
        printf 'FAIL %-40s %3d passed, %d failed (exit %d)\n' "$name" "$p" "$f" "$rc"
        tail -n 30 "$log" | sed 's/^/    | /'
    else
        printf 'ok   %-40s %3d passed\n' "$name" "$p"
    fi
}

for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    run_one "$(basename "$t")" "$t"
done
for s in tests/*.sh; do
    [ -f "$s" ] || continue
    run_one "$(basename "$s")" bash "$s"
done

echo "== $BUILD =="
for f in "${failures[@]+"${failures[@]}"}"; do echo "failed: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
