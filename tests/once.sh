#!/bin/bash
# tests/once.sh - `hotmon --once` end to end: a real hotmon, real publishers
# (tests/prog_publish) over loopback, each output format parsed and checked
# against what was sent; the demo; refusals with exit status 2 (bad flags,
# an address in use, no terminal, a bad config file); --snapshot FILE; and
# the man page against --help. Run from the repository root with HM_BUILD set.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.bash
HOTMON=$HM_BUILD/hotmon
PUBLISH=$HM_BUILD/tests/prog_publish
# No config file of the user's may change what these tests see.
export XDG_CONFIG_HOME=$WORK/noconfig

free_ports 24
next_port=0
take_port() { port=${PORTS[$next_port]}; next_port=$((next_port + 1)); }
hm() { timeout 30 "$HOTMON" "$@"; }

# --once over PORT in format FMT, with known samples published during its
# window: 1000 x 10 ms and 20 x 200 ms on "GET /known", 5 x 1 ms failing with
# status 500 on "POST /other".
run_known() { # FMT PORT [more hotmon flags]
    local fmt=$1; shift
    local port=$1; shift
    # three seconds: room for two publishers to connect and flush on a busy machine
    hm --once --after 3 --bind "tcp://127.0.0.1:$port" --format "$fmt" "$@" \
        >"$WORK/known.$fmt" 2>"$WORK/known.$fmt.err" &
    local hp=$!
    sleep 0.3
    { timeout 20 "$PUBLISH" "tcp://127.0.0.1:$port" "GET /known" 1000x10ms 20x200ms 2>&1
      echo "publish: $?"; } >"$WORK/pub.$fmt" &
    { timeout 20 "$PUBLISH" "tcp://127.0.0.1:$port" "POST /other" 5x1ms:500 2>&1
      echo "publish: $?"; } >"$WORK/pub2.$fmt" &
    wait "$hp"
    echo "$?" >"$WORK/known.$fmt.rc"
    wait
    cat "$WORK/pub2.$fmt" >>"$WORK/pub.$fmt"
}

need "$HOTMON" "$PUBLISH"

# The four formats at once, each on its own port.
for f in csv json md text; do
    take_port
    run_known "$f" "$port" & PIDS+=($!)
done
# Meanwhile: the demo, filtered and sorted by name.
take_port
hm --demo --once --after 1.5 --bind "tcp://127.0.0.1:$port" --format csv >"$WORK/demo.csv" \
    2>"$WORK/demo.err" & PIDS+=($!)
take_port
hm --demo --once --after 1 --bind "tcp://127.0.0.1:$port" --format csv \
    --filter '~^(GET|POST) /[a-s]' --sort name >"$WORK/demo-filtered.csv" 2>&1 & PIDS+=($!)
for p in "${PIDS[@]}"; do wait "$p"; done
PIDS=()

for f in csv json md text; do
    if [ "$(cat "$WORK/known.$f.rc")" = 0 ] && ! grep -q "publish: [^0]" "$WORK/pub.$f"; then
        ok "--once --format $f exits 0 and every sample went out"
    else
        fail "--once --format $f exits 0 and every sample went out" \
            "$(cat "$WORK/known.$f.err" "$WORK/pub.$f")"
    fi
done

check "csv: one row per endpoint, count 1020, p50 10ms and max 200ms within 1%" \
    python3 - "$WORK/known.csv" <<'EOF'
import csv, sys
rows = {r["name"]: r for r in csv.DictReader(open(sys.argv[1]))}
assert set(rows) == {"GET /known", "POST /other"}, rows.keys()
k = rows["GET /known"]
assert int(k["count"]) == 1020, k
assert int(k["errors"]) == 0, k
assert abs(float(k["p50_ms"]) - 10) <= 0.1, k
assert abs(float(k["max_ms"]) - 200) <= 2, k
o = rows["POST /other"]
assert int(o["count"]) == 5 and int(o["errors"]) == 5, o
assert abs(float(o["error_rate"]) - 1) < 1e-9, o
EOF

