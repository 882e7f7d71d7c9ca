#!/bin/bash
# tests/pipe.sh - hotmon-pipe end to end: JSON and statsd lines on stdin
# through a real hotmon-pipe into a real `hotmon --once` over loopback, the
# numbers checked against what was sent; `service 2> >(hotmon-pipe)`; bad
# and over-long lines counted, never fatal; SIGTERM still sends what was
# read; no collector; usage errors exit 2; --tee; the man page against
# --help. Run from the repository root.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.bash
HOTMON=$HM_BUILD/hotmon
PIPE=$HM_BUILD/hotmon-pipe
export XDG_CONFIG_HOME=$WORK/noconfig
unset HOTMON_ENDPOINT HOTMON_SERVICE

need "$HOTMON" "$PIPE"
free_ports 5

# Input: 1000 JSON timings (1..1000 ms, 1 in 10 failing, a db phase), 300
# statsd timers of 7 ms, counters and a gauge, log text, and bad lines
# (malformed, over-long, holding a NUL byte).
python3 - >"$WORK/input" <<'EOF2'
import json
for i in range(1, 1001):
    print(json.dumps({"endpoint": "GET /items", "durationMs": i, "status": 500 if i % 10 == 0 else 200,
                      "requestId": "req-%d" % i, "breakdown": {"db": i / 2}}))
    if i % 100 == 0:
        print("listening on :3000")
        print('{"endpoint": "GET /items", "durationMs": "soon"}')
for i in range(300):
    print("cache.get:7|ms")
print("jobs.queue:12|g")
print("jobs.done:5|c")
print("this:is|not statsd")
print("x" * 70000)
print('{"endpoint":"after long","durationMs":3}')
print("nul:1\x00|ms")
EOF2

# 1. stdin into hotmon --once (JSON) while it collects.
hm_once() { # PORT OUT
    timeout 30 "$HOTMON" --once --after 5 --bind "tcp://127.0.0.1:$1" --format json >"$2" 2>"$2.err"
}
hm_once "${PORTS[0]}" "$WORK/once.json" & PIDS+=($!)
{ timeout 20 "$PIPE" --collector "tcp://127.0.0.1:${PORTS[0]}" --wait 10 --report-every 0 \
    <"$WORK/input" >"$WORK/pipe.out" 2>"$WORK/pipe.err"
  echo $? >"$WORK/pipe.rc"; } & PIDS+=($!)

# 2. The way the README says to use it: a service's stderr through process
# substitution, stdout untouched.
hm_once "${PORTS[1]}" "$WORK/svc.json" & PIDS+=($!)
(
    for i in $(seq 1 200); do
        echo "{\"name\":\"svc /work\",\"elapsed_ms\":4,\"correlationId\":\"c$i\"}" >&2
    done
    echo "service stdout"
) 2> >(timeout 20 "$PIPE" --collector "tcp://127.0.0.1:${PORTS[1]}" --wait 10 \
        2>"$WORK/svc.err"; echo $? >"$WORK/svc.rc") >"$WORK/svc.out"

# 3. No collector at all: bounded in time, everything accounted for.
start=$(date +%s%N)
printf 'a:1|ms\na:2|ms\n' | timeout 20 "$PIPE" --collector "tcp://127.0.0.1:${PORTS[2]}" \
    --wait 0.3 --flush-timeout 1 >/dev/null 2>"$WORK/none.err"
none_rc=$?
none_ms=$(( ($(date +%s%N) - start) / 1000000 ))

# 4. SIGTERM while the input is still open: what was read still goes out.
hm_once "${PORTS[4]}" "$WORK/sig.json" & PIDS+=($!)
mkfifo "$WORK/fifo"
timeout 20 "$PIPE" --collector "tcp://127.0.0.1:${PORTS[4]}" --wait 10 --tee <"$WORK/fifo" \
    >"$WORK/sig.tee" 2>"$WORK/sig.err" &
sig_pid=$!
exec 3>"$WORK/fifo"
for i in $(seq 1 50); do echo "sig:3|ms" >&3; done
# once the pipe has read all 50 (its --tee copy shows them), stop it
for _ in $(seq 1 100); do [ "$(wc -l <"$WORK/sig.tee")" = 50 ] && break; sleep 0.1; done
kill -TERM "$sig_pid"
wait "$sig_pid"
sig_rc=$?
exec 3>&-

for p in "${PIDS[@]}"; do wait "$p"; done
PIDS=()
for _ in $(seq 1 100); do [ -s "$WORK/svc.rc" ] && break; sleep 0.1; done

check "pipe: exit 0 with bad lines in its input" test "$(cat "$WORK/pipe.rc")" = 0
check "pipe: summary counts every line: 1000+300+2 published, 10 skipped, 13 bad" \
    grep -q "hotmon-pipe: 1326 lines: 1303 published, 10 skipped, 13 bad; 1301 samples, 1 counter and 1 gauge updates; samples sent 1301, dropped 0, unsent 0" "$WORK/pipe.err"
check "pipe: bad lines reported on stderr with a line number and a reason" \
    grep -q 'line [0-9]*: duration "durationMs" is not a number' "$WORK/pipe.err"
