#!/bin/bash
# tests/load.sh - hotmon-load end to end: a real hotmon-load publishing to a
# real `hotmon --once` over loopback, its summary checked against what hotmon
# saw; the queue model; a sweep and its knee; a profile file; SIGINT; no
# collector; usage errors exit 2; the man page against --help. Run from the
# repository root.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.bash
HOTMON=$HM_BUILD/hotmon
LOAD=$HM_BUILD/hotmon-load
export XDG_CONFIG_HOME=$WORK/noconfig
unset HOTMON_ENDPOINT HOTMON_SERVICE

need "$HOTMON" "$LOAD"
free_ports 5
hm_once() { # PORT OUT
    timeout 30 "$HOTMON" --once --after 6 --bind "tcp://127.0.0.1:$1" --format json >"$2" 2>"$2.err"
}
run_load() { # NAME ARGS...: output in $WORK/NAME.out, .err, .rc
    local name=$1
    shift
    timeout 30 "$LOAD" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
    echo $? >"$WORK/$name.rc"
}

# 1. Open loop, constant 5 ms, three endpoints, JSON summary.
hm_once "${PORTS[0]}" "$WORK/basic.json" & PIDS+=($!)
run_load basic --collector "tcp://127.0.0.1:${PORTS[0]}" --wait 10 --endpoints 3 --rate 300 \
    --duration 2 --latency constant:5ms --phases --format json & PIDS+=($!)

# 2. The queue model: one slot of 10 ms (100/s) offered 200/s.
hm_once "${PORTS[1]}" "$WORK/queue.json" & PIDS+=($!)
run_load queue --collector "tcp://127.0.0.1:${PORTS[1]}" --wait 10 --endpoints 1 --rate 200 \
    --duration 2 --latency constant:10ms --capacity 1 --format json & PIDS+=($!)

# 3. A profile: names with spaces, an erroring endpoint.
cat >"$WORK/profile" <<'EOF2'
# name           settings
"GET /users"     latency=constant:2ms
"POST /orders"   latency=uniform:10ms:20ms error-ratio=0.5
EOF2
hm_once "${PORTS[2]}" "$WORK/profile.json" & PIDS+=($!)
run_load profile --collector "tcp://127.0.0.1:${PORTS[2]}" --wait 10 --profile "$WORK/profile" \
    --rate 400 --duration 2 --format md & PIDS+=($!)

# 4. A sweep of closed-loop steps against 2 slots of 2 ms: latency doubles at 4.
run_load sweep --collector "tcp://127.0.0.1:${PORTS[3]}" --wait 0 --endpoints 1 \
    --sweep 1,2,4,8 --step 0.5 --capacity 2 --latency constant:2ms --format json & PIDS+=($!)

# 5. No collector, until interrupted: SIGINT ends it with a summary.
timeout 30 "$LOAD" --collector "tcp://127.0.0.1:${PORTS[4]}" --wait 0.2 --duration 0 \
    --endpoints 2 --rate 100 >"$WORK/int.out" 2>"$WORK/int.err" &
int_pid=$!
PIDS+=($int_pid)
sleep 1.5
kill -INT "$int_pid"
for p in "${PIDS[@]}"; do wait "$p"; echo "$p $?" >>"$WORK/waits"; done
PIDS=()
int_rc=$(sed -n "s/^$int_pid //p" "$WORK/waits")

for t in basic queue profile sweep; do
    check "$t: exit 0" test "$(cat "$WORK/$t.rc")" = 0
done
check "open loop: the summary's counts, rate and p50 are what was asked, no drops" \
    python3 - "$WORK/basic.out" <<'EOF2'
import json, sys
d = json.load(open(sys.argv[1]))
t = d["total"]
assert 597 <= t["count"] <= 600, t
assert abs(t["p50_ms"] - 5) < 0.05 and abs(t["p99_ms"] - 5) < 0.05, t
assert [e["name"] for e in d["endpoints"]] == ["ep-0000", "ep-0001", "ep-0002"], d["endpoints"]
assert d["client"]["dropped"] == 0 and d["client"]["sent"] == t["count"], d["client"]
assert d["peak_rss_kib"] > 0 and d["target_rate"] == 300, d
EOF2
check "open loop: hotmon saw every sample the summary counts, 5 ms, wait and exec phases" \
    python3 - "$WORK/basic.json" "$WORK/basic.out" <<'EOF2'
import json, sys
doc = json.load(open(sys.argv[1]))
sent = json.load(open(sys.argv[2]))["total"]["count"]
eps = {e["name"]: e for e in doc["endpoints"]}
assert sorted(eps) == ["ep-0000", "ep-0001", "ep-0002"], eps.keys()
assert sum(e["count"] for e in eps.values()) == sent, (sent, doc["counters"])
for e in eps.values():
    assert abs(e["p50_ms"] - 5) < 0.05, e
    assert sorted(p["name"] for p in e["phases"]) == ["exec", "wait"], e["phases"]