check "json: count, p50, p99 and max agree with what was sent" \
    python3 - "$WORK/known.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
eps = {e["name"]: e for e in doc["endpoints"]}
k = eps["GET /known"]
# 20 of 1020 samples are 200 ms: p99 (rank 1010) is one of them
assert k["count"] == 1020, k["count"]
assert abs(k["p50_ms"] - 10) <= 0.1, k["p50_ms"]
assert abs(k["p99_ms"] - 200) <= 2, k["p99_ms"]
assert abs(k["max_ms"] - 200) <= 2, k["max_ms"]
assert k["min_ms"] <= k["p50_ms"] <= k["p99_ms"] <= k["max_ms"]
statuses = {s["status"]: s["count"] for s in eps["POST /other"]["statuses"]}
assert statuses == {500: 5}, statuses
assert doc["version"] == 1 and doc["window"] == "1m" and doc["sort"] == "p99", doc
assert doc["counters"]["samples"] == 1025, doc["counters"]
assert doc["counters"]["rejected"] == 0 and doc["counters"]["lost"] == 0, doc["counters"]
# sorted by p99, biggest first
assert [e["name"] for e in doc["endpoints"]] == ["GET /known", "POST /other"], doc["endpoints"]
for key in ("name", "count", "rate", "errors", "error_rate", "min_ms", "mean_ms", "p50_ms",
            "p90_ms", "p95_ms", "p99_ms", "p999_ms", "max_ms", "inflight", "queue", "phases"):
    assert key in k, key
EOF

check "md: a table with both endpoints" \
    grep -q '^| GET /known .*|' "$WORK/known.md"
check "md: the other endpoint too" grep -q 'POST /other' "$WORK/known.md"
check "text: the endpoint, with 1020 samples' p50 of 10ms" \
    grep -Eq '^GET /known .* 10\.0ms' "$WORK/known.text"

check "--demo --once: about a dozen demo endpoints, every one with samples" \
    python3 - "$WORK/demo.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
names = {r["name"] for r in rows}
assert len(rows) >= 10, names
for want in ("GET /health", "GET /search", "POST /jobs", "GET /flaky", "POST /batch",
             "GET /db/query", "WS /stream"):
    assert want in names, (want, names)
assert all(int(r["count"]) > 0 or int(r["inflight"]) > 0 for r in rows), rows
assert any(int(r["errors"]) > 0 for r in rows), "no endpoint with errors"
assert any(int(r["queue"]) > 0 for r in rows), "no endpoint with a queue"
assert any(int(r["inflight"]) > 0 for r in rows), "no endpoint in flight"
EOF

check "--demo --once --filter --sort name: only matching rows, A to Z" \
    python3 - "$WORK/demo-filtered.csv" <<'EOF'
import csv, re, sys
names = [r["name"] for r in csv.DictReader(open(sys.argv[1]))]
assert names, "no rows"
assert all(re.match(r"^(GET|POST) /[a-s]", n) for n in names), names
assert "GET /users/:id" not in names and "WS /stream" not in names, names
assert names == sorted(names), names
EOF

# Refusals: exit status 2 and one clear message.
expect_refusal() { # NAME WANT-IN-STDERR HOTMON-ARGS...
    local name=$1 want=$2; shift 2
    hm "$@" </dev/null >"$WORK/out" 2>"$WORK/err"
    local rc=$?
    if [ "$rc" = 2 ] && grep -qF -- "$want" "$WORK/err" && [ ! -s "$WORK/out" ]; then
        ok "$name"
    else
        fail "$name" "exit $rc: $(cat "$WORK/err")"
    fi
}
expect_refusal "a bad flag: exit 2, the flag named" "unknown option '--bogus'" --once --bogus
expect_refusal "a bad flag: suggests --help" "Try 'hotmon --help'." --bogus
expect_refusal "a bad value: exit 2, what is accepted" "--window: '2m' is not one of 10s, 1m, 5m or all" \
    --once --window 2m
