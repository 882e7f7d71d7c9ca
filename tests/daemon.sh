#!/bin/bash
# tests/daemon.sh - hotmon-collector as a program: flags and refusals (exit
# 2), the addresses really bound in its log, SIGHUP, SIGTERM and SIGINT,
# detaching, --keygen and CURVE start-up, and the man page against --help.
# Real processes on loopback, wildcard ports; every wait bounded.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.bash
. tests/collector.bash
PUBLISH=$HM_BUILD/tests/prog_publish
need "$COLLECTOR" "$PUBLISH"
ANY=tcp://127.0.0.1:*

# Refusals: exit 2, one clear message on stderr, nothing on stdout.
expect_refusal() { # NAME WANT-IN-STDERR ARGS...
    local name=$1 want=$2
    shift 2
    timeout 10 "$COLLECTOR" --foreground "$@" </dev/null >"$WORK/out" 2>"$WORK/err"
    local rc=$?
    if [ "$rc" = 2 ] && grep -qF -- "$want" "$WORK/err" && [ ! -s "$WORK/out" ]; then
        ok "$name"
    else
        fail "$name" "exit $rc: $(cat "$WORK/err")"
    fi
}
expect_refusal "an unknown flag: exit 2, the flag named" "unknown option '--bogus'" --bogus
expect_refusal "a flag without its value" "needs a value" --bind
expect_refusal "--refresh out of range" "--refresh: '5'" --refresh 5
expect_refusal "--log-level not a level" "--log-level: 'loud'" --log-level loud
expect_refusal "an argument that is no flag" "unexpected argument 'extra'" extra
expect_refusal "--curve-secret without --allow" "--curve-secret needs --allow" --curve-secret x
expect_refusal "--allow without --curve-secret" "--allow needs --curve-secret" --allow x
expect_refusal "a bad ingest address: exit 2, named" "not a valid ZeroMQ address" \
    --bind nonsense --pub "$ANY"
expect_refusal "--metrics without a port" "--metrics 127.0.0.1: not HOST:PORT" \
    --bind "$ANY" --pub "$ANY" --metrics 127.0.0.1
# ZeroMQ and getaddrinfo take port 99999 as 34463 (modulo 65536): refused first.
expect_refusal "--bind port 99999: refused, not bound modulo 65536" "port is 0 to 65535" \
    --bind tcp://127.0.0.1:99999 --pub none
expect_refusal "--pub port 70000: refused" "port is 0 to 65535" --bind "$ANY" --pub tcp://127.0.0.1:70000
# ZeroMQ unlinks whatever is at an ipc path before binding: a file must survive.
echo precious >"$WORK/precious"
expect_refusal "--bind ipc://FILE: refused, the file kept" "not a socket is at that path; not replacing it" \
    --bind "ipc://$WORK/precious" --pub none
check "  the file is still there, whole" grep -qx precious "$WORK/precious"
expect_refusal "--metrics port 99999: refused" "--metrics 127.0.0.1:99999: not HOST:PORT" \
    --bind "$ANY" --pub none --metrics=127.0.0.1:99999
expect_refusal "--statsd port 99999: refused" "'127.0.0.1:99999' is not HOST:PORT" \
    --bind "$ANY" --pub none --statsd 127.0.0.1:99999

"$COLLECTOR" --help >"$WORK/help" 2>&1
check "--help: exit 0, every flag of the issue listed" \
    bash -c "for f in --bind --pub --slo --events --metrics --foreground --curve-secret --allow \
        --keygen --refresh --log-level; do grep -q -- \"\$f\" '$WORK/help' || exit 1; done"
check "--version: exit 0 with a version" \
    bash -c "'$COLLECTOR' --version | grep -Eq '^hotmon-collector [0-9]+\.[0-9]+'"
expect_full_stdout "--help" "$COLLECTOR" --help
expect_full_stdout "--version" "$COLLECTOR" --version

# Started on wildcard ports: the log says what was really bound, in the form
# other tools parse.
if start_collector main --bind "$ANY" --pub "$ANY"; then
    ok "starts and logs its addresses"
else
    fail "starts and logs its addresses"
