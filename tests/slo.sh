#!/usr/bin/env bash
# tests/slo.sh - SLO rules end to end through real processes: hotmon --once
# with --slo, --events and --report, fed by prog_publish over real sockets;
# the verdict's exit status, the events file, the report, bad rule files.
# Run from the repository root with HM_BUILD set.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.bash
HOTMON=$HM_BUILD/hotmon
PUBLISH=$HM_BUILD/tests/prog_publish
export XDG_CONFIG_HOME=$WORK/noconfig

need "$HOTMON" "$PUBLISH"

free_ports 9
next_port=0
take_port() { port=${PORTS[$next_port]}; next_port=$((next_port + 1)); }

# soak NAME PORT RULES ENDPOINT SPEC...: hotmon --once for 3 s with the rules,
# while prog_publish sends SPEC to ENDPOINT; leaves NAME.{out,err,rc,jsonl,md}.
soak() {
    local name=$1 port=$2 rules=$3 ep=$4
    shift 4
    printf '%b' "$rules" >"$WORK/$name.rules"
    timeout 30 "$HOTMON" --once --after 3 --bind "tcp://127.0.0.1:$port" --format json \
        --slo "$WORK/$name.rules" --events "$WORK/$name.jsonl" --report "$WORK/$name.md" \
        >"$WORK/$name.out" 2>"$WORK/$name.err" &
    local hp=$!
    sleep 0.3
    timeout 20 "$PUBLISH" "tcp://127.0.0.1:$port" "$ep" "$@" >/dev/null 2>&1
    wait "$hp"
    echo $? >"$WORK/$name.rc"
}

# Four runs side by side, each on its own port.
take_port
soak pass $port '* p95 < 500ms 10s\n* error_rate < 5% 10s\ncheck 1s\n' "GET /fast" 200x10ms &
take_port
soak breach $port 'GET /slow p95 < 50ms 10s\ncheck 1s\n' "GET /slow" 100x200ms &
take_port
soak good $port '# 99% of requests under 100 ms\nsvc p99 < 100ms 10s 99%\ncheck 1s\n' svc 995x10ms 5x300ms &
take_port
soak bad_share $port 'svc p99 < 100ms 10s 99%\ncheck 1s\n' svc 950x10ms 50x300ms &
wait

check "rules held: exit 0" test "$(cat "$WORK/pass.rc")" = 0
check "rules held: no events" test ! -s "$WORK/pass.jsonl"
check "rules held: the report says PASS" grep -q '| verdict | \*\*PASS\*\* |' "$WORK/pass.md"
check "rules held: the report lists the rules" grep -q '| \\\* p95 \\< 500ms 10s | 0 | 0 | 0 |' "$WORK/pass.md"
check "rules held: the endpoint's row has its count" grep -q '^| GET /fast | 200 |' "$WORK/pass.md"
check "rules held: the JSON view says ok" \
    python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["endpoints"]; assert [x["slo"] for x in e] == ["ok"], e' "$WORK/pass.out"

check "a breach: exit 1" test "$(cat "$WORK/breach.rc")" = 1
check "a breach: the event is a JSON line with the documented fields" python3 - "$WORK/breach.jsonl" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines, "no events"
e = json.loads(lines[0])
assert e["kind"] == "breach" and e["endpoint"] == "GET /slow", e
assert e["metric"] == "p95" and e["percentile"] == 95 and e["window"] == "10s", e
assert e["threshold"] == 50 and e["threshold_unit"] == "ms", e
assert abs(e["actual"] - 200) <= 2, e   # the histogram's 1%
assert e["rule"] == '"GET /slow" p95 < 50ms 10s', e
assert e["at"].endswith("Z") and e["at_unix_ms"] > 0, e
# at most one breach event per 10 s: a 3 s run has exactly one
assert sum(json.loads(l)["kind"] == "breach" for l in lines) == 1, lines
PY
check "a breach: the report says FAIL and names the rule" \
    bash -c "grep -q '| verdict | \*\*FAIL\*\* |' '$WORK/breach.md' && grep -q '^- breached: \"GET /slow\" p95 \\\\< 50ms 10s (1 breach events)' '$WORK/breach.md'"
check "a breach: the report lists the violation" grep -q '^- [0-9:]* FAIL GET /slow  "GET /slow" p95 \\< 50ms 10s  was 20[0-9.]*ms$' "$WORK/breach.md"
check "a breach: the JSON view says fail" grep -q '"slo": "fail"' "$WORK/breach.out"

check "objective met (99.5% good of 99%): exit 0" test "$(cat "$WORK/good.rc")" = 0
check "objective met: budget half left in the report, burning at half the rate" \
    grep -q '^| svc | 1000 |.* | 50\.0% (0\.50x/0\.50x) |$' "$WORK/good.md"