expect_refusal "--after 0 refused" "--after: '0'" --once --after 0
expect_refusal "--bind port 99999 refused, not bound modulo 65536" "port is 0 to 65535" \
    --once --after 0.1 --bind tcp://127.0.0.1:99999
expect_refusal "--refresh out of range refused" "100 to 60000" --refresh 50
expect_refusal "--connect with --demo: refused" "does not go with --connect" --connect tcp://127.0.0.1:1 --demo
expect_refusal "--connect to an address ZeroMQ cannot use" "--connect nonsense: not a valid" --connect nonsense --once
expect_refusal "--baseline: a file that cannot be read" "/nonexistent.json" \
    --once --baseline /nonexistent.json
take_port
expect_refusal "no terminal: the dashboard refuses and suggests --once" "--once" \
    --bind "tcp://127.0.0.1:$port"

expect_refusal "an address ZeroMQ cannot use: exit 2, the address named" "nonsense" \
    --once --bind nonsense

# The demo's threads and client stop promptly (within 200 ms by design; the
# bound here leaves room for a loaded machine and sanitizers).
take_port
start=$(date +%s%N)
hm --demo --once --after 0.2 --bind "tcp://127.0.0.1:$port" >/dev/null 2>&1
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
check "--demo --once --after 0.2 is over within 2 s (took ${elapsed_ms} ms)" \
    test "$elapsed_ms" -lt 2000

# A second hotmon on a taken address.
take_port
"$HOTMON" --once --after 20 --bind "tcp://127.0.0.1:$port" >"$WORK/first.out" 2>&1 & first=$!
PIDS+=("$first")
sleep 0.5
expect_refusal "address in use: exit 2, the address named" "tcp://127.0.0.1:$port is already in use" \
    --once --after 0.2 --bind "tcp://127.0.0.1:$port"
check "address in use: suggests --bind and --connect" \
    grep -q -- "--bind ADDR.*--connect ADDR" "$WORK/err"
# SIGTERM cuts --after short: the view is still printed, exit 0.
kill -TERM "$first"
wait "$first"
check "SIGTERM ends --once early and cleanly" test $? = 0 -a -s "$WORK/first.out"

# --snapshot FILE: the view goes to the file, nothing to stdout.
take_port
hm --demo --once --after 0.5 --bind "tcp://127.0.0.1:$port" --format json \
    --snapshot "$WORK/snap.json" >"$WORK/out" 2>"$WORK/err"
check "--snapshot FILE: exit 0, nothing on stdout" test $? = 0 -a ! -s "$WORK/out"
check "--snapshot FILE: the file is the JSON view" \
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["endpoints"]) >= 10' \
    "$WORK/snap.json"
check "--snapshot FILE: no temporary file left beside it" \
    test "$(ls -A "$WORK" | grep -c '^snap')" = 1
take_port
hm --once --after 0.1 --bind "tcp://127.0.0.1:$port" --snapshot "$WORK/no/dir/x" \
    >/dev/null 2>"$WORK/err"
check "--snapshot into a missing folder: exit 1 with the reason" \
    test $? = 1 -a -s "$WORK/err"
ln -s "$WORK/elsewhere" "$WORK/link.json"
take_port
hm --once --after 0.1 --bind "tcp://127.0.0.1:$port" --snapshot "$WORK/link.json" \
    >/dev/null 2>"$WORK/err"
check "--snapshot onto a symlink: refused with exit 1, nothing written through it" \
    test $? = 1 -a ! -e "$WORK/elsewhere"

# The config file: keys are long option names, flags override it.
mkdir -p "$WORK/conf/hotmon"
printf '# test config\nformat = csv\nwindow = 10s   # short\n' >"$WORK/conf/hotmon/config"
take_port
XDG_CONFIG_HOME=$WORK/conf hm --once --after 0.2 --bind "tcp://127.0.0.1:$port" \
    >"$WORK/out" 2>"$WORK/err"
check "config file: format = csv applies" grep -q '^name,count,' "$WORK/out"
take_port
XDG_CONFIG_HOME=$WORK/conf hm --once --after 0.2 --bind "tcp://127.0.0.1:$port" \
    --format json >"$WORK/out" 2>"$WORK/err"