fi
check "log: 'hotmon-collector: info: ingest tcp://127.0.0.1:PORT'" \
    grep -Eq '^hotmon-collector: info: ingest tcp://127\.0\.0\.1:[0-9]+$' "$WORK/main.log"
check "log: 'hotmon-collector: info: pub tcp://127.0.0.1:PORT', another port" \
    bash -c "grep -Eq '^hotmon-collector: info: pub tcp://127\.0\.0\.1:[0-9]+$' '$WORK/main.log' \
        && [ '$INGEST' != '$PUB' ]"

# Samples go in at the logged address.
timeout 20 "$PUBLISH" "$INGEST" "GET /d" 100x1ms >"$WORK/pub.out" 2>&1
check "a client publishes to the logged ingest address" test $? = 0

# The same addresses again: refused with exit 2 and the address named.
expect_refusal "address in use: exit 2" "cannot start with --bind $INGEST" --bind "$INGEST" \
    --pub "$ANY"

expect_refusal "--summary out of range" "--summary: 'soon'" --summary soon
kill -HUP "$COLLECTOR_PID"
check "SIGHUP: reload is called and says so" \
    wait_until 10 grep -q "info: SIGHUP: no SLO file" "$WORK/main.log"
check "SIGHUP: still running" kill -0 "$COLLECTOR_PID"

kill -TERM "$COLLECTOR_PID"
wait "$COLLECTOR_PID"
rc=$?
check "SIGTERM: exit 0" test "$rc" = 0
check "SIGTERM: logs the stop and the samples it ingested" \
    grep -q "info: stopped: 100 samples ingested" "$WORK/main.log"

# A rule file nobody writes to yet (a FIFO) blocks the start; SIGTERM still
# ends it, as it would any program.
mkfifo "$WORK/rules.fifo"
"$COLLECTOR" --foreground --bind "$ANY" --pub none --slo "$WORK/rules.fifo" 2>/dev/null &
fpid=$!
PIDS+=("$fpid")
sleep 0.3
kill -TERM "$fpid"
check "SIGTERM while a --slo FIFO blocks the start: it ends" \
    wait_until 5 bash -c "! kill -0 $fpid 2>/dev/null"
kill -KILL "$fpid" 2>/dev/null # bounded, should it not have ended

start_collector nopub --bind "$ANY" --pub none || fail "starts with --pub none"
check "--pub none: no PUB socket" bash -c "! grep -q 'info: pub' '$WORK/nopub.log'"
kill -INT "$COLLECTOR_PID"
wait "$COLLECTOR_PID"
check "SIGINT: exit 0" test $? = 0

"$COLLECTOR" --foreground --bind "$ANY" --pub none --log-level warn 2>"$WORK/quiet.log" &
qpid=$!
PIDS+=("$qpid")
listening() { ss -ltnpH 2>/dev/null | grep -q "pid=$1,"; }
check "--log-level warn: starts" wait_until 20 listening "$qpid"
kill -TERM "$qpid"
wait "$qpid"
check "--log-level warn: no info line, exit 0" \
    bash -c "[ $? = 0 ] && ! grep -q 'info:' '$WORK/quiet.log'"

# --summary: a line of counters, and a warning for frames rejected.
start_collector sum --bind "$ANY" --pub none --summary 1 || fail "starts with --summary 1"
timeout 20 "$PUBLISH" "$INGEST" "GET /s" 30x1ms >/dev/null 2>&1
timeout 20 "$HM_BUILD/tests/prog_push" "$INGEST" "not a frame"
check "a peer sends a frame no client would" test $? = 0
check "--summary 1: a line of counters at info" \
    wait_until 10 grep -Eq "info: last 1 s: [1-9][0-9]* samples, [0-9]+ senders, 1 endpoints" "$WORK/sum.log"
check "--summary 1: a warning when frames were rejected" \
    wait_until 10 grep -q "warn: last 1 s: 1 frames rejected, 0 lost" "$WORK/sum.log"
kill -TERM "$COLLECTOR_PID"
wait "$COLLECTOR_PID"

# Without --foreground it detaches: the command returns once the sockets are
# bound, the daemon runs on.
free_ports 2
timeout 20 "$COLLECTOR" --bind "tcp://127.0.0.1:${PORTS[0]}" --pub "tcp://127.0.0.1:${PORTS[1]}" \
    2>"$WORK/detached.log"