check "pipe: an over-long line is reported as such" \
    grep -q 'line 1324: line longer than 65536 bytes' "$WORK/pipe.err"
check "pipe: a NUL byte does not cut a line short: it is reported" \
    grep -q 'line 1326: a NUL byte in the line' "$WORK/pipe.err"
check "pipe: hotmon saw every JSON and statsd sample, with statuses and phases" \
    python3 - "$WORK/once.json" <<'EOF2'
import json, sys
doc = json.load(open(sys.argv[1]))
eps = {e["name"]: e for e in doc["endpoints"]}
items = eps["GET /items"]
assert items["count"] == 1000, items["count"]
assert items["errors"] == 100, items["errors"]
assert abs(items["p50_ms"] - 500) <= 5, items["p50_ms"]
assert abs(items["max_ms"] - 1000) <= 10, items["max_ms"]
assert [p["name"] for p in items["phases"]] == ["db"], items["phases"]
assert eps["cache.get"]["count"] == 300 and abs(eps["cache.get"]["p50_ms"] - 7) < 0.1, eps["cache.get"]
assert eps["after long"]["count"] == 1, eps.keys()
assert eps["jobs"]["queue"] == 12, eps["jobs"]
assert doc["counters"]["samples"] == 1301, doc["counters"]
EOF2

check "pipe 2> >(hotmon-pipe): exit 0, stdout untouched" \
    bash -c "test \"\$(cat '$WORK/svc.rc')\" = 0 && test \"\$(cat '$WORK/svc.out')\" = 'service stdout'"
check "pipe 2> >(hotmon-pipe): hotmon saw the service's 200 samples of 4 ms" \
    python3 - "$WORK/svc.json" <<'EOF2'
import json, sys
eps = {e["name"]: e for e in json.load(open(sys.argv[1]))["endpoints"]}
e = eps["svc /work"]
assert e["count"] == 200 and abs(e["p50_ms"] - 4) < 0.05, e
EOF2

check "SIGTERM: exit 0 with its summary of the 50 lines read" \
    bash -c "test '$sig_rc' = 0 && grep -q 'hotmon-pipe: 50 lines: 50 published' '$WORK/sig.err'"
check "SIGTERM: the 50 samples read before it reached hotmon" \
    python3 -c "
import json
eps = {e['name']: e for e in json.load(open('$WORK/sig.json'))['endpoints']}
assert eps['sig']['count'] == 50, eps"
check "no collector: exit 0 within the wait and flush bounds (${none_ms} ms)" \
    test "$none_rc" = 0 -a "$none_ms" -lt 5000
check "no collector: said so, and the summary counts the 2 samples as dropped" \
    bash -c "grep -q 'no collector reachable' '$WORK/none.err' && grep -q 'samples sent 0, dropped 2, unsent 0' '$WORK/none.err'"

# --tee copies the input byte for byte.
head -c 2000 "$WORK/input" | head -n 5 >"$WORK/tee.in"
"$PIPE" --collector "tcp://127.0.0.1:${PORTS[3]}" --wait 0 --flush-timeout 0.2 --tee --quiet \
    <"$WORK/tee.in" >"$WORK/tee.out" 2>"$WORK/tee.err"
check "--tee: stdout is the input, byte for byte" cmp -s "$WORK/tee.in" "$WORK/tee.out"
expect_full_stdout "--tee" "$PIPE" --collector "tcp://127.0.0.1:${PORTS[3]}" --wait 0 \
    --flush-timeout 0.2 --tee --quiet <"$WORK/tee.in"

# An unreadable input is an error, not an empty input.
"$PIPE" --collector "tcp://127.0.0.1:${PORTS[3]}" --wait 0 --flush-timeout 0.2 --quiet \
    <"$WORK" 2>"$WORK/dir.err"
check "stdin a directory: exit 1, said so" \
    bash -c "test $? = 1 && grep -q 'cannot read stdin: Is a directory' '$WORK/dir.err'"

# Usage errors: exit 2, a reason, a hint.
refuse() { expect_usage_error "$PIPE" "$@"; }
refuse "unknown option" "unknown option or missing argument: '--bogus'" --bogus
refuse "bad --format" "--format: 'xml' is not auto, json or statsd" --format xml
refuse "bad unit" "--duration-field: 't:min': unknown unit" --duration-field t:min
refuse "bad seconds" "--wait: 'soon' is not a number of seconds" --wait soon
refuse "stray argument" "unexpected argument 'file.log'" file.log
refuse "missing argument" "unknown option or missing argument" --collector
refuse "bad collector address" "--collector: 'nowhere' is not a ZeroMQ address" --collector nowhere
refuse "collector port 99999" "is not a ZeroMQ address" --collector tcp://127.0.0.1:99999
refuse "empty collector address" "--collector: wants ADDR, not an empty value" --collector ''

check "--version: the version" bash -c "'$PIPE' --version | grep -q '^hotmon-pipe [0-9]'"
expect_full_stdout "--help" "$PIPE" --help
expect_full_stdout "--version" "$PIPE" --version
check_man_page "$PIPE" docs/hotmon-pipe.1
finish