check "config file: the command line wins, the rest of the file still applies" \
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["window"]=="10s", d' \
    "$WORK/out"
printf 'format = csv\nwindow = 2m\n' >"$WORK/conf/hotmon/config"
XDG_CONFIG_HOME=$WORK/conf expect_refusal "config file: a bad line gives FILE:LINE and exit 2" \
    "$WORK/conf/hotmon/config:2: window: '2m'" --once --after 0.1
# Strings the settings took (a filter, a file name) are freed on every refusal:
# under ASan a leak would change the exit status.
printf 'filter = ~(\n' >"$WORK/conf/hotmon/config"
XDG_CONFIG_HOME=$WORK/conf expect_refusal "config file: a bad filter refused, nothing leaked" \
    "config:1: filter: '~(' is not a valid filter" --once --after 0.1
printf 'window = 1m\0 junk\n' >"$WORK/conf/hotmon/config"
XDG_CONFIG_HOME=$WORK/conf expect_refusal "config file: a NUL byte refused, not cutting the line" \
    "config:1: a NUL byte (not a text file?)" --once --after 0.1
printf 'slo = %s/none.rules\n' "$WORK" >"$WORK/conf/hotmon/config"
XDG_CONFIG_HOME=$WORK/conf expect_refusal "config file: a missing rules file refused, nothing leaked" \
    "--slo: $WORK/none.rules: No such file" --once --after 0.1

# --help and --version go to stdout with exit 0; the man page covers --help.
hm --help >"$WORK/help" 2>&1
check "--help: exit 0" test $? = 0
hm --version >"$WORK/version" 2>&1
check "--version: exit 0 with a version" grep -Eq '^hotmon [0-9]+\.[0-9]+' "$WORK/version"
expect_full_stdout "--help" hm --help
# A reader that left (--once | head): said, exit 1, and the report still written.
hm --once --after 1 --bind 'tcp://127.0.0.1:*' --report "$WORK/gone.md" 2>"$WORK/gone.err" | true
check "--once into a closed pipe: exit 1, said, the report written" \
    bash -c "[ ${PIPESTATUS[0]} = 1 ] && grep -q 'cannot write to stdout: Broken pipe' '$WORK/gone.err' && grep -q 'verdict' '$WORK/gone.md'"
expect_full_stdout "--version" hm --version
check_man_page "$HOTMON" docs/hotmon.1 HOTMON_ENDPOINT HOTMON_SERVICE NO_COLOR XDG_CONFIG_HOME "EXIT STATUS"

# --baseline: the JSON run above, doctored so GET /known looked twice as fast
# then as now; the live run must flag it, and only it.
python3 - "$WORK/known.json" "$WORK/base.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for e in d["endpoints"]:
    if e["name"] == "GET /known":
        e["p99_ms"] /= 2
json.dump(d, open(sys.argv[2], "w"))
PY
take_port
run_known json "$port" --window all --baseline "$WORK/base.json"
check "--baseline: the doubled p99 is a regression, the unchanged latency is not" \
    python3 - "$WORK/known.json" <<'PY'
import json, sys
eps = {e["name"]: e for e in json.load(open(sys.argv[1]))["endpoints"]}
a, b = eps["GET /known"]["baseline"], eps["POST /other"]["baseline"]
assert abs(a["p99"] - 1.0) < 0.05 and a["p99_worse"], a
# the rate moves with timing; latency must not
assert abs(b["p99"]) < 0.05 and not b["p99_worse"] and not b["p50_worse"], b
PY
echo '{"endpoints": [' >"$WORK/broken.json"
timeout 10 "$HOTMON" --once --baseline "$WORK/broken.json" >/dev/null 2>"$WORK/err"
rc=$?
check "--baseline with broken JSON: exit 2 naming the file and line" \
    bash -c "[ $rc = 2 ] && grep -q 'broken.json:[0-9]' '$WORK/err'"

finish