check "detached: returns 0 once bound" test $? = 0
dpid=$(ss -ltnpH "sport = :${PORTS[0]}" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1)
if [ -n "$dpid" ] && [ "$dpid" != "$$" ]; then
    PIDS+=("$dpid")
    ok "detached: the daemon runs on (pid $dpid)"
    timeout 10 "$COLLECTOR" --bind "tcp://127.0.0.1:${PORTS[0]}" --pub "$ANY" 2>"$WORK/err"
    check "detached: a start-up error still reaches the caller (exit 2)" test $? = 2
    kill -TERM "$dpid"
    check "detached: SIGTERM stops it" wait_until 10 bash -c "! kill -0 $dpid 2>/dev/null"
else
    fail "detached: the daemon runs on" "$(cat "$WORK/detached.log")"
fi

# --keygen, then CURVE on.
"$COLLECTOR" --keygen "$WORK/server.key" >"$WORK/out" 2>&1
check "--keygen: exit 0, the key pair private" \
    bash -c "[ \$(stat -c %a '$WORK/server.key') = 600 ] && [ -s '$WORK/server.key.pub' ]"
"$COLLECTOR" --keygen "$WORK/server.key" >"$WORK/out" 2>&1
check "--keygen onto an existing file: refused" test $? = 1
# A reader that has left (the sleep lets `true` exit first): the keys are
# written, and the lost lines are said, not a SIGPIPE death.
{ sleep 0.3; "$COLLECTOR" --keygen "$WORK/gone.key" 2>"$WORK/gone.err"; } | true
gone_rc=${PIPESTATUS[0]}
check "--keygen into a closed pipe: exit 1 ($gone_rc), says so, the keys written" \
    bash -c "[ $gone_rc = 1 ] && grep -q 'cannot write to stdout: Broken pipe' '$WORK/gone.err' && [ -s '$WORK/gone.key.pub' ]"
"$COLLECTOR" --keygen "$WORK/client.key" >/dev/null 2>&1
cp "$WORK/client.key.pub" "$WORK/allow"
start_collector curve --bind "$ANY" --pub "$ANY" --curve-secret "$WORK/server.key" \
    --allow "$WORK/allow" || fail "starts with CURVE"
check "CURVE: logs how many keys are allowed" grep -q "CURVE on: 1 allowed" "$WORK/curve.log"
# Through the real programs: keys from the HOTMON_CURVE_* settings.
with_keys() { # KEYFILE COMMAND...: COMMAND as a client with that key pair
    local f=$1
    shift
    HOTMON_CURVE_SERVER_KEY=$(cat "$WORK/server.key.pub") \
        HOTMON_CURVE_PUBLIC_KEY=$(sed -n 's/^public-key = //p' "$f") \
        HOTMON_CURVE_SECRET_KEY=$(sed -n 's/^secret-key = //p' "$f") "$@"
}
"$COLLECTOR" --keygen "$WORK/stranger.key" >/dev/null 2>&1
# a CURVE handshake on a loaded machine: give the connection 3 s, not 0.5
HM_PUBLISH_CONNECT_MS=3000 with_keys "$WORK/client.key" timeout 20 "$PUBLISH" "$INGEST" \
    "GET /secure" 50x1ms \
    >"$WORK/allowed.out" 2>&1
check "CURVE: an allowed client delivers every sample" test $? = 0
with_keys "$WORK/stranger.key" timeout 20 "$PUBLISH" "$INGEST" "GET /stranger" 50x1ms \
    >"$WORK/stranger.out" 2>&1
check "CURVE: a key not on the list delivers nothing (its client counts the drops)" \
    grep -q "sent 0 dropped 50" "$WORK/stranger.out"
timeout 20 "$PUBLISH" "$INGEST" "GET /plain" 50x1ms >"$WORK/plain.out" 2>&1
check "CURVE: a plain client delivers nothing" grep -q "sent 0 dropped 50" "$WORK/plain.out"
with_keys "$WORK/client.key" timeout 30 "$HM_BUILD/hotmon" --connect "$PUB" --once --after 0.5 \
    --format json >"$WORK/curve.json" 2>"$WORK/curve.err"
