#!/bin/bash
# tests/connect.sh - hotmon --connect against a real hotmon-collector: two
# --once viewers see the counts that were published, and the same ones; an
# interactive viewer in tmux shows the data, marks it STALE when the
# collector is killed, and recovers when it is restarted, while a live
# client reconnects by itself. Real processes on loopback; bounded waits.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.bash
. tests/collector.bash
HOTMON=$PWD/$HM_BUILD/hotmon
PUBLISH=$PWD/$HM_BUILD/tests/prog_publish
TRICKLE=$PWD/$HM_BUILD/tests/prog_trickle
export XDG_CONFIG_HOME=$WORK/noconfig
need "$COLLECTOR" "$HOTMON" "$PUBLISH" "$TRICKLE"

# Fixed free ports, so the collector can come back on the same addresses.
free_ports 3
IN_ADDR=tcp://127.0.0.1:${PORTS[0]}
PUB_ADDR=tcp://127.0.0.1:${PORTS[1]}
NOBODY=tcp://127.0.0.1:${PORTS[2]}

# Meanwhile: --once against an address where nobody publishes fails clearly.
timeout 30 "$HOTMON" --connect "$NOBODY" --once --after 0.1 >"$WORK/nobody.out" \
    2>"$WORK/nobody.err" &
nobody=$!

start_collector first --bind "$IN_ADDR" --pub "$PUB_ADDR" --refresh 200 ||
    fail "the collector starts"
timeout 20 "$PUBLISH" "$INGEST" "GET /known" 1000x10ms 20x200ms >"$WORK/pub1" 2>&1 &&
    timeout 20 "$PUBLISH" "$INGEST" "POST /other" 5x1ms:500 >"$WORK/pub2" 2>&1
check "every sample went out" test $? = 0

# Two viewers at once.
for v in 1 2; do
    timeout 30 "$HOTMON" --connect "$PUB" --once --after 1 --format json >"$WORK/view$v.json" \
        2>"$WORK/view$v.err" &
    PIDS+=($!)
done
wait "${PIDS[-1]}" "${PIDS[-2]}"
check "two --once viewers: the counts published, the same in both" \
    python3 - "$WORK/view1.json" "$WORK/view2.json" <<'EOF'
import json, sys
docs = [json.load(open(p)) for p in sys.argv[1:]]
for d in docs:
    eps = {e["name"]: e for e in d["endpoints"]}
    k, o = eps["GET /known"], eps["POST /other"]
    assert k["count"] == 1020 and k["errors"] == 0, k
    assert abs(k["p50_ms"] - 10) <= 0.1 and abs(k["max_ms"] - 200) <= 2, k
    assert o["count"] == 5 and o["errors"] == 5, o
    assert d["counters"]["samples"] == 1025, d["counters"]
a, b = ({e["name"]: (e["count"], e["errors"]) for e in d["endpoints"]} for d in docs)
assert a == b, (a, b)
EOF

# The interactive viewer, in a real terminal.
if command -v tmux >/dev/null; then
    SOCK="hm-connect-$$"
    T() { timeout 10 tmux -L "$SOCK" -f /dev/null "$@"; }
    trap 'T kill-server 2>/dev/null; cleanup' EXIT
    screen() { T capture-pane -p -t hm; }
    shows() { screen | grep -Eq -- "$1"; }
    lacks() { ! screen | grep -Eq -- "$1"; }
    T new-session -d -s hm -x 120 -y 30 \
        "env XDG_CONFIG_HOME=$WORK/noconfig TERM=xterm-256color $HOTMON --connect $PUB_ADDR; echo EXIT=\$?; sleep 30"
    check "screen: the remote endpoints appear" wait_until 15 shows "GET /known"
    T new-window -d -t hm -n idle \
        "env XDG_CONFIG_HOME=$WORK/noconfig TERM=xterm-256color $HOTMON --connect $NOBODY; sleep 30"
    idle_waits() { T capture-pane -p -t hm:idle | grep -q "Waiting for the first snapshot from $NOBODY"; }
    check "screen: a viewer with no collector yet says it waits for one" wait_until 15 idle_waits
    check "screen: the status line names the collector" shows "$PUB_ADDR"

    "$TRICKLE" "$INGEST" "GET /trickle" 50 60 >"$WORK/trickle.out" 2>&1 &
    trickle=$!
    PIDS+=("$trickle")
    check "screen: a live client's endpoint appears" wait_until 15 shows "GET /trickle"

    kill -KILL "$COLLECTOR_PID"
    wait "$COLLECTOR_PID" 2>/dev/null
    check "collector killed: the status line says STALE with the data's age" \
        wait_until 15 shows "STALE [0-9]+s"
    check "collector killed: the last data stays on screen" shows "GET /known"

    start_collector second --bind "$IN_ADDR" --pub "$PUB_ADDR" --refresh 200 ||
        fail "the collector restarts on the same addresses"
    # the new collector knows only what arrived since it started
    new_data() {
        local s
        s=$(screen)
        grep -q 'GET /trickle' <<<"$s" && ! grep -q 'GET /known' <<<"$s"
    }
    check "collector back: no longer STALE" wait_until 20 lacks "STALE"
    check "collector back: the client reconnected, the new collector's data shows" \
        wait_until 15 new_data
    timeout 30 "$HOTMON" --connect "$PUB" --once --after 0.5 --format json >"$WORK/after.json" \
        2>"$WORK/after.err"
    check "collector back: the reconnected client's samples arrive" \
        python3 - "$WORK/after.json" <<'EOF'
import json, sys
eps = {e["name"]: e for e in json.load(open(sys.argv[1]))["endpoints"]}
assert eps["GET /trickle"]["count"] > 0, eps
assert "GET /known" not in eps, eps
EOF
    T send-keys -t hm q
    check "screen: q quits the viewer with status 0" wait_until 10 shows "EXIT=0"
    kill -TERM "$trickle"
    wait "$trickle"
    check "the client ran through it all and stopped cleanly" test $? = 0
else
    fail "tmux is installed (scripts/install-deps.sh)"
fi

wait "$nobody"
rc=$?
check "--connect --once with no collector: exit 1 and why" \
    bash -c "[ $rc = 1 ] && grep -q 'no snapshot from $NOBODY' '$WORK/nobody.err' && [ ! -s '$WORK/nobody.out' ]"

finish