check "objective missed (95% good): exit 1" test "$(cat "$WORK/bad_share.rc")" = 1
check "objective missed: the event carries the exact share and the objective" python3 - "$WORK/bad_share.jsonl" <<'PY'
import json, sys
e = json.loads(open(sys.argv[1]).readline())
assert e["actual"] == 95 and e["actual_unit"] == "%" and e["objective"] == 99, e
PY

# Bad rule files: file, line, column and what was expected; exit 2.
printf '* p95 < 60ms 1m\n* p99 < 250 1m\n' >"$WORK/bad.rules"
timeout 10 "$HOTMON" --once --after 0.1 --bind tcp://127.0.0.1:0 --slo "$WORK/bad.rules" \
    >/dev/null 2>"$WORK/bad.err"
check "a bad rules file: exit 2" test $? = 2
check "a bad rules file: file:line:column and what was expected" \
    grep -q "^hotmon: --slo: $WORK/bad.rules:2:12: expected a unit (us, ms or s) after the number$" "$WORK/bad.err"
timeout 10 "$HOTMON" --once --after 0.1 --bind tcp://127.0.0.1:0 --slo "$WORK/none.rules" \
    >/dev/null 2>"$WORK/none.err"
check "a missing rules file: exit 2 with the reason" \
    bash -c "[ $? = 2 ] && grep -q 'none.rules: No such file or directory' '$WORK/none.err'"
timeout 10 "$HOTMON" --once --after 0.1 --bind tcp://127.0.0.1:0 --events /nonexistent/dir/ev.jsonl \
    >/dev/null 2>"$WORK/ev.err"
check "an events file that cannot be opened: exit 2 with the reason" \
    bash -c "[ $? = 2 ] && grep -q 'events: cannot open /nonexistent/dir/ev.jsonl: No such file' '$WORK/ev.err'"
# The default rules file under XDG_CONFIG_HOME is read when there is no --slo.
mkdir -p "$XDG_CONFIG_HOME/hotmon"
printf '* p95 <\n' >"$XDG_CONFIG_HOME/hotmon/slo.rules"
timeout 10 "$HOTMON" --once --after 0.1 --bind tcp://127.0.0.1:0 >/dev/null 2>"$WORK/def.err"
check "the default rules file is read (and refused when bad)" \
    bash -c "[ $? = 2 ] && grep -q 'hotmon/slo.rules:1:8: expected a bound' '$WORK/def.err'"
rm "$XDG_CONFIG_HOME/hotmon/slo.rules"

# A hostile name: escaped in the events file and the report.
take_port
printf '* p95 < 1ms 10s\ncheck 1s\n' >"$WORK/evil.rules"
timeout 30 "$HOTMON" --once --after 3 --bind "tcp://127.0.0.1:$port" --slo "$WORK/evil.rules" \
    --events "$WORK/evil.jsonl" --report "$WORK/evil.md" >/dev/null 2>&1 &
hp=$!
sleep 0.3
timeout 20 "$PUBLISH" "tcp://127.0.0.1:$port" 'evil\x1b[2J|x\x9b' 10x5ms >/dev/null 2>&1
wait $hp
check "a hostile name: escaped in the events file" grep -qF '"endpoint":"evil\\x1b[2J|x\\x9b"' "$WORK/evil.jsonl"
check "a hostile name: escaped in the report, its | made text" grep -qF '| evil\\x1b\[2J\|x\\x9b | 10 |' "$WORK/evil.md"
check "a hostile name: no control byte in the report or the events" \
    bash -c "! LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f-\x9f]' '$WORK/evil.md' '$WORK/evil.jsonl'"

# The daemon: events on its PUB socket under perf.slo_violation, read by a
# real SUB socket; the same line in --events; a --connect viewer's verdict
# and report; SIGHUP with a bad and a good file.
. tests/collector.bash
SUB=$HM_BUILD/tests/prog_sub
need "$COLLECTOR" "$SUB"
printf '"GET /slow" p95 < 50ms 10s\ncheck 1s\n' >"$WORK/d.rules"
start_collector slo --bind 'tcp://127.0.0.1:*' --pub 'tcp://127.0.0.1:*' --refresh 200 \
    --slo "$WORK/d.rules" --events "$WORK/d.jsonl" || fail "the collector starts with --slo"