check "CURVE: an allowed viewer sees only the allowed client's samples, and the refusals" \
    python3 - "$WORK/curve.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
eps = {e["name"]: e["count"] for e in d["endpoints"]}
assert eps == {"GET /secure": 50}, eps
assert d["counters"]["auth_failures"] >= 1, d["counters"]
PY
kill -TERM "$COLLECTOR_PID"
wait "$COLLECTOR_PID"
echo "not a key" >"$WORK/bad-allow"
expect_refusal "CURVE: a bad allow list refused with FILE:LINE" "bad-allow:1:" --bind "$ANY" \
    --curve-secret "$WORK/server.key" --allow "$WORK/bad-allow"

# The man page covers --help.
check_man_page "$COLLECTOR" docs/hotmon-collector.1 HOTMON_CURVE_SERVER_KEY SIGHUP "EXIT STATUS"

# --statsd: statsd lines over UDP become samples, counts and gauges like any
# other; bad lines are counted and logged, never fatal.
start_collector statsd --bind "$ANY" --pub "$ANY" --refresh 200 --summary 1 --statsd 127.0.0.1:0 ||
    fail "starts with --statsd"
UDP=$(sed -n 's/^hotmon-collector: info: statsd udp //p' "$WORK/statsd.log")
check "--statsd: logs the UDP address really bound" test -n "$UDP"
python3 - "${UDP%:*}" "${UDP##*:}" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
addr = (sys.argv[1], int(sys.argv[2]))
for batch in range(10):   # ten datagrams of ten timer lines each, as clients batch them
    s.sendto("\n".join("api.get:12.5|ms" for _ in range(10)).encode(), addr)
s.sendto(b"svc.queue:12|g", addr)
s.sendto(b"svc.jobs:3|c\nnot a statsd line\napi.get:abc|ms", addr)
PY
check "--statsd: the timers arrive as samples, the gauge as the queue depth" wait_until 15 python3 - "$PUB" "$HM_BUILD/hotmon" <<'PY'
import json, subprocess, sys
out = subprocess.run([sys.argv[2], "--connect", sys.argv[1], "--once", "--after", "0.5",
                      "--format", "json", "--window", "all"], capture_output=True, text=True, timeout=30).stdout
eps = {e["name"]: e for e in json.loads(out)["endpoints"]}
assert eps["api.get"]["count"] == 100, eps.get("api.get")
assert abs(eps["api.get"]["p50_ms"] - 12.5) <= 0.13, eps["api.get"]
assert eps["svc"]["queue"] == 12, eps.get("svc")
PY
kill -TERM "$COLLECTOR_PID"
wait "$COLLECTOR_PID"
check "--statsd: bad lines counted in the log, not fatal" \
    grep -q "warn: statsd: 12 datagrams, 104 lines: 102 published, 0 skipped, 2 bad" "$WORK/statsd.log"
expect_refusal "--statsd with CURVE: exit 2" "--statsd does not go with --curve-secret" \
    --statsd 127.0.0.1:0 --curve-secret x --allow y
expect_refusal "--statsd on a bad address: exit 2, named" "--statsd nohost: 'nohost' is not HOST:PORT" \
    --bind "$ANY" --pub "$ANY" --statsd nohost

# An ipc address a collector listens on is in use: ZeroMQ alone would unlink
# its socket and take the address from under it.
"$COLLECTOR" --foreground --bind "ipc://$WORK/live.ipc" --pub none 2>"$WORK/live.log" &
live=$!
PIDS+=("$live")
wait_until 20 grep -q "info: ingest" "$WORK/live.log"
expect_refusal "a live ipc address: in use, exit 2" "address already in use" \
    --bind "ipc://$WORK/live.ipc" --pub none
timeout 20 "$PUBLISH" "ipc://$WORK/live.ipc" "GET /ipc" 10x1ms >/dev/null 2>&1
kill -TERM "$live"
wait "$live"
check "  and the first collector still gets its samples" grep -q "stopped: 10 samples" "$WORK/live.log"
check "  and removes its ipc file when it stops" test ! -e "$WORK/live.ipc"

finish
