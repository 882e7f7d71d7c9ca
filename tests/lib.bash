# tests/lib.bash - shared by the shell tests: checks, counts, free ports, cleanup.
# Each test script sources it, calls `check NAME COMMAND...` or `ok`/`fail`,
# and ends with `finish`, which prints "N passed, N failed".
HM_BUILD=${HM_BUILD:-build}
passed=0
failed=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hotmon-test.XXXXXX")
PIDS=()

cleanup() {
    for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1${2:+: $2}"; }

# check NAME COMMAND...: passes when COMMAND exits 0.
check() {
    local name=$1
    shift
    if "$@"; then ok "$name"; else fail "$name"; fi
}

# A free TCP port on loopback.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