EOF2
check "queue model: the queue fills, latency counts the wait, hotmon agrees" \
    python3 - "$WORK/queue.out" "$WORK/queue.json" <<'EOF2'
import json, sys
d = json.load(open(sys.argv[1]))
e = d["endpoints"][0]
# 100/s served of 200/s offered: after 2 s about 100 wait, the last ~1 s each
assert 180 <= e["count"] <= 202, e
assert e["queue_peak"] >= 90, e
assert 800 <= e["max_ms"] <= 1100, e
h = {x["name"]: x for x in json.load(open(sys.argv[2]))["endpoints"]}["ep-0000"]
assert h["count"] == e["count"] and abs(h["max_ms"] - e["max_ms"]) <= 0.02 * e["max_ms"], (h, e)
EOF2
check "profile: named endpoints with their settings, as Markdown" \
    bash -c "grep -q '^| GET /users | [0-9]* | [0-9.]* | 0.00% | 2.00ms' '$WORK/profile.out' &&
             grep -Eq '^\| POST /orders \| [0-9]+ \| [0-9.]+ \| (4[0-9]|5[0-9])\.[0-9]+%' '$WORK/profile.out'"
check "profile: hotmon shows both names" \
    python3 -c "
import json, sys
names = {e['name'] for e in json.load(open('$WORK/profile.json'))['endpoints']}
assert names == {'GET /users', 'POST /orders'}, names"
check "sweep: four steps, p99 doubles at concurrency 4, marked as the knee" \
    python3 - "$WORK/sweep.out" <<'EOF2'
import json, sys
steps = json.load(open(sys.argv[1]))["steps"]
assert [s["concurrency"] for s in steps] == [1, 2, 4, 8], steps
assert [s["knee"] for s in steps] == [False, False, True, False], steps
assert abs(steps[0]["p99_ms"] - 2) < 0.05 and abs(steps[2]["p99_ms"] - 4) < 0.05, steps
assert abs(steps[3]["p99_ms"] - 8) < 0.1, steps
# two slots of 2 ms: 1000/s at most
assert steps[3]["rate"] <= 1010 and steps[1]["rate"] >= 900, steps
EOF2
check "SIGINT: exit 0 with its summary" \
    bash -c "test '$int_rc' = 0 && grep -q '^(all) ' '$WORK/int.out'"
check "no collector: said so, and the samples count as dropped" \
    bash -c "grep -q 'no collector at' '$WORK/int.err' &&
             grep -Eq 'samples: ([0-9]+) produced, 0 sent, \1 dropped' '$WORK/int.out'"

# Usage errors: exit 2, a reason, a hint.
refuse() { expect_usage_error "$LOAD" "$@"; }
printf 'ok latency=constant:1ms\n"bad"  capacity=lots\n' >"$WORK/bad.profile"
refuse "unknown option" "unknown option or missing argument: '--bogus'" --bogus
refuse "rate 0" "--rate: '0' is not a rate above 0" --rate 0
refuse "open and closed loop" "choose one" --rate 10 --concurrency 2
refuse "sweep with a rate" "--sweep runs closed-loop steps" --sweep 1,2 --rate 10
refuse "bad sweep" "--sweep: 'x' is not a concurrency" --sweep 1,x
refuse "bad distribution" "--latency: 'normal:1ms': unknown distribution" --latency normal:1ms
refuse "too many endpoints" "--endpoints: '5000' is not a number 1 to 4096" --endpoints 5000
refuse "missing profile" "--profile: $WORK/none: No such file or directory" --profile "$WORK/none"
refuse "bad profile: file, line, column" "$WORK/bad.profile:2:17: capacity: a whole number" \
    --profile "$WORK/bad.profile"
refuse "bad format" "--format: 'yaml' is not text, md or json" --format yaml
refuse "empty collector address" "--collector: wants ADDR, not an empty value" --collector ''
printf 'a latency=constant:1ms\n\0\nb\n' >"$WORK/nul.profile"
refuse "a NUL byte in the profile: refused, not the end of the file" \
    "--profile: $WORK/nul.profile:2: a NUL byte" --profile "$WORK/nul.profile"
refuse "bad collector address" "--collector: 'nowhere' is not a ZeroMQ address" --collector nowhere

check "--version: the version" bash -c "'$LOAD' --version | grep -q '^hotmon-load [0-9]'"
expect_full_stdout "--help" "$LOAD" --help
expect_full_stdout "--version" "$LOAD" --version
expect_full_stdout "the summary" "$LOAD" --collector "ipc://$WORK/nobody" --wait 0 --duration 0.2
check_man_page "$LOAD" docs/hotmon-load.1
check "--help: says the open loop counts from the intended start" \
    grep -q "intended start" "$WORK/help.txt"
finish