check "the daemon logs its rules" grep -q 'info: 1 SLO rules from .*d.rules, events on the PUB socket and in ' "$WORK/slo.log"
timeout 30 "$SUB" "$PUB" perf.slo_violation 1 25 >"$WORK/sub.out" 2>"$WORK/sub.err" &
sub=$!
wait_until 10 grep -q ready "$WORK/sub.err"
timeout 20 "$PUBLISH" "$INGEST" "GET /slow" 100x200ms >/dev/null 2>&1
wait $sub
check "a real SUB socket receives the breach under perf.slo_violation" test $? = 0
check "  as the documented JSON" python3 - "$WORK/sub.out" <<'PY'
import json, sys
e = json.loads(open(sys.argv[1]).readline())
assert e["kind"] == "breach" and e["endpoint"] == "GET /slow" and e["metric"] == "p95", e
assert e["threshold"] == 50 and abs(e["actual"] - 200) <= 2, e
PY
check "  and the events file has the same line" \
    bash -c "wait_until() { for i in \$(seq 50); do \"\$@\" && return 0; sleep 0.1; done; return 1; }; wait_until grep -qxF \"\$(head -1 '$WORK/sub.out')\" '$WORK/d.jsonl'"
timeout 30 "$HM_BUILD/hotmon" --connect "$PUB" --once --after 1 --format json \
    --report "$WORK/remote.md" >"$WORK/remote.json" 2>"$WORK/remote.err"
check "--connect --once: the collector's breach makes the verdict exit 1" test $? = 1
check "  its JSON view shows the endpoint failing" grep -q '"slo": "fail"' "$WORK/remote.json"
check "  its report has the rule and the violation" \
    bash -c "grep -q '| verdict | \*\*FAIL\*\* |' '$WORK/remote.md' && grep -q 'FAIL GET /slow' '$WORK/remote.md'"
timeout 10 "$HM_BUILD/hotmon" --connect "$PUB" --once --slo "$WORK/d.rules" >/dev/null 2>"$WORK/cs.err"
check "--connect with --slo: exit 2, the rules are the collector's" \
    bash -c "[ $? = 2 ] && grep -q 'hotmon-collector --slo FILE' '$WORK/cs.err'"
printf '* p95 < 1zz 1m\n' >"$WORK/d.rules"
kill -HUP "$COLLECTOR_PID"
check "SIGHUP with a bad file: says why and keeps the rules" \
    wait_until 10 grep -q "warn: SIGHUP: $WORK/d.rules:1:10: expected a unit (us, ms or s) after the number; the rules in force are kept" "$WORK/slo.log"
printf '* p95 < 1s 1m\n* error_rate < 50%% 1m\n' >"$WORK/d.rules"
kill -HUP "$COLLECTOR_PID"
check "SIGHUP with a good file: the new rules are in force" \
    wait_until 10 grep -q "info: SIGHUP: 2 SLO rules from $WORK/d.rules" "$WORK/slo.log"
check "  and a viewer sees them" bash -c "timeout 20 '$HM_BUILD/hotmon' --connect '$PUB' --once --after 1 --format json --report '$WORK/r2.md' >/dev/null 2>&1; grep -q 'error\\\\_rate \\\\< 50% 1m' '$WORK/r2.md'"
kill -TERM "$COLLECTOR_PID"
wait "$COLLECTOR_PID"
check "SIGTERM: the daemon stops with 0, the events file whole" \
    bash -c "[ $? = 0 ] && python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' '$WORK/d.jsonl'"

# Events on a full disk: said, and the run fails, in hotmon and in the daemon.
take_port
timeout 30 "$HOTMON" --once --after 3 --bind "tcp://127.0.0.1:$port" --slo "$WORK/evil.rules" \
    --events /dev/full >/dev/null 2>"$WORK/full.err" &
hp=$!
sleep 0.3
timeout 20 "$PUBLISH" "tcp://127.0.0.1:$port" "GET /full" 10x5ms >/dev/null 2>&1
wait $hp
check "hotmon --events /dev/full: exit 1, the lost events said" \
    bash -c "[ $? = 1 ] && grep -Eq '^hotmon: --events: [1-9][0-9]* SLO events could not be written to /dev/full' '$WORK/full.err'"
start_collector full --bind 'tcp://127.0.0.1:*' --pub none --refresh 200 \
    --summary 1 --slo "$WORK/evil.rules" --events /dev/full || fail "the collector starts with --events /dev/full"
timeout 20 "$PUBLISH" "$INGEST" "GET /full" 10x5ms >/dev/null 2>&1
wait_until 10 grep -q "error: --events: .* could not be written to /dev/full" "$WORK/full.log"
kill -TERM "$COLLECTOR_PID"
wait "$COLLECTOR_PID"
check "hotmon-collector --events /dev/full: logged, and exit 1 on SIGTERM" \
    bash -c "[ $? = 1 ] && grep -q 'error: --events: [1-9][0-9]* SLO events in all could not be written to /dev/full' '$WORK/full.log'"

finish
