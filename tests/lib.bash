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

# free_ports N: N free TCP ports on loopback into PORTS, asked for all at
# once (python3 starts slowly on a busy machine): the kernel hands out
# distinct ephemeral ports, free again when the sockets close.
free_ports() {
    PORTS=($(python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"))
}

# need PROGRAM...: each built, or the test fails at once.
need() {
    local f
    for f; do
        [ -x "$f" ] && continue
        fail "built: $f"
        finish
        exit 1
    done
}

finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

# expect_usage_error PROG NAME WANT ARGS...: passes when PROG ARGS exits 2,
# says WANT on stderr and points at PROG --help (hotmon-load, hotmon-pipe).
expect_usage_error() {
    local prog=$1 name=$2 want=$3
    shift 3
    "$prog" "$@" </dev/null >"$WORK/usage.out" 2>"$WORK/usage.err"
    local rc=$?
    if [ "$rc" = 2 ] && grep -qF -- "$want" "$WORK/usage.err" \
        && grep -q "Try '$(basename "$prog") --help'" "$WORK/usage.err"; then
        ok "usage error: $name"
    else
        fail "usage error: $name" "exit $rc: $(cat "$WORK/usage.err")"
    fi
}

# expect_full_stdout NAME PROG ARGS...: with stdout on /dev/full, PROG ARGS
# must exit 1 and say "cannot write to stdout: No space left on device", not
# claim success. Its stdin is /dev/null unless redirected around the call.
expect_full_stdout() {
    local name=$1
    shift
    "$@" >/dev/full 2>"$WORK/full.err"
    local rc=$?
    if [ "$rc" = 1 ] && grep -q "cannot write to stdout: No space left on device" "$WORK/full.err"; then
        ok "full stdout: $name"
    else
        fail "full stdout: $name" "exit $rc: $(cat "$WORK/full.err")"
    fi
}

# check_man_page PROG MANPAGE [WORD...]: --help exits 0, every option it lists and every WORD are in
# the man page, which renders without warnings.
check_man_page() {
    local prog=$1 page=$2 missing="" opt word
    shift 2
    "$prog" --help >"$WORK/help.txt" 2>&1
    check "$(basename "$prog") --help: exit 0" test $? = 0
    if [ ! -f "$page" ]; then
        fail "man page: $page exists"
        return
    fi
    sed 's/\\-/-/g' "$page" >"$WORK/man.txt" # roff's \- is a plain hyphen
    for opt in $(grep -oE -- '--[a-z][a-z-]*' "$WORK/help.txt" | sort -u); do
        grep -qE -- "${opt}([^a-z-]|\$)" "$WORK/man.txt" || missing="$missing $opt"
    done
    for word; do
        grep -q "$word" "$WORK/man.txt" || missing="$missing $word"
    done
    check "man page $page: every option of --help${*:+ and $*}${missing:+ (missing:$missing)}" \
        test -z "$missing"
    if command -v man >/dev/null; then
        check "man page $page: renders without warnings" \
            bash -c "MANWIDTH=80 man --warnings -l '$page' 2>&1 >/dev/null | (! grep .)"
    fi
}
