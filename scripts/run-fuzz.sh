#!/bin/bash
# Runs every libFuzzer target of one build for SECONDS each, from its seed
# corpus (fuzz/corpus/NAME, read-only) into a working corpus under the build
# folder. A crash, a leak or a sanitizer report fails the target and keeps
# the input that caused it. Ends with "N passed, N failed".
set -u
BUILD=${1:?usage: run-fuzz.sh BUILD_DIR SECONDS}
SECONDS_EACH=${2:-60}
passed=0
failed=0
mkdir -p "$BUILD/crashes"
for bin in "$BUILD"/fuzzers/fuzz_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin" | sed 's/^fuzz_//')
    work="$BUILD/corpus/$name"
    mkdir -p "$work"
    log="$BUILD/fuzz-$name.log"
    timeout --kill-after=10 $((SECONDS_EACH + 60)) "$bin" -max_total_time="$SECONDS_EACH" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$BUILD/crashes/$name-" "$work" "fuzz/corpus/$name" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
        echo "ok   fuzz_$name  ${runs:-?} inputs in ${SECONDS_EACH}s"
    else
        failed=$((failed + 1))
        echo "FAIL fuzz_$name (exit $rc, log $log, inputs in $BUILD/crashes)"
        grep -m5 -E 'ERROR|SUMMARY|runtime error' "$log" | sed 's/^/    | /'
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
